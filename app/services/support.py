"""Support's actions on a case, the incidents, and support's own queues (DESIGN: support staff).

Every action here:
- is for support staff only (permissions.can_support);
- needs a reason, kept in the case's event log with the author (supervisors read it);
- is checked against the case's lock version the user saw: if the case changed meanwhile,
  nothing is changed and a French message says so (409);
- is one transaction, committed here.

What each action does:
- reassign: an open task to an active member of its organisation; to someone outside only
  with `override` (that person may then act on this task only: permissions.is_assignee).
- change_party: bind a role of the case to another organisation (e.g. a transfer); the
  role's open tasks move to it, unassigned; the employer's name in the case's data follows.
- suspend / resume: status suspended ⇄ running; a suspended case's tasks leave the inboxes
  and cannot be completed (the engine refuses cases that are not running); timers that fall
  due meanwhile fire at the first clock tick after the resumption.
- cancel: status cancelled, open tasks cancelled, no timer nor message reaches it any more.
- retry: run again the automatic steps that failed (runtime.retry_failed_steps).
- skip: mark the failed automatic steps as done without running them (repairs.skip_failed_steps);
  what they would have done does not happen.
- correct: re-submit a completed task's form with corrected answers. The new values replace
  the old ones in the case's current data (repairs.correct_data) without running, rewinding
  or skipping any step; fields the diagram uses to choose the path (choices.<field>) keep
  their value; the rules are checked as on the day the task was completed; the original
  answers stay in the log next to the correction.
"""
import logging
from dataclasses import dataclass
from datetime import datetime

import redis
import yaml
from flask import current_app
from sqlalchemy import func
from sqlalchemy.orm.exc import StaleDataError

from app import formspec, permissions
from app.domain.identifiers import InvalidIdentifier, validate_siret
from app.domain.vocabularies import PERSONAL_VALUE_LOGGED, ROLES
from app.engine import repairs, runtime
from app.extensions import db
from app.jobs import retries
from app.models import (
    Case,
    CaseParty,
    Event,
    Notification,
    Organisation,
    Task,
    User,
)
from app.models.audit import record
from app.models.base import utcnow
from app.services import tasks as task_service
from app.services.tasks import ServiceError

log = logging.getLogger(__name__)

REASON_MAX = 2000
SUPPORT_ONLY = "Cette action est réservée au support de la plateforme."
REASON_REQUIRED = "Indiquez le motif : il est conservé dans l'historique du dossier."
CONFLICT = ("Le dossier a changé depuis que vous avez ouvert cette page. Rechargez-la et vérifiez avant de "
            "recommencer : rien n'a été modifié.")
# Roles whose organisation support may change, and the kind of organisation each takes.
REBINDABLE_ROLES = {"employer": ("company",), "prescriber": ("prescriber",),
                    "authorized_prescriber": ("prescriber",), "sender": ("company", "prescriber")}
# The case data that names the employer (app/services/cases.py, the transfer operation).
EMPLOYER_DATA_KEYS = ("company_id", "company_name", "company_kind")
CORRECTION_REASON_FIELD = {"name": "support_reason", "type": "textarea", "required": True, "max_length": REASON_MAX,
                           "label": "Motif de la correction",
                           "help": "Conservé dans l'historique du dossier, avec votre nom."}


@dataclass
class Outcome:
    """What an action did, for the page or the API: the case, a French message, success."""
    case: Case
    message: str
    ok: bool = True


# -- shared checks ---------------------------------------------------------------------------

def require_support(actor):
    if not permissions.can_support(actor):
        raise ServiceError(SUPPORT_ONLY, 403)


def clean_reason(reason):
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ServiceError(REASON_REQUIRED, 422, {"reason": ["Ce champ est obligatoire."]})
    if len(reason) > REASON_MAX:
        raise ServiceError(f"Le motif ne doit pas dépasser {REASON_MAX} caractères.", 422,
                           {"reason": [f"{REASON_MAX} caractères au maximum."]})
    return reason


def load_case(case_id, actor, expected_version=None):
    require_support(actor)
    case = db.session.get(Case, case_id)
    if case is None:
        raise ServiceError("Ce dossier n'existe pas.", 404)
    check_version(case, expected_version)
    return case


