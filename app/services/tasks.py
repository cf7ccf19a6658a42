"""Task actions shared by the HTML views and the API: read, claim, release, complete.

Each action is one transaction: load, check the rights, step the engine, commit.
A concurrent change (optimistic lock) is retried once, then refused with a French
message; nothing half-done is ever committed.
"""
from dataclasses import dataclass, field
from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from app import formspec, permissions
from app.engine import runtime
from app.extensions import db
from app.models import Case, Membership, Organisation, Task
from app.models.base import utcnow


class ServiceError(Exception):
    """A refusal to show the user: French message, HTTP status, optional per-field errors."""

    def __init__(self, message, status=400, field_errors=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field_errors = field_errors or {}


# Processes whose forms need more than form_context gives, or checks that span several
# fields, rows or files (the prescription: its targets, duplicates, the CV), register here:
# process key -> object with form_context(task, actor) -> dict and
# before_complete(task, actor, data, files) -> data, raising ServiceError to refuse.
PROCESS_FORM_HOOKS = {}


@dataclass
class Completion:
    case: Case
    next_task: Task | None = None
    data: dict = field(default_factory=dict)


def get_task(task_id, actor, for_action=False):
    task = db.session.get(Task, task_id)
    if task is None:
        raise ServiceError("Cette tâche n'existe pas.", 404)
    allowed = permissions.can_act_on_task(actor, task) or (
        not for_action and permissions.can_view_case(actor, task.case))
    if not allowed:
        raise ServiceError("Cette tâche relève d'une autre organisation : vous ne pouvez pas y accéder.", 403)
    return task


def form_context(task, actor):
    """What a task's form needs to offer the right choices (DOMAIN §4, §5)."""
    employer = task.case.organisation_for("employer")
    others = {}
    if actor is not None and employer is not None:
        memberships = (Membership.query.join(Organisation)
                       .filter(Membership.user_id == actor.id, Membership.is_active.is_(True),
                               Organisation.category == "company", Organisation.id != employer.id)
                       .order_by(Organisation.name))
        others = {str(m.organisation.id): m.organisation.display_name for m in memberships}
    # No "today" here: the form layer uses today's date in Paris, as the IAE rules do.
    context = {"company_kind": employer.kind if employer else "", "other_companies": others}
    hooks = PROCESS_FORM_HOOKS.get(task.case.process_key)
    if hooks is not None:
        context.update(hooks.form_context(task, actor))
    return context


def restricted_choices(task):
    """A diagram limits a field's choices with the property `choices.<field>` = "a,b,c"."""
    return formspec.parse_restrict_choices(task.properties or {})


def load_form_spec(task):
    try:
        return formspec.load_spec(task.form_key, current_app.config["FORMS_DIR"])
    except formspec.FormSpecError as exc:
        raise ServiceError(f"Le formulaire de cette tâche est indisponible : {exc}", 500) from exc


def claim(task_id, actor):
    task = get_task(task_id, actor, for_action=True)
    _require_open(task)
    if task.assignee_id == actor.id:
        return task
    if task.assignee_id is not None:
        raise ServiceError(f"Cette tâche est déjà prise en charge par {task.assignee.full_name}.", 409)
    # Conditional update: of two simultaneous claims exactly one wins.
    won = (Task.query.filter(Task.id == task.id, Task.assignee_id.is_(None), Task.state == "open")
           .update({"assignee_id": actor.id, "claimed_at": utcnow()}, synchronize_session=False))
    if not won:
        db.session.rollback()
        raise ServiceError("Un collègue vient de prendre cette tâche en charge.", 409)
    _log(task, actor, "task_claimed", f"{task.title} : prise en charge par {actor.full_name}")
    db.session.commit()
    db.session.refresh(task)
    return task


def unclaim(task_id, actor):
    task = get_task(task_id, actor, for_action=True)
    _require_open(task)
    if task.assignee_id is None:
        return task
    if task.assignee_id != actor.id and not actor.is_support:
        raise ServiceError("Seule la personne qui a pris la tâche peut la libérer.", 403)
    task.assignee_id = None
    task.claimed_at = None
    _log(task, actor, "task_unclaimed", f"{task.title} : libérée par {actor.full_name}")
    db.session.commit()
    return task


def complete(task_id, actor, formdata=None, json_data=None, files=None):
    """Validate the submission with the task's form spec, then complete it in the engine."""
    task = get_task(task_id, actor, for_action=True)
    _require_open(task)
    if not permissions.can_complete_task(actor, task):
        raise ServiceError(f"Cette tâche est prise en charge par {task.assignee.full_name}.", 409)
    spec = load_form_spec(task)
    context = form_context(task, actor)
    if json_data is not None:
        clean, errors = formspec.validate_json(spec, json_data, context, restricted_choices(task), files=files)
    else:
        form = formspec.build_form(spec, context, restricted_choices(task), formdata=formdata)
        clean, errors = formspec.form_result(form)
    if errors:
        raise ServiceError("Le formulaire contient des erreurs : corrigez les champs signalés.", 422, errors)
    hooks = PROCESS_FORM_HOOKS.get(task.case.process_key)
    if hooks is not None:
        uploads = (files or {}) if json_data is not None else formspec.uploaded_files(form)
        clean = hooks.before_complete(task, actor, clean, uploads)
    return _complete_with_retry(task.id, clean, actor)


def _complete_with_retry(task_id, data, actor):
    for attempt in (1, 2):
        task = db.session.get(Task, task_id)
        try:
            case = runtime.complete_task(task, data, actor)
            next_task = _next_task_for(case, actor)  # before the commit, which expires every row
            db.session.commit()
            return Completion(case, next_task, data)
        except runtime.EngineError as exc:
            db.session.rollback()
            raise ServiceError(exc.message, exc.status) from exc
        except StaleDataError:
            # A colleague changed the case meanwhile: reload and try once more.
            db.session.rollback()
            db.session.expire_all()
            if attempt == 2:
                raise ServiceError("Le dossier a été modifié par quelqu'un d'autre au même moment. "
                                   "Rechargez la page et vérifiez avant de recommencer.", 409)
    raise AssertionError("unreachable")


def _next_task_for(case, actor):
    """The task the actor should do next in this case or a case it just opened, if any."""
    candidates = (Task.query.join(Case).filter(
        Task.state == "open", Task.assignee_id == actor.id,
        (Task.case_id == case.id) | (Case.parent_case_id == case.id))
        .order_by(Task.id.desc()).all())
    return candidates[0] if candidates else None


def _require_open(task):
    if task.state == "completed":
        who = task.completed_by.full_name if task.completed_by else "un collègue"
        raise ServiceError(f"Cette tâche a déjà été traitée par {who}.", 409)
    if task.state != "open":
        raise ServiceError("Cette tâche n'est plus à faire : le dossier a évolué entre-temps.", 409)
    if task.case.status != "running":
        raise ServiceError(runtime.not_running_message(task.case), 409)


def _log(task, actor, kind, summary):
    from app.models import Event
    db.session.add(Event(case_id=task.case_id, actor_id=actor.id, kind=kind, task_id=task.id, summary=summary))
