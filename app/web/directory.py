"""The employers' directory: /structures (search) and /structures/<id> (a company's page)."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from app import permissions
from app.domain import places
from app.domain.vocabularies import COMPANY_KINDS
from app.services import directory
from app.services.tasks import ServiceError
from app.web.errors import render_error

bp = Blueprint("directory", __name__)

# Ids are 32-bit integers in the database: a bigger number names nothing (and must not reach PostgreSQL).
ID = "int(max=2147483647)"

# Built by the prescription's sending page (/candidatures/nouvelle); only its address is known here.
APPLY_PATH = "/candidatures/nouvelle"


def apply_url(company, job=None):
    query = f"structure={company.id}" + (f"&fiche={job.id}" if job is not None else "")
    return f"{APPLY_PATH}?{query}"


def _page():
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


@bp.route("/structures")
@login_required
def search():
    filters, form, errors = directory.parse_search(request.args)
    page = _page()
    results, total = ([], 0) if errors else directory.search_companies(filters, page)
    pages = directory.page_count(total)
    if page > pages and total:
        abort(404)
    searched = any(filters.values())

    def page_url(number):
        args = {name: value for name, value in filters.items() if value}
        if number > 1:
            args["page"] = number
        return url_for("directory.search", **args)

    return render_template(
        "directory/search.html", form=form, errors=errors, filters=filters, searched=searched,
        results=results, total=total, page=page, pages=pages, page_url=page_url,
        kind_labels=COMPANY_KINDS, department_label=places.department_label,
    ), 400 if errors else 200


@bp.route(f"/structures/<{ID}:company_id>")
@login_required
def show(company_id):
    try:
        company = directory.get_company(company_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    return render_template(
        "directory/company.html", company=company, jobs=directory.job_descriptions(company, current_user),
        kind_label=COMPANY_KINDS.get(company.kind, company.kind),
        department_label=places.department_label(company.department),
        spontaneous_open=directory.spontaneous_open(company),
        can_apply=permissions.can_apply_to_company(current_user, company),
        is_member=permissions.is_member(current_user, company.id),
        is_admin=permissions.is_company_admin(current_user, company),
        contract_label=directory.contract_label, apply_url=apply_url,
    )
