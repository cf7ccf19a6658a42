"""Process owners' use cases: drafts, check, publish, roll back, compare, export, migrate, simulate.

Views (app/web/process_admin.py) call these; each changing action is one transaction
and refuses bad input with a French ServiceError (422 invalid, 409 conflict, 404),
changing nothing. Publications, rollbacks and migrations go into the audit log
(app/models/audit.py); a migration also goes into the case's own event log.

Form specs edited next to a diagram are saved in its draft and published with it as
FormSpecVersion rows, which app.formspec.load_spec reads before forms/*.yaml (see
use_stored_specs below): a published form applies at once to every task with that
form key, whatever the version of its case.
"""
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, has_app_context
from lxml import etree
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import formspec
from app.engine import checks, compare, migration, operations, processes, simulation
from app.engine.parsing import BPMN_NS, DiagramError, parse_process
from app.engine.runtime import EngineError
from app.extensions import db
from app.formspec import spec as formspec_files
from app.models import Case, FormSpecVersion, ProcessDraft, ProcessVersion
from app.models.audit import record
from app.models.base import utcnow
from app.services.tasks import ServiceError

MAX_FORMS = 50
MAX_FORM_CHARS = 100_000
# A simulation or a pre-check deserializes every case it reads: keep one page bounded.
MAX_CASES = 200
_FORM_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


# -- reading -------------------------------------------------------------------------------

@dataclass
class ProcessSummary:
    key: str
    published: ProcessVersion
    draft: ProcessDraft | None
    running: dict = field(default_factory=dict)  # version number -> running cases

    @property
    def running_total(self):
        return sum(self.running.values())


def process_keys():
    return sorted(k for (k,) in db.session.query(ProcessVersion.process_key).distinct())


def process_list():
    drafts = {d.process_key: d for d in ProcessDraft.query}
    return [ProcessSummary(key, processes.latest_version(key), drafts.get(key), running_counts(key))
            for key in process_keys()]


def running_counts(key):
    """{version number: running cases} of a process."""
    rows = (db.session.query(ProcessVersion.version, func.count(Case.id))
            .join(Case, Case.process_version_id == ProcessVersion.id)
            .filter(ProcessVersion.process_key == key, Case.status == "running")
            .group_by(ProcessVersion.version))
    return dict(sorted(rows))


def summary(key):
    return ProcessSummary(key, latest(key), draft_of(key), running_counts(key))


def latest(key):
    version = ProcessVersion.latest(key)
    if version is None:
        raise ServiceError(f"Le processus « {key} » n'existe pas.", 404)
    return version


def versions(key):
    latest(key)
    return ProcessVersion.query.filter_by(process_key=key).order_by(ProcessVersion.version.desc()).all()


def get_version(key, number):
    version = ProcessVersion.query.filter_by(process_key=key, version=number).first()
    if version is None:
        raise ServiceError(f"Le processus « {key} » n'a pas de version {number}.", 404)
    return version


def draft_of(key):
    return ProcessDraft.query.filter_by(process_key=key).first()


# -- form specs ----------------------------------------------------------------------------

def stored_spec(form_key):
    """The newest published spec of form_key as (revision, read_text), or None (app.formspec hook)."""
    # Only Parcours apps keep published specs (a bare Flask app rendering a form has no database).
    if not has_app_context() or "sqlalchemy" not in current_app.extensions:
        return None
    row = (db.session.query(FormSpecVersion.id, FormSpecVersion.sha256).filter_by(form_key=form_key)
           .order_by(FormSpecVersion.version.desc()).first())
    if row is None:
        return None
    row_id, digest = row
    return (row_id, digest), lambda: db.session.get(FormSpecVersion, row_id).yaml


def use_stored_specs():
    formspec_files.use_stored_specs(stored_spec)


def forms_dir():
    return current_app.config["FORMS_DIR"]


def form_keys(draft_forms=None):
    """Every form key a user task may name: files, published specs, the draft's own."""
    stored = {k for (k,) in db.session.query(FormSpecVersion.form_key).distinct()}
    return sorted(set(formspec.list_form_keys(forms_dir())) | stored | set(draft_forms or {}))


