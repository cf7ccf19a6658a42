"""Job seekers as relational rows (DOMAIN §2, §13): find them, create them without duplicates,
and show of them only what the viewer may see.

A person is identified by a NIR (checked with its key) or an email; both are unique, so a
second person with the same NIR or email is never created: the caller is offered the
existing one instead. The PASS IAE facts the sending of applications needs (valid PASS, last
end, blocking suspension) are read from app/services/approvals.py.
"""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from app import permissions
from app.domain import eligibility, identifiers
from app.domain.errors import DomainRuleError
from app.extensions import db
from app.models import Diagnosis, JobSeeker
from app.services.tasks import ServiceError
from app.domain.calendar import today_paris


NIR_TAKEN = "Une personne est déjà inscrite avec ce numéro de sécurité sociale."
EMAIL_TAKEN = "Une personne est déjà inscrite avec cette adresse e-mail."


def normalize_email(email):
    return (email or "").strip().lower() or None


def normalize_nir(nir):
    """The 15 characters of a NIR; InvalidIdentifier (a French ValueError) when its key is wrong."""
    return identifiers.validate_nir(nir) if (nir or "").strip() else None


# -- finding --------------------------------------------------------------------------------

def get(job_seeker_id):
    return db.session.get(JobSeeker, job_seeker_id) if job_seeker_id else None


def find_by_nir(nir):
    nir = normalize_nir(nir)
    return JobSeeker.query.filter_by(nir=nir).first() if nir else None


def find_by_email(email):
    email = normalize_email(email)
    if email is None:
        return None
    return JobSeeker.query.filter(db.func.lower(JobSeeker.email) == email).first()


def for_user(user):
    """The person behind a job seeker's account; created from the account the first time."""
    seeker = JobSeeker.query.filter_by(user_id=user.id).first()
    if seeker is not None:
        return seeker
    seeker = find_by_email(user.email)
    if seeker is not None and seeker.user_id is None:
        # Registered by a professional with the same email before the person made an account.
        seeker.user_id = user.id
        return seeker
    seeker = JobSeeker(user_id=user.id, first_name=user.first_name, last_name=user.last_name,
                       email=normalize_email(user.email) if seeker is None else None, phone=user.phone or "",
                       created_by_id=user.id)
    db.session.add(seeker)
    db.session.flush()
    return seeker


def search(viewer, nir=None, email=None):
    """The people with this NIR or email that `viewer` may see (DOMAIN §13); others stay hidden."""
    found = [seeker for seeker in (find_by_nir(nir) if nir else None, find_by_email(email) if email else None)
             if seeker is not None]
    unique = list({seeker.id: seeker for seeker in found}.values())
    return [seeker for seeker in unique if permissions.can_see_job_seeker(viewer, seeker)]


def label_for(seeker, viewer):
    """How a person found by NIR or email is named to `viewer`: in full with the birth date for
    those who may see them, else first name and initial only (enough to recognise, no more)."""
    if permissions.can_see_job_seeker(viewer, seeker):
        born = f", né(e) le {seeker.birth_date.strftime('%d/%m/%Y')}" if seeker.birth_date else ""
        return f"{seeker.full_name}{born}"
    initial = (seeker.last_name or "?")[:1].upper()
    return f"{seeker.first_name} {initial}."


# -- creating ---------------------------------------------------------------------------------

@dataclass
class Identity:
    """What a professional types about a new person (forms/prescription_job_seeker.yaml)."""
    first_name: str
    last_name: str
    birth_date: object = None
    email: str | None = None
    phone: str = ""
    nir: str | None = None
    nir_missing_reason: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""


def duplicates(nir=None, email=None):
    """{field: French message} for a NIR or email already used by someone."""
    problems = {}
    if nir and find_by_nir(nir) is not None:
        problems["nir"] = [NIR_TAKEN]
    if email and find_by_email(email) is not None:
        problems["email"] = [EMAIL_TAKEN]
    return problems


def create(actor, identity):
    """A new JobSeeker row; ServiceError 422 (per field) if its NIR or email is already someone's.

    The database's unique constraints settle a race between two creations: the loser gets
    the same French message, and nothing of it is kept (savepoint)."""
    nir = normalize_nir(identity.nir)
    email = normalize_email(identity.email)
    problems = duplicates(nir, email)
    if problems:
        raise ServiceError("Cette personne est déjà inscrite : utilisez sa fiche plutôt que d'en créer une autre.",
                           422, problems)
    seeker = JobSeeker(first_name=identity.first_name.strip(), last_name=identity.last_name.strip(),
                       birth_date=identity.birth_date, email=email, phone=identity.phone or "", nir=nir,
                       nir_missing_reason="" if nir else (identity.nir_missing_reason or ""),
                       address=identity.address or "", postcode=identity.postcode or "", city=identity.city or "",
                       department=_department(identity.postcode), created_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(seeker)
            db.session.flush()
    except IntegrityError:
        raise ServiceError("Cette personne vient d'être inscrite par quelqu'un d'autre : recherchez-la par son "
                           "NIR ou son e-mail.", 422, duplicates(nir, email) or {"nir": [NIR_TAKEN]}) from None
    return seeker


def _department(postcode):
    postcode = (postcode or "").strip()
    if len(postcode) != 5 or not postcode.isdigit():
        return ""
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):  # Corsica: 2A below 20200, 2B from it
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


