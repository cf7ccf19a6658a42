"""Process versions: check the shipped BPMN files, store versions, cache parsed specs.

A version's XML is stored once in process_versions; cases reference the version
and never embed the definition (DESIGN: app/engine).
"""
import hashlib
import threading
from pathlib import Path

from app.engine.parsing import DiagramError, executable_process_ids, parse_process
from app.extensions import db
from app.models import ProcessVersion

_cache = {}
_cache_lock = threading.Lock()


def shipped_files(bpmn_dir):
    return sorted(Path(bpmn_dir).glob("*.bpmn"))


def check_shipped_files(bpmn_dir):
    """Parse every shipped diagram; raise DiagramError (file and line) on the first bad one."""
    for path in shipped_files(bpmn_dir):
        parse_process(path.read_text(encoding="utf-8"), source=path.name)


def sync_process_files(bpmn_dir, actor_id=None):
    """Store a new version of each shipped diagram whose content changed. Returns new versions."""
    created = []
    for path in shipped_files(bpmn_dir):
        xml = path.read_text(encoding="utf-8")
        parsed = parse_process(xml, source=path.name)
        digest = sha256(xml)
        latest = ProcessVersion.latest(parsed.process_id)
        # A version published in the browser wins over the file it started from.
        if latest is not None and (latest.sha256 == digest or latest.source == "published"):
            continue
        created.append(store_version(parsed.process_id, xml, source="file", actor_id=actor_id,
                                     name=parsed.name, note=f"Chargé depuis bpmn/{path.name}"))
    db.session.commit()
    return created


def store_version(process_key, xml, source, actor_id=None, name="", note=""):
    latest = ProcessVersion.latest(process_key)
    version = ProcessVersion(process_key=process_key, version=(latest.version + 1) if latest else 1,
                             name=name or process_key, xml=xml, sha256=sha256(xml), source=source,
                             note=note, created_by_id=actor_id)
    db.session.add(version)
    db.session.flush()
    return version


def sha256(xml):
    return hashlib.sha256(xml.encode("utf-8")).hexdigest()


def latest_version(process_key):
    version = ProcessVersion.latest(process_key)
    if version is None:
        raise DiagramError(f"aucun processus « {process_key} » n'est publié.")
    return version


def parsed_version(version):
    """The parsed specs of a stored version, parsed once per process (versions never change)."""
    # Keyed by content too: SQLite may hand a deleted version's id out again.
    key = (version.id, version.sha256)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    parsed = parse_process(version.xml, source=f"{version.process_key} v{version.version}",
                           extra_xml=_called_processes(version))
    with _cache_lock:
        _cache[key] = parsed
    return parsed


def _called_processes(version):
    """Latest XML of the other processes, so call activities resolve (never the case's own)."""
    others = []
    if "callActivity" not in version.xml:
        return others
    keys = {k for (k,) in db.session.query(ProcessVersion.process_key).distinct()}
    for key in sorted(keys - {version.process_key}):
        other = ProcessVersion.latest(key)
        others.append((f"{key} v{other.version}", other.xml))
    return others


def process_keys_in(xml):
    return executable_process_ids(xml)
