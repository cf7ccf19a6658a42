"""What the suspending organisation sees once another company's hire ended its suspension: no
task of the suspension left in its inbox nor on the PASS page, and the case page saying why."""
from datetime import timedelta

import pytest

from app.engine import runtime
from app.extensions import db
from app.models import Approval, Case, JobSeeker, Organisation, Suspension, Task, User
from app.services import approvals
from app.services.job_seekers import today_paris
from tests.support.hire import declare_hire_in
from tests.web.builders import build_scene, child_case_id, login, logout, open_task_id, send_application, text

TODAY = today_paris()
DAY = timedelta(days=1)
ACTION_TITLES = ("Modifier la suspension", "Mettre fin à la suspension", "Supprimer la suspension")


@pytest.fixture
def scene(app):
    return build_scene(app)


def suspended_by_jardins(app, client, scene):
    """Nadia's PASS, hired at Les Jardins 100 days ago and suspended by them from the browser."""
    with app.app_context():
        start = TODAY - 100 * DAY
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["nadia"]), start)
        approvals.attach_hire(approval, db.session.get(Organisation, scene.orgs["jardins"]), None, start)
        db.session.commit()
        approval_id, version = approval.id, approval.lock_version
    login(client, scene.email("colleague"))
    response = client.post(f"/pass/{approval_id}/suspendre", data={
        "reason": "CONTRACT_BROKEN", "start_at": (TODAY - 10 * DAY).strftime("%d/%m/%Y"),
        "end_at": (TODAY + 19 * DAY).strftime("%d/%m/%Y"), "explanation": "", "lock_version": version})
    assert response.status_code == 302
    with app.app_context():
        suspension = Suspension.query.one()
        return approval_id, suspension.id, suspension.case_id


def hired_at_recyclerie(app, scene, start):
    """La Recyclerie accepts Nadia and declares her contract from `start`; returns the hire case id."""
    application_id = send_application(app, scene, company="recyclerie")
    with app.app_context():
        task = db.session.get(Task, open_task_id(app, application_id))
        runtime.complete_task(task, {"decision": "accept"}, db.session.get(User, scene.users["employer"]))
        db.session.commit()
    declare_hire_in(app, application_id, scene.users["employer"], start)
    return child_case_id(app, application_id)


def test_the_suspending_organisation_has_nothing_left_to_do_once_a_hire_ended_it(app, client, scene):
    approval_id, suspension_id, case_id = suspended_by_jardins(app, client, scene)
    page = text(client.get(f"/pass/{approval_id}"))
    assert f"/suspensions/{suspension_id}/modifier" in page

    hire_id = hired_at_recyclerie(app, scene, TODAY)
    with app.app_context():
        assert db.session.get(Suspension, suspension_id).end_on == TODAY - DAY
        hire_reference = db.session.get(Case, hire_id).reference
        assert db.session.get(Approval, approval_id) is not None

    logout(client)
    login(client, scene.email("colleague"))  # Karim, of Les Jardins only
    inbox = text(client.get("/taches"))
    assert not any(title in inbox for title in ACTION_TITLES)
    pass_page = text(client.get(f"/pass/{approval_id}"))
    for action in ("modifier", "terminer", "supprimer"):
        assert f"/suspensions/{suspension_id}/{action}" not in pass_page
    refused = client.get(f"/suspensions/{suspension_id}/terminer")
    assert refused.status_code == 409 and "ne peut plus être changée ici" in text(refused)
    case_page = text(client.get(f"/dossiers/{case_id}"))
    assert "Suspension terminée par une embauche" in case_page
    assert f"par l'embauche {hire_reference}" in case_page
    assert not any(f'href="/taches/' in line and title in line
                   for line in case_page.splitlines() for title in ACTION_TITLES)
