"""supervision: daily flow counters per organisation and per département

Revision ID: a3c5e7f90b12
Revises: 5b90320e9848
Create Date: 2026-11-22 20:55:00

An organisation's and a département's flows (stages, weeks, acceptance, refusals, the size of
the lead times' population) read scoped_flow_counts (app/models/case_flows.py ScopedFlowCount)
instead of each of their cases; the support journal reads ix_events_support_at (the support
actions only, newest first). Backfilled here (`backfill`; bench/supervision_bench.py runs it
after seeding): each case counts once per organisation that is one of its parties and once in
its employer's département.
"""
from collections import Counter
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c5e7f90b12'
down_revision = '5b90320e9848'
branch_labels = None
depends_on = None

# The support actions the dashboard's journal lists (app/models/case_flows.py SUPPORT_EVENT_KINDS).
SUPPORT_EVENTS = sa.text("kind IN ('task_reassigned', 'party_changed', 'case_suspended', 'case_resumed', "
                         "'case_cancelled', 'service_retried', 'service_skipped', 'data_corrected')")
COLUMNS = "organisation_id, department, process_key, day, measure, stage, sender_kind, refusal_reason, cases"


def upgrade():
    op.create_table(
        'scoped_flow_counts',
        sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('department', sa.String(length=3), nullable=False),
        sa.Column('process_key', sa.String(length=80), nullable=False),
        sa.Column('measure', sa.String(length=10), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('stage', sa.String(length=40), nullable=False),
        sa.Column('sender_kind', sa.String(length=20), nullable=False),
        sa.Column('refusal_reason', sa.String(length=40), nullable=False),
        sa.Column('cases', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('organisation_id', 'department', 'process_key', 'measure', 'day', 'stage',
                                'sender_kind', 'refusal_reason', name=op.f('pk_scoped_flow_counts')),
    )
    backfill(op.get_bind())
    op.create_index('ix_events_support_at', 'events', ['at', 'id'], postgresql_where=SUPPORT_EVENTS,
                    sqlite_where=SUPPORT_EVENTS)


def backfill(connection):
    """The counters of every stored case (run once, before any case changes under the new code)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"""
            WITH places AS (
                SELECT DISTINCT case_id, organisation_id, '' AS department FROM case_parties
                WHERE organisation_id IS NOT NULL
                UNION ALL
                SELECT id, 0, employer_department FROM cases WHERE employer_department <> ''
            )
            INSERT INTO scoped_flow_counts ({COLUMNS})
            SELECT p.organisation_id, p.department, c.process_key, (c.created_at AT TIME ZONE 'Europe/Paris')::date,
                   'opened', coalesce(c.stage, ''), coalesce(c.sender_kind, ''), coalesce(c.refusal_reason, ''),
                   count(*)
            FROM places p JOIN cases c ON c.id = p.case_id WHERE c.created_at IS NOT NULL
            GROUP BY 1, 2, 3, 4, 6, 7, 8
            UNION ALL
            SELECT p.organisation_id, p.department, c.process_key, (c.closed_at AT TIME ZONE 'Europe/Paris')::date,
                   'closed', '', '', '', count(*)
            FROM places p JOIN cases c ON c.id = p.case_id WHERE c.closed_at IS NOT NULL
            GROUP BY 1, 2, 3, 4"""))
        return
    # SQLite has no time zones: the Paris day is computed here (development databases are small).
    paris = ZoneInfo("Europe/Paris")

    def day(value):
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(paris).date()

    places = {}
    for case_id, organisation_id in connection.execute(sa.text(
            "SELECT DISTINCT case_id, organisation_id FROM case_parties WHERE organisation_id IS NOT NULL")):
        places.setdefault(case_id, []).append((organisation_id, ""))
    counts = Counter()
    for case_id, department, process_key, created, stage, sender, reason, closed in connection.execute(sa.text(
            "SELECT id, employer_department, process_key, created_at, stage, sender_kind, refusal_reason, "
            "closed_at FROM cases")):
        where = places.get(case_id, []) + ([(0, department)] if department else [])
        for organisation_id, place in where:
            if created is not None:
                counts[(organisation_id, place, process_key, day(created), "opened", stage or "", sender or "",
                        reason or "")] += 1
            if closed is not None:
                counts[(organisation_id, place, process_key, day(closed), "closed", "", "", "")] += 1
    if counts:
        connection.execute(sa.text(
            f"INSERT INTO scoped_flow_counts ({COLUMNS}) VALUES (:o, :dep, :p, :d, :m, :s, :k, :r, :n)"),
            [{"o": o, "dep": dep, "p": p, "d": d, "m": m, "s": s, "k": k, "r": r, "n": n}
             for (o, dep, p, d, m, s, k, r), n in counts.items()])


def downgrade():
    op.drop_index('ix_events_support_at', table_name='events', postgresql_where=SUPPORT_EVENTS,
                  sqlite_where=SUPPORT_EVENTS)
    op.drop_table('scoped_flow_counts')