def published_form_text(form_key):
    """The YAML in service for form_key (published version, else the file), or None."""
    row = FormSpecVersion.latest(form_key)
    if row is not None:
        return row.yaml
    try:
        path = formspec_files.spec_path(form_key, forms_dir())
    except formspec.FormSpecError:
        return None
    return path.read_text(encoding="utf-8") if path.is_file() else None


def form_lookup(draft_forms=None):
    """form_key -> FormSpec, the draft's text first; raises FormSpecError (for the checker)."""
    draft_forms = draft_forms or {}

    def lookup(form_key):
        if form_key in draft_forms:
            return formspec.parse_spec(draft_forms[form_key], form_key, source=f"{form_key} (brouillon)")
        return formspec.load_spec(form_key, forms_dir())
    return lookup


def preview_form(form_key, text):
    """(FormSpec or None, French problems) of a YAML text typed in the editor."""
    if not isinstance(form_key, str) or not _FORM_KEY.match(form_key):
        return None, ["Clé de formulaire invalide : lettres minuscules, chiffres, _ . - seulement."]
    try:
        return formspec.parse_spec(text or "", form_key, source=f"{form_key} (brouillon)"), []
    except formspec.FormSpecError as exc:
        return None, exc.problems or [str(exc)]


# -- checking ------------------------------------------------------------------------------

def _called_xml(key, xml):
    """Latest XML of the other processes, so that call activities resolve."""
    if "callActivity" not in xml:
        return []
    others = [processes.latest_version(other) for other in process_keys() if other != key]
    return [(f"{version.process_key} v{version.version}", version.xml) for version in others]


def check_context(key, draft_forms=None, xml=""):
    return checks.CheckContext(forms=form_lookup(draft_forms), process_keys=set(process_keys()),
                               operations=operations.names(), expected_process_id=key,
                               called_xml=_called_xml(key, xml))


def check(key, xml, draft_forms=None):
    """Every problem of a diagram and of the form specs edited with it."""
    problems = checks.check_diagram(xml, check_context(key, draft_forms, xml))
    lookup = form_lookup(draft_forms)
    for form_key in sorted(draft_forms or {}):
        try:
            lookup(form_key)
        except formspec.FormSpecError as exc:
            # A user task of the diagram may already have reported it.
            if not any(str(exc) in p.message for p in problems):
                problems.append(checks.Problem("", f"Formulaire {form_key}",
                                               f"Le formulaire « {form_key} » du brouillon est invalide : {exc}"))
    return sorted(problems, key=lambda p: p.severity != "error")


def check_draft(key):
    draft = _require_draft(key)
    return check(key, draft.xml, draft.forms)


# -- drafts --------------------------------------------------------------------------------

def editor_state(key):
    """What the modeler opens: the draft, else the published version (lock 0 = no draft yet)."""
    published = latest(key)
    draft = draft_of(key)
    if draft is None:
        return {"xml": published.xml, "forms": {}, "lock": 0, "base_version": published.version,
                "published_version": published.version, "has_draft": False, "updated_by": None,
                "updated_at": None}
    return {"xml": draft.xml, "forms": dict(draft.forms or {}), "lock": draft.lock,
            "base_version": draft.base_version, "published_version": published.version, "has_draft": True,
            "updated_by": draft.updated_by.full_name if draft.updated_by else None,
            "updated_at": draft.updated_at.isoformat() if draft.updated_at else None}


def validate_bpmn(xml):
    """Refuse what is not a BPMN 2.0 file (422); drafts may hold other problems."""
    if not isinstance(xml, str) or not xml.strip():
        raise ServiceError("Le diagramme est vide.", 422, {"xml": "Le diagramme est vide."})
    if checks.DOCTYPE.search(xml):
        raise ServiceError(checks.DOCTYPE_MESSAGE, 422, {"xml": checks.DOCTYPE_MESSAGE})
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        message = f"Ce fichier n'est pas un diagramme BPMN : le XML est invalide (ligne {exc.lineno})."
        raise ServiceError(message, 422, {"xml": message}) from None
    if root.tag != f"{{{BPMN_NS}}}definitions":
        message = "Ce fichier n'est pas un diagramme BPMN 2.0 (son élément racine doit être bpmn:definitions)."
        raise ServiceError(message, 422, {"xml": message})


