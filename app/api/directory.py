"""/api/v1 read endpoints of the employers' directory (DOMAIN §10), on the API's blueprint.

GET /companies                      search: department, city, kind, job, page
GET /companies/{company_id}         a company with its job descriptions
GET /job-descriptions/{job_id}      one job description

The same service (app/services/directory.py) and rules as the /structures pages:
closed job descriptions exist only for the company's members.
"""
from flask import g, jsonify, request, url_for

from app.api.errors import ApiError
from app.api.serialize import iso
from app.api.views import MAX_ID, MAX_PAGE, bp, query_int
from app.domain.vocabularies import COMPANY_KINDS
from app.services import directory


def company_summary(result):
    company = result.company
    until = company.spontaneous_applications_open_until
    return {
        "id": company.id,
        "name": company.name,
        "kind": company.kind,
        "kind_label": COMPANY_KINDS.get(company.kind, company.kind),
        "city": company.city or "",
        "postcode": company.postcode or "",
        "department": company.department or "",
        "open_job_descriptions": result.open_jobs,
        "spontaneous_applications_open": result.spontaneous_open,
        "spontaneous_applications_open_until": until.isoformat() if until and result.spontaneous_open else None,
        "blocks_applications": result.blocked,
        "links": {"self": url_for("api.get_company", company_id=company.id)},
    }


def job_description_json(job):
    return {
        "id": job.id,
        "company": {"id": job.company.id, "name": job.company.name},
        "name": job.display_name,
        "rome_code": job.rome_code,
        "appellation": job.appellation,
        "custom_name": job.custom_name or "",
        "description": job.description or "",
        "contract_type": job.contract_type or None,
        "contract_type_label": directory.contract_label(job) or None,
        "city": job.city or "",
        "postcode": job.postcode or "",
        "department": job.department or "",
        "hours_per_week": job.hours_per_week,
        "open_positions": job.open_positions,
        "cv_required": bool(job.cv_required),
        "is_active": bool(job.is_active),
        "updated_at": iso(job.updated_at),
        "links": {"self": url_for("api.get_job_description", job_id=job.id),
                  "company": url_for("api.get_company", company_id=job.company_id)},
    }


@bp.get("/companies")
def list_companies():
    filters, _form, errors = directory.parse_search(request.args)
    if errors:
        raise ApiError(400, directory.SEARCH_ERROR, errors)
    page = query_int("page", 1, 1, MAX_PAGE)
    results, total = directory.search_companies(filters, page)
    return jsonify({
        "items": [company_summary(result) for result in results],
        "total": total,
        "page": page,
        "page_size": directory.PAGE_SIZE,
    })


@bp.get(f"/companies/<int(max={MAX_ID}):company_id>")
def get_company(company_id):
    company = directory.get_company(company_id)
    body = company_summary(directory.CompanyResult(
        company=company, open_jobs=directory.open_job_count(company), matching_jobs=0,
        spontaneous_open=directory.spontaneous_open(company)))
    body.update({
        "address": company.address or "",
        "siret": company.siret,
        "email": company.email or "",
        "phone": company.phone or "",
        "job_descriptions": [job_description_json(job)
                             for job in directory.job_descriptions(company, g.api_user)],
    })
    return jsonify(body)


@bp.get(f"/job-descriptions/<int(max={MAX_ID}):job_id>")
def get_job_description(job_id):
    return jsonify(job_description_json(directory.get_job_description(job_id, g.api_user)))
