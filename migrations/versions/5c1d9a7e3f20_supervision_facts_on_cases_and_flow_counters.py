"""supervision: facts on cases (sender kind, refusal reason, first answer, acceptance, waiting
since, next due date) and the daily flow counters of the whole platform's dashboard

Revision ID: 5c1d9a7e3f20
Revises: 2b763825c14c
Create Date: 2026-11-24 10:00:00

Existing rows are backfilled from the tasks, events and summaries the dashboards used to read
(`backfill` below; bench/supervision_bench.py runs it after seeding, so it is measured at
1,000,000 cases). From then on app/models/case_flows.py keeps them in step at every flush.
"""
from collections import Counter
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1d9a7e3f20'
down_revision = '2b763825c14c'
branch_labels = None
depends_on = None

SAMPLE = sa.text("id % 32 = 0")
LIVE_PASS = sa.text("cancelled_at IS NULL")
WAITING = sa.text("waiting_since IS NOT NULL")


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender_kind', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('refusal_reason', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('first_answer_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'case_flow_counts',
        sa.Column('process_key', sa.String(length=80), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('measure', sa.String(length=10), nullable=False),
        sa.Column('stage', sa.String(length=40), nullable=False),
        sa.Column('sender_kind', sa.String(length=20), nullable=False),
        sa.Column('refusal_reason', sa.String(length=40), nullable=False),
        sa.Column('cases', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('process_key', 'day', 'measure', 'stage', 'sender_kind', 'refusal_reason',
                                name=op.f('pk_case_flow_counts')),
    )
    backfill(op.get_bind())
    create_indexes()


def create_indexes():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_process_created')
        batch_op.drop_index('ix_cases_department')
    op.create_index('ix_cases_process_created', 'cases', ['process_key', 'created_at'],
                    postgresql_include=['id', 'stage', 'status', 'employer_department', 'employer_kind',
                                        'sender_kind', 'refusal_reason'])
    op.create_index('ix_cases_department', 'cases', ['employer_department', 'created_at'],
                    postgresql_include=['id', 'process_key', 'stage', 'status', 'employer_kind', 'closed_at',
                                        'sender_kind', 'refusal_reason', 'first_answer_at', 'accepted_at'])
    op.create_index('ix_cases_sample', 'cases', ['process_key', 'created_at'],
                    postgresql_include=['employer_department', 'employer_kind', 'stage', 'first_answer_at',
                                        'accepted_at'],
                    postgresql_where=SAMPLE, sqlite_where=SAMPLE)
    op.create_index('ix_cases_waiting', 'cases', ['created_at'], postgresql_include=['waiting_since', 'next_due_at'],
                    postgresql_where=WAITING, sqlite_where=WAITING)
    # The PASS IAE figures of the dashboard.
    op.create_index('ix_approvals_live_created', 'approvals', ['created_at'], postgresql_where=LIVE_PASS,
                    sqlite_where=LIVE_PASS)
    op.create_index('ix_approvals_live_end', 'approvals', ['end_on'], postgresql_where=LIVE_PASS,
                    sqlite_where=LIVE_PASS)
    op.create_index('ix_suspensions_created', 'suspensions', ['created_at'])
    op.create_index('ix_prolongations_created', 'prolongations', ['created_at'])


def backfill(connection):
    """Fill the new columns and the counters from what the cases, tasks and events say."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("""
            UPDATE cases c SET
                sender_kind = coalesce(left(c.summary ->> 'sender_kind', 20), ''),
                refusal_reason = coalesce(left(c.summary ->> 'refusal_reason', 40), ''),
                first_answer_at = f.at, accepted_at = a.at, waiting_since = w.since, next_due_at = w.due
            FROM cases c2
            LEFT JOIN (SELECT case_id, min(completed_at) AS at FROM tasks
                       WHERE role = 'employer' AND state = 'completed' GROUP BY case_id) f ON f.case_id = c2.id
            LEFT JOIN (SELECT case_id, min(at) AS at FROM events
                       WHERE kind = 'stage_changed' AND data ->> 'stage' = 'accepted' GROUP BY case_id) a
                   ON a.case_id = c2.id
            LEFT JOIN (SELECT case_id, min(created_at) AS since, min(due_at) AS due FROM tasks
                       WHERE state = 'open' AND listed IS TRUE GROUP BY case_id) w ON w.case_id = c2.id
            WHERE c2.id = c.id"""))
        connection.execute(sa.text("""
            INSERT INTO case_flow_counts (process_key, day, measure, stage, sender_kind, refusal_reason, cases)
            SELECT process_key, (created_at AT TIME ZONE 'Europe/Paris')::date, 'opened', stage, sender_kind,
                   refusal_reason, count(*)
            FROM cases WHERE created_at IS NOT NULL GROUP BY 1, 2, 4, 5, 6
            UNION ALL
            SELECT process_key, (closed_at AT TIME ZONE 'Europe/Paris')::date, 'closed', '', '', '', count(*)
            FROM cases WHERE closed_at IS NOT NULL GROUP BY 1, 2"""))
        return
    connection.execute(sa.text("""
        UPDATE cases SET
            sender_kind = coalesce(substr(json_extract(summary, '$.sender_kind'), 1, 20), ''),
            refusal_reason = coalesce(substr(json_extract(summary, '$.refusal_reason'), 1, 40), ''),
            first_answer_at = (SELECT min(completed_at) FROM tasks WHERE tasks.case_id = cases.id
                               AND role = 'employer' AND state = 'completed'),
            accepted_at = (SELECT min(at) FROM events WHERE events.case_id = cases.id AND kind = 'stage_changed'
                           AND json_extract(data, '$.stage') = 'accepted'),
            waiting_since = (SELECT min(created_at) FROM tasks WHERE tasks.case_id = cases.id
                             AND state = 'open' AND listed IS TRUE),
            next_due_at = (SELECT min(due_at) FROM tasks WHERE tasks.case_id = cases.id
                           AND state = 'open' AND listed IS TRUE)"""))
    # SQLite has no time zones: the Paris day is computed here (development databases are small).
    paris = ZoneInfo("Europe/Paris")

    def day(value):
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(paris).date()

    counts = Counter()
    for process_key, created, stage, sender, reason, closed in connection.execute(sa.text(
            "SELECT process_key, created_at, stage, sender_kind, refusal_reason, closed_at FROM cases")):
        if created is not None:
            counts[(process_key, day(created), "opened", stage or "", sender or "", reason or "")] += 1
        if closed is not None:
            counts[(process_key, day(closed), "closed", "", "", "")] += 1
    if counts:
        connection.execute(sa.text(
            "INSERT INTO case_flow_counts (process_key, day, measure, stage, sender_kind, refusal_reason, cases) "
            "VALUES (:p, :d, :m, :s, :k, :r, :n)"),
            [{"p": p, "d": d, "m": m, "s": s, "k": k, "r": r, "n": n} for (p, d, m, s, k, r), n in counts.items()])


def downgrade():
    for name, table in (('ix_prolongations_created', 'prolongations'), ('ix_suspensions_created', 'suspensions'),
                        ('ix_approvals_live_end', 'approvals'), ('ix_approvals_live_created', 'approvals')):
        op.drop_index(name, table_name=table)
    op.drop_index('ix_cases_waiting', table_name='cases', postgresql_where=WAITING, sqlite_where=WAITING)
    op.drop_index('ix_cases_sample', table_name='cases', postgresql_where=SAMPLE, sqlite_where=SAMPLE)
    op.drop_table('case_flow_counts')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_department')
        batch_op.drop_index('ix_cases_process_created')
        batch_op.drop_column('next_due_at')
        batch_op.drop_column('waiting_since')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('first_answer_at')
        batch_op.drop_column('refusal_reason')
        batch_op.drop_column('sender_kind')
    op.create_index('ix_cases_process_created', 'cases', ['process_key', 'created_at'],
                    postgresql_include=['id', 'stage', 'status', 'employer_department', 'employer_kind'])
    op.create_index('ix_cases_department', 'cases', ['employer_department', 'created_at'],
                    postgresql_include=['id', 'process_key', 'stage', 'status', 'employer_kind', 'closed_at'])
