"""Suspensions of a PASS IAE (DOMAIN §8): start a suspension case, and edit, end early or delete
the suspension from its case's tasks.

The rules are app/domain/approvals/suspensions.py; this module reads the rows they judge, turns
a DomainRuleError into a French refusal on the right form field, and writes the Suspension row
(the PASS end moves with it: approvals.refresh_end). Writes happen in the service operations of
bpmn/suspension.bpmn (app/services/suspension_operations.py); the checks run before, so that a
refused form changes nothing.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm.attributes import flag_modified

from app import permissions
from app.domain import approvals as rules
from app.domain.errors import DomainRuleError
from app.engine import runtime
from app.extensions import db
from app.models import Case, Suspension, Task
from app.services import approvals
from app.services.job_seekers import today_paris
from app.services.tasks import PROCESS_FORM_HOOKS, ServiceError
from app.domain.calendar import PARIS

PROCESS = "suspension"

FORM_NEW = "suspension_new"
FORM_EDIT = "suspension_edit"
FORM_END = "suspension_end"
FORM_DELETE = "suspension_delete"
# URL word of each task of the case (app/web/suspensions.py) -> its form key.
ACTIONS = {"modifier": FORM_EDIT, "terminer": FORM_END, "supprimer": FORM_DELETE}

GONE = ("Cette suspension n'existe plus (une nouvelle embauche l'a peut-être remplacée) : "
        "rechargez la page du PASS IAE pour voir sa situation actuelle.")
CHANGED = ("Cette suspension vient d'être modifiée par quelqu'un d'autre ou par une nouvelle embauche : "
           "rechargez la page du PASS IAE pour voir ses dates actuelles avant de recommencer.")
NO_CONTRACT_LEFT = ("Un prescripteur habilité ne peut suspendre ce PASS IAE que si la personne n'a plus de "
                    "contrat : une embauche sur ce PASS IAE est toujours en cours.")
NOT_LAST_EMPLOYER = ("Seule la structure qui a fait la dernière embauche sur ce PASS IAE peut le suspendre.")


# -- who suspends ----------------------------------------------------------------------------

def suspender_kind(organisation):
    """The company kind that selects the reasons; None for an authorized prescriber (DOMAIN §8)."""
    return organisation.kind if organisation is not None and organisation.category == "company" else None


def suspender_role(organisation):
    """The lane of bpmn/suspension.bpmn whose tasks go to the organisation that suspended."""
    return "employer" if organisation.category == "company" else "authorized_prescriber"


def reasons(organisation):
    return rules.reasons_for(suspender_kind(organisation))


def last_hire_start(approval):
    hire = approvals.last_hire(approval)
    return hire.hiring_start_on if hire is not None else None


def has_contract_left(approval, today):
    """A hire not cancelled whose contract has no end, or ends today or later (seed 003 §3.2)."""
    return any(h.cancelled_at is None and (h.hiring_end_on is None or h.hiring_end_on >= today)
               for h in approval.hires)


# -- what the form shows -------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """The dates a new suspension may take today, for the form's explanations."""
    earliest_start: date
    earliest_start_why: str
    latest_start: date

    @property
    def latest_end_if_started_today(self):
        return rules.max_suspension_end(self.latest_start)


def limits(approval, today):
    facts = approvals.facts(approval)
    floors = [(facts.start, "date de début du PASS IAE"),
              (rules.earliest_retroactive_start(today), "365 jours avant aujourd'hui")]
    hire_start = last_hire_start(approval)
    if hire_start is not None:
        floors.append((hire_start, "date de la dernière embauche"))
    if facts.suspensions:
        floors.append((max(s.end for s in facts.suspensions) + timedelta(days=1),
                       "lendemain de la fin de la suspension précédente"))
    floor, why = max(floors, key=lambda item: item[0])
    return Limits(floor, why, min(today, rules.effective_end(facts)))


# -- refusals on the right field ----------------------------------------------------------

def _field_of(message):
    """The form field a domain message is about (None: the whole form)."""
    if message.startswith("Ce PASS IAE") or message.startswith("Seule une suspension en cours"):
        return None
    if "motif" in message.lower():
        return "reason"
    if (message.startswith("La suspension ne peut pas finir") or message.startswith("Une suspension dure")
            or message.startswith("La date de fin")):
        return "end_at"
    return "start_at"


