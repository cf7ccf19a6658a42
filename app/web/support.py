"""Support staff's pages: a case's support actions, incidents, support's queues.

/dossiers/<id>/support              what support can do on a case, with the case's support history
/dossiers/<id>/support/<action>     suspendre, reprendre, annuler, relancer, passer: a reason, then the action
/dossiers/<id>/support/structure    change the organisation bound to a role
/taches/<id>/reaffecter             reassign an open task
/taches/<id>/corriger               correct a completed task's answers
/incidents                          failed automatic steps and failed background jobs
/support/files                      support's own tasks, PASS IAE to deliver by hand

Each action page holds one form (a spec of forms/, drawn by render_spec_form) and sends the
case's lock version it showed in its address (?version=N): a case changed meanwhile is
refused with a French message (app/services/support.py).
"""
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict

from app import formspec, permissions
from app.domain.vocabularies import ROLES
from app.extensions import db
from app.models import Case, Event, Task
from app.services import support
from app.services.supervision import SUPPORT_EVENT_KINDS
from app.services.tasks import ServiceError
from app.web import casedata
from app.web.errors import render_error

bp = Blueprint("support", __name__)

REASON_SPEC = "support_reason"
REASSIGN_SPEC = "support_reassign"
REBIND_SPEC = "support_rebind"

# url word: (service function, page title, what it does, button, allowed statuses)
CASE_ACTIONS = {
    "suspendre": (support.suspend, "Suspendre le dossier",
                  "Ses tâches disparaissent des corbeilles et personne ne peut les traiter jusqu'à la reprise. "
                  "Les échéances qui tombent pendant la suspension prennent effet à la reprise.",
                  "Suspendre", ("running",)),
    "reprendre": (support.resume, "Reprendre le dossier",
                  "Ses tâches reviennent dans les corbeilles ; les échéances dépassées prennent effet dans la minute.",
                  "Reprendre", ("suspended",)),
    "annuler": (support.cancel, "Annuler le dossier",
                "Ses tâches en cours sont closes et il n'évoluera plus. Cette action ne peut pas être défaite.",
                "Annuler le dossier", ("running", "suspended", "error")),
    "relancer": (support.retry, "Relancer l'étape automatique en échec",
                 "L'étape automatique est exécutée de nouveau ; si la cause de l'échec a disparu, le dossier reprend "
                 "son cours.", "Relancer", ("error",)),
    "passer": (support.skip, "Passer l'étape automatique en échec",
               "L'étape est marquée comme faite sans être exécutée : ce qu'elle devait faire (prévenir quelqu'un, "
               "ouvrir un dossier lié…) ne sera pas fait, à vous de le faire si besoin. Le dossier reprend ensuite "
               "son cours.", "Passer l'étape", ("error",)),
}
JOB_ACTIONS = {
    "relancer": (support.retry_job, "Relancer la tâche de fond", "Elle est remise dans la file et s'exécute "
                 "de nouveau dans quelques instants.", "Relancer"),
    "abandonner": (support.skip_job, "Abandonner la tâche de fond", "Elle est retirée de la liste des échecs sans "
                   "être exécutée : ce qu'elle devait faire (envoyer un e-mail…) ne sera pas fait.", "Abandonner"),
}
HISTORY_KINDS = ("task_claimed", "task_unclaimed", "task_reassigned")


def _spec(key):
    return formspec.load_spec(key, current_app.config["FORMS_DIR"])


def _version():
    try:
        return int(request.args["version"])
    except (KeyError, ValueError):
        return None


