"""Sending applications (DOMAIN §3): the prescription case, from the company page to one
application case per chosen company.

bpmn/prescription.bpmn holds the steps (who identifies the job seeker, when eligibility is
validated, when applications leave); this module starts the case for its sender, gives the
step forms what they offer (the sender's targets, nearby companies) and checks a submission
against the rows it touches (duplicates, blocked companies, closed jobs, the 24-hour rule,
the CV) before the engine moves on, so that nothing is created when a check fails.
The automatic steps are in app/services/prescription_operations.py.
"""
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from werkzeug.utils import secure_filename

from app import formspec, permissions
from app.domain import eligibility
from app.domain.errors import DomainRuleError
from app.domain.vocabularies import SIAE_KINDS
from app.engine import runtime
from app.extensions import db
from app.models import Case, CaseParty, Document, JobDescription, Organisation
from app.models.base import utcnow
from app.services import job_seekers
from app.services.tasks import PROCESS_FORM_HOOKS, ServiceError

PROCESS = "prescription"
START_FORM = "prescription_start"
PRESCRIBER, EMPLOYER, JOB_SEEKER = "prescriber", "employer", "job_seeker"

# The 24-hour rule (DOMAIN §3 step 2): a second application of the same person to the same
# company within this delay is sent only once the sender confirms it.
RECENT_APPLICATION_DELAY = timedelta(hours=24)
# Other companies a sender may add at the message step: in the first company's département,
# at most this many choices (the directory finds the others).
MAX_MORE_CHOICES = 60

FORM_ERROR = "Le formulaire contient des erreurs : corrigez les champs signalés."
GENERAL = "_form"


def today_paris():
    return job_seekers.today_paris()


# -- who sends ------------------------------------------------------------------------------

def sender_kind(actor, organisation):
    """prescriber / employer / job_seeker for whoever is about to send, else None."""
    if actor is None or not actor.is_authenticated:
        return None
    if actor.kind == "job_seeker":
        return JOB_SEEKER
    if organisation is None or not permissions.is_member(actor, organisation.id):
        return None
    return {"prescriber": PRESCRIBER, "company": EMPLOYER}.get(organisation.category)


def _require_sender(actor, organisation):
    kind = sender_kind(actor, organisation)
    if kind is None:
        raise ServiceError("Seuls les prescripteurs, les employeurs inclusifs et les candidats peuvent envoyer "
                           "une candidature : connectez-vous avec le compte de votre structure.", 403)
    return kind


# -- targets: a company and its job descriptions (DOMAIN §3 step 4, §10) -----------------------

def spontaneous_open(company, today=None):
    until = company.spontaneous_applications_open_until
    return until is not None and until >= (today or today_paris())


def open_jobs(company):
    return (JobDescription.query.filter_by(company_id=company.id, is_active=True)
            .order_by(JobDescription.custom_name, JobDescription.appellation, JobDescription.id).all())


# Ids are 32-bit integers in the database: a bigger one names nothing (and must not reach PostgreSQL).
MAX_ID = 2**31 - 1


def get_company(company_id):
    try:
        number = int(company_id)
    except (TypeError, ValueError):
        number = None
    company = db.session.get(Organisation, number) if number is not None and 1 <= number <= MAX_ID else None
    if company is None or company.category != "company":
        raise ServiceError("Cette structure n'existe pas : choisissez-en une dans l'annuaire.", 404)
    return company


