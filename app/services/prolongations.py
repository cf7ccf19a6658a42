"""Prolongations of a PASS IAE (DOMAIN §9): the employer's declaration, the request to an
authorized prescriber and its decision, the prescribers' list of requests.

bpmn/prolongation.bpmn holds the steps (direct prolongation, or request → decision with
reminders); this module checks a declaration against the PASS as it is now, under its lock,
before the case starts (nothing is written on refusal), gives the forms their choices and
checks the prescriber's decision before the engine moves on. The rules are
app/domain/approvals/prolongations.py; the automatic steps app/services/prolongation_operations.py.
"""
import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import secure_filename

from app import formspec, permissions
from app.domain import approvals as rules
from app.domain.approvals import prolongations as prolongation_rules
from app.domain.errors import DomainRuleError
from app.engine import runtime
from app.extensions import db
from app.models import Approval, Document, Membership, Organisation, ProlongationRequest, Task, User
from app.services import approvals, job_seekers
from app.services.tasks import PROCESS_FORM_HOOKS, ServiceError

PROCESS = "prolongation"
DECLARE_FORM = "prolongation_declare"
PRESCRIBER_FORM = "prolongation_prescriber"
DECISION_FORM = "prolongation_decision"
FILTER_FORM = "prolongation_requests_filters"
REPORT_KIND = "prolongation_report"

FORM_ERROR = "Le formulaire contient des erreurs : corrigez les champs signalés."
NOT_ALLOWED = ("Seuls les membres d'une SIAE qui a embauché la personne sur ce PASS IAE peuvent le prolonger : "
               "choisissez cette structure dans « Vous agissez pour ».")
ALREADY_DECIDED = "Cette demande de prolongation a déjà été traitée : elle n'attend plus de décision."
# Ids are 32-bit integers in the database: a bigger one names nothing.
MAX_ID = 2**31 - 1


def _today(today):
    return today or job_seekers.today_paris()


def get_approval(approval_id):
    approval = db.session.get(Approval, approval_id) if approval_id and 1 <= approval_id <= MAX_ID else None
    if approval is None:
        raise ServiceError("Ce PASS IAE n'existe pas.", 404)
    return approval


def pending_request(approval):
    return db.session.scalars(select(ProlongationRequest).where(
        ProlongationRequest.approval_id == approval.id, ProlongationRequest.status == "pending")).first()


def blocker(approval, today=None):
    """Why this PASS cannot be prolonged today (French), or None."""
    if approval.cancelled_at is not None:
        return "Ce PASS IAE est annulé : il ne peut pas être prolongé."
    return prolongation_rules.prolongation_blocker(approvals.facts(approval), _today(today),
                                                   pending_request(approval) is not None)


# -- the PASS page's panel (app/templates/approvals/_prolongation_actions.html) --------------

@dataclass
class Panel:
    can_prolong: bool
    blocker: str | None
    pending: ProlongationRequest | None
    last_decided: ProlongationRequest | None


def panel(approval, actor, organisation, today=None):
    """What the PASS page shows about prolongations to `actor` acting for `organisation`."""
    requests = list(approval.prolongation_requests)
    pending = next((r for r in requests if r.status == "pending"), None)
    decided = [r for r in requests if r.status != "pending"]
    can = permissions.can_prolong_pass(actor, organisation, approval)
    return Panel(can, blocker(approval, today) if can else None, pending, decided[-1] if decided else None)


# -- the declaration page (GET/POST /pass/<id>/prolonger) ---------------------------------------

@dataclass
class DeclarePage:
    approval: Approval
    pass_view: approvals.PassView
    company: Organisation
    options: list          # ReasonOption, enabled or not, for the company's kind
    blocker: str | None
    window: tuple          # (first day, last day) the PASS may be prolonged
    start: object          # first day of the prolongation

    @property
    def enabled(self):
        return [o for o in self.options if o.enabled]

    @property
    def disabled(self):
        return [o for o in self.options if not o.enabled]