@bp.before_request
def _support_only():
    """Every page of this blueprint is support staff's: others are sent to log in, or get a 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not permissions.can_support(current_user):
        return render_error(403, support.SUPPORT_ONLY)
    return None


def _case(case_id):
    case = db.session.get(Case, case_id)
    if case is None:
        raise ServiceError("Ce dossier n'existe pas.", 404)
    return case


def _form_errors(form, exc):
    """Put a ServiceError's field messages on the form's fields; the others are returned."""
    others = formspec.place_field_errors(form, exc.field_errors)
    if not exc.field_errors or exc.status != 422:
        others.append(exc.message)
    return others


# -- the case's support page ------------------------------------------------------------------

@bp.route("/dossiers/<int:case_id>/support")
def console(case_id):
    try:
        case = _case(case_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    open_tasks = Task.query.filter_by(case_id=case.id, state="open").order_by(Task.id).all()
    done = [t for t in Task.query.filter_by(case_id=case.id, state="completed").order_by(Task.id) if t.form_key]
    history = (Event.query.filter(Event.case_id == case.id,
                                  Event.kind.in_((*SUPPORT_EVENT_KINDS, "job_retried", "job_skipped")),
                                  Event.actor_id.isnot(None))
               .order_by(Event.id.desc()).limit(50).all())
    return render_template(
        "support/console.html", case=case, open_tasks=open_tasks, done_tasks=done, history=history,
        parties=sorted(case.parties, key=lambda p: p.role), rebindable=support.REBINDABLE_ROLES,
        actions={word: spec for word, spec in CASE_ACTIONS.items() if case.status in spec[4]},
        status_label=casedata.STATUS_LABELS.get(case.status, (case.status, "info")), roles=ROLES)


@bp.route("/dossiers/<int:case_id>/support/<action>", methods=["GET", "POST"])
def case_action(case_id, action):
    if action not in CASE_ACTIONS:
        return render_error(404)
    service, title, explanation, button, _statuses = CASE_ACTIONS[action]
    try:
        case = _case(case_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    form = formspec.build_form(_spec(REASON_SPEC), {})
    problems, status = [], 200
    if request.method == "POST":
        data, errors = formspec.form_result(form)
        try:
            if errors:
                raise ServiceError(support.REASON_REQUIRED, 422, errors)
            outcome = service(case.id, current_user, data["reason"], expected_version=_version())
        except ServiceError as exc:
            db.session.rollback()
            if exc.status == 404:
                return render_error(404, exc.message)
            problems, status = _form_errors(form, exc), exc.status
        else:
            flash(outcome.message, "success" if outcome.ok else "error")
            return redirect(url_for("support.console", case_id=case_id))
        case = _case(case_id)
    return render_template(
        "support/action.html", case=case, title=title, explanation=explanation, form=form, problems=problems,
        action_url=url_for("support.case_action", case_id=case.id, action=action, version=case.lock_version),
        submit_label=button, back_url=url_for("support.console", case_id=case.id)), status


@bp.route("/dossiers/<int:case_id>/support/structure", methods=["GET", "POST"])
def rebind(case_id):
    try:
        case = _case(case_id)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    roles = {role: ROLES.get(role, role) for role in support.REBINDABLE_ROLES
             if case.party(role) is not None or role == "employer"}
    form = formspec.build_form(_spec(REBIND_SPEC), {"roles": roles},
                               data={"role": request.args.get("role")} if request.method == "GET" else None)
    problems, status = [], 200
    if request.method == "POST":
        data, errors = formspec.form_result(form)
        try:
            if errors:
                raise ServiceError("Le formulaire contient des erreurs : corrigez les champs signalés.", 422, errors)
            outcome = support.change_party(case.id, current_user, data["role"], data["organisation"], data["reason"],
                                           expected_version=_version())
        except ServiceError as exc:
            db.session.rollback()
            problems, status = _form_errors(form, exc), exc.status
            case = _case(case_id)
        else:
            flash(outcome.message, "success")
            return redirect(url_for("support.console", case_id=case_id))
    return render_template(
        "support/action.html", case=case, title="Changer la structure d'un rôle",
        explanation="Par exemple pour transférer une candidature à une autre structure. Les tâches en cours de ce "
                    "rôle lui sont transmises.", form=form, problems=problems,
        action_url=url_for("support.rebind", case_id=case.id, version=case.lock_version),
        submit_label="Changer la structure", back_url=url_for("support.console", case_id=case.id)), status


# -- tasks -------------------------------------------------------------------------------------

@bp.route("/taches/<int:task_id>/reaffecter", methods=["GET", "POST"])
def reassign(task_id):
    task = db.session.get(Task, task_id)
    if task is None:
        return render_error(404, "Cette tâche n'existe pas.")
    candidates = {str(u.id): f"{u.full_name} ({u.email})" for u in support.reassignment_candidates(task)
                  if u.id != task.assignee_id}
    form = formspec.build_form(_spec(REASSIGN_SPEC), {"candidates": candidates})
    problems, status = [], 200
    if request.method == "POST":
        data, errors = formspec.form_result(form)
        try:
            if errors:
                raise ServiceError("Le formulaire contient des erreurs : corrigez les champs signalés.", 422, errors)
            outcome = support.reassign(task.id, current_user, data["reason"], assignee_id=data.get("assignee_id"),
                                       email=data.get("outside_email") if data.get("override") else None,
                                       override=bool(data.get("override")), expected_version=_version())
        except ServiceError as exc:
            db.session.rollback()
            problems, status = _form_errors(form, exc), exc.status
            task = db.session.get(Task, task_id)
        else:
            flash(outcome.message, "success")
            return redirect(url_for("tasks.show", task_id=task_id))
    where = task.organisation.display_name if task.organisation else "la personne à qui elle est adressée"
    return render_template(
        "support/action.html", case=task.case, task=task, title=f"Réaffecter : {task.title}",
        explanation=f"Cette tâche revient à {where}."
                    + (f" Elle est aujourd'hui prise en charge par {task.assignee.full_name}." if task.assignee
                       else " Personne ne l'a prise en charge."),
        form=form, problems=problems,
        action_url=url_for("support.reassign", task_id=task.id, version=task.case.lock_version),
        submit_label="Réaffecter", back_url=url_for("support.console", case_id=task.case_id),
        closed=task.state != "open"), status


@bp.route("/taches/<int:task_id>/corriger", methods=["GET", "POST"])
def correct(task_id):
    task = db.session.get(Task, task_id)
    if task is None:
        return render_error(404, "Cette tâche n'existe pas.")
    try:
        spec, context, restrict, previous = support.correction_setup(task, current_user)
    except ServiceError as exc:
        return render_error(exc.status, exc.message)
    problems, status = [], 200
    if request.method == "POST":
        formdata = CombinedMultiDict((request.files, request.form)) if request.files else request.form
        try:
            outcome = support.correct(task.id, current_user, formdata=formdata, expected_version=_version())
        except ServiceError as exc:
            db.session.rollback()
            task = db.session.get(Task, task_id)
            form = formspec.build_form(spec, context, restrict, formdata=formdata)
            form.validate()
            problems, status = _form_errors(form, exc), exc.status
        else:
            flash(outcome.message, "success")
            return redirect(url_for("support.console", case_id=task.case_id))
    else:
        form = formspec.build_form(spec, context, restrict, data=previous)
    return render_template(
        "support/action.html", case=task.case, task=task, title=f"Corriger les réponses : {task.title}",
        explanation=f"Traitée par {task.completed_by.full_name if task.completed_by else 'un utilisateur'}"
                    f"{' le ' + task.completed_at.strftime('%d/%m/%Y') if task.completed_at else ''}. "
                    "Les règles s'appliquent comme au jour où la tâche a été traitée.",
        form=form, problems=problems,
        action_url=url_for("support.correct", task_id=task.id, version=task.case.lock_version),
        submit_label="Enregistrer la correction", back_url=url_for("support.console", case_id=task.case_id)), status


# -- incidents and queues --------------------------------------------------------------------

@bp.route("/incidents")
def incidents():
    jobs, jobs_notice = support.failed_jobs()
    return render_template("support/incidents.html", cases=support.case_incidents(), jobs=jobs,
                           jobs_notice=jobs_notice)


@bp.route("/incidents/taches-de-fond/<job_id>/<action>", methods=["GET", "POST"])
def job_action(job_id, action):
    if action not in JOB_ACTIONS:
        return render_error(404)
    service, title, explanation, button = JOB_ACTIONS[action]
    form = formspec.build_form(_spec(REASON_SPEC), {})
    problems, status = [], 200
    if request.method == "POST":
        data, errors = formspec.form_result(form)
        try:
            if errors:
                raise ServiceError(support.REASON_REQUIRED, 422, errors)
            message = service(job_id, current_user, data["reason"])
        except ServiceError as exc:
            db.session.rollback()
            if exc.status == 404:
                flash(exc.message, "error")
                return redirect(url_for("support.incidents"))
            problems, status = _form_errors(form, exc), exc.status
        else:
            flash(message, "success")
            return redirect(url_for("support.incidents"))
    return render_template(
        "support/action.html", case=None, title=title, explanation=explanation, form=form, problems=problems,
        job_id=job_id, action_url=url_for("support.job_action", job_id=job_id, action=action),
        submit_label=button, back_url=url_for("support.incidents")), status


@bp.route("/support/files")
def queues():
    from app.services.supervision import processes
    return render_template("support/queues.html", groups=support.support_tasks(), process_names=processes(),
                           manual_pass=support.manual_pass_queue())


# -- the task page's "why is this task yours" ----------------------------------------------------

@bp.app_template_global("assignment_history")
def assignment_history(task):
    """Who took, released or was given the task, when, and why (support's reason), oldest first."""
    events = (Event.query.filter(Event.task_id == task.id, Event.kind.in_(HISTORY_KINDS))
              .order_by(Event.id).all())
    return [{"at": e.at, "kind": e.kind, "summary": e.summary,
             "actor": e.actor.full_name if e.actor else "Plateforme",
             "reason": (e.data or {}).get("reason", "")} for e in events]
