"""The employers' directory and job descriptions (DOMAIN §3 step 4, §10), for the web and the API.

Search: companies by département, city, kind and job; job descriptions of a company;
what its admins change (job descriptions, blocking applications, spontaneous
applications), each change recorded in the audit log (there is no case here).
"""
import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, func, or_, select
from werkzeug.datastructures import MultiDict

from app import formspec, permissions
from app.domain import places, rome
from app.domain.vocabularies import JOB_CONTRACT_TYPES
from app.extensions import db
from app.formspec.registry import appellation_from_key, appellation_key
from app.models import JobDescription, Organisation
from app.models.audit import AuditEntry, record
from app.services.tasks import ServiceError
from app.domain.calendar import today_paris

PAGE_SIZE = 20
# Spontaneous applications open 90 days at a time (DOMAIN §10).
SPONTANEOUS_DAYS = 90
SEARCH_FORM = "directory_search"
SEARCH_FIELDS = ("job", "city", "department", "kind")
SEARCH_ERROR = "La recherche contient des erreurs : corrigez les champs signalés."
JOB_FORM = "job_description"

NO_COMPANY = "Cette structure n'existe pas."
NO_JOB = "Cette fiche de poste n'existe pas ou n'est plus publiée."
NOT_ADMIN = "Seuls les administrateurs de cette structure peuvent la gérer."


def load_form(form_key):
    return formspec.load_spec(form_key, current_app.config["FORMS_DIR"])


# --- search ------------------------------------------------------------------------

@dataclass
class CompanyResult:
    company: Organisation
    open_jobs: int
    matching_jobs: int
    spontaneous_open: bool

    @property
    def blocked(self):
        return bool(self.company.block_job_applications)


def search_form(args=None):
    """The search form bound to query parameters (a dict or MultiDict), not validated yet."""
    formdata = args if isinstance(args, MultiDict) else MultiDict(args or {})
    return formspec.build_form(load_form(SEARCH_FORM), formdata=formdata, csrf=False)


def parse_search(args):
    """(filters, form, errors) from query parameters: filters {job, city, department, kind}
    ("" when not given); errors {field: [French messages]}, filters empty when there are some."""
    form = search_form(args)
    data, errors = formspec.form_result(form)
    if errors:
        return {}, form, errors
    return {name: (data.get(name) or "").strip() for name in SEARCH_FIELDS}, form, {}


def _contains(haystack, needle):
    """Whether `needle`'s words appear in `haystack` in order, ignoring accents, case and
    punctuation ("saint denis" is in "Saint-Denis", "equipier" in "Équipier de chantier")."""
    return rome.normalize(needle) in rome.normalize(haystack)


def _matching_cities(city):
    """The company cities that contain `city` (compared in Python: SQLite's lower() and LIKE
    ignore neither accents nor non-ASCII case)."""
    cities = db.session.query(Organisation.city).filter(Organisation.category == "company").distinct()
    return sorted({name for (name,) in cities if name and _contains(name, city)})


def _matching_job_condition(job):
    """Job descriptions whose appellation is one of the ROME appellations found for `job`,
    or whose custom name contains it."""
    titles = {appellation.title for appellation in rome.search_appellations(job, limit=None)}
    named = (db.session.query(JobDescription.id, JobDescription.custom_name)
             .filter(JobDescription.is_active.is_(True), JobDescription.custom_name != ""))
    ids = [job_id for job_id, name in named if _contains(name, job)]
    return or_(JobDescription.appellation.in_(sorted(titles)), JobDescription.id.in_(ids))


