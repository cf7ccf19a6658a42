"""Suspending and prolonging a PASS IAE through the API (app/api/approval_actions.py): the same
rules and French messages as the pages, a case opened on success, and nothing written on a
refusal (401, 403, 404, 409, 422)."""
from datetime import timedelta

import pytest

from app.domain.approvals import fr_date, max_suspension_end
from app.extensions import db
from app.models import Approval, Case, Event, JobSeeker, Organisation, ProlongationRequest, Suspension, User
from app.services import approvals
from app.services.job_seekers import today_paris
from tests.web.builders import PASSWORD, build_scene
from tests.web.test_api import Schemas

API = "/api/v1"
DAY = timedelta(days=1)
PRESCRIBER_EMAIL = "paula.rescrit@francetravail.fr"  # the form checks addresses like real ones


@pytest.fixture
def scene(app):
    return build_scene(app)


@pytest.fixture
def pass_id(app, scene):
    """Nadia's PASS, hired by Les Jardins (ACI) 100 days ago, ending in 30 days."""
    with app.app_context():
        today = today_paris()
        end = today + 30 * DAY
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["nadia"]), end - 729 * DAY)
        approvals.attach_hire(approval, db.session.get(Organisation, scene.orgs["jardins"]), None, today - 100 * DAY)
        db.session.get(User, scene.users["prescriber"]).email = PRESCRIBER_EMAIL
        db.session.commit()
        return approval.id


def token(client, scene, user, org):
    response = client.post(f"{API}/tokens", json={"email": PRESCRIBER_EMAIL if user == "prescriber"
                                                   else scene.email(user), "password": PASSWORD,
                                                   "organisation_id": scene.orgs[org]})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def employer(client, scene):
    return token(client, scene, "employer", "jardins")


def read_pass(client, headers, approval_id):
    response = client.get(f"{API}/passes/{approval_id}", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def state(app, approval_id):
    """What a refusal must leave unchanged: the PASS's end and version, its cases and rows."""
    with app.app_context():
        approval = db.session.get(Approval, approval_id)
        return (approval.end_on, approval.lock_version, Case.query.count(), Suspension.query.count(),
                ProlongationRequest.query.count(), len(approval.prolongations))


def events(app, case_id):
    with app.app_context():
        return [e.kind for e in Event.query.filter_by(case_id=case_id).order_by(Event.id)]


def assert_schema(client, body, name):
    doc = client.get(f"{API}/openapi.json").get_json()
    assert Schemas(doc).errors(body, {"$ref": f"#/components/schemas/{name}"}) == []


# -- suspension ------------------------------------------------------------------------------

def test_an_employer_suspends_the_pass_and_its_end_moves(app, client, scene, pass_id):
    headers = employer(client, scene)
    before = read_pass(client, headers, pass_id)
    start, end = today_paris() - 10 * DAY, today_paris() + 20 * DAY
    response = client.post(f"{API}/passes/{pass_id}/suspensions", headers=headers, json={
        "reason": "CONTRACT_SUSPENDED", "start_on": start.isoformat(), "end_on": end.isoformat(),
        "explanation": "Arrêt maladie.", "lock_version": before["lock_version"]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert_schema(client, body, "PassActionResult")
    assert body["case"]["process"] == "suspension" and body["case"]["status"] == "running"
    assert response.headers["Location"] == f"{API}/cases/{body['case']['id']}"
    moved = body["pass"]
    assert moved["end_on"] == (today_paris() + 30 * DAY + 31 * DAY).isoformat()
    assert moved["lock_version"] > before["lock_version"]
    assert [(s["start_on"], s["end_on"]) for s in moved["suspensions"]] == [(start.isoformat(), end.isoformat())]
    assert "suspension_recorded" in events(app, body["case"]["id"])
    # The case's next tasks (edit, end early, delete) are open, for POST /tasks/{id}/complete.
    case = client.get(f"{API}/cases/{body['case']['id']}", headers=headers).get_json()
    assert {t["form_key"] for t in case["open_tasks"]} >= {"suspension_edit", "suspension_end", "suspension_delete"}


def test_a_suspension_is_refused_without_a_token_to_another_organisation_and_for_an_unknown_pass(
        app, client, scene, pass_id):
    before = state(app, pass_id)
    body = {"reason": "CONTRACT_SUSPENDED", "start_on": today_paris().isoformat(), "end_unknown": True,
            "lock_version": 0}
    assert client.post(f"{API}/passes/{pass_id}/suspensions", json=body).status_code == 401
    other = token(client, scene, "other_employer", "geiq")
    response = client.post(f"{API}/passes/{pass_id}/suspensions", headers=other, json=body)
    assert response.status_code == 403
    assert "dernière embauche" in response.get_json()["error"]
    response = client.post(f"{API}/passes/999999/suspensions", headers=employer(client, scene), json=body)
    assert response.status_code == 404 and response.get_json()["error"] == "Ce PASS IAE n'existe pas."
    assert state(app, pass_id) == before


def test_suspension_dates_out_of_bounds_get_the_domains_french_message_on_their_field(
        app, client, scene, pass_id):
    headers = employer(client, scene)
    version = read_pass(client, headers, pass_id)["lock_version"]
    before = state(app, pass_id)
    today = today_paris()
    url = f"{API}/passes/{pass_id}/suspensions"

    response = client.post(url, headers=headers, json={
        "reason": "CONTRACT_SUSPENDED", "start_on": (today + 5 * DAY).isoformat(),
        "end_on": (today + 9 * DAY).isoformat(), "lock_version": version})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"start_on": [
        f"La suspension ne peut pas commencer dans le futur : date de début au plus tard le {fr_date(today)}."]}

    latest = max_suspension_end(today)
    response = client.post(url, headers=headers, json={
        "reason": "CONTRACT_SUSPENDED", "start_on": today.isoformat(), "end_on": (latest + DAY).isoformat(),
        "lock_version": version})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"end_on": [
        f"Une suspension dure au plus 36 mois : date de fin au plus tard le {fr_date(latest)}."]}

    # The form's own checks: an end date or end_unknown, a date in ISO format, the version.
    response = client.post(url, headers=headers, json={"reason": "CONTRACT_SUSPENDED", "start_on": "01/02/2026",
                                                       "lock_version": "3", "color": "bleu"})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"start_on", "end_on", "lock_version", "color"}
    assert state(app, pass_id) == before