def _refusal(exc, field=None):
    message = str(exc)
    target = field or _field_of(message)
    if target is None:
        return ServiceError(message, 409)
    return ServiceError("Le formulaire contient des erreurs : corrigez les champs signalés.", 422,
                        {target: [message]})


def _as_date(value):
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


# -- checks (nothing written) ---------------------------------------------------------------

def refuse_unless_suspendable(approval, actor, organisation, today):
    """403 when this organisation may not suspend this PASS (DOMAIN §8, seed 003 §3.2), 409 when
    the PASS cannot be suspended today (cancelled, not started, expired, already suspended)."""
    if organisation is None or not permissions.is_member(actor, organisation.id):
        raise ServiceError(NOT_LAST_EMPLOYER, 403)
    hire = approvals.last_hire(approval)
    last_employer = organisation.category == "company" and hire is not None and hire.company_id == organisation.id
    if not (last_employer or organisation.is_authorized_prescriber):
        raise ServiceError(NOT_LAST_EMPLOYER, 403)
    if approval.cancelled_at is not None:
        raise ServiceError("Ce PASS IAE est annulé : il ne peut pas être suspendu.", 409)
    facts = approvals.facts(approval)
    if rules.pass_status(facts, today) != rules.STATUS_VALID:
        try:  # the domain words the reason (not started, expired, already suspended)
            rules.check_new_suspension(facts, today, today, False, "CONTRACT_BROKEN", None, None, today)
        except DomainRuleError as exc:
            raise ServiceError(str(exc), 409) from exc
    if not permissions.can_suspend_pass(actor, organisation, approval, today):
        raise ServiceError(NO_CONTRACT_LEFT, 403)


def check_new(approval, organisation, values, today):
    """The suspension the form asks for, as the domain resolves it; ServiceError 422 otherwise."""
    try:
        return rules.check_new_suspension(
            approvals.facts(approval), _as_date(values.get("start_at")), _as_date(values.get("end_at")),
            bool(values.get("end_unknown")), values.get("reason"), suspender_kind(organisation),
            last_hire_start(approval), today)
    except DomainRuleError as exc:
        raise _refusal(exc) from exc


def _facts_of(suspension):
    return rules.SuspensionFacts(suspension.start_on, suspension.end_on, suspension.reason)


def check_edit(approval, suspension, values, today):
    try:
        return rules.check_edit_suspension(
            approvals.facts(approval), _facts_of(suspension), _as_date(values.get("start_at")),
            _as_date(values.get("end_at")), bool(values.get("end_unknown")), values.get("reason"),
            suspender_kind(suspension.organisation), last_hire_start(approval), today)
    except DomainRuleError as exc:
        raise _refusal(exc) from exc


def check_end_early(suspension, values, today):
    first_day_back = _as_date(values.get("first_day_back"))
    if first_day_back is None:
        raise ServiceError("Le formulaire contient des erreurs : corrigez les champs signalés.", 422,
                           {"first_day_back": ["Indiquez le premier jour de reprise du travail."]})
    try:
        return rules.end_suspension_early(_facts_of(suspension), first_day_back, today)
    except DomainRuleError as exc:
        field = None if str(exc).startswith("Seule une suspension en cours") else "first_day_back"
        raise _refusal(exc, field) from exc


def check_delete(suspension, today):
    try:
        rules.check_delete_suspension(_facts_of(suspension), today)
    except DomainRuleError as exc:
        raise ServiceError(str(exc), 409) from exc


# -- starting a case ----------------------------------------------------------------------

def _display(day):
    return rules.fr_date(day) if day else ""


