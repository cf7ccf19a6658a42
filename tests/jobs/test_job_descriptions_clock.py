"""The clock enqueues the job-description expiry once a day, and a real worker runs it."""
import threading

from rq.registry import FinishedJobRegistry

from app.extensions import db
from app.jobs.queue import get_queue
from app.jobs.worker import DAILY_JOBS, run_clock
from app.models import JobDescription, Notification
from tests.support.waiting import wait_for
from tests.web.builders import build_scene
from tests.web.directory_data import add_job

EXPIRY = "app.jobs.job_descriptions.deactivate_stale_job_descriptions"


def finished_jobs(app, redis_conn):
    """The functions of the jobs the worker has finished."""
    registry = FinishedJobRegistry(queue=get_queue(app))
    return [registry.job_class.fetch(job_id, connection=redis_conn).func_name for job_id in registry.get_job_ids()]


def test_two_clocks_enqueue_the_daily_expiry_once_and_the_worker_closes_stale_jobs(app, rq_worker, redis_conn):
    assert EXPIRY in DAILY_JOBS
    scene = build_scene(app)
    stale = add_job(app, scene.orgs["jardins"], "A1203", "Paysagiste", days_untouched=120)
    fresh = add_job(app, scene.orgs["jardins"], "A1414", "Maraîcher / Maraîchère", days_untouched=10)

    # Two clocks, as on two hosts: the Redis key lets only one of them enqueue the day's run.
    stop = threading.Event()
    clocks = [threading.Thread(target=run_clock, args=(app,), kwargs={"interval": 3600, "stop": stop})
              for _ in range(2)]
    for clock in clocks:
        clock.start()
    try:
        def closed():
            with app.app_context():
                return not db.session.get(JobDescription, stale).is_active
        wait_for(closed, timeout=60, message=f"the worker to close the stale job\n{rq_worker.log()}")
        wait_for(lambda: EXPIRY in finished_jobs(app, redis_conn), timeout=30,
                 message="the expiry job to be marked finished")
    finally:
        stop.set()
        for clock in clocks:
            clock.join(timeout=30)

    assert finished_jobs(app, redis_conn).count(EXPIRY) == 1
    assert redis_conn.ttl("parcours:clock:daily:" + EXPIRY) > 23 * 3600  # the next run is tomorrow
    with app.app_context():
        assert db.session.get(JobDescription, fresh).is_active
        assert Notification.query.filter_by(template="job_description_deactivated").count() == 2
