"""RQ worker and clock processes, with the Flask app around every job.

`flask --app app jobs worker` runs an RQ worker: the app is created once per worker
process (by the flask CLI) and each job runs in its own app context, so jobs use
db.session like a request does. `flask --app app jobs clock` enqueues the timer job
every minute. `flask --app app launch` (app/launcher.py) runs it all in one command.
"""
import logging
import signal
import threading
import time

import click
from flask import current_app
from flask.cli import AppGroup
from rq import Worker

from app.jobs.queue import DEFAULT_QUEUE, enqueue, get_queue, get_redis

log = logging.getLogger(__name__)

WAKE_DUE_CASES = "app.jobs.timers.wake_due_cases"
# Enqueued once a day by the clock (the same Redis-key trick, with a day-long key).
DAILY_JOBS = ("app.jobs.job_descriptions.deactivate_stale_job_descriptions",)


class AppWorker(Worker):
    """Forks a work horse per job (RQ's default) and runs the job inside an app context."""

    def __init__(self, *args, app, **kwargs):
        super().__init__(*args, **kwargs)
        self.flask_app = app

    def perform_job(self, job, queue, execution):
        # Runs in the forked horse: connections inherited from the parent must not be
        # shared with it, so drop them (without closing the parent's sockets).
        from app.extensions import db

        with self.flask_app.app_context():
            db.engine.dispose(close=False)
            return super().perform_job(job, queue, execution)


def run_worker(app, queues=(DEFAULT_QUEUE,), burst=False, with_scheduler=True):
    connection = get_redis(app)
    worker = AppWorker([get_queue(app, q) for q in queues], connection=connection, app=app)
    # The scheduler moves retried jobs (Retry intervals) back to their queue when due.
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="INFO")


def run_clock(app, interval=60, job=WAKE_DUE_CASES, stop=None):
    """Enqueue `job` every `interval` seconds until `stop` (a threading.Event) is set.

    With several clocks running (several hosts), a Redis key lets one enqueue per tick."""
    stop = stop or threading.Event()
    redis = get_redis(app)
    while not stop.is_set():
        if redis.set("parcours:clock:" + job, str(time.time()), nx=True, ex=max(interval - 1, 1)):
            with app.app_context():
                enqueue(job)
            log.info("clock: enqueued %s", job)
        for daily in DAILY_JOBS:
            if redis.set("parcours:clock:daily:" + daily, str(time.time()), nx=True, ex=24 * 3600):
                with app.app_context():
                    enqueue(daily)
                log.info("clock: enqueued %s (daily)", daily)
        stop.wait(interval)


def register_job_cli(app):
    jobs = AppGroup("jobs", help="Background jobs (RQ): worker and clock.")

    @jobs.command("worker")
    @click.option("--queue", "-q", "queues", multiple=True, default=[DEFAULT_QUEUE], show_default=True)
    @click.option("--burst", is_flag=True, help="Quit when the queues are empty.")
    def worker_command(queues, burst):
        """Run an RQ worker whose jobs run inside the Flask app."""
        run_worker(current_app._get_current_object(), queues=queues, burst=burst)

    @jobs.command("clock")
    @click.option("--interval", default=60, show_default=True, help="Seconds between ticks.")
    def clock_command(interval):
        """Enqueue app.jobs.timers.wake_due_cases every INTERVAL seconds."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s clock %(message)s")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        run_clock(current_app._get_current_object(), interval=interval, stop=stop)

    app.cli.add_command(jobs)

    from app.launcher import launch_command
    app.cli.add_command(launch_command)
