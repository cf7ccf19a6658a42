"""A company's admin pages (DOMAIN §10): its job descriptions, and whether it receives applications.

/structures/<id>/fiches                     the job descriptions, open and closed
/structures/<id>/fiches/nouvelle            search a job (ROME appellation), then fill the form
/structures/<id>/fiches/<job id>            edit one
/structures/<id>/fiches/<job id>/activer    reopen (POST); /desactiver closes it
/structures/<id>/parametres                 block or unblock applications, open or close spontaneous ones

Only the company's admins get here (permissions.is_company_admin); every change is audited
by app/services/directory.py.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import formspec
from app.domain import rome
from app.services import directory
from app.services.tasks import ServiceError
from app.web.directory import ID
from app.web.errors import render_error

bp = Blueprint("company_admin", __name__)

JOB_QUERY = "metier"


def _job_query():
    return (request.args.get(JOB_QUERY) or "").strip()[:100]


def _fail(exc):
    return render_error(exc.status, exc.message)


@bp.route(f"/structures/<{ID}:company_id>/fiches")
@login_required
def jobs(company_id):
    try:
        company = directory.company_for_admin(company_id, current_user)
    except ServiceError as exc:
        return _fail(exc)
    return render_template("company/jobs.html", company=company,
                           jobs=directory.job_descriptions(company, current_user),
                           contract_label=directory.contract_label,
                           changes=directory.recent_changes(company))


def _render_form(company, form, job=None, query="", status=200):
    return render_template("company/job_form.html", company=company, job=job, form=form, spec=form.spec,
                           query=query, found=bool(query and rome.search_appellations(query, limit=1)),
                           has_choices=bool(form["appellation"].choices), query_param=JOB_QUERY,
                           action_url=(url_for("company_admin.edit_job", company_id=company.id, job_id=job.id,
                                               **({JOB_QUERY: query} if query else {}))
                                       if job else url_for("company_admin.new_job", company_id=company.id,
                                                           **({JOB_QUERY: query} if query else {})))), status


def _attach(form, exc):
    """A service refusal on a field shows next to that field."""
    formspec.place_field_errors(form, exc.field_errors)


@bp.route(f"/structures/<{ID}:company_id>/fiches/nouvelle", methods=["GET", "POST"])
@login_required
def new_job(company_id):
    try:
        company = directory.company_for_admin(company_id, current_user)
    except ServiceError as exc:
        return _fail(exc)
    query = _job_query()
    if request.method == "GET":
        return _render_form(company, directory.job_form(company=company, query=query), query=query)
    form = directory.job_form(company=company, query=query, formdata=request.form)
    data, errors = formspec.form_result(form)
    if errors:
        return _render_form(company, form, query=query, status=422)
    try:
        job = directory.create_job_description(company, current_user, data)
    except ServiceError as exc:
        _attach(form, exc)
        return _render_form(company, form, query=query, status=exc.status)
    flash(f"La fiche de poste « {job.display_name} » est créée.", "success")
    return redirect(url_for("company_admin.jobs", company_id=company.id))


@bp.route(f"/structures/<{ID}:company_id>/fiches/<{ID}:job_id>", methods=["GET", "POST"])
@login_required
def edit_job(company_id, job_id):
    try:
        company, job = directory.job_for_admin(company_id, job_id, current_user)
    except ServiceError as exc:
        return _fail(exc)
    query = _job_query()
    if request.method == "GET":
        return _render_form(company, directory.job_form(job=job, query=query), job=job, query=query)
    form = directory.job_form(job=job, query=query, formdata=request.form)
    data, errors = formspec.form_result(form)
    if errors:
        return _render_form(company, form, job=job, query=query, status=422)
    try:
        changes = directory.update_job_description(job, current_user, data)
    except ServiceError as exc:
        _attach(form, exc)
        return _render_form(company, form, job=job, query=query, status=exc.status)
    if changes:
        flash(f"La fiche de poste « {job.display_name} » est enregistrée.", "success")
    else:
        flash("Aucune modification : la fiche de poste est inchangée.", "info")
    return redirect(url_for("company_admin.jobs", company_id=company.id))


def _set_active(company_id, job_id, active):
    try:
        _company, job = directory.job_for_admin(company_id, job_id, current_user)
    except ServiceError as exc:
        return _fail(exc)
    changed = directory.set_job_description_active(job, current_user, active)
    name = job.display_name
    if active:
        flash(f"Le recrutement est ouvert sur « {name} »." if changed
              else f"Le recrutement était déjà ouvert sur « {name} ».", "success" if changed else "info")
    else:
        flash(f"Le recrutement est fermé sur « {name} » : la fiche ne reçoit plus de candidatures." if changed
              else f"Le recrutement était déjà fermé sur « {name} ».", "success" if changed else "info")
    return redirect(url_for("company_admin.jobs", company_id=company_id))


@bp.route(f"/structures/<{ID}:company_id>/fiches/<{ID}:job_id>/activer", methods=["POST"])
@login_required
def activate_job(company_id, job_id):
    return _set_active(company_id, job_id, True)


@bp.route(f"/structures/<{ID}:company_id>/fiches/<{ID}:job_id>/desactiver", methods=["POST"])
@login_required
def deactivate_job(company_id, job_id):
    return _set_active(company_id, job_id, False)


# --- receiving applications -----------------------------------------------------------

@bp.route(f"/structures/<{ID}:company_id>/parametres")
@login_required
def settings(company_id):
    try:
        company = directory.company_for_admin(company_id, current_user)
    except ServiceError as exc:
        return _fail(exc)
    return render_template("company/settings.html", company=company,
                           spontaneous_open=directory.spontaneous_open(company),
                           open_jobs=directory.open_job_count(company),
                           spontaneous_days=directory.SPONTANEOUS_DAYS,
                           changes=directory.recent_changes(company))


SETTINGS_ACTIONS = {
    # action: (service call, message when it changed something, message when it did not)
    "bloquer": (lambda company: directory.set_applications_blocked(company, current_user, True),
                "Votre structure ne reçoit plus de candidatures.",
                "Votre structure ne recevait déjà plus de candidatures."),
    "debloquer": (lambda company: directory.set_applications_blocked(company, current_user, False),
                  "Votre structure reçoit de nouveau des candidatures.",
                  "Votre structure recevait déjà des candidatures."),
    "spontanees-ouvrir": (lambda company: directory.open_spontaneous_applications(company, current_user),
                          None, None),
    "spontanees-fermer": (lambda company: directory.close_spontaneous_applications(company, current_user),
                          "Les candidatures spontanées sont fermées.",
                          "Les candidatures spontanées étaient déjà fermées."),
}


@bp.route(f"/structures/<{ID}:company_id>/parametres/<action>", methods=["POST"])
@login_required
def change_settings(company_id, action):
    if action not in SETTINGS_ACTIONS:
        return render_error(404)
    try:
        company = directory.company_for_admin(company_id, current_user)
    except ServiceError as exc:
        return _fail(exc)
    call, changed_message, same_message = SETTINGS_ACTIONS[action]
    result = call(company)
    if action == "spontanees-ouvrir":
        flash(f"Les candidatures spontanées sont ouvertes jusqu'au {result.strftime('%d/%m/%Y')}.", "success")
    else:
        flash(changed_message if result else same_message, "success" if result else "info")
    return redirect(url_for("company_admin.settings", company_id=company.id))
