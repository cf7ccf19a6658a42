"""The inbox: the tasks of the user and of the organisation they act for."""
import math

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from app.models import ProcessVersion
from app.services import inbox as inbox_service
from app.web.session import current_organisation

bp = Blueprint("inbox", __name__)

SCOPES = {
    "mine": "Mes tâches",
    "organisation": "Mon organisation",
    "unassigned": "À prendre",
}
EMPTY_STATES = {
    "mine": "Aucune tâche ne vous est attribuée pour le moment.",
    "organisation": "Votre organisation n'a aucune tâche en cours.",
    "unassigned": "Toutes les tâches ont été prises en charge : il n'y a rien à prendre.",
}


def process_names(keys):
    names = {}
    for key in keys:
        version = ProcessVersion.latest(key)
        names[key] = version.name if version is not None and version.name else key
    return names


@bp.route("/")
@bp.route("/taches")
@login_required
def index():
    organisation = current_organisation()
    org_id = organisation.id if organisation else None
    counts = inbox_service.counts(current_user, org_id)
    # Without an organisation (a job seeker) there is one list: the tasks named for them.
    with_tabs = organisation is not None
    scope = request.args.get("vue")
    if scope not in SCOPES or not with_tabs:
        scope = ("mine" if counts["mine"] else "organisation") if with_tabs else "organisation"
    process = request.args.get("processus") or None
    stage = request.args.get("etape") or None
    overdue = request.args.get("retard") == "1"
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1

    processes, stages = inbox_service.facets(current_user, org_id)
    if process and process not in processes:
        process = None
    if stage and stage not in {key for key, _label in stages}:
        stage = None
    items, total = inbox_service.tasks(current_user, org_id, scope=scope, process=process, stage=stage,
                                       overdue=overdue, page=page)
    pages = max(1, math.ceil(total / inbox_service.PAGE_SIZE))
    if page > pages and total:
        abort(404)
    filters = {"vue": scope, "processus": process, "etape": stage, "retard": "1" if overdue else None}
    filtered = bool(process or stage or overdue)

    def page_url(number, **changes):
        args = {k: v for k, v in dict(filters, **changes).items() if v}
        if number > 1:
            args["page"] = number
        return url_for("inbox.index", **args)

    return render_template(
        "inbox/index.html", organisation=organisation, with_tabs=with_tabs, scopes=SCOPES, scope=scope,
        counts=counts, items=items, total=total, page=page, pages=pages, page_url=page_url,
        process_names=process_names(processes), stages=stages, process=process, stage=stage,
        overdue=overdue, filtered=filtered,
        empty_message=(EMPTY_STATES[scope] if with_tabs else "Vous n'avez aucune tâche à faire pour le moment."),
    )
