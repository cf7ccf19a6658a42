"""What the browser journey of a PASS IAE (tests/browser/test_pass_lifecycle.py) found missing on
the pages: the hire's form names the missing information, a prolongation case is titled once,
and the prescriber deciding a request reaches the PASS and its history when they may see it."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import JobSeeker, Organisation, Task, User
from app.services import approvals, job_seekers, prolongations, suspensions
from tests.web.builders import build_scene, child_case_id, login, open_task_id, send_application, text


@pytest.fixture
def scene(app):
    return build_scene(app)


def test_the_missing_information_form_says_what_is_missing(app, client, scene):
    case_id = send_application(app, scene)
    login(client, scene.email("colleague"))
    assert client.post(f"/taches/{open_task_id(app, case_id)}", data={"decision": "accept"}).status_code == 302
    with app.app_context():
        task_id = Task.query.filter_by(case_id=child_case_id(app, case_id), form_key="hire_job_seeker",
                                       state="open").one().id
    page = text(client.get(f"/taches/{task_id}"))
    # Nadia's record has her birth date, postcode and city, nothing else the hire needs.
    assert ("<strong>Informations manquantes :</strong> lieu de naissance, adresse, numéro de sécurité sociale, "
            "identifiant France Travail.") in page


def request_prolongation(app, scene, prescriber_key, prescriber_org_key):
    """Nadia's PASS (hired by Les Jardins, ending in 30 days) and an RQTH request to a prescriber."""
    with app.app_context():
        today = job_seekers.today_paris()
        start = today - timedelta(days=699)
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["nadia"]), start)
        jardins = db.session.get(Organisation, scene.orgs["jardins"])
        approvals.attach_hire(approval, jardins, None, start)
        db.session.commit()
        prescriber = db.session.get(User, scene.users[prescriber_key])
        data = {"reason": "RQTH", "end_on": (approval.end_on + timedelta(days=90)).isoformat(),
                "explanation": "Aménagement du poste en cours.", "prescriber_email": prescriber.email}
        case = prolongations.declare(db.session.get(User, scene.users["colleague"]), jardins, approval.id, data,
                                     approval.lock_version,
                                     prescriber={"prescriber_organisation_id": str(scene.orgs[prescriber_org_key])})
        task_id = Task.query.filter_by(case_id=case.id, state="open").one().id
        return approval.id, case.id, task_id


def test_the_prescriber_deciding_a_request_reaches_the_pass(app, client, scene):
    # Marc (Mission locale) never had Nadia's file: the request addressed to his organisation
    # lets its members see the PASS they decide on, and its history.
    approval_id, case_id, task_id = request_prolongation(app, scene, "other_prescriber", "ml")
    login(client, scene.email("other_prescriber"))
    page = text(client.get(f"/taches/{task_id}"))
    assert f'href="/pass/{approval_id}">n° 99999 00 00001' in page
    assert client.get(f"/pass/{approval_id}").status_code == 200
    page = text(client.get(f"/dossiers/{case_id}"))
    assert "Prolongation d'un PASS IAE : Nadia HADDAD — PASS IAE 99999 00 00001" in page
    assert "Prolongation : Nadia" not in page


def test_a_suspension_case_is_titled_once(app, client, scene):
    with app.app_context():
        today = job_seekers.today_paris()
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["nadia"]), today - timedelta(days=60))
        jardins = db.session.get(Organisation, scene.orgs["jardins"])
        approvals.attach_hire(approval, jardins, None, today - timedelta(days=60))
        db.session.commit()
        case = suspensions.start(approval.id, approval.lock_version, db.session.get(User, scene.users["colleague"]),
                                 jardins, {"reason": "CONTRACT_BROKEN", "start_at": today.isoformat(),
                                           "end_at": (today + timedelta(days=9)).isoformat()}, today)
        db.session.commit()
        case_id = case.id
    login(client, scene.email("colleague"))
    page = text(client.get(f"/dossiers/{case_id}"))
    assert "Suspension d'un PASS IAE : Nadia HADDAD — PASS IAE 99999 00 00001" in page
