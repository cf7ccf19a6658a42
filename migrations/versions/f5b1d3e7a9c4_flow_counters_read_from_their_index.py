"""supervision: the flow counters' counts in their primary key index

Revision ID: f5b1d3e7a9c4
Revises: e2a6c8d4f1b3
Create Date: 2026-11-22 23:15:00

A scope's daily flow counters of a year (10,000 rows for a big département) lie on as many table
pages as rows; with `cases` included in the primary key's index, PostgreSQL reads them from the
index alone (43 → 2.5 ms for the biggest département). SQLite has no INCLUDE: nothing to do.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f5b1d3e7a9c4'
down_revision = 'e2a6c8d4f1b3'
branch_labels = None
depends_on = None

KEYS = {
    "case_flow_counts": "process_key, day, measure, stage, sender_kind, refusal_reason",
    "scoped_flow_counts": "organisation_id, department, process_key, measure, day, stage, sender_kind, refusal_reason",
}


def _primary_keys(include):
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in KEYS.items():
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pk_{table}, "
                   f"ADD CONSTRAINT pk_{table} PRIMARY KEY ({columns}){include}")


def upgrade():
    _primary_keys(" INCLUDE (cases)")


def downgrade():
    _primary_keys("")