def check_target(actor, company, job_description_ids, today=None, field="job_description_ids"):
    """The company's job descriptions named by these ids; ServiceError when the company does not
    take this application: blocked (except for its members), a job closed or not its own, a
    spontaneous application while it does not accept them (DOMAIN §3 step 4, §10)."""
    today = today or today_paris()
    if company.block_job_applications and not permissions.is_member(actor, company.id):
        raise ServiceError(f"{company.display_name} ne reçoit plus de candidatures pour le moment : "
                           "choisissez une autre structure.", 422,
                           {field: [f"{company.display_name} a bloqué les candidatures."]})
    jobs = []
    for job_id in job_description_ids or ():
        job = db.session.get(JobDescription, int(job_id))
        if job is None or job.company_id != company.id:
            raise ServiceError(FORM_ERROR, 422, {field: [f"Ce poste n'est pas proposé par {company.display_name}."]})
        if not job.is_active:
            raise ServiceError(FORM_ERROR, 422, {field: [
                f"Le poste « {job.display_name} » n'est plus ouvert au recrutement : choisissez-en un autre ou "
                "faites une candidature spontanée si la structure les accepte."]})
        jobs.append(job)
    if not jobs and not spontaneous_open(company, today) and not permissions.is_member(actor, company.id):
        raise ServiceError(FORM_ERROR, 422, {field: [
            f"{company.display_name} n'accepte pas de candidature spontanée en ce moment : choisissez un de ses "
            "postes ouverts."]})
    return jobs


def target(company, jobs):
    """How a target travels in the case's data (JSON)."""
    return {"company_id": company.id, "company_name": company.display_name, "company_kind": company.kind,
            "job_description_ids": [job.id for job in jobs], "job_names": [job.display_name for job in jobs]}


# -- the start page (app/web/prescription.py) ----------------------------------------------------

@dataclass
class StartPage:
    company: Organisation
    kind: str
    jobs: list
    spontaneous: bool


def start_page(actor, organisation, company_id):
    """What the start page shows; ServiceError when this sender cannot apply there at all."""
    kind = _require_sender(actor, organisation)
    company = get_company(company_id)
    if kind == EMPLOYER and permissions.is_member(actor, company.id):
        hint = " Pour une personne que vous embauchez directement, utilisez « Déclarer une embauche directe »." \
            if company.is_siae else ""
        raise ServiceError(f"Vous êtes membre de {company.display_name} : vous ne pouvez pas lui envoyer de "
                           f"candidature.{hint}", 403)
    if company.block_job_applications and not permissions.is_member(actor, company.id):
        raise ServiceError(f"{company.display_name} ne reçoit plus de candidatures pour le moment : choisissez "
                           "une autre structure dans l'annuaire.", 403)
    jobs = open_jobs(company)
    spontaneous = spontaneous_open(company)
    if not jobs and not spontaneous:
        raise ServiceError(f"{company.display_name} ne recrute pas en ce moment : aucun poste ouvert, et les "
                           "candidatures spontanées sont fermées.", 422)
    return StartPage(company, kind, jobs, spontaneous)


def start_form(page, formdata=None, chosen=()):
    spec = formspec.load_spec(START_FORM, current_app.config["FORMS_DIR"])
    context = {"company_jobs": {str(job.id): _job_label(job) for job in page.jobs}}
    offered = {str(job.id) for job in page.jobs}
    data = {"job_description_ids": [str(c) for c in chosen if str(c) in offered]} if formdata is None else None
    kwargs = {"formdata": formdata} if formdata is not None else {}
    return spec, formspec.build_form(spec, context, data=data, **kwargs)


def _job_label(job):
    place = f" — {job.city}" if job.city else ""
    return f"{job.display_name}{place}"