def _validate_forms(forms):
    if forms is None:
        return {}
    if not isinstance(forms, dict) or len(forms) > MAX_FORMS:
        raise ServiceError("Les formulaires du brouillon sont illisibles.", 422, {"forms": "Format invalide."})
    clean = {}
    for form_key, text in forms.items():
        if not isinstance(form_key, str) or not _FORM_KEY.match(form_key):
            message = f"Clé de formulaire invalide : « {form_key} » (lettres minuscules, chiffres, _ . - seulement)."
            raise ServiceError(message, 422, {"forms": message})
        if not isinstance(text, str) or len(text) > MAX_FORM_CHARS:
            message = f"Le formulaire « {form_key} » doit être un texte YAML de moins de {MAX_FORM_CHARS} caractères."
            raise ServiceError(message, 422, {"forms": message})
        clean[form_key] = text
    return clean


def _conflict(draft):
    if draft is None:
        return ServiceError("Ce brouillon a été publié ou abandonné entre-temps : rechargez la page. "
                            "Vos modifications n'ont pas été enregistrées.", 409)
    who = draft.updated_by.full_name if draft.updated_by else "un autre propriétaire"
    return ServiceError(f"Ce brouillon a été modifié par {who} entre-temps : rechargez-le avant de continuer. "
                        "Vos modifications n'ont pas été enregistrées.", 409)


def _as_lock(lock):
    try:
        return int(lock)
    except (TypeError, ValueError):
        raise ServiceError("Version du brouillon manquante : rechargez la page.", 422,
                           {"lock": "Version du brouillon manquante."}) from None


def save_draft(key, xml, forms, lock, actor):
    """Save the editor's content; `lock` is the draft's lock the editor started from (0: none).

    A save from an editor that is behind (someone saved meanwhile) is refused with 409."""
    published = latest(key)
    validate_bpmn(xml)
    forms = _validate_forms(forms)
    lock = _as_lock(lock)
    now = utcnow()
    if lock == 0:
        if draft_of(key) is not None:
            raise _conflict(draft_of(key))
        draft = ProcessDraft(process_key=key, xml=xml, forms=forms, base_version=published.version, lock=1,
                             created_at=now, updated_at=now, updated_by_id=actor.id)
        db.session.add(draft)
        try:
            db.session.commit()
        except IntegrityError:  # another owner created the draft at the same moment
            db.session.rollback()
            raise _conflict(draft_of(key)) from None
        return draft
    # Conditional update: of two saves from the same lock, exactly one wins.
    won = (ProcessDraft.query.filter_by(process_key=key, lock=lock)
           .update({"xml": xml, "forms": forms, "lock": lock + 1, "updated_at": now, "updated_by_id": actor.id},
                   synchronize_session=False))
    if not won:
        db.session.rollback()
        raise _conflict(draft_of(key))
    db.session.commit()
    return draft_of(key)


def discard_draft(key, lock, actor):
    latest(key)
    lock = _as_lock(lock)
    if not ProcessDraft.query.filter_by(process_key=key, lock=lock).delete(synchronize_session=False):
        db.session.rollback()
        raise _conflict(draft_of(key))
    record("process_draft_discarded", actor=actor, summary=f"Brouillon du processus « {key} » abandonné",
           data={"process": key})
    db.session.commit()


def _require_draft(key):
    latest(key)
    draft = draft_of(key)
    if draft is None:
        raise ServiceError("Il n'y a pas de brouillon pour ce processus : ouvrez l'éditeur pour en créer un.", 404)
    return draft


# -- publishing ----------------------------------------------------------------------------

class DraftHasErrors(ServiceError):
    def __init__(self, message, problems):
        super().__init__(message, 422)
        self.problems = problems


def _refuse_errors(problems, what):
    found = checks.errors(problems)
    if found:
        count = len(found)
        raise DraftHasErrors(f"{what} contient {count} erreur{'s' if count > 1 else ''} : "
                             "corrigez-les avant de publier.", problems)


