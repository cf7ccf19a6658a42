"""Following applications: what an organisation sent, what a company received, what a person applied for.

Lists read the case and task tables only (the `summary` the diagram mirrors onto each
case row, its parties, its stage), never a serialized workflow. Who may list what is
decided in app.permissions; what a row shows follows the rules of the case page:

- the private comment of a refusal goes to the professionals of the case (the
  prescriber, the employer), never to the job seeker, nor to an employer who only sent;
- the refusal reason reaches the job seeker only when the employer shared it (DOMAIN §4);
- a company sees the applications of the last 2 years plus every accepted one (DOMAIN §4);
- archived applications are hidden unless asked for.

Exports are CSV files for French spreadsheets (UTF-8 with BOM, `;`, dd/mm/yyyy); each one
is written to the audit log with its author (DOMAIN §13).

    page = sent_by(actor, organisation, Filters(states=("refused",)), page=1)
    page.rows[0]["company"]["name"], page.total, page.pages
    export = monthly_synthesis_csv(actor, organisation, "2026-11")   # Export(filename, content, count)
"""
import csv
import io
import math
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from app import formspec, permissions
from app.domain.vocabularies import APPLICATION_STATES, COMPANY_KINDS, REFUSAL_REASONS, SENDER_KINDS
from app.extensions import db
from app.models import AuditEntry, Case, CaseParty, JobSeeker, Organisation, Task
from app.models.base import utcnow
from app.services.tasks import ServiceError
from app.domain.calendar import PARIS

PROCESS = "application"
PAGE_SIZE = 20
# A larger export would be of no use in a spreadsheet and heavy to build: narrow the filters.
EXPORT_LIMIT = 10_000
# Companies see the applications of the last 2 years, plus every accepted one (DOMAIN §4).
COMPANY_HISTORY_YEARS = 2

# The form specs (forms/*.yaml) of each list's filters; their field names are the query parameters.
FILTER_SPECS = {"sent": "applications_sent_filters", "received": "applications_received_filters",
                "mine": "applications_mine_filters"}
MONTH_SPEC = "applications_monthly_export"
SENDER_KIND_LABELS = {**SENDER_KINDS, "auto": "Auto-prescription"}

NOT_A_SENDER = ("Cette liste montre les candidatures envoyées par un prescripteur ou une structure : "
                "agissez pour l'une de vos organisations pour la consulter.")
NOT_A_COMPANY = ("Cette liste montre les candidatures reçues par une structure : agissez pour une "
                 "structure dont vous êtes membre pour la consulter.")
BAD_MONTH = "Choisissez un mois au format AAAA-MM (ex. 2026-11)."
TOO_MANY = (f"L'export est limité à {EXPORT_LIMIT} candidatures : précisez les filtres (dates, état…) "
            "pour en exporter moins à la fois.")


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed to; the defaults list everything but archived applications."""
    states: tuple = ()
    company_id: int | None = None
    sender_kind: str | None = None
    job_seeker: str = ""
    date_from: date | None = None
    date_to: date | None = None
    mine: bool = False
    archived: bool = False

    @classmethod
    def from_clean(cls, data):
        """From the clean data of a filter spec (app.formspec: codes as strings, ISO dates)."""
        company = data.get("company")
        return cls(states=tuple(data.get("state") or ()),
                   company_id=int(company) if company else None,
                   sender_kind=data.get("sender_kind") or None,
                   job_seeker=(data.get("job_seeker") or "").strip(),
                   date_from=_iso_date(data.get("date_from")),
                   date_to=_iso_date(data.get("date_to")),
                   mine=bool(data.get("mine")),
                   archived=bool(data.get("archived")))

    @property
    def narrowed(self):
        """True when something but the archived switch restricts the list."""
        return bool(self.states or self.company_id or self.sender_kind or self.job_seeker
                    or self.date_from or self.date_to or self.mine)

    def as_json(self):
        values = asdict(self)
        values["states"] = list(self.states)
        for key in ("date_from", "date_to"):
            values[key] = values[key].isoformat() if values[key] else None
        return values


@dataclass
class Page:
    rows: list
    total: int
    page: int
    page_size: int = PAGE_SIZE

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.page_size))


@dataclass
class Export:
    filename: str
    content: bytes
    count: int


# -- the lists ---------------------------------------------------------------------------------

def sent_by(actor, organisation, filters=None, page=1):
    """Applications sent by `organisation` (or, with filters.mine, by the actor for it)."""
    query = _sent_query(actor, organisation, filters or Filters())
    return _page(query, page, lambda cases: _rows(cases, actor, "sent", organisation))


def received_by(actor, company, filters=None, page=1):
    """Applications received by `company`: last 2 years and every accepted one."""
    query = _received_query(actor, company, filters or Filters())
    return _page(query, page, lambda cases: _rows(cases, actor, "received", company))


def of_job_seeker(actor, filters=None, page=1):
    """The signed-in person's own applications (their JobSeeker row names their account)."""
    require_list("mine", actor, None)
    own = select(JobSeeker.id).where(JobSeeker.user_id == actor.id)
    query = _narrow(_applications().filter(Case.job_seeker_id.in_(own)), filters or Filters())
    return _page(query, page, lambda cases: _rows(cases, actor, "mine", None))


