"""Lists of PASS IAE (DOMAIN §7): those of the people a company hired, and a person's own.

Status is computed on a day (app/domain/approvals); the filters translate it into SQL on the
stored dates so that a page reads one query, whatever the number of PASS. The filter form is
forms/pass_list_filters.yaml.
"""
import math
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app import formspec
from app.domain import approvals as rules
from app.extensions import db
from app.models import Approval, ApprovalHire, JobSeeker, Suspension
from app.services import approvals

PAGE_SIZE = 20
FILTER_SPEC = "pass_list_filters"
# "Expiring soon" on the list: the PASS ends within this many months (DOMAIN §12: expiring soon).
EXPIRING_MONTHS = 3


@dataclass
class Filters:
    status: str = ""
    job_seeker: str = ""
    expiring_soon: bool = False

    @property
    def narrowed(self):
        return bool(self.status or self.job_seeker or self.expiring_soon)


@dataclass
class Page:
    rows: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.page_size))


def filter_form(args):
    """The filter form bound to the query string (GET: no CSRF token)."""
    spec = formspec.load_spec(FILTER_SPEC, current_app.config["FORMS_DIR"])
    formdata = MultiDict([(key, value) for key, value in args.items(multi=True) if key in spec.field_names])
    return formspec.build_form(spec, {}, formdata=formdata, csrf=False)


def read_filters(form):
    """(Filters, errors) of a bound filter form; errors {field: [French messages]}."""
    clean, errors = formspec.form_result(form)
    if errors:
        return Filters(), errors
    return Filters(status=clean.get("status") or "", job_seeker=(clean.get("job_seeker") or "").strip(),
                   expiring_soon=bool(clean.get("expiring_soon"))), {}


def _covering_suspension(today):
    return exists().where(Suspension.approval_id == Approval.id, Suspension.start_on <= today,
                          Suspension.end_on >= today)


def _status_condition(status, today):
    live = Approval.cancelled_at.is_(None)
    running = and_(live, Approval.start_on <= today, Approval.end_on >= today)
    return {
        "cancelled": Approval.cancelled_at.is_not(None),
        "future": and_(live, Approval.start_on > today),
        "expired": and_(live, Approval.end_on < today),
        "suspended": and_(running, _covering_suspension(today)),
        "valid": and_(running, ~_covering_suspension(today)),
    }[status]


def hired_by(company, filters, today, page=1):
    """The PASS of the people `company` hired (a hire not cancelled), the soonest to end first."""
    hired = select(ApprovalHire.approval_id).where(ApprovalHire.company_id == company.id,
                                                   ApprovalHire.cancelled_at.is_(None))
    query = select(Approval).join(JobSeeker, JobSeeker.id == Approval.job_seeker_id).where(Approval.id.in_(hired))
    if filters.status:
        query = query.where(_status_condition(filters.status, today))
    if filters.expiring_soon:
        query = query.where(Approval.cancelled_at.is_(None), Approval.end_on >= today,
                            Approval.end_on < rules.anniversary(today, EXPIRING_MONTHS))
    if filters.job_seeker:
        pattern = f"%{filters.job_seeker.lower()}%"
        query = query.where(or_(db.func.lower(JobSeeker.first_name).like(pattern),
                                db.func.lower(JobSeeker.last_name).like(pattern)))
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
    approvals_page = db.session.scalars(
        query.options(selectinload(Approval.job_seeker), selectinload(Approval.suspensions),
                      selectinload(Approval.prolongations), selectinload(Approval.hires))
        .order_by(Approval.end_on, Approval.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return Page(rows=[approvals.view(a, today) for a in approvals_page], total=total, page=page)


def of_job_seeker(seeker, today):
    """Every PASS of the person, newest first, as shown on a day."""
    return [approvals.view(a, today) for a in approvals.passes_of(seeker.id)]


def expiring_soon(view, today):
    """The PASS runs and ends within EXPIRING_MONTHS (a badge on the lists)."""
    return (view.status not in ("expired", approvals.STATUS_CANCELLED)
            and view.end < rules.anniversary(today, EXPIRING_MONTHS))
