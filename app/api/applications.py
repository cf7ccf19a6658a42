"""/api/v1/applications: the application lists of app/services/applications.py, as JSON.

The routes hang on the API blueprint (bearer token, JSON errors). Filters are the query
parameters the page uses (forms/applications_*_filters.yaml), checked by the same specs;
`state` may be repeated or comma-separated, flags take 1 or 0.
"""
from flask import g, jsonify, request

from app.api.serialize import iso
from app.api.views import MAX_PAGE, bp, query_int
from app.services import applications as service


def row_json(row):
    """A row of a list as it is (the service already left out what the reader may not see)."""
    return {**row, "sent_at": iso(row["sent_at"]), "updated_at": iso(row["updated_at"])}


def _list(view, organisation, fetch):
    service.require_list(view, g.api_user, organisation)
    page = query_int("page", 1, 1, MAX_PAGE)
    filters = service.filters_from_query(view, g.api_user, organisation, request.args)
    result = fetch(filters, page)
    return jsonify({
        "items": [row_json(row) for row in result.rows],
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "filters": filters.as_json(),
    })


@bp.get("/applications/sent")
def list_sent_applications():
    organisation = g.api_org
    return _list("sent", organisation,
                 lambda filters, page: service.sent_by(g.api_user, organisation, filters, page))


@bp.get("/applications/received")
def list_received_applications():
    company = g.api_org
    return _list("received", company,
                 lambda filters, page: service.received_by(g.api_user, company, filters, page))


@bp.get("/applications/mine")
def list_my_applications():
    return _list("mine", None, lambda filters, page: service.of_job_seeker(g.api_user, filters, page))
