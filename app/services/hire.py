"""The hire (DOMAIN §5): what its step forms offer and the checks a submission must pass before
the engine moves on, so that a refused hire writes nothing.

bpmn/hire.bpmn holds the steps; app/services/hire_operations.py holds its automatic steps
(write the person's record, issue or reuse the PASS IAE, move the start, cancel).
"""
from datetime import date

from app.domain import hiring
from app.domain.approvals import fr_date
from app.domain.errors import DomainRuleError
from app.domain.vocabularies import SIAE_KINDS
from app.extensions import db
from app.models import JobDescription
from app.services import approvals, job_seekers
from app.services import prescription
from app.services.tasks import PROCESS_FORM_HOOKS, ServiceError

PROCESS = "hire"
FORM_ERROR = "Le formulaire contient des erreurs : corrigez les champs signalés."
OTHER_JOB = "other"

# What the hire needs to know of the person (DOMAIN §5 step 1), with the message shown when
# the employer leaves it empty: {group: (form fields, message)}.
PERSON_GROUPS = {
    "birth_date": (("birth_date",), "Indiquez la date de naissance du candidat."),
    "birth_place": (("birth_place", "birth_country"),
                    "Indiquez la commune de naissance (née en France) ou le pays de naissance."),
    "address": (("address",), "Indiquez l'adresse du candidat."),
    "postcode": (("postcode",), "Indiquez le code postal du candidat."),
    "city": (("city",), "Indiquez la ville du candidat."),
    "nir": (("nir", "nir_missing_reason"),
            "Indiquez le numéro de sécurité sociale, ou choisissez pourquoi il manque."),
    "france_travail": (("france_travail_id", "france_travail_not_registered"),
                       "Indiquez l'identifiant France Travail, ou cochez « La personne n'est pas inscrite "
                       "à France Travail »."),
}
# Asked, never required: without a NIR, a France Travail id (or "not registered") lets the PASS IAE
# be issued at once; left empty, support delivers it by hand (DOMAIN §5 step 5).
OPTIONAL_GROUPS = ("france_travail",)
GROUP_LABELS = {"birth_date": "date de naissance", "birth_place": "lieu de naissance", "address": "adresse",
                "postcode": "code postal", "city": "ville", "nir": "numéro de sécurité sociale",
                "france_travail": "identifiant France Travail"}


def missing_person_data(seeker):
    """The groups of PERSON_GROUPS the person's record lacks, in form order."""
    known = {
        "birth_date": seeker.birth_date is not None,
        "birth_place": bool(seeker.birth_place or seeker.birth_country),
        "address": bool(seeker.address),
        "postcode": bool(seeker.postcode),
        "city": bool(seeker.city),
        "nir": bool(seeker.nir or seeker.nir_missing_reason),
        "france_travail": bool(seeker.nir or seeker.france_travail_id or seeker.france_travail_not_registered),
    }
    return [group for group in PERSON_GROUPS if not known[group]]


def missing_label(groups):
    return ", ".join(GROUP_LABELS[g] for g in groups)


def _refuse(errors, message=FORM_ERROR):
    raise ServiceError(message, 422, errors)


def _summary(case):
    return case.summary or {}


def _start_of(case):
    value = _summary(case).get("hiring_start_at")
    return date.fromisoformat(value) if value else None


def company_jobs(company):
    """{id: name} of the company's job descriptions, open ones first (DOMAIN §5 step 2)."""
    jobs = (JobDescription.query.filter_by(company_id=company.id)
            .order_by(JobDescription.is_active.desc(), JobDescription.id).all())
    return {str(job.id): job.display_name for job in jobs}


def sender_is_authorized_prescriber(case):
    sender = case.organisation_for("prescriber") or case.organisation_for("sender")
    return bool(sender is not None and sender.is_authorized_prescriber)


def check_waiting_period(case, today):
    """DOMAIN §5 step 4: the waiting period (and a suspended PASS that blocks) again, at hire."""
    try:
        job_seekers.check_can_apply(case.job_seeker, case.organisation_for("employer"),
                                    sender_is_authorized_prescriber(case), on=today)
    except DomainRuleError as error:
        raise ServiceError(str(error), 422, {"hiring_start_at": [str(error)]}) from None