def search_companies(filters, page=1, today=None):
    """(results, total): one page of CompanyResult, most useful first.

    With a job, only companies with an open job description of that job are listed,
    those with most matching jobs first. Companies that block applications come
    last; then those recruiting (open job descriptions), then those open to
    spontaneous applications; then by name.
    """
    today = today or today_paris()
    open_counts = (select(JobDescription.company_id, func.count(JobDescription.id).label("n"))
                   .where(JobDescription.is_active.is_(True))
                   .group_by(JobDescription.company_id).subquery())
    open_jobs = func.coalesce(open_counts.c.n, 0)
    spontaneous = Organisation.spontaneous_applications_open_until >= today
    query = (db.session.query(Organisation, open_jobs)
             .outerjoin(open_counts, open_counts.c.company_id == Organisation.id)
             .filter(Organisation.category == "company"))
    if filters.get("department"):
        query = query.filter(Organisation.department == filters["department"])
    if filters.get("kind"):
        query = query.filter(Organisation.kind == filters["kind"])
    if filters.get("city"):
        query = query.filter(Organisation.city.in_(_matching_cities(filters["city"])))
    order = [Organisation.block_job_applications.asc()]
    if filters.get("job"):
        matching = (select(JobDescription.company_id, func.count(JobDescription.id).label("n"))
                    .where(JobDescription.is_active.is_(True), _matching_job_condition(filters["job"]))
                    .group_by(JobDescription.company_id).subquery())
        query = query.join(matching, matching.c.company_id == Organisation.id).add_columns(matching.c.n)
        order.append(matching.c.n.desc())
    order += [case((open_jobs > 0, 0), else_=1), case((spontaneous, 0), else_=1),
              Organisation.name, Organisation.id]
    total = query.count()
    offset = (max(page, 1) - 1) * PAGE_SIZE
    if offset >= total:
        return [], total  # past the last page (also keeps a huge page number away from the database)
    rows = query.order_by(*order).offset(offset).limit(PAGE_SIZE).all()
    results = []
    for row in rows:
        company, open_count = row[0], row[1]
        results.append(CompanyResult(company=company, open_jobs=int(open_count),
                                     matching_jobs=int(row[2]) if filters.get("job") else 0,
                                     spontaneous_open=spontaneous_open(company, today)))
    return results, total


def page_count(total):
    return max(1, math.ceil(total / PAGE_SIZE))


# --- one company -------------------------------------------------------------------

def spontaneous_open(company, today=None):
    until = company.spontaneous_applications_open_until
    return until is not None and until >= (today or today_paris())


def get_company(company_id):
    company = db.session.get(Organisation, company_id)
    if company is None or company.category != "company":
        raise ServiceError(NO_COMPANY, 404)
    return company


def job_descriptions(company, viewer):
    """The company's open job descriptions; its members also see the closed ones (after)."""
    query = JobDescription.query.filter_by(company_id=company.id)
    if not permissions.can_see_inactive_job_descriptions(viewer, company):
        query = query.filter(JobDescription.is_active.is_(True))
    jobs = query.all()
    return sorted(jobs, key=lambda job: (not job.is_active, rome.normalize(job.display_name), job.id))


def open_job_count(company):
    return JobDescription.query.filter_by(company_id=company.id, is_active=True).count()


def get_job_description(job_id, viewer):
    """A job description; a closed one exists only for its company's members."""
    job = db.session.get(JobDescription, job_id)
    if job is None or job.company is None or job.company.category != "company":
        raise ServiceError(NO_JOB, 404)
    if not job.is_active and not permissions.can_see_inactive_job_descriptions(viewer, job.company):
        raise ServiceError(NO_JOB, 404)
    return job


def contract_label(job):
    return JOB_CONTRACT_TYPES.get(job.contract_type, job.contract_type or "")


# --- what company admins change ----------------------------------------------------

def company_for_admin(company_id, actor):
    company = get_company(company_id)
    if not permissions.is_company_admin(actor, company):
        raise ServiceError(NOT_ADMIN, 403)
    return company


def job_for_admin(company_id, job_id, actor):
    company = company_for_admin(company_id, actor)
    job = db.session.get(JobDescription, job_id)
    if job is None or job.company_id != company.id:
        raise ServiceError("Cette fiche de poste n'existe pas.", 404)
    return company, job


def job_form(job=None, company=None, query="", formdata=None):
    """The job description form: choices are the appellations found for `query` plus the chosen one.

    formdata None shows the job's values (or a new job's defaults: the company's place,
    one position, recruitment open)."""
    spec = load_form(JOB_FORM)
    if formdata is not None:
        chosen = formdata.get("appellation")
        data = None
    else:
        data = job_values(job) if job is not None else {
            "postcode": company.postcode if company else "", "city": company.city if company else "",
            "open_positions": 1, "is_active": True}
        chosen = data.get("appellation")
    context = {"appellation_query": query, "appellation": chosen}
    kwargs = {"formdata": formdata} if formdata is not None else {}
    return formspec.build_form(spec, context, data=data, **kwargs)


