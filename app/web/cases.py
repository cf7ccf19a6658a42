"""The case page: stage, parties, open tasks, related cases, timeline and the diagram."""
from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user, login_required

from app import permissions
from app.services import cases as cases_service
from app.services.tasks import ServiceError
from app.web import casedata
from app.web.errors import render_error

bp = Blueprint("cases", __name__)

# Engine plumbing that tells a caseworker nothing; support still sees it.
TECHNICAL_EVENTS = ("message_sent", "message_received")


def _element_names(case, ids):
    """Names of diagram elements, from the open listed tasks' titles (the text alternative)."""
    titles = {t.spec_name: t.title for t in case.tasks if t.state == "open" and t.listed}
    return [titles[i] for i in ids if i in titles]


@bp.route("/dossiers/<int:case_id>")
@login_required
def show(case_id):
    try:
        case = cases_service.get_case(case_id, current_user)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    open_tasks = []
    for task in cases_service.open_tasks(case):
        can_act = permissions.can_act_on_task(current_user, task)
        # An unlisted task (reconsider a refusal…) is an option for those who may take it only.
        if task.listed or can_act:
            open_tasks.append({"task": task, "can_act": can_act, "role_label": casedata.role_label(task.role)})
    events = cases_service.timeline(case, current_user)
    if not current_user.is_support:
        events = [e for e in events if e["kind"] not in TECHNICAL_EVENTS]
    timeline = casedata.timeline_items(case, events, current_user)
    snapshot = cases_service.snapshot(case)
    highlights = {"current": snapshot["current"], "done": snapshot["done"]}
    return render_template(
        "cases/show.html", case=case, parties=casedata.parties(case), open_tasks=open_tasks,
        related=cases_service.related_cases(case, current_user), timeline=list(reversed(timeline)),
        highlights=highlights, current_names=_element_names(case, highlights["current"]),
        message=snapshot["data"].get("message", ""), personal=permissions.can_see_personal_data(current_user, case),
        documents=casedata.case_documents(case, current_user),
        status_label=casedata.STATUS_LABELS.get(case.status, (case.status, "info")),
        stage_severity=casedata.stage_severity(case.stage),
    )


@bp.route("/dossiers/ref/<reference>")
@login_required
def by_reference(reference):
    try:
        case = cases_service.get_case_by_reference(reference, current_user)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/dossiers/<int:case_id>/diagramme.bpmn")
@login_required
def diagram(case_id):
    try:
        case = cases_service.get_case(case_id, current_user)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    response = Response(case.process_version.xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'inline; filename="{case.process_key}-v{case.process_version.version}.bpmn"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
