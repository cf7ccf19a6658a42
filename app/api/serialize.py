"""The JSON shapes of the API (documented in app/api/openapi.py; tests compare both).

Personal data: the job seeker's name (the case's subject, already in its title) is shown
to everyone who may view the case; no contact details, birth date or NIR are ever
returned. Names of the professionals bound to a case or working on its tasks are shown
to the case's professional parties and support (permissions.can_see_private_comment),
to a task's candidates, and to the person themself; the job seeker sees organisations only.
"""
from flask import url_for

from app import formspec, permissions
from app.domain.vocabularies import ROLES
from app.models.base import utcnow
from app.services import tasks as task_service

# Lane roles, plus the party roles that are not lanes.
ROLE_LABELS = {**ROLES, "sender": "Émetteur de la candidature"}


def iso(value):
    return value.isoformat() if value is not None else None


def person(user):
    return {"id": user.id, "name": user.full_name} if user is not None else None


def user_json(user):
    return {"id": user.id, "name": user.full_name, "email": user.email, "kind": user.kind,
            "is_support": bool(user.is_support)}


def organisation_json(organisation):
    if organisation is None:
        return None
    return {"id": organisation.id, "name": organisation.display_name, "category": organisation.category,
            "kind": organisation.kind}


def can_see_people(actor, case):
    return permissions.can_see_private_comment(actor, case)


def case_ref(case):
    """The few case fields a task summary carries."""
    return {"id": case.id, "reference": case.reference, "process": case.process_key,
            "stage": case.stage, "stage_label": case.stage_label}


def case_summary(case):
    return {
        "id": case.id,
        "reference": case.reference,
        "process": case.process_key,
        "version": case.process_version.version if case.process_version else None,
        "title": case.title,
        "status": case.status,
        "stage": case.stage,
        "stage_label": case.stage_label,
        "archived": bool(case.archived),
        "created_at": iso(case.created_at),
        "closed_at": iso(case.closed_at),
        "links": {"self": url_for("api.get_case", case_id=case.id)},
    }


def task_summary(task, show_people=True):
    return {
        "id": task.id,
        "title": task.title,
        "form_key": task.form_key,
        "role": task.role,
        "role_label": ROLE_LABELS.get(task.role, task.role),
        "state": task.state,
        "case": case_ref(task.case),
        "organisation_id": task.organisation_id,
        "assignee": person(task.assignee) if show_people else None,
        "due_at": iso(task.due_at),
        "overdue": bool(task.state == "open" and task.due_at is not None and task.due_at < utcnow()),
        "created_at": iso(task.created_at),
        "links": task_links(task),
    }


def task_links(task):
    links = {"self": url_for("api.get_task", task_id=task.id),
             "case": url_for("api.get_case", case_id=task.case_id)}
    if task.state == "open":
        links.update(claim=url_for("api.claim_task", task_id=task.id),
                     unclaim=url_for("api.unclaim_task", task_id=task.id),
                     complete=url_for("api.complete_task", task_id=task.id))
    return links


def task_detail(task, actor):
    """A task, what the actor may do with it, and its form as the actor would see it."""
    show_people = permissions.can_act_on_task(actor, task) or can_see_people(actor, task.case)
    body = task_summary(task, show_people)
    body.update(
        claimed_at=iso(task.claimed_at),
        completed_at=iso(task.completed_at),
        completed_by=person(task.completed_by) if show_people else None,
        can_complete=bool(task.state == "open" and task.case.status == "running"
                          and permissions.can_complete_task(actor, task)),
        case=case_summary(task.case),
        form=form_json(task, actor),
    )
    return body


def form_json(task, actor):
    spec = task_service.load_form_spec(task)
    context = task_service.form_context(task, actor)
    restricted = task_service.restricted_choices(task)
    return {
        "key": spec.form_key,
        "title": spec.title,
        "description": spec.description,
        "fields": [field_json(field_spec, context, restricted.get(field_spec.name)) for field_spec in spec.fields],
    }


def field_json(field_spec, context, allowed):
    body = {
        "name": field_spec.name,
        "type": field_spec.type,
        "label": field_spec.label,
        "help": field_spec.help or "",
        "required": bool(field_spec.required),
        "required_if": _condition(field_spec.required_if),
        "show_if": _condition(field_spec.show_if),
        "choices": None,
    }
    if field_spec.is_choice:
        body["choices"] = [{"value": value, "label": label}
                           for value, label in formspec.resolve_choices(field_spec, context, allowed)]
    for key in ("max_length", "min", "max"):
        value = getattr(field_spec, key, None)
        if value is not None:
            body[key] = value
    return body


def _condition(mapping):
    if not mapping:
        return None
    return {name: list(values) if isinstance(values, (list, tuple)) else [values]
            for name, values in mapping.items()}


def case_detail(case, actor, open_tasks, events):
    show_people = can_see_people(actor, case)
    body = case_summary(case)
    seeker = case.job_seeker
    body.update(
        job_seeker={"id": seeker.id, "name": seeker.full_name} if seeker is not None else None,
        parties=[party_json(party, actor, show_people) for party in case.parties],
        open_tasks=[task_summary(task, show_people or permissions.can_act_on_task(actor, task))
                    for task in open_tasks],
        events=[event_json(event) for event in events],
    )
    return body


def party_json(party, actor, show_people):
    shown = party.user is not None and (show_people or party.user_id == actor.id)
    return {
        "role": party.role,
        "role_label": ROLE_LABELS.get(party.role, party.role),
        "organisation": {"id": party.organisation.id, "name": party.organisation.display_name}
        if party.organisation is not None else None,
        "person": person(party.user) if shown else None,
    }


def event_json(item):
    """An item of services.cases.timeline (private fields already removed there)."""
    return {"id": item["id"], "at": iso(item["at"]), "kind": item["kind"], "summary": item["summary"],
            "actor": item["actor"], "data": item["data"]}
