"""Background jobs on RQ (DESIGN: app/jobs): timers, notifications, documents.

Enqueue with `app.jobs.queue.enqueue_after_commit("app.jobs.x.func", ...)` from a
request, so a job never sees data its request has not committed yet.
"""