def start(actor, organisation, company_id, job_description_ids=(), direct_hire=False):
    """Open the sender's prescription case for a first company; returns it (committed).

    direct_hire: an SIAE declares the hire of a person who came without a prescriber
    (auto-prescription): the company is the sender's own."""
    kind = _require_sender(actor, organisation)
    company = get_company(company_id)
    if direct_hire:
        if not permissions.can_declare_direct_hire(actor, company) or organisation.id != company.id:
            raise ServiceError("Seul un membre d'une SIAE (AI, ACI, EI, ETTI, EITI) déclare une embauche directe, "
                               "pour sa propre structure.", 403)
        jobs = check_target(actor, company, job_description_ids)
    else:
        start_page(actor, organisation, company.id)
        jobs = check_target(actor, company, job_description_ids)
    seeker = job_seekers.for_user(actor) if kind == JOB_SEEKER else None
    if kind == JOB_SEEKER and not permissions.can_apply_for(actor, seeker, None):
        raise ServiceError("Vous ne pouvez envoyer une candidature que pour vous-même.", 403)
    data = {
        "sender_kind": kind,
        "autoprescription": bool(direct_hire),
        "sender_is_authorized": bool(organisation is not None and organisation.is_authorized_prescriber
                                     and kind == PRESCRIBER),
        "sender_name": actor.full_name,
        "sender_organisation_id": organisation.id if organisation is not None and kind != JOB_SEEKER else None,
        "sender_organisation_name": organisation.display_name if organisation is not None and kind != JOB_SEEKER
        else "",
        "targets": [target(company, jobs)],
        "job_seeker_id": seeker.id if seeker else None,
        "job_seeker_name": seeker.full_name if seeker else "",
        "eligibility_step": "none",
        "diagnosis_id": None,
    }
    if kind == JOB_SEEKER:
        parties = [("job_seeker", None, actor.id)]
    elif kind == PRESCRIBER:
        parties = [("prescriber", organisation.id, actor.id)]
    else:
        parties = [("employer", organisation.id, actor.id), ("sender", organisation.id, actor.id)]
    what = "Embauche directe" if direct_hire else "Candidature"
    title = f"{what} : {seeker.full_name + ' → ' if seeker else ''}{company.display_name}"
    try:
        case = runtime.start_case(PROCESS, data, parties, actor=actor, job_seeker_id=seeker.id if seeker else None,
                                  title=title[:255])
        db.session.commit()
    except runtime.EngineError as exc:
        db.session.rollback()
        raise ServiceError(exc.message, exc.status) from exc
    return case


def first_task(case, actor):
    """The sender's open task in their prescription case (they hold every step of it)."""
    from app.models import Task

    return (Task.query.filter_by(case_id=case.id, state="open", assignee_id=actor.id)
            .order_by(Task.id).first())


# -- which eligibility step the diagram takes (DOMAIN §3 step 3, §5 step 3) ------------------------

def eligibility_step(data, seeker, sender_org, today=None):
    """"prescriber", "employer" or "none", and the existing diagnosis to attach (or None).

    - auto-prescription: the SIAE validates eligibility unless the person has a valid PASS
      or a diagnosis it may use (a prescriber's, or its own);
    - an authorized prescriber applying to at least one SIAE for someone without a valid
      PASS: the eligibility step, unless a prescriber diagnosis is still valid (it is reused);
    - orienteurs, job seekers, employers applying elsewhere: never (the employer diagnoses at hire).
    """
    today = today or today_paris()
    has_pass = job_seekers.valid_pass(seeker, today) is not None
    if data.get("autoprescription"):
        usable = job_seekers.usable_diagnoses(seeker, sender_org, today)
        if eligibility.eligibility_needed(sender_org.kind, has_pass, usable):
            return "employer", None
        return "none", usable[0] if usable else None
    existing = job_seekers.valid_prescriber_diagnosis(seeker, today)
    if data.get("sender_kind") != PRESCRIBER or not (sender_org and sender_org.is_authorized_prescriber):
        return "none", None
    if not any(t.get("company_kind") in SIAE_KINDS for t in data.get("targets") or ()):
        return "none", existing
    if has_pass or existing is not None:
        return "none", existing
    return "prescriber", None


# -- the step forms: what they offer and what is checked at submission -------------------------

def _summary(case):
    return case.summary or {}


def _targets(case):
    return list(_summary(case).get("targets") or [])


def _sender_organisation(case):
    party = case.party("prescriber") or case.party("sender") or case.party("employer")
    return party.organisation if party is not None else None


