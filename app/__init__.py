"""Application factory (Flask tutorial style): create_app() builds a configured app."""
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from app import config
from app.extensions import csrf, db, login_manager, migrate


def create_app(overrides=None):
    app = Flask(__name__, instance_path=str(config.INSTANCE))
    app.config.from_mapping(config.load())
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    _sqlite_pragmas(app)

    from app import models  # noqa: F401  (registers the tables)
    from app.engine import processes
    from app.services import operations  # noqa: F401  (registers the service-task operations)
    # A diagram that does not parse stops the start, naming file and line.
    processes.check_shipped_files(app.config["BPMN_DIR"])

    # Ids in URLs fit the database's integer columns: a bigger one is a plain 404, not a DB error.
    app.url_map.converters["int"] = BoundedIntConverter
    from app.web import register_web
    register_web(app)
    from app.api import register_api
    register_api(app)
    from app.cli import register_cli
    register_cli(app)
    return app


class BoundedIntConverter(IntegerConverter):
    def __init__(self, url_map, fixed_digits=0, min=None, max=2_147_483_647, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _sqlite_pragmas(app):
    """WAL and a busy timeout make SQLite usable by a web server and a worker at once."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