def check_version(case, expected_version):
    if expected_version is not None and expected_version != case.lock_version:
        raise ServiceError(CONFLICT, 409)


def _log(case, actor, kind, summary, data, task=None):
    db.session.add(Event(case_id=case.id, actor_id=actor.id, kind=kind, task_id=task.id if task else None,
                         summary=summary[:500], data=data))
    # Any support action is a change of the case: its version moves, so a page opened
    # before it cannot act on what it no longer shows.
    case.updated_at = utcnow()


def _commit():
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ServiceError(CONFLICT, 409) from None


def _engine_call(fn):
    """Run an engine step; its French refusals become ServiceErrors, nothing half-done kept."""
    try:
        with retries.handled_by_caller():
            return fn()
    except runtime.EngineError as exc:
        db.session.rollback()
        raise ServiceError(exc.message, exc.status) from exc


# -- reassign a task --------------------------------------------------------------------------

def reassignment_candidates(task):
    """Active members of the task's organisation, who may take it without override."""
    return task.organisation.active_members() if task.organisation is not None else []


def reassign(task_id, actor, reason, assignee_id=None, email=None, override=False, expected_version=None):
    require_support(actor)
    reason = clean_reason(reason)
    task = db.session.get(Task, task_id)
    if task is None:
        raise ServiceError("Cette tâche n'existe pas.", 404)
    case = task.case
    check_version(case, expected_version)
    if task.state != "open":
        raise ServiceError("Cette tâche n'est plus à faire : elle ne peut pas être réaffectée.", 409)
    target = _reassignment_target(assignee_id, email)
    inside = task.organisation_id is not None and permissions.is_member(target, task.organisation_id)
    if not inside and not override:
        where = task.organisation.display_name if task.organisation else "la personne à qui la tâche est adressée"
        message = (f"{target.full_name} n'est pas membre actif de {where}. Pour lui confier quand même la tâche, "
                   "cochez la case de confirmation.")
        raise ServiceError(message, 422, {"assignee_id": [message]})
    if target.id == task.assignee_id:
        raise ServiceError(f"La tâche est déjà confiée à {target.full_name}.", 409)
    previous = task.assignee
    task.assignee_id = target.id
    task.claimed_at = utcnow()
    _log(case, actor, "task_reassigned", f"{task.title} : confiée à {target.full_name} par le support",
         {"reason": reason, "support": True, "override": bool(override and not inside),
          "from": {"id": previous.id, "name": previous.full_name} if previous else None,
          "to": {"id": target.id, "name": target.full_name}}, task)
    _commit()
    return Outcome(case, f"La tâche « {task.title} » est confiée à {target.full_name}.")


def _reassignment_target(assignee_id, email):
    target = None
    if email:
        target = User.query.filter(func.lower(User.email) == str(email).strip().lower()).first()
        field = "outside_email"
    elif assignee_id:
        try:
            target = db.session.get(User, int(assignee_id))
        except (TypeError, ValueError):
            target = None
        field = "assignee_id"
    else:
        message = "Choisissez la personne à qui confier la tâche."
        raise ServiceError(message, 422, {"assignee_id": [message]})
    if target is None or not target.is_active or target.kind == "job_seeker":
        message = "Aucun compte professionnel actif ne correspond à cette personne."
        raise ServiceError(message, 422, {field: [message]})
    return target


# -- change the organisation bound to a role ----------------------------------------------------

def find_organisation(reference):
    """An organisation from its SIRET (14 digits) or its number in Parcours."""
    text = "".join(str(reference or "").split())
    if not text:
        raise ServiceError("Indiquez la structure.", 422, {"organisation": ["Ce champ est obligatoire."]})
    if text.isdigit() and len(text) == 14:
        try:
            organisation = Organisation.query.filter_by(siret=validate_siret(text)).first()
        except InvalidIdentifier as exc:
            raise ServiceError(str(exc), 422, {"organisation": [str(exc)]}) from None
    elif text.isdigit() and len(text) < 10:
        organisation = db.session.get(Organisation, int(text))
    else:
        message = "Indiquez le SIRET de la structure (14 chiffres) ou son numéro dans Parcours."
        raise ServiceError(message, 422, {"organisation": [message]})
    if organisation is None:
        message = "Aucune structure ne correspond."
        raise ServiceError(message, 422, {"organisation": [message]})
    return organisation