def declare_page(actor, organisation, approval_id, today=None):
    """What the declaration page shows; 404 for an unknown PASS, 403 for who may not prolong it."""
    today = _today(today)
    approval = get_approval(approval_id)
    if not permissions.can_prolong_pass(actor, organisation, approval):
        raise ServiceError(NOT_ALLOWED, 403)
    facts = approvals.facts(approval)
    pending = pending_request(approval) is not None
    why_not = blocker(approval, today)
    options = prolongation_rules.available_reasons(facts, organisation.kind, today, pending)
    if approval.cancelled_at is not None:
        options = [o._replace(enabled=False, disabled_reason=why_not, max_end=None) for o in options]
    return DeclarePage(approval, approvals.view(approval, today), organisation, options, why_not,
                       prolongation_rules.prolongation_window(facts), prolongation_rules.prolongation_start(facts))


def _spec(form_key):
    return formspec.load_spec(form_key, current_app.config["FORMS_DIR"])


def declare_form(page, formdata=None):
    spec = _spec(DECLARE_FORM)
    context = {"prolongation_reasons": {o.code: o.label for o in page.enabled}}
    kwargs = {"formdata": formdata} if formdata is not None else {}
    form = formspec.build_form(spec, context, **kwargs)
    return spec, form


def reason_error(page, code):
    """The reason's own French explanation when a disabled or forbidden reason was posted, else None."""
    for option in page.options:
        if option.code == code and not option.enabled:
            return option.disabled_reason
    if code in prolongation_rules.PROLONGATION_REASONS and code not in {o.code for o in page.options}:
        try:
            prolongation_rules.check_prolongation(approvals.facts(page.approval), code, None, page.company.kind,
                                                  job_seekers.today_paris())
        except DomainRuleError as error:
            return str(error)
    return None


def prescriber_form(organisations, formdata=None):
    spec = _spec(PRESCRIBER_FORM)
    context = {"prescriber_organisations": {str(o.id): o.display_name for o in organisations}}
    kwargs = {"formdata": formdata} if formdata is not None else {}
    return spec, formspec.build_form(spec, context, **kwargs)


def authorized_organisations(user):
    """The authorized prescriber organisations `user` is an active member of, by name."""
    if user is None:
        return []
    return (Organisation.query.join(Membership, Membership.organisation_id == Organisation.id)
            .filter(Membership.user_id == user.id, Membership.is_active.is_(True),
                    Organisation.category == "prescriber", Organisation.authorization_status == "validated")
            .order_by(Organisation.name, Organisation.id).all())


def find_prescriber(email):
    """(user, organisations) of the authorized prescriber chosen by email; 422 on prescriber_email
    when nobody active has that address or they belong to no authorized prescriber."""
    address = (email or "").strip().lower()
    user = User.query.filter(db.func.lower(User.email) == address).first() if address else None
    if user is None or not user.is_active:
        raise ServiceError(FORM_ERROR, 422, {"prescriber_email": [
            "Aucun compte actif n'a cette adresse e-mail : vérifiez-la, ou demandez au prescripteur habilité "
            "de créer son compte sur la plateforme."]})
    organisations = authorized_organisations(user)
    if not organisations:
        raise ServiceError(FORM_ERROR, 422, {"prescriber_email": [
            f"{user.full_name} n'est membre d'aucun prescripteur habilité : seul un prescripteur habilité peut "
            "décider d'une prolongation pour ce motif. Choisissez une autre personne."]})
    return user, organisations


def _check_length(page, facts, data, today):
    """The domain's checks of the reason and end date; ServiceError 409 (PASS changed) or 422 (field)."""
    why_not = blocker(page.approval, today)
    if why_not is not None:
        raise ServiceError(why_not, 409)
    reason = data.get("reason")
    message = reason_error(page, reason)
    if message is not None:
        raise ServiceError(FORM_ERROR, 422, {"reason": [message]})
    end = data.get("end_on")
    try:
        return prolongation_rules.check_prolongation(
            facts, reason, rules_date(end), page.company.kind, today, pending_request(page.approval) is not None)
    except DomainRuleError as error:
        raise ServiceError(FORM_ERROR, 422, {"end_on": [str(error)]}) from None


def rules_date(value):
    from datetime import date

    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def check_first_step(actor, organisation, approval_id, data, today=None):
    """Check the first step (reason, end date, explanation, email) without writing anything.

    Returns (page, prescriber user or None, their authorized organisations)."""
    today = _today(today)
    page = declare_page(actor, organisation, approval_id, today)
    _check_length(page, approvals.facts(page.approval), data, today)
    if not prolongation_rules.needs_prescriber_decision(data["reason"]):
        return page, None, []
    user, organisations = find_prescriber(data.get("prescriber_email"))
    return page, user, organisations


