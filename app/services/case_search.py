"""The case list of supervisors and support (/dossiers, GET /api/v1/cases/search).

Filters (process, stage, status, département, organisation, waiting since, overdue) and a
single search box that recognises what it is given:

    reference  CAND-2026-000123        case number  123
    NIR        2 94 08 35 140 041 xx   (checked with its key; a malformed one gets a French message)
    SIRET      14 digits               (checked with its key)
    PASS IAE   99999 00 00123          (the cases of its holder: their hires and applications)
    e-mail     someone@example.fr      (the job seeker's)
    text       a job seeker's first or last name (prefix), or an organisation's name (contains)

Searching by person (name, NIR, e-mail) needs a scope with personal data (DOMAIN §13):
institutions see references and organisations only. Results stay within the scope.
"""
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, func, or_, select, union

from app.domain.approvals import validate_pass_number
from app.domain.identifiers import InvalidIdentifier, validate_nir, validate_siret
from app.extensions import db
from app.models import (
    Approval,
    ApprovalHire,
    Case,
    CaseParty,
    JobSeeker,
    Organisation,
    SavedFilter,
    Task,
)
from app.models.base import utcnow
from app.services import supervision
from app.services.tasks import ServiceError

PAGE_SIZE = 50
# Counting every match of a broad query costs more than it tells: beyond this, "more than".
COUNT_CAP = 10_000
MATCH_CAP = 500
MAX_SAVED_FILTERS = 30
STATUSES = {"running": "En cours", "completed": "Terminé", "error": "Bloqué (étape automatique en échec)",
            "suspended": "Suspendu", "cancelled": "Annulé"}
_SEPARATORS = re.compile(r"[\s.\-/]")
_REFERENCE = re.compile(r"^[A-Za-z]{2,10}-\d{4}-\d{1,9}$")
PASS_NOT_FOUND = "Aucun PASS IAE ne porte ce numéro."
PERSON_SEARCH_REFUSED = ("La recherche par personne (nom, NIR, e-mail, numéro de PASS IAE) est réservée aux structures "
                         "qui suivent ces personnes et au support : cherchez par référence, structure ou SIRET.")


@dataclass(frozen=True)
class CaseQuery:
    q: str = ""
    process: str | None = None
    stage: str | None = None
    status: str | None = None
    department: str | None = None
    organisation_id: int | None = None
    waiting_days: int | None = None
    overdue: bool = False


@dataclass
class SearchResult:
    items: list
    total: int
    capped: bool
    page: int
    interpreted_as: str = ""
    notice: str = ""


def interpret(q):
    """(kind, value) of a search text: reference, case_id, nir, siret, pass, email, text or ""."""
    text = (q or "").strip()
    if not text:
        return "", ""
    if "@" in text:
        return "email", text.lower()
    if _REFERENCE.match(text):
        return "reference", text.upper()
    compact = _SEPARATORS.sub("", text).upper()
    if compact.isdigit() and len(compact) <= 9:
        return "case_id", int(compact)
    if compact.isdigit() and len(compact) == 14:
        return "siret", compact
    if compact.isdigit() and compact.startswith("9999"):
        # No NIR starts with 9: a number of the PASS prefix's shape is a PASS, checked in full later.
        return "pass", compact
    if len(compact) >= 10 and (compact.isdigit() or re.fullmatch(r"\d{5}2[AB]\d+", compact)):
        return "nir", compact
    return "text", text


def search(scope, query, page=1, now=None):
    """A page of the cases matching `query` within `scope`, newest first."""
    now = now or utcnow()
    conditions = [*supervision.scope_conditions(scope)]
    kind, value = interpret(query.q)
    notice = ""
    if kind:
        found = _search_conditions(scope, kind, value)
        if found is None:
            notice = PASS_NOT_FOUND
            conditions.append(Case.id.is_(None))
        else:
            conditions.append(found)
    conditions += _filter_conditions(query, now)
    if scope.kind == "organisation" or query.organisation_id or kind == "text":
        ids, total = _page_of_a_set(conditions, page)
    else:
        # The page's ids first (an index holds them with what the filters test, e.g. ix_cases_waiting),
        # then those 50 cases: the walk through the matches never reads the table.
        ids = db.session.execute(_page_ids(conditions, page)).scalars().all()
        total = None
    if total is None:
        matching = select(Case.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
        total = db.session.execute(select(func.count()).select_from(matching)).scalar()
    capped = total > COUNT_CAP
    loaded = {case.id: case for case in Case.query.filter(Case.id.in_(ids))} if ids else {}
    cases = [loaded[i] for i in ids if i in loaded]
    return SearchResult(_rows(cases, scope, now), min(total, COUNT_CAP), capped, page, kind, notice)


def _page_ids(conditions, page):
    """SELECT the ids of the page's cases, newest first."""
    ordered = select(Case.id).where(*conditions).order_by(Case.created_at.desc(), Case.id.desc())
    return ordered.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)