def require_list(view, actor, organisation):
    """403 unless `actor` may read this list ("sent", "received", "mine") for `organisation`."""
    if view == "sent" and not permissions.can_list_sent(actor, organisation):
        raise ServiceError(NOT_A_SENDER, 403)
    if view == "received" and not permissions.can_list_received(actor, organisation):
        raise ServiceError(NOT_A_COMPANY, 403)
    if view == "mine" and not permissions.can_list_own_applications(actor):
        raise ServiceError("Connectez-vous pour suivre vos candidatures.", 403)


def _applications():
    return Case.query.filter(Case.process_key == PROCESS)


def _party(role, organisation_id=None, user_id=None):
    """EXISTS a party of the case with this role (and organisation, and person)."""
    conditions = [CaseParty.case_id == Case.id, CaseParty.role == role]
    if organisation_id is not None:
        conditions.append(CaseParty.organisation_id == organisation_id)
    if user_id is not None:
        conditions.append(CaseParty.user_id == user_id)
    return exists().where(and_(*conditions))


def sender_role(organisation):
    """The party role under which an organisation of this category sends applications."""
    return "prescriber" if organisation.category == "prescriber" else "sender"


def _sent_query(actor, organisation, filters):
    require_list("sent", actor, organisation)
    role = sender_role(organisation)
    query = _applications().filter(_party(role, organisation.id))
    if organisation.category == "company":
        # Its own auto-prescriptions are in the company's received list, with a badge.
        query = query.filter(~_party("employer", organisation.id))
    if filters.mine:
        query = query.filter(_party(role, organisation.id, actor.id))
    if filters.company_id:
        query = query.filter(_party("employer", filters.company_id))
    return _narrow(query, filters)


def _received_query(actor, company, filters):
    require_list("received", actor, company)
    cutoff = years_before(utcnow(), COMPANY_HISTORY_YEARS)
    query = (_applications().filter(_party("employer", company.id))
             .filter(or_(Case.created_at >= cutoff, Case.stage == "accepted")))
    if filters.sender_kind:
        query = query.filter(_sender_kind_condition(filters.sender_kind, company.id))
    return _narrow(query, filters)


def _auto_flag():
    # The prescription process may also mark an auto-prescription in the case's summary.
    return Case.summary["auto_prescription"].as_boolean()


def _sender_kind_condition(kind, company_id):
    """SQL condition for a sender kind, as _sender() tells it from a loaded case."""
    flagged = _auto_flag().is_(True)
    if kind == "prescriber":
        return _party("prescriber")
    if kind == "auto":
        return and_(~_party("prescriber"), _party("sender"), or_(_party("sender", company_id), flagged))
    if kind == "employer":
        elsewhere = exists().where(and_(CaseParty.case_id == Case.id, CaseParty.role == "sender",
                                        or_(CaseParty.organisation_id.is_(None),
                                            CaseParty.organisation_id != company_id)))
        return and_(~_party("prescriber"), elsewhere, ~_party("sender", company_id),
                    or_(_auto_flag().is_(None), _auto_flag().is_(False)))
    return and_(~_party("prescriber"), ~_party("sender"))