def declare(actor, organisation, approval_id, data, expected_version, prescriber=None, report=None, today=None):
    """Declare a prolongation (direct reasons) or send a request (prescriber reasons); returns the
    case, committed. The PASS is locked with the version the page showed: a PASS changed since is a
    409, a rule broken a 422 on its field; nothing is written then.

    prescriber: {"prescriber_organisation_id", "contact_phone"} of the second step; report: a PDF.
    """
    today = _today(today)
    try:
        approval = approvals.lock_pass(approval_id, expected_version)
        # The lock re-read the row: read its periods and requests again too.
        db.session.expire(approval, ["suspensions", "prolongations", "prolongation_requests", "hires"])
        page = declare_page(actor, organisation, approval.id, today)
        granted = _check_length(page, approvals.facts(approval), data, today)
        needs_prescriber = prolongation_rules.needs_prescriber_decision(granted.reason)
        chosen_user = chosen_org = None
        if needs_prescriber:
            chosen_user, organisations = find_prescriber(data.get("prescriber_email"))
            wanted = str((prescriber or {}).get("prescriber_organisation_id") or "")
            chosen_org = next((o for o in organisations if str(o.id) == wanted), None)
            if chosen_org is None:
                raise ServiceError(FORM_ERROR, 422, {"prescriber_organisation_id": [
                    f"Choisissez une des organisations habilitées de {chosen_user.full_name}."]})
        document = store_report(report, approval, actor) if needs_prescriber and report else None
        case = runtime.start_case(PROCESS, _case_data(actor, page, granted, data, chosen_user, chosen_org,
                                                      prescriber or {}, document, today),
                                  _parties(actor, organisation, chosen_org), actor=actor,
                                  job_seeker_id=approval.job_seeker_id,
                                  # Pages put the process name ("Prolongation d'un PASS IAE") before it.
                                  title=f"{approval.job_seeker.full_name} — PASS IAE "
                                        f"{rules.format_pass_number(approval.number)}"[:255])
        if case.status == "error":
            raise ServiceError(case.last_error or "La prolongation n'a pas pu être enregistrée.", 409)
        db.session.commit()
    except ServiceError:
        db.session.rollback()
        raise
    except IntegrityError:
        # Two declarations at once: the database keeps one pending request and no overlap.
        db.session.rollback()
        raise ServiceError(approvals.PASS_CHANGED, 409) from None
    except runtime.EngineError as exc:
        db.session.rollback()
        raise ServiceError(exc.message, exc.status) from exc
    return case


def _parties(actor, company, prescriber_org):
    parties = [("employer", company.id, actor.id)]
    if prescriber_org is not None:
        # Bound to the organisation, not to the person: any of its members may decide (DOMAIN §9).
        parties.append(("authorized_prescriber", prescriber_org.id, None))
    return parties


def _case_data(actor, page, granted, data, chosen_user, chosen_org, prescriber, document, today):
    approval = page.approval
    return {
        "approval_id": approval.id,
        "approval_number_display": rules.format_pass_number(approval.number),
        "job_seeker_name": approval.job_seeker.full_name,
        "company_id": page.company.id,
        "company_name": page.company.display_name,
        "company_kind": page.company.kind,
        "declared_by_id": actor.id,
        "declared_by_name": actor.full_name,
        "reason": granted.reason,
        "reason_label": prolongation_rules.PROLONGATION_REASONS[granted.reason],
        "start_on": granted.start.isoformat(),
        "end_on": granted.end.isoformat(),
        "days": granted.days,
        "end_display": rules.fr_date(granted.end),
        "requested_display": rules.fr_date(today),
        "explanation": (data.get("explanation") or "").strip(),
        "needs_prescriber": chosen_org is not None,
        "prescriber_user_id": chosen_user.id if chosen_user else None,
        "prescriber_name": chosen_user.full_name if chosen_user else "",
        "prescriber_organisation_id": chosen_org.id if chosen_org else None,
        "prescriber_organisation_name": chosen_org.display_name if chosen_org else "",
        "contact_phone": prescriber.get("contact_phone") or "",
        "report_document_id": document.id if document else None,
    }