def change_party(case_id, actor, role, organisation_reference, reason, expected_version=None):
    require_support(actor)
    reason = clean_reason(reason)
    case = load_case(case_id, actor, expected_version)
    if role not in REBINDABLE_ROLES:
        raise ServiceError("Choisissez un rôle du dossier.", 422, {"role": ["Rôle inconnu."]})
    if case.status in ("completed", "cancelled"):
        raise ServiceError(runtime.not_running_message(case), 409)
    organisation = find_organisation(organisation_reference)
    if organisation.category not in REBINDABLE_ROLES[role]:
        message = f"Le rôle « {ROLES.get(role, role)} » ne peut pas revenir à {organisation.display_name}."
        raise ServiceError(message, 422, {"organisation": [message]})
    party = case.party(role)
    previous = party.organisation if party else None
    if previous is not None and previous.id == organisation.id:
        raise ServiceError(f"Ce rôle revient déjà à {organisation.display_name}.", 409)
    if party is None:
        party = CaseParty(case_id=case.id, role=role)
        case.parties.append(party)
    party.organisation_id = organisation.id
    moved = []
    for task in Task.query.filter_by(case_id=case.id, state="open", role=role):
        task.organisation_id = organisation.id
        task.assignee_id = None
        task.claimed_at = None
        moved.append(task.id)
    summary = (f"{ROLES.get(role, role)} : {previous.display_name if previous else 'personne'} → "
               f"{organisation.display_name} (support)")
    details = {"reason": reason, "support": True, "role": role, "tasks": moved,
               "from": {"id": previous.id, "name": previous.display_name} if previous else None,
               "to": {"id": organisation.id, "name": organisation.display_name}}
    data_changes = {}
    if role == "employer":
        current = runtime.case_state(case).data
        values = {"company_id": organisation.id, "company_name": organisation.display_name,
                  "company_kind": organisation.kind}
        data_changes = {k: v for k, v in values.items() if k in current}
    db.session.flush()
    db.session.expire(party, ["organisation"])
    if data_changes:
        _engine_call(lambda: repairs.correct_data(case, data_changes, actor, summary, details=details,
                                                  kind="party_changed"))
        case.updated_at = utcnow()
    else:
        _log(case, actor, "party_changed", summary, details)
    _commit()
    return Outcome(case, f"Le rôle « {ROLES.get(role, role)} » revient maintenant à {organisation.display_name}"
                         f"{f' ; {len(moved)} tâche(s) lui sont transmises' if moved else ''}.")


# -- suspend, resume, cancel ---------------------------------------------------------------------

def suspend(case_id, actor, reason, expected_version=None):
    require_support(actor)
    reason = clean_reason(reason)
    case = load_case(case_id, actor, expected_version)
    if case.status != "running":
        raise ServiceError(f"Seul un dossier en cours peut être suspendu. {runtime.not_running_message(case)}", 409)
    case.status = "suspended"
    _log(case, actor, "case_suspended", "Dossier suspendu par le support", {"reason": reason, "support": True})
    _commit()
    return Outcome(case, "Le dossier est suspendu : ses tâches ne sont plus proposées et personne ne peut les "
                         "traiter jusqu'à sa reprise.")


def resume(case_id, actor, reason, expected_version=None):
    require_support(actor)
    reason = clean_reason(reason)
    case = load_case(case_id, actor, expected_version)
    if case.status != "suspended":
        raise ServiceError("Ce dossier n'est pas suspendu.", 409)
    case.status = "running"
    _log(case, actor, "case_resumed", "Dossier repris par le support", {"reason": reason, "support": True})
    _commit()
    return Outcome(case, "Le dossier a repris : ses tâches sont de nouveau proposées.")