def _narrow(query, filters):
    """The filters every list shares: states, dates (Paris calendar days), name, archived."""
    if filters.states:
        query = query.filter(Case.stage.in_(filters.states))
    if filters.date_from:
        query = query.filter(Case.created_at >= paris_midnight(filters.date_from))
    if filters.date_to:
        query = query.filter(Case.created_at < paris_midnight(filters.date_to + timedelta(days=1)))
    if not filters.archived:
        query = query.filter(Case.archived.is_(False))
    words = fold(filters.job_seeker).split()
    if words:
        matching = select(JobSeeker.id)
        first, last = folded_column(JobSeeker.first_name), folded_column(JobSeeker.last_name)
        for word in words:
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"
            matching = matching.where(or_(first.like(pattern, escape="\\"), last.like(pattern, escape="\\")))
        query = query.filter(Case.job_seeker_id.in_(matching))
    return query


# French names are searched without accents or case: "traore" finds Aïcha TRAORÉ. SQLite has no
# unaccent and lowers ASCII only, so both backends fold with the same nested replace(): the accents
# of French names, capitals only where a name may start with one (SQLite's parser refuses much
# deeper nesting than these 21 calls).
ACCENTS = {"é": "e", "è": "e", "ê": "e", "ë": "e", "à": "a", "â": "a", "ç": "c", "î": "i", "ï": "i",
           "ô": "o", "ö": "o", "ù": "u", "û": "u", "ü": "u", "É": "e", "È": "e", "À": "a", "Ç": "c",
           "Î": "i", "Ô": "o", "œ": "oe"}


