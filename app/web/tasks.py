"""The task page: what the case is about, why the task is yours, and its form."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import CombinedMultiDict

from app import formspec, permissions
from app.extensions import db
from app.services import cases as cases_service
from app.services import tasks as tasks_service
from app.services.tasks import ServiceError
from app.web import casedata
from app.web.auth import safe_next
from app.web.errors import render_error
from app.web.session import current_organisation

bp = Blueprint("tasks", __name__)

SAVED = "C'est enregistré."


def _submitted_data():
    """The posted fields with the uploaded files, as the spec's form reads them."""
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    return request.form


def _build_form(task, formdata=None):
    spec = tasks_service.load_form_spec(task)
    context = tasks_service.form_context(task, current_user)
    kwargs = {"formdata": formdata} if formdata is not None else {}
    form = formspec.build_form(spec, context, tasks_service.restricted_choices(task), **kwargs)
    return spec, form


def _render(task, form=None, spec=None, error=None, form_errors=(), status=200):
    case = task.case
    can_act = permissions.can_act_on_task(current_user, task)
    can_complete = task.state == "open" and case.status == "running" and \
        permissions.can_complete_task(current_user, task)
    if form is None and can_complete:
        spec, form = _build_form(task)
    if task.state == "completed" and error is None:
        who = task.completed_by.full_name if task.completed_by else "un collègue"
        error = {"title": "Tâche déjà traitée", "message": f"Cette tâche a déjà été traitée par {who}.",
                 "severity": "info"}
    elif task.state != "open" and error is None:
        error = {"title": "Tâche close", "severity": "info",
                 "message": "Cette tâche n'est plus à faire : le dossier a évolué entre-temps."}
    data = cases_service.snapshot(case)["data"]
    acting_for = current_organisation()
    other_org = task.organisation if (
        task.organisation_id and acting_for is not None and acting_for.id != task.organisation_id
        and permissions.is_member(current_user, task.organisation_id)) else None
    return render_template(
        "tasks/show.html", task=task, case=case, form=form, spec=spec, error=error,
        form_errors=list(form_errors), can_act=can_act, can_complete=can_complete,
        is_member=permissions.is_task_candidate(current_user, task),
        parties=casedata.parties(case), message=data.get("message", ""),
        documents=casedata.case_documents(case, current_user),
        personal=permissions.can_see_personal_data(current_user, case),
        role_label=casedata.role_label(task.role), acting_for=acting_for, other_org=other_org,
    ), status


def _load(task_id):
    return tasks_service.get_task(task_id, current_user)


@bp.route("/taches/<int:task_id>", methods=["GET"])
@login_required
def show(task_id):
    try:
        task = _load(task_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    return _render(task)


@bp.route("/taches/<int:task_id>", methods=["POST"])
@login_required
def complete(task_id):
    try:
        task = _load(task_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    formdata = _submitted_data()
    try:
        completion = tasks_service.complete(task.id, current_user, formdata=formdata)
    except ServiceError as exc:
        db.session.rollback()
        task = db.session.get(type(task), task_id)
        if exc.status == 422:
            spec, form = _build_form(task, formdata)
            others = formspec.place_field_errors(form, exc.field_errors)
            return _render(task, form=form, spec=spec, form_errors=others, status=422,
                           error={"title": "Le formulaire contient des erreurs", "message": exc.message,
                                  "severity": "error", "summary_in_form": True})
        if exc.status in (403, 404):
            return render_error(exc.status, exc.message)
        return _render(task, error={"title": "Impossible d'enregistrer", "message": exc.message,
                                    "severity": "error"}, status=exc.status)
    flash(SAVED, "success")
    if completion.next_task is not None:
        return redirect(url_for("tasks.show", task_id=completion.next_task.id))
    return redirect(url_for("cases.show", case_id=completion.case.id))


def _action(task_id, action, success_message):
    try:
        task = _load(task_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    try:
        action(task.id, current_user)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status in (403, 404) and not permissions.can_act_on_task(current_user, task):
            return render_error(exc.status, exc.message)
        task = db.session.get(type(task), task_id)
        return _render(task, error={"title": "Action impossible", "message": exc.message, "severity": "error"},
                       status=exc.status)
    flash(success_message, "success")
    return redirect(safe_next(request.form.get("next"), url_for("tasks.show", task_id=task_id)))


@bp.route("/taches/<int:task_id>/prendre", methods=["POST"])
@login_required
def claim(task_id):
    return _action(task_id, tasks_service.claim,
                   "Vous avez pris en charge cette tâche : vos collègues voient que vous vous en occupez.")


@bp.route("/taches/<int:task_id>/liberer", methods=["POST"])
@login_required
def unclaim(task_id):
    return _action(task_id, tasks_service.unclaim,
                   "Vous avez libéré cette tâche : un collègue peut maintenant la prendre en charge.")