def cancel(case_id, actor, reason, expected_version=None):
    require_support(actor)
    reason = clean_reason(reason)
    case = load_case(case_id, actor, expected_version)
    if case.status in ("completed", "cancelled"):
        raise ServiceError(runtime.not_running_message(case), 409)
    now = utcnow()
    closed = []
    for task in Task.query.filter_by(case_id=case.id, state="open"):
        task.state = "cancelled"
        task.completed_at = now
        closed.append(task.id)
    case.status = "cancelled"
    case.closed_at = now
    case.next_wake_at = None
    case.waiting_messages = ""
    _log(case, actor, "case_cancelled", "Dossier annulé par le support",
         {"reason": reason, "support": True, "tasks": closed})
    _commit()
    return Outcome(case, "Le dossier est annulé." + (f" {len(closed)} tâche(s) en cours ont été closes." if closed else ""))


# -- failed automatic steps ----------------------------------------------------------------------

def retry(case_id, actor, reason, expected_version=None):
    require_support(actor)
    reason = clean_reason(reason)
    case = load_case(case_id, actor, expected_version)
    if case.status != "error":
        raise ServiceError("Ce dossier n'est pas bloqué : il n'y a rien à relancer.", 409)
    _engine_call(lambda: runtime.retry_failed_steps(case, actor, {"reason": reason, "support": True}))
    _commit()
    if case.status == "error":
        return Outcome(case, f"La relance a de nouveau échoué : {case.last_error}", ok=False)
    return Outcome(case, "L'étape automatique a été relancée avec succès : le dossier a repris son cours.")


def skip(case_id, actor, reason, expected_version=None):
    require_support(actor)
    reason = clean_reason(reason)
    case = load_case(case_id, actor, expected_version)
    if case.status != "error":
        raise ServiceError("Ce dossier n'est pas bloqué : il n'y a rien à passer.", 409)
    names = _engine_call(lambda: repairs.skip_failed_steps(case, actor, {"reason": reason, "support": True}))
    _commit()
    message = f"Étape passée sans être exécutée : {', '.join(names)}."
    if case.status == "error":
        return Outcome(case, f"{message} Une étape suivante a échoué à son tour : {case.last_error}", ok=False)
    return Outcome(case, f"{message} Le dossier a repris son cours.")


# -- correct a completed task's answers ----------------------------------------------------------

def recorded_answers(task):
    """The task's answers as they stand: its completion, then each correction, oldest first."""
    answers = {}
    events = (Event.query.filter(Event.task_id == task.id, Event.kind.in_(("task_completed", "data_corrected")))
              .order_by(Event.id))
    for event in events:
        fields = (event.data or {}).get("fields")
        if isinstance(fields, dict):
            # Personal values are not in the log (only a marker): the correction form leaves them empty.
            answers.update({k: v for k, v in fields.items() if v != PERSONAL_VALUE_LOGGED})
    return answers


def correction_spec(task):
    """The task's form spec without file fields, plus the mandatory reason."""
    spec = task_service.load_form_spec(task)
    raw = dict(spec.raw)
    raw["fields"] = [dict(f) for f in raw["fields"] if f.get("type") != "file"] + [dict(CORRECTION_REASON_FIELD)]
    raw["title"] = f"Corriger : {spec.title}"
    raw["description"] = ("Les nouvelles valeurs remplacent les anciennes dans les données du dossier, sans le "
                          "faire avancer ni reculer. Les choix qui ont décidé du chemin du dossier ne peuvent "
                          "pas changer ici.")
    return formspec.parse_spec(yaml.safe_dump(raw, allow_unicode=True), f"{spec.form_key}.correction")


def correction_setup(task, actor):
    """(spec, context, restrict, previous answers) of a completed task's correction form."""
    require_support(actor)
    if task.state != "completed" or not task.form_key:
        raise ServiceError("Seule une tâche traitée, avec un formulaire, peut être corrigée.", 409)
    spec = correction_spec(task)
    previous = recorded_answers(task)
    context = task_service.form_context(task, task.completed_by)
    # The rules as they applied the day the task was completed (a start date "not in the
    # past" then may well be in the past now).
    if task.completed_at is not None:
        from app.web.filters import to_paris
        context["today"] = to_paris(task.completed_at).date()
    restrict = {}
    for name, codes in task_service.restricted_choices(task).items():
        value = previous.get(name)
        restrict[name] = [str(value)] if value not in (None, "") else codes
    return spec, context, restrict, previous


