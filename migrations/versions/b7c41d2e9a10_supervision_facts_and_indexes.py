"""supervision: the employer's organisation, département and kind on cases; indexes of the
dashboards and of the case search

Revision ID: b7c41d2e9a10
Revises: 16e0b6d574d2
Create Date: 2026-11-22 17:40:00

Measured by bench/supervision_bench.py (1,000,000 cases, 5,000,000 tasks on PostgreSQL).
The INCLUDE columns, the text_pattern_ops and the partial index's WHERE are PostgreSQL's;
SQLite (development) gets the same indexes without them (a partial index on both).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41d2e9a10'
down_revision = '16e0b6d574d2'
branch_labels = None
depends_on = None

# As the queries write it (Task.listed.is_(True)), so PostgreSQL sees they match the index.
OPEN_LISTED = sa.text("state = 'open' AND listed IS TRUE")


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('employer_department', sa.String(length=3), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('employer_kind', sa.String(length=20), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_cases_employer_id_organisations'), 'organisations',
                                    ['employer_id'], ['id'])
    # Existing cases: from their employer party (the app keeps it in step from now on).
    op.execute("""
        UPDATE cases SET
            employer_id = (SELECT p.organisation_id FROM case_parties p
                           WHERE p.case_id = cases.id AND p.role = 'employer'),
            employer_department = COALESCE((SELECT o.department FROM case_parties p
                                            JOIN organisations o ON o.id = p.organisation_id
                                            WHERE p.case_id = cases.id AND p.role = 'employer'), ''),
            employer_kind = COALESCE((SELECT o.kind FROM case_parties p
                                      JOIN organisations o ON o.id = p.organisation_id
                                      WHERE p.case_id = cases.id AND p.role = 'employer'), '')
    """)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('employer_department', server_default=None)
        batch_op.alter_column('employer_kind', server_default=None)
        batch_op.create_index('ix_cases_process_created', ['process_key', 'created_at'], unique=False,
                              postgresql_include=['id', 'stage', 'status', 'employer_department', 'employer_kind'])
        batch_op.create_index('ix_cases_department', ['employer_department', 'created_at'], unique=False,
                              postgresql_include=['id', 'process_key', 'stage', 'status', 'employer_kind',
                                                  'closed_at'])
        batch_op.create_index('ix_cases_process_closed', ['process_key', 'closed_at'], unique=False)

    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.drop_index('ix_case_parties_org_role')
        batch_op.create_index('ix_case_parties_org_role', ['organisation_id', 'role', 'case_id'], unique=False)

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_waiting', ['case_id'], unique=False,
                              postgresql_include=['spec_name', 'due_at', 'created_at'],
                              postgresql_where=OPEN_LISTED, sqlite_where=OPEN_LISTED)
        batch_op.create_index('ix_tasks_case_role_state', ['case_id', 'role', 'state'], unique=False,
                              postgresql_include=['completed_at'])

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_case_kind', ['case_id', 'kind'], unique=False)
        batch_op.create_index('ix_events_kind_at', ['kind', 'at'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_job_seekers_last_name_lower ON job_seekers (lower(last_name) text_pattern_ops)")
        op.execute("CREATE INDEX ix_job_seekers_first_name_lower ON job_seekers (lower(first_name) text_pattern_ops)")
    else:
        op.execute("CREATE INDEX ix_job_seekers_last_name_lower ON job_seekers (lower(last_name))")
        op.execute("CREATE INDEX ix_job_seekers_first_name_lower ON job_seekers (lower(first_name))")
    op.execute("CREATE INDEX ix_job_seekers_email_lower ON job_seekers (lower(email))")


def downgrade():
    for name in ('ix_job_seekers_email_lower', 'ix_job_seekers_first_name_lower', 'ix_job_seekers_last_name_lower'):
        op.execute(f"DROP INDEX {name}")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_kind_at')
        batch_op.drop_index('ix_events_case_kind')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_case_role_state')
        batch_op.drop_index('ix_tasks_waiting')
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.drop_index('ix_case_parties_org_role')
        batch_op.create_index('ix_case_parties_org_role', ['organisation_id', 'role'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_process_closed')
        batch_op.drop_index('ix_cases_department')
        batch_op.drop_index('ix_cases_process_created')
        batch_op.drop_constraint(batch_op.f('fk_cases_employer_id_organisations'), type_='foreignkey')
        batch_op.drop_column('employer_kind')
        batch_op.drop_column('employer_department')
        batch_op.drop_column('employer_id')