def job_values(job):
    """A job description's values, shaped as the form's clean data (also the audit's)."""
    appellation = rome.get_appellation(job.rome_code, job.appellation)
    return {
        "appellation": appellation_key(appellation) if appellation else f"{job.rome_code}|{job.appellation}",
        "custom_name": job.custom_name or "",
        "description": job.description or "",
        "contract_type": job.contract_type or None,
        "postcode": job.postcode or "",
        "city": job.city or "",
        "hours_per_week": job.hours_per_week,
        "open_positions": job.open_positions,
        "cv_required": bool(job.cv_required),
        "is_active": bool(job.is_active),
    }


def _apply(job, data, actor):
    appellation = appellation_from_key(data.get("appellation"))
    if appellation is None:
        raise ServiceError("La fiche de poste contient des erreurs.", 422,
                           {"appellation": ["Choisissez un métier de la liste des appellations ROME."]})
    department = places.department_for_postcode(data.get("postcode"))
    if department is None:
        raise ServiceError("La fiche de poste contient des erreurs.", 422, {"postcode": [places.UNKNOWN_POSTCODE]})
    job.rome_code, job.appellation = appellation.code, appellation.title
    job.custom_name = (data.get("custom_name") or "").strip()
    job.description = (data.get("description") or "").strip()
    job.contract_type = data.get("contract_type") or ""
    job.postcode, job.department = data["postcode"], department
    job.city = (data.get("city") or "").strip()
    job.hours_per_week = data.get("hours_per_week")
    job.open_positions = data.get("open_positions") or 1
    job.cv_required = bool(data.get("cv_required"))
    job.is_active = bool(data.get("is_active"))
    job.updated_by_id = actor.id


def create_job_description(company, actor, data):
    """A new job description from the form's clean data; committed, with its audit row."""
    job = JobDescription(company_id=company.id)
    _apply(job, data, actor)
    db.session.add(job)
    db.session.flush()
    record("job_description_created", actor, company, f"Fiche de poste « {job.display_name} » créée",
           {"job_description_id": job.id, "values": job_values(job)})
    db.session.commit()
    return job


def update_job_description(job, actor, data):
    """Apply the form's clean data; returns the changed fields ({} if none: nothing is written)."""
    before = job_values(job)
    _apply(job, data, actor)
    after = job_values(job)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changes:
        db.session.rollback()
        return {}
    record("job_description_updated", actor, job.company_id, f"Fiche de poste « {job.display_name} » modifiée",
           {"job_description_id": job.id, "changes": changes})
    db.session.commit()
    return changes


def set_job_description_active(job, actor, active):
    """Open or close recruitment on a job description; False if it already was so."""
    if job.is_active == active:
        return False
    job.is_active = active
    job.updated_by_id = actor.id
    action, verb = ("job_description_activated", "réactivée") if active else ("job_description_deactivated",
                                                                              "désactivée")
    record(action, actor, job.company_id, f"Fiche de poste « {job.display_name} » {verb}",
           {"job_description_id": job.id})
    db.session.commit()
    return True


def set_applications_blocked(company, actor, blocked):
    """Block (or unblock) every application from outside the company; False if nothing changes."""
    if bool(company.block_job_applications) == blocked:
        return False
    company.block_job_applications = blocked
    if blocked:
        record("applications_blocked", actor, company, "Réception des candidatures bloquée")
    else:
        record("applications_unblocked", actor, company, "Réception des candidatures rouverte")
    db.session.commit()
    return True


def open_spontaneous_applications(company, actor, today=None):
    """Open spontaneous applications for 90 days from today (again if already open); returns the last day."""
    until = (today or today_paris()) + timedelta(days=SPONTANEOUS_DAYS)
    company.spontaneous_applications_open_until = until
    record("spontaneous_applications_opened", actor, company,
           f"Candidatures spontanées ouvertes jusqu'au {until.strftime('%d/%m/%Y')}",
           {"until": until.isoformat()})
    db.session.commit()
    return until


def close_spontaneous_applications(company, actor, today=None):
    """Close spontaneous applications; False if they were not open."""
    if not spontaneous_open(company, today):
        return False
    company.spontaneous_applications_open_until = None
    record("spontaneous_applications_closed", actor, company, "Candidatures spontanées fermées")
    db.session.commit()
    return True


def recent_changes(company, limit=10):
    """The last audit rows about this company, newest first (shown to its admins)."""
    return (AuditEntry.query.filter_by(organisation_id=company.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).all())
