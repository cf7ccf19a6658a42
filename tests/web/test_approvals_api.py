"""PASS IAE in the API: by id, by number, a person's; who sees them; answers match the OpenAPI."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import Suspension
from app.services import approvals
from app.services.job_seekers import today_paris
from tests.support.world import make_world, send_application
from tests.web.test_api import API, Schemas, assert_error, auth


@pytest.fixture
def world(app):
    with app.app_context():
        return make_world(app.config["BPMN_DIR"])


@pytest.fixture
def passes(app, world):
    """Jean, sent to Les Jardins by France Travail and hired there 30 days ago (suspended for a
    week now); Aïcha, hired by the GEIQ 800 days ago with no application (expired)."""
    today = today_paris()
    with app.app_context():
        case = send_application(world)
        jean = approvals.issue_pass(world.seeker("jean"), today - timedelta(days=30))
        approvals.attach_hire(jean, world.org("jardins"), case, today - timedelta(days=30))
        db.session.add(Suspension(approval_id=jean.id, start_on=today - timedelta(days=3), end_on=today + timedelta(days=3),
                                  reason="CONTRACT_SUSPENDED", organisation_id=world.orgs["jardins"],
                                  created_by_id=world.users["employer"]))
        approvals.refresh_end(jean)
        aicha = approvals.issue_pass(world.seeker("aicha"), today - timedelta(days=800))
        approvals.attach_hire(aicha, world.org("geiq"), None, today - timedelta(days=800))
        db.session.commit()
        return SimpleNamespace(jean=jean.id, jean_number=jean.number, aicha=aicha.id, case_id=case.id,
                               start=today - timedelta(days=30))


def test_a_pass_with_its_history(app, client, world, passes):
    headers = auth(client, app, world, "employer", "jardins")
    response = client.get(f"{API}/passes/{passes.jean}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["number"] == "999990000001" and body["number_display"] == "99999 00 00001"
    assert (body["status"], body["status_label"]) == ("suspended", "Valide (suspendu)")
    assert body["start_on"] == passes.start.isoformat()
    assert body["end_on"] == (passes.start + timedelta(days=729 + 7)).isoformat()
    assert body["job_seeker"] == {"id": world.seekers["jean"], "name": body["job_seeker"]["name"],
                                  "birth_date": "1985-05-12"}
    assert body["hires"] == [{"company": {"id": world.orgs["jardins"], "name": body["hires"][0]["company"]["name"]},
                              "case_id": passes.case_id, "hiring_start_on": passes.start.isoformat(),
                              "hiring_end_on": None, "cancelled": False}]
    [suspension] = body["suspensions"]
    assert suspension["reason_label"] == "Contrat de travail suspendu depuis plus de 15 jours"
    assert suspension["created_by"]["name"] == "Emma Ployeur"
    assert body["prolongations"] == [] and body["prolongation_requests"] == []
    assert body["links"]["page"] == f"/pass/{passes.jean}"


@pytest.mark.parametrize("who, org, status", [
    ("prescriber", "ft", 200),     # sent Jean's application
    ("colleague", None, 200),
    ("support", None, 200),
    ("outsider", "geiq", 403),     # the GEIQ hired Aïcha, not Jean
    ("seeker_user", None, 403),    # Nadia, someone else
])
def test_who_sees_a_pass(app, client, world, passes, who, org, status):
    response = client.get(f"{API}/passes/{passes.jean}", headers=auth(client, app, world, who, org))
    if status == 200:
        assert response.status_code == 200
    else:
        assert_error(response, 403, "Ce PASS IAE concerne une personne sans lien avec votre organisation : vous ne "
                                    "pouvez pas le consulter.")


def test_a_company_that_hired_sees_the_pass_but_not_the_birth_date(app, client, world, passes):
    body = client.get(f"{API}/passes/{passes.aicha}", headers=auth(client, app, world, "outsider", "geiq")).get_json()
    assert body["status"] == "expired" and body["remaining_days"] == 0
    assert body["job_seeker"]["birth_date"] is None


def test_unknown_and_huge_ids_are_404(app, client, world, passes):
    headers = auth(client, app, world, "employer", "jardins")
    assert_error(client.get(f"{API}/passes/999999", headers=headers), 404, "Ce PASS IAE n'existe pas.")
    assert_error(client.get(f"{API}/passes/{'9' * 20}", headers=headers), 404)
    assert_error(client.get(f"{API}/job-seekers/999999/passes", headers=headers), 404)
    assert_error(client.get(f"{API}/passes/{passes.jean}"), 401)


@pytest.mark.parametrize("number", ["999990000001", "99999 00 00001", "99999-00-00001"])
def test_lookup_by_number(app, client, world, passes, number):
    headers = auth(client, app, world, "employer", "jardins")
    items = client.get(f"{API}/passes", query_string={"number": number}, headers=headers).get_json()["items"]
    assert [item["id"] for item in items] == [passes.jean]


def test_lookup_by_number_hides_what_the_caller_may_not_see_and_refuses_malformed_numbers(app, client, world, passes):
    outsider = auth(client, app, world, "outsider", "geiq")
    assert client.get(f"{API}/passes?number=999990000001", headers=outsider).get_json() == {"items": []}
    assert client.get(f"{API}/passes?number=999990000099", headers=outsider).get_json() == {"items": []}
    body = assert_error(client.get(f"{API}/passes?number=12345", headers=outsider), 422,
                        "Le numéro de PASS IAE est invalide.")
    assert body["fields"]["number"] == ["Le numéro de PASS IAE doit compter 12 chiffres (par exemple 99999 00 00123)."]
    body = assert_error(client.get(f"{API}/passes?number=123450000001", headers=outsider), 422)
    assert body["fields"]["number"] == ["Le numéro de PASS IAE doit commencer par 99999."]
    assert_error(client.get(f"{API}/passes", headers=outsider), 400)
    assert_error(client.get(f"{API}/passes?numero=1", headers=outsider), 400)


def test_a_job_seekers_passes(app, client, world, passes):
    with app.app_context():
        later = today_paris() + timedelta(days=5)
        newer = approvals.issue_pass(world.seeker("aicha"), later)  # her first one has ended
        approvals.attach_hire(newer, world.org("geiq"), None, later)
        db.session.commit()
        newer_id = newer.id
    geiq = auth(client, app, world, "outsider", "geiq")
    items = client.get(f"{API}/job-seekers/{world.seekers['aicha']}/passes", headers=geiq).get_json()["items"]
    assert [(item["id"], item["status"]) for item in items] == [(newer_id, "future"), (passes.aicha, "expired")]
    assert_error(client.get(f"{API}/job-seekers/{world.seekers['aicha']}/passes",
                            headers=auth(client, app, world, "employer", "jardins")), 403)
    # Nadia has no PASS: her own list is empty.
    nadia = auth(client, app, world, "seeker_user")
    assert client.get(f"{API}/job-seekers/{world.seekers['nadia']}/passes", headers=nadia).get_json() == {"items": []}


def test_pass_answers_match_the_openapi_document(app, client, world, passes):
    schemas = Schemas(client.get(f"{API}/openapi.json").get_json())
    employer = auth(client, app, world, "employer", "jardins")
    outsider = auth(client, app, world, "outsider", "geiq")
    one = "/api/v1/passes/{approval_id}"
    schemas.check(client.get(f"{API}/passes/{passes.jean}", headers=employer), one, "get")
    schemas.check(client.get(f"{API}/passes/{passes.aicha}", headers=outsider), one, "get")
    schemas.check(client.get(f"{API}/passes/{passes.jean}", headers=outsider), one, "get")
    schemas.check(client.get(f"{API}/passes/999999", headers=outsider), one, "get")
    schemas.check(client.get(f"{API}/passes/1"), one, "get")
    schemas.check(client.get(f"{API}/passes?number=99999 00 00001", headers=employer), "/api/v1/passes", "get")
    schemas.check(client.get(f"{API}/passes?number=abc", headers=employer), "/api/v1/passes", "get")
    schemas.check(client.get(f"{API}/passes", headers=employer), "/api/v1/passes", "get")
    person = "/api/v1/job-seekers/{job_seeker_id}/passes"
    schemas.check(client.get(f"{API}/job-seekers/{world.seekers['jean']}/passes", headers=employer), person, "get")
    schemas.check(client.get(f"{API}/job-seekers/{world.seekers['jean']}/passes", headers=outsider), person, "get")
    schemas.check(client.get(f"{API}/job-seekers/999999/passes", headers=outsider), person, "get")
