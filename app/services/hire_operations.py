"""The automatic steps of bpmn/hire.bpmn (registered in app.engine.operations), DOMAIN §5.

Each step reads the case's data, writes rows through the services and logs in the case.
The checks that may refuse a hire run before (app/services/hire.py), when the employer
submits a form, so that these steps only fail on a real incident.
"""
import re
from datetime import date, datetime, time, timedelta

from app.domain import approvals as rules
from app.domain.vocabularies import SIAE_KINDS
from app.engine.operations import operation
from app.extensions import db
from app.models.base import utcnow
from app.services import approvals, hire, job_seekers, suspensions
from app.domain.calendar import PARIS

# How long the hire case follows a contract with no end date: the length of a PASS IAE
# (DOMAIN §7.1), after which cancelling or moving the hire makes no sense any more.
FOLLOW_UP_DAYS = rules.PASS_DURATION_DAYS - 1


# How the log names what was completed (never the values: DOMAIN §13).
FIELD_LABELS = {"birth_date": "date de naissance", "birth_place": "commune de naissance",
                "birth_country": "pays de naissance", "address": "adresse", "postcode": "code postal",
                "city": "ville", "france_travail_id": "identifiant France Travail",
                "france_travail_not_registered": "non inscrit à France Travail",
                "nir_missing_reason": "motif d'absence du NIR"}


def _day(value):
    return date.fromisoformat(value) if value else None


def _paris_midnight(day):
    """The first instant of a French civil day, as the ISO string a BPMN timer reads."""
    return datetime.combine(day, time.min, tzinfo=PARIS).isoformat()


def _seeker(ctx, data):
    return job_seekers.get(data.get("job_seeker_id") or ctx.case.job_seeker_id)


@operation("prepare_hire", "Préparer l'embauche (informations manquantes, type d'employeur)")
def prepare_hire(ctx, task, params):
    """What the diagram's gateways read: the missing data of the person and the employer's kind.
    The cancellation window is the process property `hireCancellationWindow` (ISO duration,
    empty = no limit, DOMAIN §5 step 7)."""
    data = task.data
    company = ctx.case.organisation_for("employer")
    seeker = _seeker(ctx, data)
    missing = hire.missing_person_data(seeker)
    data.update(hire_reference=ctx.case.reference, company_kind=company.kind, company_name=company.display_name,
                job_seeker_id=seeker.id, job_seeker_name=seeker.full_name, missing_person_data=missing,
                is_siae=company.kind in SIAE_KINDS,
                cancellation_window=ctx.run.parsed.properties.get("hireCancellationWindow", "").strip())
    if missing:
        ctx.log("hire_missing_data", f"Informations à compléter : {hire.missing_label(missing)}",
                {"missing": missing})
    return {"missing": missing}


@operation("complete_job_seeker", "Compléter la fiche du candidat")
def complete_job_seeker(ctx, task, params):
    """Write the information the employer gave (only what the record lacked) to the person's row.
    The NIR never goes to the log, nor stays in the case's data (DOMAIN §13)."""
    data = task.data
    seeker = _seeker(ctx, data)
    changed = []
    for name in ("birth_place", "birth_country", "address", "postcode", "city", "france_travail_id"):
        value = (data.get(name) or "").strip()
        if value and not getattr(seeker, name):
            setattr(seeker, name, value)
            changed.append(name)
    if data.get("birth_date") and seeker.birth_date is None:
        seeker.birth_date = _day(data["birth_date"])
        changed.append("birth_date")
    if data.get("postcode") and "postcode" in changed:
        seeker.department = job_seekers._department(seeker.postcode)
    if data.get("france_travail_not_registered") and not seeker.france_travail_id:
        seeker.france_travail_not_registered = True
        changed.append("france_travail_not_registered")
    nir_note = ""
    if data.get("nir") and not seeker.nir:
        seeker.nir = job_seekers.normalize_nir(data["nir"])
        seeker.nir_missing_reason = ""
        changed.append("nir")
        nir_note = "NIR complété"
    elif data.get("nir_missing_reason") and not seeker.nir and not seeker.nir_missing_reason:
        seeker.nir_missing_reason = data["nir_missing_reason"]
        changed.append("nir_missing_reason")
    data.pop("nir", None)
    db.session.flush()
    labels = [FIELD_LABELS[name] for name in changed if name != "nir"]
    summary = "Fiche du candidat complétée" + (f" : {', '.join(labels)}" if labels else "")
    if nir_note:
        summary += (", " if labels else " : ") + nir_note
    ctx.log("job_seeker_completed", summary, {"fields": changed})
    data["missing_person_data"] = hire.missing_person_data(seeker)
    return {"fields": changed}