def _note(note):
    note = (note or "").strip()
    if not note:
        raise ServiceError("Décrivez le changement : la note est obligatoire.", 422,
                           {"note": "Décrivez le changement : la note est obligatoire."})
    return note


def publish(key, lock, note, actor):
    """Publish the draft as version N+1 (with its edited forms); refuses a draft with errors."""
    note = _note(note)
    lock = _as_lock(lock)
    draft = _require_draft(key)
    if draft.lock != lock:
        raise _conflict(draft)
    problems = check(key, draft.xml, draft.forms)
    _refuse_errors(problems, "Le brouillon")
    parsed = parse_process(draft.xml, source="brouillon", extra_xml=_called_xml(key, draft.xml))
    try:
        version = processes.store_version(key, draft.xml, source="published", actor_id=actor.id,
                                          name=parsed.name, note=note)
        forms = _publish_forms(draft.forms or {}, key, version.version, note, actor)
        if not ProcessDraft.query.filter_by(id=draft.id, lock=lock).delete(synchronize_session=False):
            raise _conflict(draft)
        record("process_published", actor=actor,
               summary=f"Processus « {parsed.name} » : version {version.version} publiée",
               data={"process": key, "version": version.version, "note": note, "forms": forms,
                     "base_version": draft.base_version})
        db.session.commit()
    except (IntegrityError, StaleDataError):  # another publication won the race
        db.session.rollback()
        raise ServiceError("Une autre version vient d'être publiée : rechargez la page et vérifiez "
                           "avant de recommencer.", 409) from None
    except ServiceError:
        db.session.rollback()
        raise
    return version


def _publish_forms(draft_forms, key, version_number, note, actor):
    published = []
    for form_key, text in sorted(draft_forms.items()):
        if text == published_form_text(form_key):
            continue
        previous = FormSpecVersion.latest(form_key)
        db.session.add(FormSpecVersion(form_key=form_key, version=(previous.version + 1) if previous else 1,
                                       yaml=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                       note=note, process_key=key, process_version=version_number,
                                       created_by_id=actor.id))
        published.append(form_key)
    db.session.flush()
    return published


def republish(key, number, note, actor):
    """Roll back: publish an earlier version again as the newest one."""
    note = _note(note)
    old = get_version(key, number)
    current = latest(key)
    if old.id == current.id:
        raise ServiceError(f"La version {number} est déjà celle en service.", 409)
    problems = check(key, old.xml)
    _refuse_errors(problems, f"La version {number}")
    try:
        version = processes.store_version(key, old.xml, source="published", actor_id=actor.id, name=old.name,
                                          note=f"Retour à la version {number} : {note}")
        record("process_rolled_back", actor=actor,
               summary=f"Processus « {old.name} » : retour à la version {number} (publiée en version "
                       f"{version.version})",
               data={"process": key, "version": version.version, "restored": number, "replaced": current.version,
                     "note": note})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError("Une autre version vient d'être publiée : rechargez la page et vérifiez "
                           "avant de recommencer.", 409) from None
    return version


# -- comparing and exporting -------------------------------------------------------------------

def described(xml):
    """The elements of a diagram with their settings, for the text view of a version."""
    return [e for e in compare.elements(xml).values() if e.type not in ("process", "message")]


def comparison(key, old_number, new_number):
    return compare.compare(get_version(key, old_number).xml, get_version(key, new_number).xml)


def draft_comparison(key):
    draft = _require_draft(key)
    try:
        return compare.compare(latest(key).xml, draft.xml)
    except etree.XMLSyntaxError:
        raise ServiceError("Le brouillon n'est pas un XML lisible.", 422) from None


# -- migration -----------------------------------------------------------------------------

def migration_candidates(key):
    """Running cases on versions older than the newest, oldest first (at most MAX_CASES)."""
    newest = latest(key)
    return (Case.query.join(ProcessVersion, Case.process_version_id == ProcessVersion.id)
            .filter(Case.process_key == key, Case.status == "running", ProcessVersion.version < newest.version)
            .order_by(Case.id).limit(MAX_CASES).all())