# -- eligibility diagnoses (DOMAIN §6.2) --------------------------------------------------------

def _facts(diagnosis):
    return eligibility.DiagnosisFacts(
        author_kind=diagnosis.author_kind, author_org_id=diagnosis.author_organisation_id,
        author_org_kind=diagnosis.author_organisation.kind if diagnosis.author_organisation else "",
        created_on=diagnosis.created_on, expires_on=diagnosis.expires_on,
        criteria=tuple(diagnosis.criteria or ()), ref=diagnosis.id)


def diagnoses_of(seeker):
    return Diagnosis.query.filter_by(job_seeker_id=seeker.id).order_by(Diagnosis.id.desc()).all()


def valid_prescriber_diagnosis(seeker, on=None):
    """The newest valid prescriber diagnosis of the person, or None."""
    on = on or today_paris()
    for diagnosis in diagnoses_of(seeker):
        if diagnosis.author_kind == eligibility.PRESCRIBER and eligibility.is_diagnosis_valid(_facts(diagnosis), on):
            return diagnosis
    return None


def usable_diagnoses(seeker, company, on=None):
    """The diagnoses an SIAE may rely on: prescribers' and its own, never another employer's."""
    on = on or today_paris()
    rows = {d.id: d for d in diagnoses_of(seeker)}
    facts = eligibility.usable_diagnoses([_facts(d) for d in rows.values()], company.id, on)
    return [rows[fact.ref] for fact in facts]


def visible_diagnoses(seeker, viewer, organisation):
    """The diagnoses `viewer` acting for `organisation` may read: prescribers never see
    employers' ones, an employer sees the prescribers' and its own (DOMAIN §6.2); support all."""
    rows = diagnoses_of(seeker)
    if getattr(viewer, "is_support", False):
        return rows
    if seeker.user_id is not None and seeker.user_id == getattr(viewer, "id", None):
        return rows
    if organisation is not None and organisation.category == "company":
        return [d for d in rows
                if d.author_kind == eligibility.PRESCRIBER or d.author_organisation_id == organisation.id]
    return [d for d in rows if eligibility.visible_to_prescriber(_facts(d))]


# -- PASS IAE facts the sending of applications needs (rows in app/services/approvals.py) ------

def valid_pass(seeker, on=None):
    """The person's PASS IAE valid on `on` (started or not), or None."""
    from app.services import approvals as passes
    return passes.valid_pass(seeker.id, on or today_paris())


def last_pass_end(seeker):
    """The effective end of the person's last PASS IAE (for the waiting period, DOMAIN §7.3), or None."""
    from app.services import approvals as passes
    return passes.last_pass_end(seeker.id)


def suspended_pass_blocking(seeker, on=None):
    """A French message when a suspended PASS whose reason does not allow unsuspension blocks a
    new application (DOMAIN §3 step 2), else None."""
    from app.domain import approvals
    from app.services import approvals as passes

    on = on or today_paris()
    current = valid_pass(seeker, on)
    suspension = passes.ongoing_suspension(current, on) if current else None
    if suspension is None or suspension.reason in approvals.REASONS_ENDED_BY_A_NEW_HIRE:
        return None
    return (f"Le PASS IAE de ce candidat est suspendu jusqu'au {approvals.fr_date(suspension.end_on)} pour un "
            "motif qui ne permet pas de nouvelle candidature avant la fin de la suspension.")


def check_can_apply(seeker, company, sender_is_authorized_prescriber, on=None):
    """DOMAIN §3 step 2 guards tied to the person's PASS IAE: the waiting period (§7.3) and a
    suspended PASS. Raise DomainRuleError with the French message to show."""
    from app.domain import approvals

    on = on or today_paris()
    message = suspended_pass_blocking(seeker, on)
    if message:
        raise DomainRuleError(message)
    approvals.check_waiting_period(last_pass_end(seeker), on, company.kind, sender_is_authorized_prescriber,
                                   valid_prescriber_diagnosis(seeker, on) is not None)


# -- what the API shows -------------------------------------------------------------------------

def as_json(seeker, viewer, organisation):
    """A person's record for someone allowed to see it (the caller checks can_see_job_seeker)."""
    return {
        "id": seeker.id,
        "first_name": seeker.first_name,
        "last_name": seeker.last_name,
        "birth_date": seeker.birth_date.isoformat() if seeker.birth_date else None,
        "email": seeker.email,
        "phone": seeker.phone or "",
        "nir": seeker.nir,
        "nir_missing_reason": seeker.nir_missing_reason or "",
        "address": seeker.address or "",
        "postcode": seeker.postcode or "",
        "city": seeker.city or "",
        "has_account": seeker.user_id is not None,
        "diagnoses": [{
            "id": d.id,
            "author_kind": d.author_kind,
            "author_organisation": d.author_organisation.display_name if d.author_organisation else "",
            "criteria": list(d.criteria or []),
            "created_on": d.created_on.isoformat() if d.created_on else None,
            "expires_on": d.expires_on.isoformat() if d.expires_on else None,
        } for d in visible_diagnoses(seeker, viewer, organisation)],
    }
