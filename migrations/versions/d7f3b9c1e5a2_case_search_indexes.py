"""case search: cases' dates by id, organisation names by trigram

Revision ID: d7f3b9c1e5a2
Revises: c4e8a1f2d6b7
Create Date: 2026-11-22 22:40:00

A text search or an organisation's case list sorts a set of case ids by date: ix_cases_id_created
gives each case's date from the index alone (on PostgreSQL; on SQLite an index on id). The search by
organisation name ("contains") reads a trigram index (pg_trgm, a trusted extension since
PostgreSQL 13) instead of every organisation's name; PostgreSQL only.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd7f3b9c1e5a2'
down_revision = 'c4e8a1f2d6b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_cases_id_created', 'cases', ['id'], postgresql_include=['created_at'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_organisations_name_trgm ON organisations USING gin (lower(name) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_organisations_name_trgm")
    op.drop_index('ix_cases_id_created', table_name='cases', postgresql_include=['created_at'])
