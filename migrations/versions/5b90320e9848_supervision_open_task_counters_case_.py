"""supervision: open task and PASS IAE counters, case list ids from the waiting index

Revision ID: 5b90320e9848
Revises: 5c1d9a7e3f20
Create Date: 2026-11-22 20:08:28.050770

The whole platform's "now" figures (tasks overdue and due soon, where cases wait) read
counters of the open tasks (app/models/case_flows.py OpenTaskCount), backfilled here from the
open, listed tasks of running cases, and the PASS IAE figures of the platform and of a
département read PASS counters (PassCount), backfilled from the PASS not cancelled
(`backfill`; bench/supervision_bench.py runs it after seeding). ix_tasks_open_due finds the tasks due within an hour (the counters' boundaries);
ix_cases_waiting gains id so that the case list's page of ids is read from the index alone.
"""
from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b90320e9848'
down_revision = '5c1d9a7e3f20'
branch_labels = None
depends_on = None

WAITING = sa.text('waiting_since IS NOT NULL')
OPEN_LISTED = sa.text("state = 'open' AND listed IS TRUE")


def upgrade():
    op.create_table(
        'open_task_counts',
        sa.Column('process_key', sa.String(length=80), nullable=False),
        sa.Column('department', sa.String(length=3), nullable=False),
        sa.Column('spec_name', sa.String(length=255), nullable=False),
        sa.Column('measure', sa.String(length=10), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('tasks', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('process_key', 'department', 'spec_name', 'measure', 'bucket',
                                name=op.f('pk_open_task_counts')),
    )
    op.create_table(
        'pass_counts',
        sa.Column('measure', sa.String(length=10), nullable=False),
        sa.Column('department', sa.String(length=3), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('passes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('measure', 'department', 'day', name=op.f('pk_pass_counts')),
    )
    backfill(op.get_bind())
    op.drop_index('ix_cases_waiting', table_name='cases', postgresql_where=WAITING, sqlite_where=WAITING)
    op.create_index('ix_cases_waiting', 'cases', ['created_at', 'id'],
                    postgresql_include=['waiting_since', 'next_due_at'],
                    postgresql_where=WAITING, sqlite_where=WAITING)
    op.create_index('ix_cases_department_waiting', 'cases', ['employer_department', 'created_at', 'id'],
                    postgresql_include=['waiting_since', 'next_due_at'],
                    postgresql_where=WAITING, sqlite_where=WAITING)
    op.create_index('ix_tasks_open_due', 'tasks', ['due_at'], postgresql_include=['case_id', 'spec_name'],
                    postgresql_where=OPEN_LISTED, sqlite_where=OPEN_LISTED)


def backfill(connection):
    """The open task counters from the open, listed tasks of running cases; the PASS counters."""
    backfill_passes(connection)
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("""
            CREATE TEMP TABLE open_tasks_by_place ON COMMIT DROP AS
            SELECT c.process_key, p.department, t.spec_name, t.created_at, t.due_at
            FROM tasks t JOIN cases c ON c.id = t.case_id
            CROSS JOIN LATERAL (SELECT '*' AS department UNION ALL
                                SELECT c.employer_department WHERE c.employer_department <> '') p
            WHERE t.state = 'open' AND t.listed IS TRUE AND c.status = 'running' AND t.created_at IS NOT NULL"""))
        connection.execute(sa.text("""
            INSERT INTO open_task_counts (process_key, department, spec_name, measure, bucket, tasks)
            SELECT process_key, department, spec_name, 'created',
                   (created_at AT TIME ZONE 'Europe/Paris')::date - date '1970-01-01', count(*)
            FROM open_tasks_by_place GROUP BY 1, 2, 3, 5
            UNION ALL
            SELECT process_key, department, spec_name, 'due', floor(extract(epoch FROM due_at) / 3600)::int, count(*)
            FROM open_tasks_by_place WHERE due_at IS NOT NULL GROUP BY 1, 2, 3, 5"""))
        return
    # SQLite has no time zones: the buckets are computed here (development databases are small).
    paris = ZoneInfo("Europe/Paris")

    def moment(value):
        found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return found.replace(tzinfo=found.tzinfo or UTC)

    counts = Counter()
    for process_key, department, spec_name, created, due in connection.execute(sa.text(
            "SELECT c.process_key, c.employer_department, t.spec_name, t.created_at, t.due_at "
            "FROM tasks t JOIN cases c ON c.id = t.case_id "
            "WHERE t.state = 'open' AND t.listed IS TRUE AND c.status = 'running' AND t.created_at IS NOT NULL")):
        for place in ("*", department) if department else ("*",):
            day = (moment(created).astimezone(paris).date() - date(1970, 1, 1)).days
            counts[(process_key, place, spec_name, "created", day)] += 1
            if due is not None:
                counts[(process_key, place, spec_name, "due", int(moment(due).timestamp() // 3600))] += 1
    if counts:
        connection.execute(sa.text(
            "INSERT INTO open_task_counts (process_key, department, spec_name, measure, bucket, tasks) "
            "VALUES (:p, :d, :s, :m, :b, :n)"),
            [{"p": p, "d": d, "s": s, "m": m, "b": b, "n": n} for (p, d, s, m, b), n in counts.items()])


PASS_DAYS = """
    WITH live AS (SELECT id, created_at, end_on FROM approvals WHERE cancelled_at IS NULL),
    places AS (SELECT id AS approval_id, '*' AS department FROM live
               UNION SELECT h.approval_id, o.department FROM approval_hires h
                     JOIN organisations o ON o.id = h.company_id JOIN live l ON l.id = h.approval_id
                     WHERE o.department <> ''),
    days AS (SELECT id AS approval_id, 'issued' AS measure, created_at AS at, NULL AS day FROM live
             WHERE created_at IS NOT NULL
             UNION ALL SELECT id, 'ends', NULL, end_on FROM live
             UNION ALL SELECT s.approval_id, 'suspended', s.created_at, NULL FROM suspensions s
                       JOIN live l ON l.id = s.approval_id WHERE s.created_at IS NOT NULL
             UNION ALL SELECT p.approval_id, 'prolonged', p.created_at, NULL FROM prolongations p
                       JOIN live l ON l.id = p.approval_id WHERE p.created_at IS NOT NULL)
"""


def backfill_passes(connection):
    """Each PASS not cancelled: issued, suspended, prolonged (Paris days) and its end, for the platform
    ("*") and each département of the companies that hired on it."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(PASS_DAYS + """
            INSERT INTO pass_counts (measure, department, day, passes)
            SELECT d.measure, p.department, coalesce(d.day, (d.at AT TIME ZONE 'Europe/Paris')::date), count(*)
            FROM days d JOIN places p ON p.approval_id = d.approval_id GROUP BY 1, 2, 3"""))
        return
    paris = ZoneInfo("Europe/Paris")
    counts = Counter()
    for measure, department, at, day in connection.execute(sa.text(
            PASS_DAYS + "SELECT d.measure, p.department, d.at, d.day FROM days d "
                        "JOIN places p ON p.approval_id = d.approval_id")):
        if at is not None:
            found = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
            day = found.replace(tzinfo=found.tzinfo or UTC).astimezone(paris).date()
        counts[(measure, department, day if isinstance(day, date) else date.fromisoformat(str(day)[:10]))] += 1
    if counts:
        connection.execute(sa.text(
            "INSERT INTO pass_counts (measure, department, day, passes) VALUES (:m, :d, :day, :n)"),
            [{"m": m, "d": d, "day": day, "n": n} for (m, d, day), n in counts.items()])


def downgrade():
    op.drop_index('ix_tasks_open_due', table_name='tasks', postgresql_where=OPEN_LISTED, sqlite_where=OPEN_LISTED)
    op.drop_index('ix_cases_department_waiting', table_name='cases', postgresql_where=WAITING, sqlite_where=WAITING)
    op.drop_index('ix_cases_waiting', table_name='cases', postgresql_where=WAITING, sqlite_where=WAITING)
    op.create_index('ix_cases_waiting', 'cases', ['created_at'], postgresql_include=['waiting_since', 'next_due_at'],
                    postgresql_where=WAITING, sqlite_where=WAITING)
    op.drop_table('pass_counts')
    op.drop_table('open_task_counts')
