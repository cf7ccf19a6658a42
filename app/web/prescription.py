"""Sending applications: the pages that open a prescription case, and the CV download.

/candidatures/nouvelle?structure=<id>&fiche=<id>   "Postuler" from a company's page
/candidatures/embauche-directe                     an SIAE declares a direct hire (auto-prescription)
/candidatures/cv/<id>                              a CV attached to an application

Once the case is open, each step is a task of bpmn/prescription.bpmn on the usual task
page (/taches/<id>), given to the sender.
"""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import formspec, permissions
from app.extensions import db
from app.services import prescription
from app.services.tasks import ServiceError
from app.web.errors import render_error
from app.web.session import current_organisation
from app.web.layout import pdf_response

bp = Blueprint("prescription", __name__)

DIRECTORY_PATH = "/structures"


def _open_first_step(case):
    task = prescription.first_task(case, current_user)
    if task is not None:
        return redirect(url_for("tasks.show", task_id=task.id))
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/candidatures/nouvelle", methods=["GET", "POST"])
@login_required
def new():
    company_id = request.args.get("structure")
    if not company_id:
        return render_template("prescription/choose_company.html", directory_path=DIRECTORY_PATH)
    organisation = current_organisation()
    try:
        page = prescription.start_page(current_user, organisation, company_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message, links=[("Chercher une autre structure", DIRECTORY_PATH)])
    if request.method == "GET":
        chosen = request.args.getlist("fiche")
        spec, form = prescription.start_form(page, chosen=chosen)
        # A link to a job that closed since the page was shown: say so rather than drop it silently.
        closed = set(chosen) - {str(job.id) for job in page.jobs}
        return _render_start(page, spec, form, closed_job=bool(closed))
    spec, form = prescription.start_form(page, formdata=request.form)
    data, errors = formspec.form_result(form)
    if not errors:
        try:
            case = prescription.start(current_user, organisation, page.company.id,
                                      data.get("job_description_ids") or [])
        except ServiceError as exc:
            db.session.rollback()
            if exc.status != 422:
                return render_error(exc.status, exc.message)
            errors = exc.field_errors or {"_form": [exc.message]}
        else:
            return _open_first_step(case)
    others = formspec.place_field_errors(form, errors)
    return _render_start(page, spec, form, others, status=422)


def _render_start(page, spec, form, form_errors=(), status=200, closed_job=False):
    return render_template("prescription/start.html", page=page, spec=spec, form=form, closed_job=closed_job,
                           form_errors=list(form_errors), directory_path=DIRECTORY_PATH), status


@bp.route("/candidatures/embauche-directe", methods=["GET", "POST"])
@login_required
def direct_hire():
    company = current_organisation()
    if not permissions.can_declare_direct_hire(current_user, company):
        return render_error(403, "Seul un membre d'une SIAE (AI, ACI, EI, ETTI, EITI) déclare une embauche "
                                 "directe : choisissez votre SIAE dans « Vous agissez pour ».")
    if request.method == "GET":
        spec, form = prescription.start_form(prescription.StartPage(company, prescription.EMPLOYER, [], True))
        return render_template("prescription/direct_hire.html", company=company, form=form)
    spec, form = prescription.start_form(prescription.StartPage(company, prescription.EMPLOYER, [], True),
                                         formdata=request.form)
    _data, errors = formspec.form_result(form)
    if errors:
        return render_template("prescription/direct_hire.html", company=company, form=form,
                               form_errors=[m for messages in errors.values() for m in messages]), 422
    try:
        case = prescription.start(current_user, company, company.id, direct_hire=True)
    except ServiceError as exc:
        db.session.rollback()
        return render_error(exc.status, exc.message)
    return _open_first_step(case)


@bp.route(f"/candidatures/cv/<int(max={prescription.MAX_ID}):document_id>")
@login_required
def cv(document_id):
    try:
        document = prescription.get_document(document_id, current_user)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    return pdf_response(document)