def correct(task_id, actor, formdata=None, json_data=None, expected_version=None):
    require_support(actor)
    task = db.session.get(Task, task_id)
    if task is None:
        raise ServiceError("Cette tâche n'existe pas.", 404)
    case = task.case
    check_version(case, expected_version)
    spec, context, restrict, previous = correction_setup(task, actor)
    if json_data is not None:
        clean, errors = formspec.validate_json(spec, json_data, context, restrict)
    else:
        form = formspec.build_form(spec, context, restrict, formdata=formdata)
        clean, errors = formspec.form_result(form)
    if errors:
        raise ServiceError("Le formulaire contient des erreurs : corrigez les champs signalés.", 422, errors)
    reason = clean_reason(clean.pop("support_reason", ""))
    changes = {name: value for name, value in clean.items() if _changed(previous, name, value)}
    if not changes:
        raise ServiceError("Aucune réponse n'a changé : il n'y a rien à corriger.", 422)
    _engine_call(lambda: repairs.correct_data(
        case, changes, actor, f"{task.title} : réponses corrigées par le support", task_row=task,
        details={"reason": reason, "support": True, "previous_fields": sorted(changes)}))
    case.updated_at = utcnow()
    _commit()
    return Outcome(case, f"Les réponses de « {task.title} » sont corrigées ({len(changes)} champ(s)).")


def _changed(previous, name, value):
    if name in previous:
        return previous[name] != value
    return value not in (None, "", [], False)


# -- incidents ---------------------------------------------------------------------------------

@dataclass
class CaseIncident:
    case: Case
    element: str
    error: str
    failed_at: datetime | None
    retries: int


@dataclass
class JobIncident:
    id: str
    function: str
    description: str
    error: str
    failed_at: datetime | None
    retries: int
    case: Case | None


INCIDENT_LIMIT = 200
_SPELL_BREAKERS = ("task_completed", "timer_fired", "message_received", "service_skipped", "case_resumed")


def case_incidents():
    """Cases whose automatic step failed (status error), most recent failure first."""
    blocked = Case.query.filter_by(status="error").order_by(Case.updated_at.desc()).limit(INCIDENT_LIMIT).all()
    incidents = []
    for case in blocked:
        events = (Event.query.filter(Event.case_id == case.id,
                                     Event.kind.in_(("service_failed", "service_retried", *_SPELL_BREAKERS)))
                  .order_by(Event.id).all())
        failure = next((e for e in reversed(events) if e.kind == "service_failed"), None)
        incidents.append(CaseIncident(case, (failure.summary if failure else "").replace(
            "Étape automatique en échec : ", ""), case.last_error, failure.at if failure else None,
            retry_count(events)))
    return incidents


def retry_count(events):
    """Retries since the failure that started the current incident.

    The incident starts at the first failure that follows something other than a retry
    (a retry that failed continues it; a success, a task done or a timer ends it)."""
    count = 0
    previous = None
    for event in events:
        if event.kind == "service_failed" and previous != "service_retried":
            count = 0
        elif event.kind == "service_retried":
            count += 1
        elif event.kind in _SPELL_BREAKERS:
            count = 0
        previous = event.kind
    return count


def failed_jobs():
    """(jobs, None) from RQ's FailedJobRegistry, or ([], French reason) when it cannot be read."""
    if current_app.config.get("JOBS_SYNC"):
        return [], "Les tâches de fond s'exécutent immédiatement sur ce serveur (mode synchrone) : il n'y a pas " \
                   "de file d'attente à surveiller."
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    from app.jobs.queue import RETRY, get_queue
    try:
        queue = get_queue()
        registry = FailedJobRegistry(queue=queue)
        jobs = [j for j in Job.fetch_many(registry.get_job_ids(0, INCIDENT_LIMIT - 1), connection=queue.connection)
                if j is not None]
    except redis.RedisError:
        log.exception("failed job registry unreadable")
        return [], "La file des tâches de fond est injoignable pour le moment : réessayez dans un instant."
    rows = []
    for job in jobs:
        result = job.latest_result()
        error = (getattr(result, "exc_string", "") or "").strip().splitlines()
        rows.append(JobIncident(job.id, job.func_name, _job_label(job), error[-1] if error else "",
                                job.ended_at, RETRY["max"] - (job.retries_left or 0) if job.retries_left is not None
                                else 0, _job_case(job)))
    rows.sort(key=lambda j: j.failed_at or datetime.min, reverse=True)
    return rows, None


