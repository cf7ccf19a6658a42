"""Flask CLI commands (`flask --app app ...`)."""


def register_cli(app):
    from app.jobs.worker import register_job_cli
    register_job_cli(app)
