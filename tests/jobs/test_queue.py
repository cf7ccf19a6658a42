"""Jobs are enqueued after the commit (DESIGN), never for a transaction that rolled back."""
from app.extensions import db
from app.jobs.queue import enqueue_after_commit, get_queue
from app.models import Organisation

JOB = "tests.support.jobs.create_organisation"


def _org(name):
    return Organisation(category="company", kind="EI", name=name)


def test_job_reaches_the_queue_only_when_the_session_commits(app, redis_url, redis_conn):
    app.config.update(JOBS_SYNC=False, REDIS_URL=redis_url)
    with app.app_context():
        queue = get_queue(app)
        db.session.add(_org("Entreprise A"))
        enqueue_after_commit(JOB, "créée par le job", kind="ML")
        db.session.flush()
        assert queue.count == 0
        db.session.commit()
        assert queue.count == 1
        job = queue.jobs[0]
    assert job.func_name == JOB
    assert job.args == ("créée par le job",)
    assert job.kwargs == {"kind": "ML"}
    assert job.retries_left == 3


def test_rollback_drops_the_job(app, redis_url, redis_conn):
    app.config.update(JOBS_SYNC=False, REDIS_URL=redis_url)
    with app.app_context():
        db.session.add(_org("Entreprise B"))
        enqueue_after_commit(JOB, "jamais")
        db.session.rollback()
        db.session.commit()
        assert get_queue(app).count == 0


def test_sync_mode_runs_the_job_after_the_commit_in_its_own_session(app):
    assert app.config["JOBS_SYNC"]
    with app.app_context():
        enqueue_after_commit(JOB, "Synchrone")
        assert Organisation.query.filter_by(name="Synchrone").count() == 0
        db.session.commit()
        assert Organisation.query.filter_by(name="Synchrone").count() == 1