def test_a_suspension_with_a_stale_version_is_a_conflict_and_changes_nothing(app, client, scene, pass_id):
    headers = employer(client, scene)
    version = read_pass(client, headers, pass_id)["lock_version"]
    with app.app_context():  # the PASS changes meanwhile (a colleague's page, a hire)
        approvals.save(db.session.get(Approval, pass_id))
        approval = db.session.get(Approval, pass_id)
        approval.base_end_on = approval.end_on = approval.end_on + 5 * DAY
        db.session.commit()
    before = state(app, pass_id)
    response = client.post(f"{API}/passes/{pass_id}/suspensions", headers=headers, json={
        "reason": "CONTRACT_SUSPENDED", "start_on": today_paris().isoformat(), "end_unknown": True,
        "lock_version": version})
    assert response.status_code == 409 and response.get_json()["error"] == approvals.PASS_CHANGED
    assert state(app, pass_id) == before


# -- prolongation ----------------------------------------------------------------------------

def prolong(client, headers, approval_id, version, **fields):
    return client.post(f"{API}/passes/{approval_id}/prolongations", headers=headers,
                       json={"lock_version": version, **fields})


def test_a_direct_prolongation_moves_the_end_at_once(app, client, scene, pass_id):
    headers = employer(client, scene)
    before = read_pass(client, headers, pass_id)
    end = today_paris() + 30 * DAY
    response = prolong(client, headers, pass_id, before["lock_version"], reason="COMPLETE_TRAINING",
                       end_on=(end + 90 * DAY).isoformat(), explanation="Formation CACES jusqu'en juin.")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert_schema(client, body, "PassActionResult")
    assert body["case"]["process"] == "prolongation"
    assert body["pass"]["end_on"] == (end + 90 * DAY).isoformat()
    assert [p["reason"] for p in body["pass"]["prolongations"]] == ["COMPLETE_TRAINING"]
    assert "prolongation_recorded" in events(app, body["case"]["id"])


def test_a_request_goes_to_the_authorized_prescriber_who_decides_with_the_task_api(app, client, scene, pass_id):
    headers = employer(client, scene)
    version = read_pass(client, headers, pass_id)["lock_version"]
    end = today_paris() + 30 * DAY
    response = prolong(client, headers, pass_id, version, reason="RQTH", end_on=(end + 180 * DAY).isoformat(),
                       explanation="Aménagement du poste en cours.", prescriber_email=PRESCRIBER_EMAIL,
                       prescriber_organisation_id=scene.orgs["ft"], contact_phone="06 11 22 33 44")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["pass"]["end_on"] == end.isoformat()  # not before the decision
    [waiting] = body["pass"]["prolongation_requests"]
    assert waiting["status"] == "pending" and waiting["prescriber_organisation"]["name"] == "France Travail Rennes"
    assert "prolongation_requested" in events(app, body["case"]["id"])

    prescriber = token(client, scene, "prescriber", "ft")
    [task] = [t for t in client.get(f"{API}/tasks", headers=prescriber).get_json()["items"]
              if t["case"]["id"] == body["case"]["id"]]
    response = client.post(f"{API}/tasks/{task['id']}/complete", headers=prescriber, json={"decision": "grant"})
    assert response.status_code == 200, response.get_json()
    assert read_pass(client, headers, pass_id)["end_on"] == (end + 180 * DAY).isoformat()


