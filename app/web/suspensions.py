"""Suspension of a PASS IAE (DOMAIN §8): the "Suspendre le PASS IAE" form, and the pages of the
suspension case's tasks (edit, end early, delete) with the PASS they change.

/pass/<id>/suspendre                          the form; submitting it opens the case (bpmn/suspension.bpmn)
/suspensions/<id>/modifier|terminer|supprimer  a task of that case, filled with the suspension as it is

Every page carries the lock version of the PASS it showed: a PASS changed meanwhile is a 409.
The rules are app/services/suspensions.py and app/domain/approvals/suspensions.py.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import formspec, permissions
from app.domain import approvals as rules
from app.extensions import db
from app.models import Approval, Suspension
from app.services import approvals
from app.services import suspensions as service
from app.services import tasks as tasks_service
from app.services.job_seekers import today_paris
from app.services.tasks import ServiceError
from app.web.approvals import pass_page_url, posted_pass_version
from app.web.errors import render_error
from app.web.session import current_organisation

bp = Blueprint("suspensions", __name__)

MAX_ID = 2**31 - 1
NOT_FOUND = "Ce PASS IAE n'existe pas."
SUSPENSION_NOT_FOUND = "Cette suspension n'existe pas."
NOT_YOURS = ("Cette suspension a été déclarée par une autre organisation : seuls ses membres peuvent la "
             "modifier, y mettre fin ou la supprimer.")
NO_TASK = ("Cette suspension ne peut plus être changée ici : elle est terminée, ou son dossier a évolué. "
           "Rechargez la page du PASS IAE pour voir sa situation actuelle.")
TITLES = {"modifier": "Modifier la suspension", "terminer": "Mettre fin à la suspension",
          "supprimer": "Supprimer la suspension"}
DONE = {"modifier": "La suspension est modifiée.", "terminer": "La suspension est terminée.",
        "supprimer": "La suspension est supprimée."}


# -- the PASS page's partial (app/templates/approvals/_suspension_actions.html) --------------

@bp.app_template_global()
def suspension_panel(approval, organisation=None):
    """What the PASS page offers about suspensions to the signed-in user acting for `organisation`."""
    today = today_paris()
    ongoing = approvals.ongoing_suspension(approval, today)
    can_change = ongoing is not None and permissions.can_change_suspension(current_user, organisation, ongoing)
    return {"can_suspend": permissions.can_suspend_pass(current_user, organisation, approval, today),
            "ongoing": ongoing, "can_change": can_change,
            "actions": service.actions_for(ongoing) if can_change else {},
            "reason_label": rules.SUSPENSION_REASONS.get(ongoing.reason, ongoing.reason) if ongoing else ""}


def _refused(exc, approval_id):
    back = pass_page_url(approval_id)
    return render_error(exc.status, exc.message, links=[("Revenir au PASS IAE", back)] if back else None)


def _spec(form_key):
    return formspec.load_spec(form_key, current_app.config["FORMS_DIR"])


def _pass_summary(approval, today):
    return {"view": approvals.view(approval, today), "today": today,
            # The holder's name: whoever may see the person, and the companies that hired on this PASS.
            "personal": permissions.can_see_job_seeker(current_user, approval.job_seeker)
            or any(permissions.is_member(current_user, h.company_id) for h in approval.hires),
            "pass_url": pass_page_url(approval.id)}


# -- suspend --------------------------------------------------------------------------------

@bp.route(f"/pass/<int(max={MAX_ID}):approval_id>/suspendre", methods=["GET", "POST"])
@login_required
def new(approval_id):
    approval = db.session.get(Approval, approval_id)
    if approval is None:
        return render_error(404, NOT_FOUND)
    organisation = current_organisation()
    today = today_paris()
    try:
        service.refuse_unless_suspendable(approval, current_user, organisation, today)
    except ServiceError as exc:
        return _refused(exc, approval_id)
    spec = _spec(service.FORM_NEW)
    context = {"suspender_kind": service.suspender_kind(organisation), "today": today}
    version = approval.lock_version
    if request.method == "GET":
        return _render_new(approval, organisation, spec, formspec.build_form(spec, context), version, today)

    version = posted_pass_version()
    form = formspec.build_form(spec, context, formdata=request.form)
    values, errors = formspec.form_result(form)
    if errors:
        return _render_new(approval, organisation, spec, form, version, today, status=422)
    try:
        case = service.start(approval_id, version, current_user, organisation, values, today)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status != 422:
            return _refused(exc, approval_id)
        approval = db.session.get(Approval, approval_id)
        others = formspec.place_field_errors(form, exc.field_errors)
        return _render_new(approval, organisation, spec, form, version, today, others, status=422)
    summary = dict(case.summary or {})
    db.session.commit()
    flash(f"Le PASS IAE est suspendu du {summary.get('start_display')} au {summary.get('end_display')} : "
          f"il se termine désormais le {summary.get('pass_end_display')}.", "success")
    return redirect(pass_page_url(approval_id) or url_for("cases.show", case_id=case.id))


def _render_new(approval, organisation, spec, form, version, today, form_errors=(), status=200):
    return render_template("suspensions/new.html", approval=approval, organisation=organisation, spec=spec,
                           form=form, lock_version=version, form_errors=list(form_errors),
                           limits=service.limits(approval, today), **_pass_summary(approval, today)), status


# -- edit, end early, delete: the case's tasks ------------------------------------------------

def _action_target(suspension_id, action):
    """(suspension, task) the signed-in user may act on, or a ServiceError (404, 403, 409)."""
    if action not in service.ACTIONS:
        raise ServiceError("Cette page n'existe pas.", 404)
    suspension = db.session.get(Suspension, suspension_id)
    if suspension is None:
        raise ServiceError(SUSPENSION_NOT_FOUND, 404)
    if not permissions.can_change_suspension(current_user, current_organisation(), suspension):
        raise ServiceError(NOT_YOURS, 403)
    task = service.actions_for(suspension).get(action)
    if task is None:
        raise ServiceError(NO_TASK, 409)
    return suspension, task


@bp.route(f"/suspensions/<int(max={MAX_ID}):suspension_id>/<action>", methods=["GET", "POST"])
@login_required
def change(suspension_id, action):
    try:
        suspension, task = _action_target(suspension_id, action)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    approval_id = suspension.approval_id
    spec = tasks_service.load_form_spec(task)
    context = tasks_service.form_context(task, current_user)
    if request.method == "GET":
        form = formspec.build_form(spec, context, data=service.initial_values(suspension))
        return _render_change(suspension, task, action, spec, form, suspension.approval.lock_version)

    version = posted_pass_version()
    try:
        # The PASS as the page showed it: a change meanwhile (a colleague, a hire) is a 409.
        approvals.lock_pass(approval_id, version)
        tasks_service.complete(task.id, current_user, formdata=request.form)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status != 422:
            return _refused(exc, approval_id)
        suspension, task = db.session.get(Suspension, suspension_id), db.session.get(type(task), task.id)
        form = formspec.build_form(spec, context, formdata=request.form)
        form.validate()
        others = formspec.place_field_errors(form, exc.field_errors)
        return _render_change(suspension, task, action, spec, form, version, others, status=422)
    flash(DONE[action], "success")
    return redirect(pass_page_url(approval_id) or url_for("cases.show", case_id=task.case_id))


def _render_change(suspension, task, action, spec, form, version, form_errors=(), status=200):
    today = today_paris()
    return render_template("suspensions/change.html", suspension=suspension, task=task, action=action,
                           title=TITLES[action], spec=spec, form=form, lock_version=version,
                           form_errors=list(form_errors),
                           reason_label=rules.SUSPENSION_REASONS.get(suspension.reason, suspension.reason),
                           approval=suspension.approval, **_pass_summary(suspension.approval, today)), status