def fold(text):
    """Lower case, accents removed, as folded_column() does in SQL."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower().replace("œ", "oe").replace("æ", "ae"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def folded_column(column):
    expression = column
    for accented, plain in ACCENTS.items():
        expression = func.replace(expression, accented, plain)
    return func.lower(expression)


def _ordered(query):
    # Newest first; the id settles cases sent in the same instant.
    return query.order_by(Case.created_at.desc(), Case.id.desc())


def _loaded(query):
    return query.options(selectinload(Case.parties).joinedload(CaseParty.organisation),
                         selectinload(Case.parties).joinedload(CaseParty.user),
                         joinedload(Case.job_seeker))


def _page(query, page, build):
    page = max(1, int(page or 1))
    total = query.count()
    cases = _loaded(_ordered(query)).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all()
    return Page(rows=build(cases), total=total, page=page)


# -- rows ----------------------------------------------------------------------------------------

def _rows(cases, actor, view, organisation):
    """What each list shows of its cases, as plain dicts (the API serializes them as they are)."""
    ids = [case.id for case in cases]
    private = permissions.cases_with_visible_private_comment(actor, ids) if view != "mine" else set()
    tasks = _open_tasks(ids, organisation.id) if view == "received" else {}
    return [_row(case, view, case.id in private, tasks.get(case.id)) for case in cases]


def _open_tasks(case_ids, organisation_id):
    """The first open, listed task for the company in each case or in the case it opened
    (accepting an application opens the hire, whose form is then the thing to do)."""
    if not case_ids:
        return {}
    found = {}
    tasks = (Task.query.join(Case, Case.id == Task.case_id)
             .filter(or_(Task.case_id.in_(case_ids), Case.parent_case_id.in_(case_ids)),
                     Task.state == "open", Task.listed.is_(True), Task.organisation_id == organisation_id)
             .with_entities(Task, Case.parent_case_id).order_by(Task.id))
    for task, parent_id in tasks:
        found.setdefault(task.case_id if task.case_id in case_ids else parent_id, task)
    return found


def _row(case, view, professional, open_task):
    summary = case.summary or {}
    parties = {party.role: party for party in case.parties}
    employer = parties.get("employer")
    company = employer.organisation if employer is not None else None
    seeker = case.job_seeker
    sender = _sender(case, parties, summary, company, show_person=view != "mine")
    refused = case.stage == "refused"
    reason = summary.get("refusal_reason") if refused else None
    # The reason goes to the job seeker only if shared; the professionals of the case always read it.
    if reason and not (view == "received" or professional or summary.get("share_reason_with_job_seeker")):
        reason = None
    comment = summary.get("private_comment") if refused and view != "mine" and (
        professional or view == "received") else None
    return {
        "id": case.id,
        "reference": case.reference,
        "job_seeker": {"id": seeker.id, "name": seeker.full_name} if seeker is not None
        else {"id": None, "name": summary.get("job_seeker_name") or ""},
        "company": {"id": company.id, "name": company.name, "kind": company.kind,
                    "kind_label": COMPANY_KINDS.get(company.kind, company.kind), "city": company.city or ""}
        if company is not None else None,
        "sender": sender,
        "auto_prescription": sender["kind"] == "auto",
        "stage": case.stage,
        "state_label": APPLICATION_STATES.get(case.stage) or case.stage_label or "",
        "archived": bool(case.archived),
        "sent_at": case.created_at,
        "updated_at": case.updated_at or case.created_at,
        "answer_to_job_seeker": summary.get("answer_to_job_seeker") or "",
        "refusal_reason": reason or None,
        "refusal_reason_label": REFUSAL_REASONS.get(reason, reason) if reason else None,
        "refusal_reason_details": (summary.get("refusal_reason_details") or None) if reason else None,
        "private_comment": comment or None,
        "open_task": {"id": open_task.id, "title": open_task.title} if open_task is not None else None,
    }


def _sender(case, parties, summary, company, show_person):
    """Who sent the application: kind (prescriber, employer, job_seeker, auto), organisation, person."""
    party = parties.get("prescriber") or parties.get("sender")
    if "prescriber" in parties:
        kind = "prescriber"
    elif party is not None:
        own = company is not None and party.organisation_id == company.id
        kind = "auto" if own or summary.get("auto_prescription") else "employer"
    else:
        kind = summary.get("sender_kind") or "job_seeker"
        if kind not in SENDER_KIND_LABELS:
            kind = "job_seeker"
    organisation = party.organisation if party is not None else None
    person = party.user if party is not None else None
    if kind == "job_seeker" and case.job_seeker is not None:
        person = case.job_seeker.user
    return {
        "kind": kind,
        "kind_label": SENDER_KIND_LABELS[kind],
        "organisation": {"id": organisation.id, "name": organisation.name} if organisation is not None else None,
        "person": {"id": person.id, "name": person.full_name} if person is not None and show_person else None,
    }


# -- filters from a request ------------------------------------------------------------------

def filter_spec(view):
    return formspec.load_spec(FILTER_SPECS[view], current_app.config["FORMS_DIR"])


def filter_context(view, actor, organisation):
    """What the filter spec's choices need: for the sent list, the companies it was sent to."""
    if view != "sent" or not permissions.can_list_sent(actor, organisation):
        return {}
    sent = _sent_query(actor, organisation, Filters(archived=True)).with_entities(Case.id)
    rows = (CaseParty.query.join(CaseParty.organisation)
            .filter(CaseParty.role == "employer", CaseParty.case_id.in_(sent))
            .with_entities(CaseParty.organisation_id).distinct())
    ids = [organisation_id for (organisation_id,) in rows]
    companies = Organisation.query.filter(Organisation.id.in_(ids)).order_by(Organisation.name).all() if ids else []
    return {"companies": {str(c.id): f"{c.name} ({c.kind})" for c in companies}}


def filter_form(view, actor, organisation, args):
    """The filter form of a list bound to the query string (GET: no CSRF token)."""
    spec = filter_spec(view)
    formdata = MultiDict([(key, value) for key, value in args.items(multi=True) if key in spec.field_names])
    return formspec.build_form(spec, filter_context(view, actor, organisation), formdata=formdata, csrf=False)


