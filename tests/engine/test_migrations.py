"""Migrations are the only source of the schema: they must reach head and match the models."""
from pprint import pformat

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.extensions import db


def test_database_is_at_head_and_matches_the_models(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert set(context.get_current_heads()) == heads
            diff = compare_metadata(context, db.metadata)
    assert not diff, (
        "app/models and migrations/ differ: add a revision (flask --app app db migrate -m ...) "
        "or, while no database needs keeping, run scripts/regenerate-initial-migration.sh\n"
        + pformat(diff)
    )
