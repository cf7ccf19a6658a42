"""JSON API under /api/v1: bearer tokens, inbox, task forms and actions, cases.

auth.py       tokens (issue, hash, check) and the organisation a token acts for
errors.py     JSON errors: blueprint handlers, and app-level 404/405 for /api/ paths only
serialize.py  the JSON shapes of tasks, forms and cases (personal-data rules)
views.py      the routes, which call app/services exactly as the HTML views do
openapi.py    the OpenAPI 3.1 document served at /api/v1/openapi.json
job_seekers.py   a job seeker's record and the search by NIR or email, on the same blueprint
directory.py  companies and job descriptions (read), on the same blueprint
applications.py  the application lists (sent, received, mine), on the same blueprint
support.py    supervisors' case search and dashboards, support's actions, on the same blueprint
approvals.py  PASS IAE (by id, by number, a person's), on the same blueprint
approval_actions.py  start a suspension or a prolongation of a PASS IAE, on the same blueprint
"""


def register_api(app):
    from app.api import applications, errors  # noqa: F401  (applications adds its routes to bp)
    from app.api import directory  # noqa: F401  (adds the directory's routes to bp)
    from app.api import support  # noqa: F401  (supervisors' and support's routes, on bp)
    from app.api import job_seekers  # noqa: F401  (adds its routes to bp)
    from app.api import approvals  # noqa: F401  (PASS IAE routes, on bp)
    from app.api import approval_actions  # noqa: F401  (suspend or prolong a PASS IAE, on bp)
    from app.api.views import bp
    from app.extensions import csrf

    # Bearer tokens, not cookies: no cross-site request can carry them, so no CSRF token.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    errors.register_app_handlers(app)
    # The web's app-wide error handlers answer /api/ paths through this (app/web/errors.py).
    app.extensions["api_error_renderer"] = errors.json_error