def check_pass_covers(approval, start, field="hiring_start_at"):
    """A hire on an existing PASS must start by its end (DOMAIN §5 step 5)."""
    if approval is not None and start > approval.end_on:
        last_day = fr_date(approval.end_on)
        _refuse({field: [f"Le PASS IAE n° {approval.number} de ce candidat prend fin le {last_day} : "
                         f"le contrat doit commencer au plus tard ce jour-là."]})


# -- the checks, per form ------------------------------------------------------------------------

def _person(task, actor, data, files):
    """Only the missing information is required; a NIR already someone else's is refused."""
    seeker = task.case.job_seeker
    errors = {}
    for group in missing_person_data(seeker):
        if group in OPTIONAL_GROUPS:
            continue
        fields, message = PERSON_GROUPS[group]
        if not any(data.get(name) for name in fields):
            errors[fields[0]] = [message]
    nir = data.get("nir") or None
    if nir and not seeker.nir:
        other = job_seekers.find_by_nir(nir)
        if other is not None and other.id != seeker.id:
            errors["nir"] = [job_seekers.NIR_TAKEN + " Vérifiez le numéro ou contactez le support."]
    if data.get("france_travail_id") and data.get("france_travail_not_registered"):
        errors["france_travail_not_registered"] = [
            "Vous avez saisi un identifiant France Travail : décochez cette case."]
    if errors:
        _refuse(errors)
    return data


def _contract(task, actor, data, files):
    case = task.case
    company = case.organisation_for("employer")
    choice = data.get("hired_job_description")
    if choice and choice != OTHER_JOB:
        job = db.session.get(JobDescription, int(choice))
        if job is None or job.company_id != company.id:
            _refuse({"hired_job_description": ["Choisissez l'une des fiches de poste de votre structure."]})
        data["hired_job"] = job.display_name
        data["hired_job_description_id"] = job.id
    else:
        data["hired_job_description_id"] = None
    start = date.fromisoformat(data["hiring_start_at"])
    if company.kind in SIAE_KINDS:
        today = job_seekers.today_paris()
        check_waiting_period(case, today)
        check_pass_covers(approvals.valid_pass(case.job_seeker_id, today), start)
    return data


def _eligibility(task, actor, data, files):
    # The SIAE's own criteria, checked as for an auto-prescription (forms/autoprescription_eligibility.yaml).
    return prescription.CHECKS["autoprescription_eligibility"](task, actor, data, files)


def _manual_delivery(task, actor, data, files):
    if data.get("pass_decision") == "deliver":
        case = task.case
        today = job_seekers.today_paris()
        existing = approvals.valid_pass(case.job_seeker_id, today)
        if existing is not None:
            _refuse({"pass_decision": [f"Ce candidat a déjà un PASS IAE valide (n° {existing.number}) : "
                                       "refusez la délivrance d'un second PASS et expliquez-le."]})
        check_waiting_period(case, today)
    return data


def _start_change(task, actor, data, files):
    case = task.case
    current, new_start = _start_of(case), date.fromisoformat(data["new_hiring_start_at"])
    today = job_seekers.today_paris()
    try:
        hiring.check_start_change(current, new_start, today)
    except DomainRuleError as error:
        _refuse({"new_hiring_start_at": [str(error)]})
    approval = approvals.get(_summary(case).get("approval_id"))
    if approval is not None and approval.cancelled_at is None:
        check_pass_covers(approval, new_start, field="new_hiring_start_at")
    data["previous_hiring_start_at"] = current.isoformat()
    return data


CHECKS = {
    "hire_job_seeker": _person,
    "hire_contract": _contract,
    "hire_contract_geiq": _contract,
    "autoprescription_eligibility": _eligibility,
    "pass_manual_delivery": _manual_delivery,
    "hire_start_change": _start_change,
}


class HireForms:
    """The process hooks of app/services/tasks.py for the hire's forms."""

    def form_context(self, task, actor):
        case = task.case
        if task.form_key in ("hire_contract", "hire_contract_geiq"):
            return {"hire_jobs": company_jobs(case.organisation_for("employer"))}
        if task.form_key == "hire_start_change":
            return {"current_hiring_start": _start_of(case)}
        if task.form_key == "hire_job_seeker" and case.job_seeker is not None:
            return {"missing_person_data": missing_label(missing_person_data(case.job_seeker))}
        return {}

    def before_complete(self, task, actor, data, files):
        check = CHECKS.get(task.form_key)
        return check(task, actor, dict(data), files) if check else data


PROCESS_FORM_HOOKS[PROCESS] = HireForms()