@operation("record_hire", "Enregistrer l'embauche")
def record_hire(ctx, task, params):
    """Log the contract and set the dates the diagram's timers read: the first day of the contract
    (the start can no longer move) and the end of the cancellation option (DOMAIN §5 step 7)."""
    data = task.data
    start, end = _day(data["hiring_start_at"]), _day(data.get("hiring_end_at"))
    ctx.log("hire_recorded", "Embauche enregistrée",
            {"hiring_start_at": data.get("hiring_start_at"), "hiring_end_at": data.get("hiring_end_at"),
             "hired_job": data.get("hired_job")})
    _set_timers(data, start, end)
    return {"recorded": True}


_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


def _duration(text):
    """An ISO 8601 duration in weeks, days, hours and minutes ("P4D", "PT96H"), as a timedelta."""
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"durée ISO 8601 invalide pour hireCancellationWindow : « {text} » (ex. P4D, PT96H)")
    weeks, days, hours, minutes = (int(part or 0) for part in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


def _set_timers(data, start, end):
    follow_until = end or start + timedelta(days=FOLLOW_UP_DAYS)
    cancel_until = follow_until
    window = data.get("cancellation_window")
    if window:
        # The window counts from the contract's first day (the 2021 rule: 96 h after the start).
        first = datetime.combine(start, time.min, tzinfo=PARIS)
        limit = first + _duration(window)
        data["cancel_until_at"] = min(limit, datetime.combine(follow_until, time.min, tzinfo=PARIS)).isoformat()
    else:
        data["cancel_until_at"] = _paris_midnight(cancel_until)
    data["contract_started_at"] = _paris_midnight(start)


@operation("check_hire_eligibility", "Vérifier l'éligibilité IAE à l'embauche")
def check_hire_eligibility(ctx, task, params):
    """DOMAIN §5 step 3: an SIAE validates eligibility itself when the person has neither a valid
    PASS IAE nor a diagnosis it may use (a prescriber's, or its own)."""
    from app.domain import eligibility
    data = task.data
    company = ctx.case.organisation_for("employer")
    seeker = _seeker(ctx, data)
    today = job_seekers.today_paris()
    usable = job_seekers.usable_diagnoses(seeker, company, today) if company.kind in SIAE_KINDS else []
    has_pass = approvals.valid_pass(seeker.id, today) is not None
    needed = eligibility.eligibility_needed(company.kind, has_pass, usable)
    data["eligibility_step"] = "employer" if needed else "none"
    if usable and not needed:
        data["diagnosis_id"] = usable[0].id
    return {"eligibility_step": data["eligibility_step"]}


def _pass_data(data, approval, outcome):
    data.update(pass_outcome=outcome, approval_id=approval.id if approval else None,
                pass_number=rules.format_pass_number(approval.number) if approval else None,
                pass_start_display=rules.fr_date(approval.start_on) if approval else "",
                pass_end_display=rules.fr_date(approval.end_on) if approval else "")


@operation("attribute_pass", "Délivrer ou réutiliser le PASS IAE")
def attribute_pass(ctx, task, params):
    """DOMAIN §5 step 5 (SIAE only): reuse the person's valid PASS, else issue a new one when the
    person has a NIR, a France Travail id or is declared not registered, else leave it to support."""
    data = task.data
    company = ctx.case.organisation_for("employer")
    if company.kind not in SIAE_KINDS:
        _pass_data(data, None, "none")
        return {"outcome": "none"}
    seeker = _seeker(ctx, data)
    start, end = _day(data["hiring_start_at"]), _day(data.get("hiring_end_at"))
    current = approvals.valid_pass(seeker.id, job_seekers.today_paris())
    if current is not None:
        approval = approvals.lock_pass(current.id)
        moved_from = approval.start_on
        suspended = suspensions.ends_before_hire(approval)
        approvals.attach_hire(approval, company, ctx.case, start, end)
        approvals.save(approval)
        # A suspension this hire ended closes its own case now (its tasks leave the inboxes).
        suspensions.tell_cases_ended_by_hire(ctx, suspended, approval, start)
        _pass_data(data, approval, "reused")
        note = f" (début avancé du {rules.fr_date(moved_from)} au {rules.fr_date(approval.start_on)})" \
            if approval.start_on != moved_from else ""
        ctx.log("pass_reused", f"PASS IAE n° {data['pass_number']} réutilisé pour cette embauche{note}",
                {"approval_id": approval.id})
        return {"outcome": "reused", "approval_id": approval.id}
    if not approvals.can_issue_automatically(seeker):
        _pass_data(data, None, "manual")
        ctx.log("pass_manual", "PASS IAE à délivrer manuellement par le support (candidat sans NIR ni "
                "identifiant France Travail)")
        return {"outcome": "manual"}
    approval = _issue(ctx, seeker, company, start, end, origin="issued")
    _pass_data(data, approval, "issued")
    return {"outcome": "issued", "approval_id": approval.id}


def _issue(ctx, seeker, company, start, end, origin):
    try:
        approval = approvals.issue_pass(seeker, start, actor=ctx.actor, origin=origin)
    except approvals.ServiceError as exc:
        raise ValueError(exc.message) from None
    approvals.attach_hire(approval, company, ctx.case, start, end)
    ctx.log("pass_issued", f"PASS IAE n° {rules.format_pass_number(approval.number)} délivré"
            f"{' manuellement' if origin == 'manual' else ''}, du {rules.fr_date(approval.start_on)} "
            f"au {rules.fr_date(approval.end_on)}", {"approval_id": approval.id, "origin": origin})
    return approval


@operation("deliver_pass", "Délivrer le PASS IAE (décision du support)")
def deliver_pass(ctx, task, params):
    data = task.data
    if data.get("pass_decision") != "deliver":
        data["pass_outcome"] = "refused"
        ctx.log("pass_refused", "Délivrance du PASS IAE refusée par le support",
                {"reason": data.get("pass_refusal_reason") or ""})
        return {"outcome": "refused"}
    company = ctx.case.organisation_for("employer")
    approval = _issue(ctx, _seeker(ctx, data), company, _day(data["hiring_start_at"]),
                      _day(data.get("hiring_end_at")), origin="manual")
    _pass_data(data, approval, "delivered")
    return {"outcome": "delivered", "approval_id": approval.id}


def _this_hire(ctx, data):
    approval = approvals.get(data.get("approval_id"))
    if approval is None:
        return None, None
    approval = approvals.lock_pass(approval.id)
    return approval, next((h for h in approval.hires if h.case_id == ctx.case.id), None)


@operation("change_hire_start", "Modifier la date de début du contrat")
def change_hire_start(ctx, task, params):
    """DOMAIN §5 step 7: move the start (checked by app/services/hire.py). The PASS follows when it
    has not started and was issued for this hire, or when the hire now starts before it."""
    data = task.data
    previous, new_start = _day(data["hiring_start_at"]), _day(data["new_hiring_start_at"])
    approval, this_hire = _this_hire(ctx, data)
    note = ""
    if this_hire is not None:
        this_hire.hiring_start_on = new_start
        today = job_seekers.today_paris()
        issued_here = approval.hires[0].case_id == ctx.case.id and len(approval.hires) == 1
        if today < approval.start_on and (issued_here or new_start < approval.start_on):
            shift = new_start - approval.start_on
            approval.start_on, approval.base_end_on = new_start, approval.base_end_on + shift
            approvals.refresh_end(approval)
            note = f" ; PASS IAE décalé : du {rules.fr_date(approval.start_on)} au {rules.fr_date(approval.end_on)}"
        approvals.save(approval)
        _pass_data(data, approval, data.get("pass_outcome"))
    data["hiring_start_at"] = new_start.isoformat()
    if data.get("hiring_end_at") and _day(data["hiring_end_at"]) < new_start:
        data["hiring_end_at"] = None
    data["contract_started_at"] = _paris_midnight(new_start)
    ctx.log("hire_start_changed", f"Date de début du contrat : {rules.fr_date(previous)} → "
            f"{rules.fr_date(new_start)}{note}", {"from": previous.isoformat(), "to": new_start.isoformat()})
    return {"hiring_start_at": data["hiring_start_at"]}


@operation("cancel_hire", "Annuler l'embauche")
def cancel_hire(ctx, task, params):
    """DOMAIN §5 step 7: the hire is cancelled; a PASS with no other hire left is cancelled too."""
    data = task.data
    approval, this_hire = _this_hire(ctx, data)
    note = ""
    if this_hire is not None:
        this_hire.cancelled_at = utcnow()
        if not [h for h in approval.hires if h.cancelled_at is None]:
            approval.cancelled_at = utcnow()
            note = f" ; PASS IAE n° {rules.format_pass_number(approval.number)} annulé (aucune autre embauche)"
        approvals.save(approval)
    data["hire_cancelled"] = True
    ctx.log("hire_cancelled", f"Embauche annulée{note}",
            {"reason": data.get("cancellation_reason") or "", "approval_id": data.get("approval_id"),
             "pass_cancelled": bool(note)})
    return {"cancelled": True}
