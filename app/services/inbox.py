"""Inbox queries: read from the task table only, never from serialized workflows."""
from datetime import timedelta

from sqlalchemy import and_, func, or_

from app.models import Case, Task
from app.models.base import utcnow

PAGE_SIZE = 50


def _base(actor, org_id):
    """Open, listed tasks the actor may do: theirs, their organisation's, or named for them."""
    mine_or_org = [Task.assignee_id == actor.id, Task.candidate_user_id == actor.id]
    if org_id:
        mine_or_org.append(Task.organisation_id == org_id)
    if getattr(actor, "is_support", False):
        # The support lane's tasks belong to no organisation: every support member sees them
        # (same rule as permissions.is_task_candidate).
        mine_or_org.append(and_(Task.role == "support", Task.organisation_id.is_(None),
                                Task.candidate_user_id.is_(None)))
    # A suspended or cancelled case's tasks cannot be done: they leave the inboxes (support.py).
    return (Task.query.join(Case, Case.id == Task.case_id)
            .filter(Task.state == "open", Task.listed.is_(True), Case.status.notin_(("suspended", "cancelled")),
                    or_(*mine_or_org)))


def tasks(actor, org_id, scope="organisation", process=None, stage=None, overdue=False, page=1):
    query = _base(actor, org_id)
    if scope == "mine":
        query = query.filter(Task.assignee_id == actor.id)
    elif scope == "unassigned":
        query = query.filter(Task.assignee_id.is_(None))
    if process:
        query = query.filter(Case.process_key == process)
    if stage:
        query = query.filter(Case.stage == stage)
    if overdue:
        query = query.filter(Task.due_at < utcnow())
    # Overdue and soonest due first; tasks without due date last, oldest first.
    query = query.order_by(Task.due_at.is_(None), Task.due_at, Task.created_at)
    total = query.count()
    items = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all()
    return items, total


def counts(actor, org_id):
    base = _base(actor, org_id)
    now = utcnow()
    return {
        "organisation": base.count(),
        "mine": base.filter(Task.assignee_id == actor.id).count(),
        "unassigned": base.filter(Task.assignee_id.is_(None)).count(),
        "overdue": base.filter(Task.due_at < now).count(),
        "due_soon": base.filter(Task.due_at >= now, Task.due_at < now + timedelta(days=3)).count(),
    }


def facets(actor, org_id):
    """Processes and stages present in the inbox, for the filter menus."""
    rows = (_base(actor, org_id).with_entities(Case.process_key, Case.stage, Case.stage_label, func.count(Task.id))
            .group_by(Case.process_key, Case.stage, Case.stage_label).all())
    processes = sorted({r[0] for r in rows})
    stages = sorted({(r[1], r[2]) for r in rows if r[1]}, key=lambda s: s[1])
    return processes, stages