def start(approval_id, expected_version, actor, organisation, values, today=None):
    """Check the form against the PASS as the page showed it, then open the suspension case
    (its first step records the row). Nothing is written when a check refuses."""
    today = today or today_paris()
    approval = approvals.lock_pass(approval_id, expected_version)
    refuse_unless_suspendable(approval, actor, organisation, today)
    suspension = check_new(approval, organisation, values, today)
    seeker = approval.job_seeker
    data = {
        "approval_id": approval.id, "pass_version": approval.lock_version,
        "pass_number_display": rules.format_pass_number(approval.number),
        "job_seeker_id": seeker.id, "job_seeker_name": f"{seeker.first_name} {seeker.last_name}",
        "organisation_id": organisation.id, "organisation_name": organisation.display_name,
        "suspended_by_role": suspender_role(organisation),
        "reason": suspension.reason, "start_at": suspension.start.isoformat(),
        "end_at": suspension.end.isoformat(), "end_unknown": bool(values.get("end_unknown")),
        "explanation": values.get("explanation") or "", "today": today.isoformat(),
    }
    case = runtime.start_case(PROCESS, data, [(suspender_role(organisation), organisation.id, None)],
                              actor=actor, job_seeker_id=seeker.id,
                              # Pages put the process name ("Suspension d'un PASS IAE") before it.
                              title=f"{seeker.full_name} — PASS IAE {data['pass_number_display']}")
    if case.status == "error":
        raise ServiceError(f"La suspension n'a pas pu être enregistrée : {case.last_error}", 409)
    return case


# -- writes (called by the case's operations) ----------------------------------------------

def wake_at(end):
    """When the case's timer fires: the day after the last day of the suspension, midnight in Paris."""
    return datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=PARIS).isoformat()


def _bump(approval):
    # Any change of a suspension is a change of the PASS: pages showing the old version get a 409.
    flag_modified(approval, "end_on")
    approvals.save(approval)


def describe(approval, suspension, deleted=False):
    """The case data that describe the suspension now (summary, notifications, timer)."""
    data = {"pass_end_display": _display(approval.end_on), "pass_version": approval.lock_version,
            "suspension_deleted": deleted}
    if suspension is not None:
        data.update(suspension_id=suspension.id, reason=suspension.reason,
                    reason_label=rules.SUSPENSION_REASONS.get(suspension.reason, suspension.reason),
                    start_at=suspension.start_on.isoformat(), end_at=suspension.end_on.isoformat(),
                    start_display=_display(suspension.start_on), end_display=_display(suspension.end_on),
                    days=rules.days_inclusive(suspension.start_on, suspension.end_on),
                    wake_at=wake_at(suspension.end_on))
    return data


def _case_today(data):
    # The day the user submitted (kept in the data), so a step run later judges the same day.
    return _as_date(data.get("today")) or today_paris()


def record_new(case, actor, data):
    """Write the suspension the case was opened for; the PASS end moves by its days."""
    today = _case_today(data)
    approval = approvals.lock_pass(data["approval_id"], data["pass_version"])
    organisation = case.organisation_for(data["suspended_by_role"])
    checked = check_new(approval, organisation, data, today)
    suspension = Suspension(approval=approval, start_on=checked.start, end_on=checked.end,
                            end_unknown=bool(data.get("end_unknown")), reason=checked.reason,
                            explanation=data.get("explanation") or "", organisation_id=organisation.id,
                            case_id=case.id, created_by_id=getattr(actor, "id", None),
                            updated_by_id=getattr(actor, "id", None))
    db.session.add(suspension)
    approvals.refresh_end(approval)
    _bump(approval)
    return approval, suspension


def suspension_of(case):
    return Suspension.query.filter_by(case_id=case.id).first()


def _locked_suspension(case):
    """The case's suspension and its PASS, locked; 409 when it changed outside this case
    (a hire shortened or deleted it): the case's summary holds the dates it last wrote."""
    summary = case.summary or {}
    approval = approvals.lock_pass(summary.get("approval_id"))
    suspension = suspension_of(case)
    if suspension is None:
        raise ServiceError(GONE, 409)
    db.session.refresh(suspension)
    if (suspension.start_on.isoformat(), suspension.end_on.isoformat()) != (summary.get("start_at"),
                                                                            summary.get("end_at")):
        raise ServiceError(CHANGED, 409)
    return approval, suspension


