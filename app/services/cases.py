"""Case reading and opening, shared by views and API, with the personal-data rules."""
from app import permissions
from app.engine import runtime
from app.extensions import db
from app.models import Case, Event, JobDescription, JobSeeker, Organisation, Task
from app.services.tasks import ServiceError

# Fields of the employer's answer that the job seeker never reads (DOMAIN §4, §13).
PRIVATE_FIELDS = ("private_comment",)
# The refusal reason reaches the job seeker only if the employer chose to share it (DOMAIN §4).
REASON_FIELDS = ("refusal_reason", "refusal_reason_details")
SHARE_REASON_FIELD = "share_reason_with_job_seeker"


def _visible_fields(fields, professional):
    if professional:
        return fields
    hidden = set(PRIVATE_FIELDS)
    if not fields.get(SHARE_REASON_FIELD):
        hidden |= set(REASON_FIELDS)
    return {k: v for k, v in fields.items() if k not in hidden}


def get_case(case_id, actor):
    case = db.session.get(Case, case_id)
    if case is None:
        raise ServiceError("Ce dossier n'existe pas.", 404)
    if not permissions.can_view_case(actor, case):
        raise ServiceError("Ce dossier ne concerne pas votre organisation : vous ne pouvez pas le consulter.", 403)
    return case


def get_case_by_reference(reference, actor):
    case = Case.query.filter_by(reference=reference).first()
    if case is None:
        raise ServiceError("Ce dossier n'existe pas.", 404)
    return get_case(case.id, actor)


def timeline(case, actor):
    """The case's events, oldest first, with private fields removed for those without the right."""
    professional = permissions.can_see_private_comment(actor, case)
    form_keys = dict(Task.query.with_entities(Task.id, Task.form_key).filter(Task.case_id == case.id))
    items = []
    for event in Event.query.filter_by(case_id=case.id).order_by(Event.id):
        data = dict(event.data or {})
        if isinstance(data.get("fields"), dict):
            data["fields"] = _visible_fields(data["fields"], professional)
        items.append({"id": event.id, "at": event.at, "kind": event.kind, "summary": event.summary,
                      "actor": event.actor.full_name if event.actor else "Plateforme", "data": data,
                      "task_id": event.task_id, "form_key": form_keys.get(event.task_id, "")})
    return items


def open_tasks(case):
    return Task.query.filter_by(case_id=case.id, state="open").order_by(Task.id).all()


def related_cases(case, actor):
    related = Case.query.filter((Case.parent_case_id == case.id) | (Case.id == (case.parent_case_id or -1)))
    return [c for c in related.order_by(Case.id) if permissions.can_view_case(actor, c)]


def snapshot(case):
    """The case's workflow data and where it stands in its diagram, from one load of the workflow."""
    state = runtime.case_state(case)
    return {"data": state.data, "current": state.current, "done": state.done}


# -- opening cases ---------------------------------------------------------------------

def open_application(actor, sender_org, job_seeker_id, company_id, message, job_description_ids=(),
                     diagnosis_id=None, document_id=None, parent_case=None, auto_prescription=False):
    """Send an application to one company. The prescription process (bpmn/prescription.bpmn)
    calls this once per chosen company, with the jobs, the eligibility diagnosis and the CV;
    an auto-prescription (an SIAE hiring directly) needs no message."""
    seeker = db.session.get(JobSeeker, job_seeker_id) if job_seeker_id else None
    company = db.session.get(Organisation, company_id) if company_id else None
    if seeker is None:
        raise ServiceError("Ce candidat n'existe pas.", 422, {"job_seeker_id": ["Candidat introuvable."]})
    if not permissions.can_apply_for(actor, seeker, sender_org):
        raise ServiceError("Vous ne pouvez envoyer une candidature que pour vous-même ou au nom de votre "
                           "organisation.", 403)
    if company is None or company.category != "company":
        raise ServiceError("Cette structure n'existe pas.", 422, {"company_id": ["Structure introuvable."]})
    if company.block_job_applications and not permissions.is_member(actor, company.id):
        raise ServiceError(f"{company.display_name} ne reçoit plus de candidatures pour le moment.", 422,
                           {"company_id": ["Cette structure a bloqué les candidatures."]})
    if auto_prescription and not (sender_org is not None and sender_org.id == company.id
                                  and permissions.is_member(actor, company.id)):
        raise ServiceError("Une embauche directe se déclare pour sa propre structure.", 403)
    if not auto_prescription and not (message or "").strip():
        raise ServiceError("Le message à l'employeur est obligatoire.", 422,
                           {"message": ["Ce champ est obligatoire."]})
    jobs = [db.session.get(JobDescription, int(job_id)) for job_id in job_description_ids or ()]
    if any(job is None or job.company_id != company.id or not job.is_active for job in jobs):
        raise ServiceError("Un des postes choisis n'est plus ouvert au recrutement dans cette structure.", 422,
                           {"job_description_ids": ["Choisissez des postes ouverts de cette structure."]})
    parties = [("employer", company.id, None)]
    if sender_org is not None and sender_org.category == "prescriber":
        parties.append(("prescriber", sender_org.id, actor.id))
        sender_kind = "prescriber"
    elif seeker.user_id == actor.id:
        sender_kind = "job_seeker"
    else:
        sender_kind = "employer"
        parties.append(("sender", sender_org.id if sender_org else None, actor.id))
    parties.append(("job_seeker", None, seeker.user_id))
    data = {"job_seeker_id": seeker.id, "job_seeker_name": seeker.full_name, "company_id": company.id,
            "company_name": company.display_name, "company_kind": company.kind, "sender_kind": sender_kind,
            "sender_name": actor.full_name, "sender_organisation_name": sender_org.name if sender_org else "",
            "message": (message or "").strip(), "job_description_ids": [job.id for job in jobs],
            "job_names": [job.display_name for job in jobs], "diagnosis_id": diagnosis_id,
            "cv_document_id": document_id, "auto_prescription": bool(auto_prescription)}
    case = runtime.start_case("application", data, parties, actor=actor, job_seeker_id=seeker.id,
                              parent_case=parent_case, title=f"{seeker.full_name} → {company.display_name}")
    return case


STARTERS = {"application": open_application}


def start(process_key, actor, org, payload):
    starter = STARTERS.get(process_key)
    if starter is None:
        raise ServiceError(f"Le processus « {process_key} » ne se démarre pas ainsi.", 422)
    try:
        case = starter(actor, org, payload.get("job_seeker_id"), payload.get("company_id"), payload.get("message"))
        db.session.commit()
    except ServiceError:
        db.session.rollback()
        raise
    except runtime.EngineError as exc:
        db.session.rollback()
        raise ServiceError(exc.message, exc.status) from exc
    return case