JOB_LABELS = {
    "app.jobs.mail.send_notification": "Envoi d'un e-mail de notification",
    "app.jobs.timers.wake_due_cases": "Réveil des dossiers dont une échéance est atteinte",
    retries.RETRY_JOB: "Relance automatique d'une étape en échec",
    "app.jobs.retries.plan_attempt": "Programmation d'une relance automatique",
}


def _job_label(job):
    return JOB_LABELS.get(job.func_name, job.func_name)


def _job_case(job):
    """The case a failed job was working for, when its arguments say."""
    args = job.args or ()
    if not args:
        return None
    try:
        if job.func_name in (retries.RETRY_JOB, "app.jobs.retries.plan_attempt"):
            return db.session.get(Case, int(args[0]))
        if job.func_name == "app.jobs.mail.send_notification":
            row = db.session.get(Notification, int(args[0]))
            return row.case if row is not None else None
    except (TypeError, ValueError):
        return None
    return None


def _failed_job(job_id):
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    from app.jobs.queue import get_queue
    queue = get_queue()
    registry = FailedJobRegistry(queue=queue)
    if job_id not in registry.get_job_ids():
        raise ServiceError("Cette tâche de fond n'est plus en échec (déjà relancée ou abandonnée).", 404)
    return registry, Job.fetch(job_id, connection=queue.connection)


def retry_job(job_id, actor, reason):
    require_support(actor)
    reason = clean_reason(reason)
    registry, job = _failed_job(job_id)
    case = _job_case(job)
    registry.requeue(job_id)
    _record_job_action(case, actor, "job_retried", f"Tâche de fond relancée : {_job_label(job)}", job, reason)
    return f"La tâche de fond « {_job_label(job)} » est relancée."


def skip_job(job_id, actor, reason):
    """Abandon a failed job: removed from the failures without running; what it had to do is not done."""
    require_support(actor)
    reason = clean_reason(reason)
    registry, job = _failed_job(job_id)
    case = _job_case(job)
    registry.remove(job, delete_job=True)
    _record_job_action(case, actor, "job_skipped", f"Tâche de fond abandonnée : {_job_label(job)}", job, reason)
    return f"La tâche de fond « {_job_label(job)} » est abandonnée : elle ne sera pas exécutée."


def _record_job_action(case, actor, kind, summary, job, reason):
    data = {"reason": reason, "support": True, "job_id": job.id, "function": job.func_name}
    if case is not None:
        db.session.add(Event(case_id=case.id, actor_id=actor.id, kind=kind, summary=summary, data=data))
    else:
        record(kind, actor=actor, summary=summary, data=data)
    db.session.commit()


# -- support's own queues ------------------------------------------------------------------------

def support_tasks():
    """Open tasks of the role "support" of running cases, by process: {process key: [tasks]}."""
    rows = (Task.query.join(Case, Case.id == Task.case_id)
            .filter(Task.role == "support", Task.state == "open", Case.status == "running")
            .order_by(Task.due_at.is_(None), Task.due_at, Task.created_at).limit(500).all())
    grouped = {}
    for task in rows:
        grouped.setdefault(task.case.process_key, []).append(task)
    return grouped


def manual_pass_queue():
    """PASS IAE to deliver by hand (DOMAIN §5 step 5): the open "Délivrer le PASS IAE
    manuellement" tasks of running hires (bpmn/hire.bpmn), oldest first."""
    return (Task.query.join(Case, Case.id == Task.case_id)
            .filter(Task.form_key == "pass_manual_delivery", Task.state == "open", Case.status == "running")
            .order_by(Task.created_at, Task.id).limit(500).all())