def nearby_choices(case, actor):
    """{code: label} of what may be added at the message step, in the first target's
    département (DOMAIN §3 step 4): "job-<id>" an open job of another company,
    "company-<id>" a spontaneous application to a company that accepts them now."""
    targets = _targets(case)
    if not targets:
        return {}
    first = db.session.get(Organisation, targets[0]["company_id"])
    excluded = {t["company_id"] for t in targets} | permissions.active_org_ids(actor)
    companies = (Organisation.query.filter(Organisation.category == "company",
                                           Organisation.department == (first.department if first else ""),
                                           Organisation.block_job_applications.is_(False),
                                           ~Organisation.id.in_(excluded or {0}))
                 .order_by(Organisation.name, Organisation.id).all())
    jobs = {}
    for job in JobDescription.query.filter(JobDescription.company_id.in_([c.id for c in companies] or [0]),
                                           JobDescription.is_active.is_(True)):
        jobs.setdefault(job.company_id, []).append(job)
    today = today_paris()
    choices = {}
    for company in companies:
        where = f"{company.display_name}{', ' + company.city if company.city else ''}"
        for job in sorted(jobs.get(company.id, []), key=lambda j: (j.display_name, j.id)):
            choices[f"job-{job.id}"] = f"{where} : {job.display_name}"
        if spontaneous_open(company, today):
            choices[f"company-{company.id}"] = f"{where} : candidature spontanée"
        if len(choices) >= MAX_MORE_CHOICES:
            break
    return choices


def targets_label(case):
    """The companies (and jobs) chosen so far, in words."""
    parts = []
    for item in _targets(case):
        jobs = f" ({', '.join(item.get('job_names') or [])})" if item.get("job_names") else \
            " (candidature spontanée)"
        parts.append(item["company_name"] + jobs)
    return ", ".join(parts)


class PrescriptionForms:
    """The process hooks of app/services/tasks.py for the prescription's forms."""

    def form_context(self, task, actor):
        if task.form_key != "prescription_message":
            return {}
        return {"more_targets": nearby_choices(task.case, actor), "targets_label": targets_label(task.case)}

    def before_complete(self, task, actor, data, files):
        check = CHECKS.get(task.form_key)
        return check(task, actor, dict(data), files) if check else data


def _refuse(errors, message=FORM_ERROR):
    raise ServiceError(message, 422, errors)


# Identification ("Identifier le candidat", forms/prescription_job_seeker.yaml) -----------------

def _identification(task, actor, data, files):
    nir, email = data.get("nir") or None, job_seekers.normalize_email(data.get("email"))
    by_nir = job_seekers.find_by_nir(nir) if nir else None
    by_email = job_seekers.find_by_email(email) if email else None
    errors = {}
    if data.get("use_existing"):
        if not nir and not email:
            _refuse({"use_existing": ["Saisissez le NIR ou l'adresse e-mail de la personne déjà inscrite."]})
        if by_nir and by_email and by_nir.id != by_email.id:
            _refuse({"email": ["Ce NIR et cette adresse e-mail appartiennent à deux personnes différentes : "
                               "vérifiez-les."]})
        person = by_nir or by_email
        if person is None:
            _refuse({"use_existing": ["Aucune personne n'est inscrite avec ce NIR ni avec cette adresse e-mail : "
                                      "décochez cette case et saisissez son identité."]})
        if nir and person.nir and person.nir != nir:
            _refuse({"nir": ["Ce NIR n'est pas celui de la personne inscrite avec cette adresse e-mail : "
                             "vérifiez-le."]})
        data["existing_job_seeker_id"] = person.id
        return data
    offer = "Cochez « Cette personne est déjà inscrite » puis validez : inutile de ressaisir son identité."
    if by_nir is not None:
        errors["nir"] = [f"Une personne est déjà inscrite avec ce NIR : "
                         f"{job_seekers.label_for(by_nir, actor)}. {offer}"]
    if by_email is not None:
        errors["email"] = [f"Une personne est déjà inscrite avec cette adresse e-mail : "
                           f"{job_seekers.label_for(by_email, actor)}. {offer}"]
    if not email and not data.get("no_email"):
        errors.setdefault("email", []).append(
            "Indiquez l'adresse e-mail du candidat, ou cochez « La personne n'a pas d'adresse e-mail ».")
    if email and data.get("no_email"):
        errors["no_email"] = ["Vous avez saisi une adresse e-mail : décochez cette case."]
    if not nir and not data.get("nir_missing_reason"):
        errors["nir_missing_reason"] = ["Saisissez le NIR plus haut, ou indiquez pourquoi il manque."]
    birth = data.get("birth_date")
    if birth and date.fromisoformat(birth) > today_paris():
        errors["birth_date"] = ["La date de naissance ne peut pas être dans le futur."]
    postcode = (data.get("postcode") or "").strip()
    if postcode and not (len(postcode) == 5 and postcode.isdigit()):
        errors["postcode"] = ["Le code postal compte 5 chiffres (ex. 35000)."]
    if errors:
        _refuse(errors)
    return data


