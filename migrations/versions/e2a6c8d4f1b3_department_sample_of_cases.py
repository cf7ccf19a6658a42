"""supervision: a sample of each département's cases

Revision ID: e2a6c8d4f1b3
Revises: d7f3b9c1e5a2
Create Date: 2026-11-22 23:00:00

Lead times of a département above 4,000 cases are measured on one case in 8 (by id), which the
partial index ix_cases_department_sample holds with what the medians read.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2a6c8d4f1b3'
down_revision = 'd7f3b9c1e5a2'
branch_labels = None
depends_on = None

SAMPLE = sa.text("id % 8 = 0")


def upgrade():
    op.create_index('ix_cases_department_sample', 'cases', ['employer_department', 'created_at'],
                    postgresql_include=['process_key', 'stage', 'first_answer_at', 'accepted_at'],
                    postgresql_where=SAMPLE, sqlite_where=SAMPLE)


def downgrade():
    op.drop_index('ix_cases_department_sample', table_name='cases', postgresql_where=SAMPLE,
                  sqlite_where=SAMPLE)