def store_report(storage, approval, actor):
    """Keep the optional report (a PDF the form already checked: at most 5 MB) as a Document;
    the request's case is set on it when the request is recorded."""
    content = storage.read()
    storage.seek(0)
    document = Document(kind=REPORT_KIND, job_seeker_id=approval.job_seeker_id,
                        filename=secure_filename(storage.filename or "") or "bilan.pdf",
                        content_type="application/pdf", size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by_id=actor.id)
    db.session.add(document)
    db.session.flush()
    return document


def get_report(document_id, actor):
    document = db.session.get(Document, document_id) if 1 <= document_id <= MAX_ID else None
    if document is None or document.kind != REPORT_KIND:
        raise ServiceError("Ce document n'existe pas.", 404)
    if not permissions.can_download_document(actor, document):
        raise ServiceError("Ce bilan est réservé à l'employeur et au prescripteur habilité de la demande.", 403)
    return document


# -- the prescriber's decision (task "Décider de la demande de prolongation") -----------------

def request_of_case(case):
    return db.session.scalars(select(ProlongationRequest).where(ProlongationRequest.case_id == case.id)).first()


def _denial_field(data):
    if data.get("deny_reason") not in prolongation_rules.DENY_REASONS:
        return "deny_reason"
    if not (data.get("deny_explanation") or "").strip():
        return "deny_explanation"
    return "deny_proposed_actions"


def check_decision(task, actor, data):
    """Refuse a decision that would break a rule, before the engine moves on (nothing written)."""
    prolongation_request = request_of_case(task.case)
    if prolongation_request is None:
        raise ServiceError("La demande de prolongation de ce dossier est introuvable.", 404)
    if not permissions.can_decide_prolongation_request(actor, prolongation_request):
        raise ServiceError("Seuls les membres du prescripteur habilité à qui la demande est adressée peuvent "
                           "l'accepter ou la refuser.", 403)
    if prolongation_request.status != "pending":
        raise ServiceError(ALREADY_DECIDED, 409)
    if data.get("decision") == "grant":
        requested = rules.ProlongationFacts(prolongation_request.start_on, prolongation_request.end_on,
                                            prolongation_request.reason)
        try:
            prolongation_rules.check_prolongation_grant(approvals.facts(prolongation_request.approval), requested)
        except DomainRuleError as error:
            raise ServiceError(FORM_ERROR, 422, {"decision": [str(error)]}) from None
    else:
        try:
            actions = prolongation_rules.check_denial(data.get("deny_reason"), data.get("deny_explanation"),
                                                      data.get("deny_proposed_actions") or ())
        except DomainRuleError as error:
            raise ServiceError(FORM_ERROR, 422, {_denial_field(data): [str(error)]}) from None
        data["deny_proposed_actions"] = list(actions)
    return data


class ProlongationForms:
    """The process hooks of app/services/tasks.py for the prolongation's forms."""

    def form_context(self, task, actor):
        return {}

    def before_complete(self, task, actor, data, files):
        if task.form_key == DECISION_FORM:
            return check_decision(task, actor, dict(data))
        return data


PROCESS_FORM_HOOKS[PROCESS] = ProlongationForms()


# -- the prescribers' list (/prolongations/demandes) -------------------------------------------

def filter_form(args):
    return formspec.build_form(_spec(FILTER_FORM), {}, formdata=args, csrf=False)


def requests_for(actor, organisation, status=None):
    """Requests addressed to `organisation` (its active members only), newest first."""
    if organisation is None or organisation.category != "prescriber" or not permissions.is_member(
            actor, organisation.id):
        raise ServiceError("La liste des demandes de prolongation est réservée aux membres des prescripteurs : "
                           "choisissez votre organisation dans « Vous agissez pour ».", 403)
    query = ProlongationRequest.query.filter(ProlongationRequest.prescriber_organisation_id == organisation.id)
    if status in prolongation_rules.PROLONGATION_REQUEST_STATES:
        query = query.filter(ProlongationRequest.status == status)
    return query.order_by(ProlongationRequest.created_at.desc(), ProlongationRequest.id.desc()).all()


def open_task_of(prolongation_request):
    if prolongation_request.case_id is None:
        return None
    return Task.query.filter_by(case_id=prolongation_request.case_id, state="open").order_by(Task.id).first()