# Eligibility by an authorized prescriber ("Valider l'éligibilité IAE") -------------------------

GRID_FIELDS = tuple(f"grid_{dimension.code}" for dimension in eligibility.SOCIO_PROFESSIONAL_GRID)


def _criteria(data):
    return list(data.get("criteria_level_1") or []) + list(data.get("criteria_level_2") or [])


def _prescriber_eligibility(task, actor, data, files):
    if not permissions.can_validate_prescriber_eligibility(actor, task.organisation):
        raise ServiceError("Seul un membre d'un prescripteur habilité peut valider l'éligibilité IAE d'un "
                           "candidat : un orienteur envoie la candidature sans cette étape.", 403)
    grid = {dimension.code: data.get(f"grid_{dimension.code}") for dimension in eligibility.SOCIO_PROFESSIONAL_GRID}
    try:
        eligibility.check_socio_professional(grid)
    except DomainRuleError as error:
        _refuse({f"grid_{code}": [message] for code, message in getattr(error, "problems", {}).items()})
    criteria = _criteria(data)
    try:
        eligibility.check_criteria_selection(criteria, None, author=eligibility.PRESCRIBER)
        eligibility.check_support_needs(data.get("support_needs") or [])
    except DomainRuleError as error:
        _refuse({"criteria_level_2": [str(error)]})
    data["socio_professional"] = grid
    data["administrative_criteria"] = criteria
    return data


# Eligibility by the SIAE itself (auto-prescription, "Valider les critères administratifs") ------

def _employer_eligibility(task, actor, data, files):
    company = task.case.organisation_for("employer")
    criteria = _criteria(data)
    try:
        eligibility.check_criteria_selection(criteria, company.kind if company else None,
                                             author=eligibility.EMPLOYER)
    except DomainRuleError as error:
        _refuse({"criteria_level_1": [str(error)]})
    data["administrative_criteria"] = criteria
    return data


# Message and CV ("Message et CV", forms/prescription_message.yaml) -------------------------------

def _added_targets(actor, data):
    """The targets added at the message step ("job-<id>", "company-<id>"), grouped by company."""
    added, errors = {}, {}
    for code in data.get("more_targets") or []:
        kind, _, number = code.partition("-")
        if kind == "job":
            job = db.session.get(JobDescription, int(number))
            if job is not None:
                added.setdefault(job.company_id, []).append(job.id)
        else:
            added.setdefault(int(number), [])
    result = []
    for company_id, job_ids in added.items():
        company = db.session.get(Organisation, company_id)
        try:
            result.append(target(company, check_target(actor, company, job_ids, field="more_targets")))
        except ServiceError as exc:
            for name, messages in exc.field_errors.items():
                errors.setdefault(name, []).extend(messages)
    return result, errors


