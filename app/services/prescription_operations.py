"""The automatic steps of bpmn/prescription.bpmn (registered in app.engine.operations).

Each step reads the case's data, writes rows through the services and logs in the case:
register the job seeker, record an eligibility diagnosis, send the applications.
"""
from datetime import date

from app.domain import eligibility
from app.engine import runtime
from app.engine.operations import operation
from app.extensions import db
from app.models import Diagnosis, Document, Organisation, Task, User
from app.services import cases, job_seekers, prescription


def _sender(ctx, role=None):
    """(user, organisation) who sends: the person bound to the sender's role of the case (or to
    `role`, e.g. the employer diagnosing at hire; then the user is the one who acts)."""
    party = (ctx.case.party(role) if role else None) or ctx.case.party("prescriber") or \
        ctx.case.party("sender") or ctx.case.party("job_seeker")
    user = db.session.get(User, party.user_id) if party and party.user_id else ctx.actor
    return user, party.organisation if party is not None else None


@operation("register_job_seeker", "Enregistrer le candidat (fiche existante ou nouvelle)")
def register_job_seeker(ctx, task, params):
    data = task.data
    user, organisation = _sender(ctx)
    if data.get("existing_job_seeker_id"):
        seeker = job_seekers.get(data["existing_job_seeker_id"])
        created = False
    else:
        birth = data.get("birth_date")
        identity = job_seekers.Identity(
            first_name=data.get("first_name") or "", last_name=data.get("last_name") or "",
            birth_date=date.fromisoformat(birth) if birth else None,
            email=None if data.get("no_email") else data.get("email"), phone=data.get("phone") or "",
            nir=data.get("nir") or None, nir_missing_reason=data.get("nir_missing_reason") or "",
            address=data.get("address") or "", postcode=data.get("postcode") or "", city=data.get("city") or "")
        try:
            seeker = job_seekers.create(user, identity)
        except job_seekers.ServiceError as exc:
            raise ValueError(exc.message) from None
        created = True
    ctx.case.job_seeker_id = seeker.id
    company_names = ", ".join(t["company_name"] for t in data.get("targets") or [])
    what = "Embauche directe" if data.get("autoprescription") else "Candidature"
    ctx.case.title = f"{what} : {seeker.full_name} → {company_names}"[:255]
    step, existing = prescription.eligibility_step(data, seeker, organisation)
    data.update(job_seeker_id=seeker.id, job_seeker_name=seeker.full_name, eligibility_step=step,
                diagnosis_id=existing.id if existing is not None else None)
    ctx.log("job_seeker_created" if created else "job_seeker_found",
            f"{'Candidat inscrit' if created else 'Candidat retrouvé'} : {seeker.full_name}",
            {"job_seeker_id": seeker.id, "eligibility_step": step})
    return {"job_seeker_id": seeker.id, "created": created, "eligibility_step": step}


@operation("record_diagnosis", "Enregistrer le diagnostic d'éligibilité")
def record_diagnosis(ctx, task, params):
    """A prescriber diagnosis valid 6 months, or an employer one valid 92 days (DOMAIN §6.2)."""
    data = task.data
    author = params.get("author")
    user, organisation = _sender(ctx, params.get("role"))
    criteria = list(data.get("administrative_criteria") or [])
    kind = organisation.kind if organisation is not None else None
    # The rules again, on the data the engine holds: a diagnosis never breaks them.
    eligibility.check_criteria_selection(criteria, kind, author=author)
    if author == eligibility.PRESCRIBER:
        eligibility.check_socio_professional(data.get("socio_professional") or {})
    created_on = job_seekers.today_paris()
    diagnosis = Diagnosis(job_seeker_id=data["job_seeker_id"], author_kind=author,
                          author_organisation_id=organisation.id, author_user_id=user.id, criteria=criteria,
                          socio_professional=dict(data.get("socio_professional") or {}),
                          support_needs=list(data.get("support_needs") or []), created_on=created_on,
                          expires_on=eligibility.diagnosis_expiry(author, created_on), case_id=ctx.case.id)
    db.session.add(diagnosis)
    db.session.flush()
    data["diagnosis_id"] = diagnosis.id
    ctx.log("diagnosis_recorded", f"Éligibilité IAE validée par {organisation.display_name} jusqu'au "
            f"{diagnosis.expires_on.strftime('%d/%m/%Y')}",
            {"diagnosis_id": diagnosis.id, "author_kind": author, "criteria": criteria,
             "expires_on": diagnosis.expires_on.isoformat()})
    return {"diagnosis_id": diagnosis.id}


@operation("send_applications", "Envoyer une candidature à chaque structure choisie")
def send_applications(ctx, task, params):
    """One application case per target company (DOMAIN §3 step 6); an auto-prescription's goes
    straight to the hire: the application's first step is answered "accept" by the sender."""
    data = task.data
    user, organisation = _sender(ctx)
    auto = bool(data.get("autoprescription"))
    original = db.session.get(Document, data["cv_document_id"]) if data.get("cv_document_id") else None
    references = []
    for item in data.get("targets") or []:
        company = db.session.get(Organisation, item["company_id"])
        document = _copy_for_application(original) if original is not None else None
        try:
            application = cases.open_application(
                user, organisation if data.get("sender_kind") != prescription.JOB_SEEKER else None,
                data["job_seeker_id"], company.id, data.get("message") or "",
                job_description_ids=item.get("job_description_ids") or [], diagnosis_id=data.get("diagnosis_id"),
                document_id=document.id if document else None, parent_case=ctx.case, auto_prescription=auto)
        except cases.ServiceError as exc:
            raise ValueError(f"{company.display_name} : {exc.message}") from None
        if document is not None:
            document.case_id = application.id
        if auto:
            _accept(application, user)
        references.append(application.reference)
    data["application_references"] = references
    what = "Embauche directe" if auto else "Candidatures" if len(references) > 1 else "Candidature"
    companies = ", ".join(item["company_name"] for item in data.get("targets") or [])
    ctx.case.title = f"{what} : {data.get('job_seeker_name', '')} → {companies}"[:255]
    ctx.log("applications_sent", f"{len(references)} candidature(s) envoyée(s) : {', '.join(references)}",
            {"references": references})
    return {"references": references}


def _copy_for_application(original):
    copy = Document(kind=original.kind, job_seeker_id=original.job_seeker_id, filename=original.filename,
                    content_type=original.content_type, size=original.size, sha256=original.sha256,
                    content=original.content, uploaded_by_id=original.uploaded_by_id)
    db.session.add(copy)
    db.session.flush()
    return copy


def _accept(application, user):
    """Answer the application's first step "accept" as its sender, a member of the company:
    the application diagram then opens the hire (bpmn/application.bpmn stays the one place
    where an application's life is described)."""
    first = Task.query.filter_by(case_id=application.id, state="open").order_by(Task.id).first()
    runtime.complete_task(first, {"decision": "accept"}, user)
