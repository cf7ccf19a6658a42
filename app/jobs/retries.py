"""Automatic retries of a case's failed automatic step, with backoff, before it is an incident.

When a service or script task fails, the engine puts the case in status "error" and calls
after_failure(case). After the commit, the retry is put on RQ's schedule (the worker's
scheduler runs it when due): attempt 1 after SERVICE_RETRY_DELAYS[0] seconds, attempt 2
after SERVICE_RETRY_DELAYS[1] more seconds, and so on. Each attempt is logged in the case's
event log (service_retried, data: automatic, attempt, of). When the last attempt fails too,
the case stays in error and support sees it on /incidents (retry or skip by hand).

The schedule travels with the job (its `delays` argument), so the app that saw the failure
decides it: tests set SERVICE_RETRY_DELAYS to seconds, production keeps the default.
With JOBS_SYNC (no worker, no scheduler) nothing is retried automatically.
"""
import contextlib
import contextvars
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.jobs.queue import enqueue_after_commit, get_queue

log = logging.getLogger(__name__)

# Seconds before each automatic attempt: about 6 minutes in all, like the RQ retries of jobs.
DEFAULT_DELAYS = (10, 60, 300)
RETRY_JOB = "app.jobs.retries.retry_failed_case"

# Set while someone (support, or an attempt of this module) retries: a failure then is theirs
# to handle, and must not start a second series of automatic attempts.
_handled = contextvars.ContextVar("parcours_retry_handled", default=False)


@contextlib.contextmanager
def handled_by_caller():
    """Within this block, a failing step does not plan automatic retries."""
    token = _handled.set(True)
    try:
        yield
    finally:
        _handled.reset(token)


def delays():
    return [float(d) for d in current_app.config.get("SERVICE_RETRY_DELAYS", DEFAULT_DELAYS)]


def after_failure(case):
    """Called by the engine when `case` falls into error: plan the first automatic attempt."""
    if _handled.get() or current_app.config.get("JOBS_SYNC"):
        return
    schedule = delays()
    if schedule:
        enqueue_after_commit("app.jobs.retries.plan_attempt", case.id, 1, schedule)


def plan_attempt(case_id, attempt, schedule):
    """Put attempt `attempt` on RQ's schedule, schedule[attempt - 1] seconds from now."""
    wait = timedelta(seconds=schedule[attempt - 1])
    return get_queue().enqueue_in(wait, RETRY_JOB, case_id, attempt, schedule)


def retry_failed_case(case_id, attempt, schedule):
    """One automatic attempt; plans the next one if the step fails again and attempts remain.

    Returns the case's status after the attempt (None when there was nothing to retry)."""
    from app.engine import runtime
    from app.models import Case

    case = db.session.get(Case, case_id)
    if case is None or case.status != "error":
        return None  # support retried, skipped or cancelled it meanwhile
    try:
        with handled_by_caller():
            runtime.retry_failed_steps(case, None, {"automatic": True, "attempt": attempt,
                                                    "of": len(schedule)})
        db.session.commit()
    except StaleDataError:
        # Someone acted on the case at the same moment: their action wins.
        db.session.rollback()
        return None
    if case.status == "error" and attempt < len(schedule):
        plan_attempt(case_id, attempt + 1, schedule)
    elif case.status == "error":
        log.warning("case %s: automatic retries exhausted, now an incident", case.reference)
    return case.status
