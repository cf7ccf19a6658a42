"""supervision: the support journal of each organisation and département; a sample of organisations' cases

Revision ID: c4e8a1f2d6b7
Revises: a3c5e7f90b12
Create Date: 2026-11-22 22:10:00

An organisation's or a département's support journal reads its own rows, newest first, from one
index (app/models/case_flows.py SupportJournalEntry) instead of joining every support action to its
case and parties. Backfilled here (`backfill`; bench/supervision_bench.py runs it after seeding):
each support action once per organisation that is a party of its case and once in the employer's
département. Lead times of a big organisation are measured on one case in 8, which the partial
index ix_case_parties_sample holds.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f2d6b7'
down_revision = 'a3c5e7f90b12'
branch_labels = None
depends_on = None

# The support actions (app/models/case_flows.py SUPPORT_EVENT_KINDS), by a person.
SUPPORT_ACTIONS = ("e.kind IN ('task_reassigned', 'party_changed', 'case_suspended', 'case_resumed', "
                   "'case_cancelled', 'service_retried', 'service_skipped', 'data_corrected') "
                   "AND e.actor_id IS NOT NULL")

SAMPLE = sa.text("case_id % 8 = 0")


def upgrade():
    op.create_table(
        'support_journal',
        sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('department', sa.String(length=3), nullable=False),
        sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('process_key', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_support_journal_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'department', 'event_id', name=op.f('pk_support_journal')),
    )
    backfill(op.get_bind())
    op.create_index('ix_support_journal_place', 'support_journal',
                    ['organisation_id', 'department', 'process_key', 'at', 'event_id'])
    op.create_index(op.f('ix_support_journal_case_id'), 'support_journal', ['case_id'])
    op.create_index('ix_case_parties_sample', 'case_parties', ['organisation_id', 'case_id'],
                    postgresql_where=SAMPLE, sqlite_where=SAMPLE)


def backfill(connection):
    """The journal rows of every stored support action."""
    connection.execute(sa.text(f"""
        INSERT INTO support_journal (organisation_id, department, event_id, case_id, process_key, at)
        SELECT p.organisation_id, '', e.id, e.case_id, c.process_key, e.at
        FROM events e JOIN cases c ON c.id = e.case_id
        JOIN (SELECT DISTINCT case_id, organisation_id FROM case_parties WHERE organisation_id IS NOT NULL) p
          ON p.case_id = e.case_id
        WHERE {SUPPORT_ACTIONS}
        UNION ALL
        SELECT 0, c.employer_department, e.id, e.case_id, c.process_key, e.at
        FROM events e JOIN cases c ON c.id = e.case_id
        WHERE {SUPPORT_ACTIONS} AND c.employer_department IS NOT NULL AND c.employer_department <> ''"""))


def downgrade():
    op.drop_index('ix_case_parties_sample', table_name='case_parties', postgresql_where=SAMPLE,
                  sqlite_where=SAMPLE)
    op.drop_index(op.f('ix_support_journal_case_id'), table_name='support_journal')
    op.drop_index('ix_support_journal_place', table_name='support_journal')
    op.drop_table('support_journal')