def recent_application(seeker, company, now=None):
    """The person's application case to this company opened in the last 24 hours, or None."""
    since = (now or utcnow()) - RECENT_APPLICATION_DELAY
    return (Case.query.join(CaseParty, CaseParty.case_id == Case.id)
            .filter(Case.process_key == "application", Case.job_seeker_id == seeker.id, Case.created_at >= since,
                    CaseParty.role == "employer", CaseParty.organisation_id == company.id)
            .order_by(Case.created_at.desc()).first())


def _message(task, actor, data, files):
    case = task.case
    seeker = job_seekers.get(_summary(case).get("job_seeker_id"))
    if seeker is None:
        raise ServiceError("Le candidat de cette candidature est introuvable : identifiez-le d'abord.", 409)
    sender_org = _sender_organisation(case)
    authorized = bool(sender_org is not None and sender_org.is_authorized_prescriber
                      and _summary(case).get("sender_kind") == PRESCRIBER)
    targets, errors = [], {}
    for existing in _targets(case):
        company = db.session.get(Organisation, existing["company_id"])
        try:
            targets.append(target(company, check_target(actor, company, existing["job_description_ids"],
                                                         field=GENERAL)))
        except ServiceError as exc:
            errors.setdefault(GENERAL, []).extend(exc.field_errors.get(GENERAL, [exc.message]))
    added, added_errors = _added_targets(actor, data) if data.get("add_more") == "yes" else ([], {})
    for name, messages in added_errors.items():
        errors.setdefault(name, []).extend(messages)
    targets += added
    recent, cv_needed = [], []
    for item in targets:
        company = db.session.get(Organisation, item["company_id"])
        try:
            job_seekers.check_can_apply(seeker, company, authorized)
        except DomainRuleError as error:
            errors.setdefault(GENERAL, []).append(str(error))
        previous = recent_application(seeker, company)
        if previous is not None:
            recent.append(f"{company.display_name} (le {_paris_datetime(previous.created_at)})")
        cv_needed += [job.display_name for job in JobDescription.query.filter(
            JobDescription.id.in_(item["job_description_ids"] or [0]), JobDescription.cv_required.is_(True))]
    if recent and not data.get("confirm_recent_application"):
        errors["confirm_recent_application"] = [
            f"{seeker.full_name} a déjà postulé il y a moins de 24 heures auprès de : {', '.join(recent)}. "
            "Cochez cette case pour confirmer l'envoi d'une nouvelle candidature."]
    cv = files.get("cv")
    if cv_needed and not cv:
        errors["cv"] = [f"Le CV est obligatoire pour le poste « {', '.join(cv_needed)} » : joignez-le au format PDF."]
    if errors:
        _refuse(errors)
    data["targets"] = targets
    data["cv_document_id"] = store_cv(cv, seeker, case, actor).id if cv else None
    return data


def _paris_datetime(moment):
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y à %H:%M")


def store_cv(storage, seeker, case, actor):
    """Keep an uploaded PDF (already checked by the form: PDF, at most 5 MB) as a Document."""
    content = storage.read()
    storage.seek(0)
    document = Document(kind="cv", job_seeker_id=seeker.id, case_id=case.id,
                        filename=secure_filename(storage.filename or "") or "cv.pdf",
                        content_type="application/pdf", size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by_id=actor.id)
    db.session.add(document)
    db.session.flush()
    return document


CHECKS = {
    "prescription_job_seeker": _identification,
    "prescription_eligibility": _prescriber_eligibility,
    "autoprescription_eligibility": _employer_eligibility,
    "prescription_message": _message,
}

PROCESS_FORM_HOOKS[PROCESS] = PrescriptionForms()


# -- documents ---------------------------------------------------------------------------------

def get_document(document_id, actor):
    document = db.session.get(Document, document_id)
    if document is None:
        raise ServiceError("Ce document n'existe pas.", 404)
    if not permissions.can_download_document(actor, document):
        raise ServiceError("Ce document est réservé aux personnes qui suivent la candidature.", 403)
    return document