def read_filters(form):
    """(Filters, errors) of a bound filter form; errors {field: [French messages]}."""
    clean, errors = formspec.form_result(form)
    if errors:
        return Filters(), errors
    return Filters.from_clean(clean), {}


def filters_from_query(view, actor, organisation, args, ignore=("page",)):
    """Filters from an API query string, checked by the same spec as the page: ServiceError 400 else."""
    spec = filter_spec(view)
    payload, errors = {}, {}
    for key in args:
        if key in ignore:
            continue
        values = args.getlist(key)
        try:
            field_spec = spec.field(key)
        except KeyError:
            payload[key] = values[0]
            continue
        if field_spec.type == "multichoice":
            payload[key] = [item for value in values for item in value.split(",") if item]
        elif field_spec.type == "checkbox":
            flag = _flag(values[-1])
            if flag is None:
                errors[key] = ["Indiquez 1 ou 0."]
            else:
                payload[key] = flag
        else:
            payload[key] = values[-1]
    clean, found = formspec.validate_json(spec, payload, filter_context(view, actor, organisation))
    errors.update(found)
    if errors:
        raise ServiceError("Paramètre de requête invalide : corrigez les paramètres signalés.", 400, errors)
    return Filters.from_clean(clean)


def _flag(text):
    text = (text or "").strip().lower()
    if text in ("", "0", "false", "non", "no"):
        return False
    if text in ("1", "true", "oui", "yes", "y", "on"):
        return True
    return None


def month_form(args):
    """The monthly synthesis form (one field, `mois`), bound to the query string."""
    spec = formspec.load_spec(MONTH_SPEC, current_app.config["FORMS_DIR"])
    formdata = MultiDict([(key, value) for key, value in args.items(multi=True) if key in spec.field_names])
    return formspec.build_form(spec, {}, formdata=formdata, csrf=False)


# -- dates ---------------------------------------------------------------------------------------

