"""PASS IAE pages (DOMAIN §7): a PASS and its history, the list of a company's PASS, a person's
own PASS, and the certificate (printable page and PDF).

Who sees what is app/permissions (can_see_pass, can_download_pass_certificate); the status of
a PASS on a day is app/services/approvals.view; the list is app/services/pass_lists.py.
The suspension and prolongation actions on the PASS page are partials their own blueprints fill.
"""
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import permissions
from app.domain import approvals as rules
from app.extensions import db
from app.models import Approval, JobSeeker
from app.services import approvals, certificates, pass_lists
from app.services.job_seekers import today_paris
from app.services.tasks import ServiceError
from app.web.errors import abort_fr, render_error
from app.web.session import current_organisation
from app.web.layout import pdf_response

bp = Blueprint("approvals", __name__)


def pass_page_url(approval_id):
    """The PASS page, where the suspension and prolongation pages lead back to."""
    return url_for("approvals.detail", approval_id=approval_id)


def posted_pass_version():
    """The PASS lock version the submitted page showed; a page without one is treated as
    outdated (lock_pass answers 409)."""
    try:
        return int(request.form.get("lock_version", ""))
    except ValueError:
        return 0


MAX_ID = 2**31 - 1
NOT_FOUND = "Ce PASS IAE n'existe pas."
NOT_VISIBLE = ("Ce PASS IAE concerne une personne sans lien avec votre organisation : vous ne pouvez pas le "
               "consulter.")
NO_CERTIFICATE = ("L'attestation du PASS IAE est réservée à son titulaire et aux employeurs qui l'ont embauché "
                  "sur ce PASS.")
NO_LIST = ("La liste des PASS IAE est celle des salariés d'un employeur, ou la vôtre si vous êtes candidat : "
           "choisissez une structure employeuse dans le bandeau pour la voir.")
FILTER_ERRORS = "Les filtres contiennent des erreurs : corrigez les champs signalés pour afficher la liste."


def _visible_pass(approval_id):
    """The PASS if the user may see it; else the French 404/403 page is raised."""
    approval = db.session.get(Approval, approval_id)
    if approval is None:
        abort_fr(404, NOT_FOUND)
    if not permissions.can_see_pass(current_user, approval):
        abort_fr(403, NOT_VISIBLE)
    return approval


def _own_job_seeker():
    if current_user.kind != "job_seeker":
        return None
    return JobSeeker.query.filter_by(user_id=current_user.id).first()


@bp.app_template_global()
def visible_passes(job_seeker):
    """The PASS of `job_seeker` the signed-in user may open (links on case and task pages)."""
    if job_seeker is None or not current_user.is_authenticated:
        return []
    today = today_paris()
    return [approvals.view(a, today) for a in approvals.passes_of(job_seeker.id)
            if permissions.can_see_pass(current_user, a)]


# -- one PASS -----------------------------------------------------------------------------------

@bp.route(f"/pass/<int(max={MAX_ID}):approval_id>")
@login_required
def detail(approval_id):
    approval = _visible_pass(approval_id)
    today = today_paris()
    return render_template(
        "approvals/detail.html", approval=approval, pass_view=approvals.view(approval, today),
        organisation=current_organisation(), today=today,
        personal=permissions.can_see_job_seeker(current_user, approval.job_seeker),
        can_download=permissions.can_download_pass_certificate(current_user, approval),
        suspension_reasons=rules.SUSPENSION_REASONS, prolongation_reasons=rules.PROLONGATION_REASONS,
        request_states=rules.PROLONGATION_REQUEST_STATES,
        hires=sorted(approval.hires, key=lambda h: (h.hiring_start_on, h.id), reverse=True))


def _certificate_pass(approval_id):
    approval = _visible_pass(approval_id)
    if not permissions.can_download_pass_certificate(current_user, approval):
        abort_fr(403, NO_CERTIFICATE)
    return approval


@bp.route(f"/pass/<int(max={MAX_ID}):approval_id>/attestation")
@login_required
def certificate(approval_id):
    approval = _certificate_pass(approval_id)
    try:
        page = certificates.context(approval, today_paris())
    except ServiceError as exc:
        return render_error(exc.status, exc.message, links=[("Voir le PASS IAE", url_for(".detail",
                                                                                            approval_id=approval.id))])
    certificates.log_delivery(approval, current_user, current_organisation(), "html")
    db.session.commit()
    response = Response(render_template("approvals/certificate.html", for_pdf=False, **page))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"/pass/<int(max={MAX_ID}):approval_id>/attestation.pdf")
@login_required
def certificate_pdf(approval_id):
    approval = _certificate_pass(approval_id)
    try:
        document = certificates.pdf(approval, current_user, current_organisation(), today_paris())
    except ServiceError as exc:
        return render_error(exc.status, exc.message, links=[("Voir le PASS IAE", url_for(".detail",
                                                                                            approval_id=approval.id))])
    return pdf_response(document, attachment=True)


# -- lists --------------------------------------------------------------------------------------

def _page_number():
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.route("/pass")
@login_required
def index():
    organisation = current_organisation()
    if organisation is None or organisation.category != "company" \
            or not permissions.is_member(current_user, organisation.id):
        if _own_job_seeker() is not None or current_user.kind == "job_seeker":
            return redirect(url_for(".mine"))
        return render_error(403, NO_LIST)
    form = pass_lists.filter_form(request.args)
    filters, errors = pass_lists.read_filters(form)
    today, page = today_paris(), _page_number()
    result = None
    if not errors:
        result = pass_lists.hired_by(organisation, filters, today, page)
        if page > result.pages and result.total:
            abort_fr(404, "Cette page de la liste n'existe pas : la liste est plus courte.")
    args = {name: request.args[name] for name in form.spec.field_names if request.args.get(name)}

    def page_url(number):
        return url_for(".index", **args, **({"page": number} if number > 1 else {}))

    body = render_template("approvals/list.html", organisation=organisation, form=form, errors=errors,
                           filters=filters, result=result, page_url=page_url, clear_url=url_for(".index"),
                           today=today, expiring_soon=pass_lists.expiring_soon,
                           expiring_months=pass_lists.EXPIRING_MONTHS)
    return body, 422 if errors else 200


@bp.route("/mon-pass")
@login_required
def mine():
    seeker = _own_job_seeker()
    today = today_paris()
    views = pass_lists.of_job_seeker(seeker, today) if seeker is not None else []
    if current_user.kind != "job_seeker" and not views:
        return redirect(url_for(".index"))
    return render_template("approvals/mine.html", views=views, today=today, seeker=seeker,
                           expiring_soon=pass_lists.expiring_soon)
