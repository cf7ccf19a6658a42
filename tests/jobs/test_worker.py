"""A real `flask jobs worker` process runs jobs against the test database."""
import pytest

from app.extensions import db
from app.jobs.queue import enqueue, enqueue_after_commit
from app.models import Organisation
from tests.conftest import backends
from tests.support.waiting import wait_for


def _wait_for_organisation(app, worker, name):
    def written():
        with app.app_context():
            return Organisation.query.filter_by(name=name).one_or_none()
    try:
        return wait_for(written, timeout=60, message=f"the worker to create {name!r}")
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- worker log ---\n{worker.log()}") from None


@pytest.mark.parametrize("database_url", backends(), indirect=True)
def test_worker_runs_an_enqueued_job_that_writes_a_row(app, rq_worker):
    with app.app_context():
        job = enqueue("tests.support.jobs.create_organisation", "Mission locale du worker")
    assert _wait_for_organisation(app, rq_worker, "Mission locale du worker")
    assert wait_for(lambda: job.get_status(refresh=True) == "finished", timeout=30,
                    message="the job to be marked finished")


def test_worker_runs_a_job_enqueued_after_commit(app, rq_worker):
    with app.app_context():
        db.session.add(Organisation(category="company", kind="ACI", name="Chantier"))
        enqueue_after_commit("tests.support.jobs.create_organisation", "Après le commit")
        db.session.commit()
    assert _wait_for_organisation(app, rq_worker, "Après le commit")