def years_before(moment, years):
    """The same instant `years` years earlier (29 February falls back to the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def paris_midnight(day):
    """The UTC instant a Paris calendar day starts."""
    return datetime.combine(day, time.min, tzinfo=PARIS).astimezone(timezone.utc)


def parse_month(text):
    """(first day, last day) of "2026-11"; ServiceError 422 otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ServiceError(BAD_MONTH, 422, {"mois": [BAD_MONTH]})
    first = date(int(match.group(1)), int(match.group(2)), 1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _iso_date(value):
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else None


def _paris_date(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(PARIS).date()
    return value


# -- CSV exports -------------------------------------------------------------------------------------

# Cells starting with these would run as formulas in a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A value as French spreadsheets read it: dd/mm/yyyy dates (Paris), Oui/Non, text kept inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, (datetime, date)):
        return _paris_date(value).strftime("%d/%m/%Y")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_export(rows, columns):
    """CSV bytes for French Excel: UTF-8 with a BOM, `;` between cells, CRLF lines.

    columns: [(French header, function(row) -> value)]."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([header for header, _value in columns])
    for row in rows:
        writer.writerow([csv_cell(value(row)) for _header, value in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _name(part):
    return lambda row: (row.get(part) or {}).get("name", "")


COMMON_COLUMNS = [
    ("Référence", lambda row: row["reference"]),
    ("Candidat", lambda row: row["job_seeker"]["name"]),
]
ANSWER_COLUMNS = [
    ("État", lambda row: row["state_label"]),
    ("Dernière mise à jour", lambda row: row["updated_at"]),
    ("Réponse de l'employeur", lambda row: row["answer_to_job_seeker"]),
    ("Motif de refus", lambda row: row["refusal_reason_label"]),
    ("Précisions sur le motif", lambda row: row["refusal_reason_details"]),
]


def sent_columns(with_private_comment):
    columns = [
        ("Date d'envoi", lambda row: row["sent_at"]),
        *COMMON_COLUMNS,
        ("Structure destinataire", _name("company")),
        ("Type de structure", lambda row: (row["company"] or {}).get("kind", "")),
        ("Ville", lambda row: (row["company"] or {}).get("city", "")),
        ("Envoyée par", lambda row: (row["sender"]["person"] or {}).get("name", "")),
        *ANSWER_COLUMNS,
    ]
    if with_private_comment:
        columns.append(("Commentaire privé", lambda row: row["private_comment"]))
    columns.append(("Archivée", lambda row: row["archived"]))
    return columns


RECEIVED_COLUMNS = [
    ("Date de réception", lambda row: row["sent_at"]),
    *COMMON_COLUMNS,
    ("Type d'émetteur", lambda row: row["sender"]["kind_label"]),
    ("Organisation émettrice", lambda row: (row["sender"]["organisation"] or {}).get("name", "")),
    ("Personne émettrice", lambda row: (row["sender"]["person"] or {}).get("name", "")),
    ("Auto-prescription", lambda row: row["auto_prescription"]),
    *ANSWER_COLUMNS,
    ("Commentaire privé", lambda row: row["private_comment"]),
    ("Archivée", lambda row: row["archived"]),
]


def _all_rows(query, build):
    total = query.count()
    if total > EXPORT_LIMIT:
        raise ServiceError(TOO_MANY, 422)
    return build(_loaded(_ordered(query)).all())


def export_sent(actor, organisation, filters=None):
    """The sent list as it is filtered, every page of it."""
    filters = filters or Filters()
    rows = _all_rows(_sent_query(actor, organisation, filters),
                     lambda cases: _rows(cases, actor, "sent", organisation))
    stamp = _paris_date(utcnow()).isoformat()
    return _export(actor, organisation, rows, sent_columns(organisation.category == "prescriber"),
                   f"candidatures-envoyees-{_slug(organisation.name)}-{stamp}.csv",
                   f"Export CSV des candidatures envoyées par {organisation.name}",
                   {"list": "sent", "filters": filters.as_json()})


def monthly_synthesis_csv(actor, organisation, month):
    """The synthèse mensuelle: every application the organisation sent in `month` ("2026-11"),
    archived ones included."""
    first, last = parse_month(month)
    filters = Filters(date_from=first, date_to=last, archived=True)
    rows = _all_rows(_sent_query(actor, organisation, filters),
                     lambda cases: _rows(cases, actor, "sent", organisation))
    label = f"{first:%Y-%m}"
    return _export(actor, organisation, rows, sent_columns(organisation.category == "prescriber"),
                   f"synthese-candidatures-{_slug(organisation.name)}-{label}.csv",
                   f"Synthèse mensuelle {label} des candidatures envoyées par {organisation.name}",
                   {"list": "sent", "month": label, "filters": filters.as_json()})


def export_received(actor, company, filters=None):
    """The received list as it is filtered, every page of it."""
    filters = filters or Filters()
    rows = _all_rows(_received_query(actor, company, filters),
                     lambda cases: _rows(cases, actor, "received", company))
    stamp = _paris_date(utcnow()).isoformat()
    return _export(actor, company, rows, RECEIVED_COLUMNS,
                   f"candidatures-recues-{_slug(company.name)}-{stamp}.csv",
                   f"Export CSV des candidatures reçues par {company.name}",
                   {"list": "received", "filters": filters.as_json()})


def _export(actor, organisation, rows, columns, filename, summary, data):
    """Build the file and log who exported what (DOMAIN §13), in one transaction."""
    content = csv_export(rows, columns)
    count = len(rows)
    db.session.add(AuditEntry(
        action="applications_exported", actor_id=actor.id, organisation_id=organisation.id,
        summary=f"{summary} : {count} candidature{'s' if count > 1 else ''}"[:500],
        data={**data, "count": count, "filename": filename, "references": [row["reference"] for row in rows]}))
    db.session.commit()
    return Export(filename=filename, content=content, count=count)


def _slug(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "structure"