def apply_edit(case, actor, data):
    today = _case_today(data)
    approval, suspension = _locked_suspension(case)
    checked = check_edit(approval, suspension, data, today)
    suspension.start_on, suspension.end_on, suspension.reason = checked.start, checked.end, checked.reason
    suspension.end_unknown = bool(data.get("end_unknown"))
    suspension.explanation = data.get("explanation") or ""
    suspension.updated_by_id = getattr(actor, "id", None)
    approvals.refresh_end(approval)
    _bump(approval)
    return approval, suspension


def apply_end_early(case, actor, data):
    today = _case_today(data)
    approval, suspension = _locked_suspension(case)
    checked = check_end_early(suspension, data, today)
    suspension.end_on = checked.end
    suspension.end_unknown = False
    suspension.updated_by_id = getattr(actor, "id", None)
    approvals.refresh_end(approval)
    _bump(approval)
    return approval, suspension


def apply_delete(case, actor, data):
    today = _case_today(data)
    approval, suspension = _locked_suspension(case)
    check_delete(suspension, today)
    approval.suspensions.remove(suspension)
    approvals.refresh_end(approval)
    _bump(approval)
    return approval, suspension


# -- a hire ends the suspension (DOMAIN §8) ----------------------------------------------------

# The message bpmn/suspension.bpmn waits for while the suspension runs (a boundary on its tasks).
ENDED_BY_HIRE = "suspension_ended_by_hire"


def ends_before_hire(approval):
    """{suspension id: (its case id, its end)} of the PASS's suspensions that have a case, read
    before a hire is attached, so that `tell_cases_ended_by_hire` sees which ones the hire ended."""
    return {s.id: (s.case_id, s.end_on) for s in approval.suspensions if s.case_id is not None}


def tell_cases_ended_by_hire(ctx, before, approval, hiring_start):
    """Tell the case of each suspension the hire shortened or deleted (correlated by the
    suspension's case id), in this transaction: that case cancels its tasks and closes."""
    now = {s.id: s for s in approval.suspensions}
    for suspension_id, (case_id, end) in before.items():
        row = now.get(suspension_id)
        if row is not None and row.end_on == end:
            continue  # over before the hire starts: untouched
        ctx.send_message(db.session.get(Case, case_id), ENDED_BY_HIRE,
                         {"hire_reference": ctx.case.reference, "suspension_id": suspension_id,
                          "hiring_start_at": hiring_start.isoformat(), "deleted": row is None})


# -- the case's tasks ----------------------------------------------------------------------

def open_task(case, form_key):
    return Task.query.filter_by(case_id=case.id, state="open", form_key=form_key).first()


def actions_for(suspension):
    """{url word: open Task} of the case that made this suspension (edit, end early, delete)."""
    if suspension is None or suspension.case_id is None:
        return {}
    case = db.session.get(Case, suspension.case_id)
    if case is None or case.status != "running":
        return {}
    found = {}
    for word, form_key in ACTIONS.items():
        task = open_task(case, form_key)
        if task is not None:
            found[word] = task
    return found


def initial_values(suspension):
    """The edit form filled with the suspension as it is."""
    return {"reason": suspension.reason, "start_at": suspension.start_on.isoformat(),
            "end_at": suspension.end_on.isoformat(), "end_unknown": bool(suspension.end_unknown),
            "explanation": suspension.explanation or ""}


class SuspensionForms:
    """Task hooks (app/services/tasks.py): the reasons offered, and the domain's checks before a
    task of the case completes, so that a refused form leaves the case and the PASS unchanged."""

    def form_context(self, task, actor):
        suspension = suspension_of(task.case)
        organisation = suspension.organisation if suspension is not None else None
        return {"suspender_kind": suspender_kind(organisation)}

    def before_complete(self, task, actor, data, files):
        today = today_paris()
        case = task.case
        approval, suspension = _locked_suspension(case)
        if task.form_key == FORM_EDIT:
            check_edit(approval, suspension, data, today)
        elif task.form_key == FORM_END:
            check_end_early(suspension, data, today)
        elif task.form_key == FORM_DELETE:
            check_delete(suspension, today)
        return dict(data, today=today.isoformat())


PROCESS_FORM_HOOKS[PROCESS] = SuspensionForms()
