"""config.py: the database URL the environment gives becomes one SQLAlchemy can use."""
import pytest

from app import config


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db/parcours", "postgresql+psycopg://u:p@db/parcours"),
    ("postgresql://u:p@db/parcours", "postgresql+psycopg://u:p@db/parcours"),
    ("postgresql+psycopg://u@/x?host=/tmp", "postgresql+psycopg://u@/x?host=/tmp"),
    ("sqlite:////tmp/parcours.db", "sqlite:////tmp/parcours.db"),
])
def test_database_url_gets_a_driver(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert config.load()["SQLALCHEMY_DATABASE_URI"] == expected


def test_defaults_are_embedded(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = config.load()
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["REDIS_URL"] == ""
