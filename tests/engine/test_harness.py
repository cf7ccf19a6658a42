"""The harness itself: migrated schema on both backends, empty tables for each test."""
import pytest
from sqlalchemy import inspect

from app.extensions import db
from app.models import Organisation
from tests.support.database import backend_of


def test_schema_comes_from_the_migrations(app, database_url):
    with app.app_context():
        assert db.engine.dialect.name == backend_of(database_url)
        tables = set(inspect(db.engine).get_table_names())
    assert "alembic_version" in tables
    assert {table.name for table in db.metadata.sorted_tables} <= tables


@pytest.mark.parametrize("round_", range(3))
def test_each_test_starts_with_empty_tables(db_session, round_):
    assert db_session.query(Organisation).count() == 0
    db_session.add(Organisation(category="prescriber", kind="FT", name=f"Agence {round_}"))
    db_session.commit()
    db_session.expire_all()
    assert db_session.query(Organisation).one().name == f"Agence {round_}"
