"""Job functions for tests/jobs: a real worker imports them by dotted path
(e.g. "tests.support.jobs.create_organisation"), so they live in an importable module."""
from app.extensions import db
from app.models import Organisation


def create_organisation(name, kind="FT"):
    db.session.add(Organisation(category="prescriber", kind=kind, name=name))
    db.session.commit()
    return name


def fail(message="échec voulu"):
    raise RuntimeError(message)