def _cases_of(key, case_ids):
    ids = sorted({int(i) for i in case_ids})[:MAX_CASES]
    return Case.query.filter(Case.process_key == key, Case.id.in_(ids)).order_by(Case.id).all() if ids else []


def precheck(key, case_ids):
    """For each chosen case: can it move to the newest version, why not, where would it wait."""
    newest = latest(key)
    target = processes.parsed_version(newest)
    trials = []
    for case in _cases_of(key, case_ids):
        if case.status != "running" or case.process_version_id == newest.id:
            continue
        trials.append(simulation.trial(case, target))
    return newest, trials


@dataclass
class MigrationOutcome:
    case_id: int
    reference: str
    migrated: bool
    message: str


def migrate(key, selections, actor):
    """Move the chosen cases to the newest version; `selections` are (case id, lock_version at
    the pre-check). A case changed since its pre-check is refused; each case is its own transaction."""
    newest = latest(key)
    outcomes = []
    for case_id, lock in selections:
        case = db.session.get(Case, case_id)
        if case is None or case.process_key != key:
            outcomes.append(MigrationOutcome(case_id, "", False, "Dossier introuvable dans ce processus."))
            continue
        reference = case.reference or str(case.id)
        if case.lock_version != lock:
            outcomes.append(MigrationOutcome(case.id, reference, False,
                                             "Ce dossier a changé depuis la vérification préalable : vérifiez-le "
                                             "de nouveau avant de le migrer."))
            continue
        previous = case.process_version.version
        try:
            migration.migrate_case(case, newest, actor)
            record("case_version_migrated", actor=actor,
                   summary=f"Dossier {reference} passé de la version {previous} à la version {newest.version} "
                           f"du processus « {newest.name} »",
                   data={"process": key, "case": reference, "from": previous, "to": newest.version})
            db.session.commit()
        except EngineError as exc:
            db.session.rollback()
            outcomes.append(MigrationOutcome(case_id, reference, False, exc.message))
            continue
        except StaleDataError:
            db.session.rollback()
            outcomes.append(MigrationOutcome(case_id, reference, False,
                                             "Ce dossier a été modifié pendant la migration : vérifiez-le de "
                                             "nouveau."))
            continue
        outcomes.append(MigrationOutcome(case_id, reference, True,
                                         f"Passé de la version {previous} à la version {newest.version}."))
    return newest, outcomes


# -- simulation ----------------------------------------------------------------------------

@dataclass
class SimulationReport:
    draft: ProcessDraft
    problems: list
    trials: list
    truncated: bool = False


def simulate_draft(key):
    """Run the draft over copies of the running cases of the process (never touching them)."""
    draft = _require_draft(key)
    try:
        target = parse_process(draft.xml, source="brouillon", extra_xml=_called_xml(key, draft.xml))
    except DiagramError as exc:
        problem = checks.Problem(exc.element_id, "", f"Le brouillon ne peut pas être simulé : {exc.message}")
        return SimulationReport(draft, [problem], [])
    cases = (Case.query.filter_by(process_key=key, status="running").order_by(Case.id.desc())
             .limit(MAX_CASES + 1).all())
    return SimulationReport(draft, [], simulation.simulate(cases[:MAX_CASES], target),
                            truncated=len(cases) > MAX_CASES)


# -- export to files -----------------------------------------------------------------------

def export_files(directory):
    """Write each process's version in service to <directory>/<key>.bpmn and each form spec
    published from the browser to <directory>/forms/<form_key>.yaml; returns the paths written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key in process_keys():
        path = folder / f"{key}.bpmn"
        path.write_text(processes.latest_version(key).xml, encoding="utf-8")
        written.append(path)
    form_keys_published = sorted(k for (k,) in db.session.query(FormSpecVersion.form_key).distinct())
    if form_keys_published:
        (folder / "forms").mkdir(exist_ok=True)
    for form_key in form_keys_published:
        path = folder / "forms" / f"{form_key}.yaml"
        path.write_text(FormSpecVersion.latest(form_key).yaml, encoding="utf-8")
        written.append(path)
    return written