def _page_of_a_set(conditions, page):
    """(ids of the page, number of matches or None past the last page) when the matches are a set of
    case ids from an index: an organisation's cases, a text search (its people's and organisations').

    The set (up to some thousands) is read once, counted and sorted by date in one statement: walking
    every case newest first until 50 of the set turn up would read a large part of the table, and
    counting apart would read the set twice. OFFSET 0 keeps the database from pushing the order into
    the matching."""
    mine = select(Case.id, Case.created_at).where(*conditions).offset(0).subquery()
    rows = db.session.execute(
        select(mine.c.id, func.count().over())
        .order_by(mine.c.created_at.desc(), mine.c.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return [case_id for case_id, _total in rows], (rows[0][1] if rows else None)


def _search_conditions(scope, kind, value):
    """A condition on Case for the recognised search, None for a PASS number no PASS bears."""
    if kind in ("nir", "email", "pass") and not scope.personal_data:
        raise ServiceError(PERSON_SEARCH_REFUSED, 403)
    if kind == "reference":
        return Case.reference == value
    if kind == "case_id":
        return Case.id == value
    if kind == "pass":
        return _pass_condition(value)
    if kind == "siret":
        try:
            siret = validate_siret(value)
        except InvalidIdentifier as exc:
            raise ServiceError(str(exc), 422, {"q": [str(exc)]}) from None
        orgs = select(Organisation.id).where(Organisation.siret == siret)
        return exists().where(CaseParty.case_id == Case.id, CaseParty.organisation_id.in_(orgs))
    if kind == "nir":
        try:
            nir = validate_nir(value)
        except InvalidIdentifier as exc:
            raise ServiceError(f"Recherche par NIR : {exc}", 422, {"q": [str(exc)]}) from None
        return Case.job_seeker_id.in_(select(JobSeeker.id).where(JobSeeker.nir == nir))
    if kind == "email":
        return Case.job_seeker_id.in_(select(JobSeeker.id).where(func.lower(JobSeeker.email) == value))
    return _text_condition(scope, value)


def _pass_condition(value):
    """The cases of the PASS's holder: the hires made on it and the person's applications."""
    try:
        number = validate_pass_number(value)
    except InvalidIdentifier as exc:
        raise ServiceError(f"Recherche par numéro de PASS IAE : {exc}", 422, {"q": [str(exc)]}) from None
    approval = db.session.execute(select(Approval.id, Approval.job_seeker_id)
                                  .where(Approval.number == number)).first()
    if approval is None:
        return None
    # Case ids from each index, united: an OR across columns would make the database read every case.
    hires = select(ApprovalHire.case_id).where(ApprovalHire.approval_id == approval.id,
                                               ApprovalHire.case_id.isnot(None))
    return Case.id.in_(union(hires, select(Case.id).where(Case.job_seeker_id == approval.job_seeker_id)))


def _text_condition(scope, text):
    if len(text) < 2:
        raise ServiceError("Saisissez au moins 2 caractères.", 422, {"q": ["Saisissez au moins 2 caractères."]})
    words = [w.lower() for w in text.split() if w][:4]
    org_ids = (select(Organisation.id)
               .where(func.lower(Organisation.name).contains(text.lower(), autoescape=True)).limit(MATCH_CAP))
    # Case ids from each index, united: an OR across tables would make the database read every case.
    matches = select(CaseParty.case_id).where(CaseParty.organisation_id.in_(org_ids))
    if scope.personal_data:
        # Each word starts the first or the last name: "jean dup" finds Jean Dupont.
        seekers = select(JobSeeker.id).where(*[
            or_(func.lower(JobSeeker.first_name).startswith(w, autoescape=True),
                func.lower(JobSeeker.last_name).startswith(w, autoescape=True)) for w in words]).limit(MATCH_CAP)
        matches = union(matches, select(Case.id).where(Case.job_seeker_id.in_(seekers)))
    return Case.id.in_(matches)


def _filter_conditions(query, now):
    conditions = []
    if query.process:
        conditions.append(Case.process_key == query.process)
    if query.stage:
        conditions.append(Case.stage == query.stage)
    if query.status:
        conditions.append(Case.status == query.status)
    conditions += supervision.filter_conditions(
        supervision.Filters(department=query.department, organisation_id=query.organisation_id))
    # The oldest open task's creation and the earliest due date, kept on the case (app/models/case_flows.py).
    # "waiting_since IS NOT NULL" (implied) lets PostgreSQL walk the partial index ix_cases_waiting.
    if query.waiting_days:
        conditions += [Case.waiting_since.isnot(None), Case.waiting_since < now - timedelta(days=query.waiting_days)]
    if query.overdue:
        conditions += [Case.waiting_since.isnot(None), Case.next_due_at < now]
    return conditions


def _rows(cases, scope, now):
    """What the list shows of each case, in two more queries for the whole page."""
    ids = [c.id for c in cases]
    employers = {}
    waits = {}
    if ids:
        employers = dict(db.session.execute(
            select(CaseParty.case_id, Organisation.name)
            .join(Organisation, Organisation.id == CaseParty.organisation_id)
            .where(CaseParty.case_id.in_(ids), CaseParty.role == "employer")).all())
        waits = {case_id: (oldest, due) for case_id, oldest, due in db.session.execute(
            select(Task.case_id, func.min(Task.created_at), func.min(Task.due_at))
            .where(Task.case_id.in_(ids), Task.state == "open", Task.listed.is_(True))
            .group_by(Task.case_id))}
    names = supervision.processes()
    rows = []
    for case in cases:
        oldest, due = waits.get(case.id, (None, None))
        rows.append({
            "case": case, "id": case.id, "reference": case.reference,
            "process": names.get(case.process_key, case.process_key),
            "stage": case.stage_label, "status": STATUSES.get(case.status, case.status),
            "employer": employers.get(case.id, ""),
            # The title names the job seeker: personal data (DOMAIN §13).
            "title": case.title if scope.personal_data else "",
            "created_at": case.created_at, "waiting_since": oldest,
            "overdue": due is not None and due < now,
        })
    return rows


# -- saved filters ---------------------------------------------------------------------

def saved_filters(user):
    return SavedFilter.query.filter_by(user_id=user.id).order_by(SavedFilter.name).all()


def save_filter(user, name, params):
    name = (name or "").strip()
    if not name:
        raise ServiceError("Donnez un nom à ce filtre.", 422, {"name": ["Ce champ est obligatoire."]})
    params = {k: v for k, v in params.items() if v not in (None, "", [], False)}
    if not params:
        raise ServiceError("Choisissez au moins un critère avant d'enregistrer le filtre.", 422)
    if SavedFilter.query.filter(SavedFilter.user_id == user.id, func.lower(SavedFilter.name) == name.lower()).first():
        raise ServiceError(f"Vous avez déjà un filtre nommé « {name} » : choisissez un autre nom.", 422,
                           {"name": ["Ce nom est déjà utilisé."]})
    if SavedFilter.query.filter_by(user_id=user.id).count() >= MAX_SAVED_FILTERS:
        raise ServiceError(f"Vous avez déjà {MAX_SAVED_FILTERS} filtres : supprimez-en un d'abord.", 422)
    row = SavedFilter(user_id=user.id, name=name, params=params)
    db.session.add(row)
    db.session.commit()
    return row


def get_saved_filter(user, filter_id):
    row = db.session.get(SavedFilter, filter_id)
    if row is None or row.user_id != user.id:
        raise ServiceError("Ce filtre n'existe pas.", 404)
    return row


def delete_filter(user, filter_id):
    row = get_saved_filter(user, filter_id)
    db.session.delete(row)
    db.session.commit()
    return row