def test_prolongation_refusals_name_the_field_and_write_nothing(app, client, scene, pass_id):
    headers = employer(client, scene)
    version = read_pass(client, headers, pass_id)["lock_version"]
    end = today_paris() + 30 * DAY
    before = state(app, pass_id)
    request = {"reason": "RQTH", "end_on": (end + 180 * DAY).isoformat(), "explanation": "Aménagement du poste."}

    response = prolong(client, headers, pass_id, version, reason="COMPLETE_TRAINING",
                       end_on=(end + 400 * DAY).isoformat())
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"end_on": [
        f"Une prolongation pour le motif « Fin d'une formation » dure au plus 365 jours : date de fin au plus "
        f"tard le {fr_date(end + 365 * DAY)}."]}

    # A prescriber's reason without the prescriber, then with an organisation that is not theirs.
    response = prolong(client, headers, pass_id, version, **request)
    assert response.status_code == 422 and "prescriber_email" in response.get_json()["fields"]
    response = prolong(client, headers, pass_id, version, **request, prescriber_email=PRESCRIBER_EMAIL)
    assert response.status_code == 422 and "prescriber_organisation_id" in response.get_json()["fields"]
    response = prolong(client, headers, pass_id, version, **request, prescriber_email=PRESCRIBER_EMAIL,
                       prescriber_organisation_id=scene.orgs["ml"])
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"prescriber_organisation_id": [
        "Choisissez une des organisations habilitées de Paula Rescrit."]}
    response = prolong(client, headers, pass_id, version, **request, prescriber_email="personne@nulle-part.fr",
                       prescriber_organisation_id=scene.orgs["ft"])
    assert response.status_code == 422
    assert "Aucun compte actif n'a cette adresse e-mail" in response.get_json()["fields"]["prescriber_email"][0]
    # A direct reason takes no prescriber.
    response = prolong(client, headers, pass_id, version, reason="COMPLETE_TRAINING",
                       end_on=(end + 10 * DAY).isoformat(), prescriber_organisation_id=scene.orgs["ft"])
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"prescriber_organisation_id"}
    assert state(app, pass_id) == before


def test_prolongation_access_and_conflicts(app, client, scene, pass_id):
    end = today_paris() + 30 * DAY
    body = {"reason": "COMPLETE_TRAINING", "end_on": (end + 10 * DAY).isoformat(), "lock_version": 0}
    before = state(app, pass_id)
    assert client.post(f"{API}/passes/{pass_id}/prolongations", json=body).status_code == 401
    other = token(client, scene, "other_employer", "geiq")
    assert client.post(f"{API}/passes/{pass_id}/prolongations", headers=other, json=body).status_code == 403
    headers = employer(client, scene)
    assert client.post(f"{API}/passes/999999/prolongations", headers=headers, json=body).status_code == 404
    version = read_pass(client, headers, pass_id)["lock_version"]
    response = prolong(client, headers, pass_id, version + 1, reason="COMPLETE_TRAINING",
                       end_on=(end + 10 * DAY).isoformat())
    assert response.status_code == 409 and response.get_json()["error"] == approvals.PASS_CHANGED
    assert state(app, pass_id) == before


def test_an_authorized_prescriber_suspends_once_the_contract_ended(app, client, scene):
    with app.app_context():
        today = today_paris()
        approval = approvals.issue_pass(db.session.get(JobSeeker, scene.seekers["leo"]), today - 200 * DAY)
        approvals.attach_hire(approval, db.session.get(Organisation, scene.orgs["recyclerie"]), None,
                              today - 200 * DAY, today - 5 * DAY)
        db.session.get(User, scene.users["prescriber"]).email = PRESCRIBER_EMAIL
        db.session.commit()
        approval_id, version = approval.id, approval.lock_version
    prescriber = token(client, scene, "prescriber", "ft")
    response = client.post(f"{API}/passes/{approval_id}/suspensions", headers=prescriber, json={
        "reason": "CONTRACT_BROKEN", "start_on": (today_paris() - 4 * DAY).isoformat(), "end_unknown": True,
        "lock_version": version})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["case"]["process"] == "suspension"
    with app.app_context():
        assert Suspension.query.one().organisation_id == scene.orgs["ft"]
