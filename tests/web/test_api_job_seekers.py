"""GET /api/v1/job-seekers: a person's record only for those DOMAIN §13 allows (the person,
the organisations that sent or received one of their applications, support), and
diagnoses filtered as DOMAIN §6.2 says."""
from datetime import date

import pytest

from app.domain import eligibility
from app.extensions import db
from app.models import Diagnosis
from tests.support.world import make_world, send_application
from tests.web.test_api import API, Schemas, assert_error, auth


@pytest.fixture
def world(app):
    with app.app_context():
        world = make_world(app.config["BPMN_DIR"])
        send_application(world, seeker="jean", company="jardins")  # France Travail → Les Jardins
        today = date.today()
        for kind, org in (("prescriber", "ft"), ("employer", "jardins")):
            db.session.add(Diagnosis(job_seeker_id=world.seekers["jean"], author_kind=kind,
                                     author_organisation_id=world.orgs[org],
                                     author_user_id=world.users["prescriber" if kind == "prescriber" else "employer"],
                                     criteria=["RSA"], created_on=today,
                                     expires_on=eligibility.diagnosis_expiry(kind, today)))
        db.session.commit()
        return world


def get(client, headers, path):
    return client.get(f"{API}/job-seekers{path}", headers=headers)


def nir_of(app, world, key):
    with app.app_context():
        return world.seeker(key).nir


@pytest.mark.parametrize("user, org", [("prescriber", "ft"), ("employer", "jardins"), ("colleague", "jardins"),
                                       ("support", None)])
def test_those_bound_to_an_application_see_the_person(app, client, world, user, org):
    response = get(client, auth(client, app, world, user, org), f"/{world.seekers['jean']}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["first_name"], body["last_name"], body["birth_date"]) == ("Jean", "Dupont", "1985-05-12")
    assert body["nir"] == nir_of(app, world, "jean") and body["email"] == "jean@exemple.fr"


@pytest.mark.parametrize("user, org", [("outsider", "geiq"), ("seeker_user", None)])
def test_others_do_not(app, client, world, user, org):
    response = get(client, auth(client, app, world, user, org), f"/{world.seekers['jean']}")
    body = assert_error(response, 403)
    assert "vous ne pouvez pas consulter sa fiche" in body["error"]
    assert "Dupont" not in response.get_data(as_text=True)


def test_a_person_sees_their_own_record(app, client, world):
    headers = auth(client, app, world, "seeker_user")
    assert get(client, headers, f"/{world.seekers['nadia']}").get_json()["first_name"] == "Nadia"
    assert get(client, headers, "?email=candidat@test.fr").get_json()["items"][0]["id"] == world.seekers["nadia"]


def test_search_by_nir_or_email_lists_only_visible_people(app, client, world):
    headers = auth(client, app, world, "prescriber", "ft")
    found = get(client, headers, f"?nir={nir_of(app, world, 'jean')}").get_json()["items"]
    assert [person["id"] for person in found] == [world.seekers["jean"]]
    spaced = " ".join(nir_of(app, world, "jean")[i:i + 3] for i in range(0, 15, 3))
    assert len(get(client, headers, f"?nir={spaced}").get_json()["items"]) == 1
    assert get(client, headers, "?email=JEAN@exemple.fr").get_json()["items"][0]["id"] == world.seekers["jean"]
    # Aïcha exists, but no case ties her to France Travail: nothing is shown of her.
    assert get(client, headers, f"?nir={nir_of(app, world, 'aicha')}").get_json() == {"items": []}
    assert get(client, headers, "?email=aicha@exemple.fr").get_json() == {"items": []}


def test_prescribers_never_see_employer_diagnoses(app, client, world):
    path = f"/{world.seekers['jean']}"
    prescriber = get(client, auth(client, app, world, "prescriber", "ft"), path).get_json()
    assert [d["author_kind"] for d in prescriber["diagnoses"]] == ["prescriber"]
    employer = get(client, auth(client, app, world, "employer", "jardins"), path).get_json()
    assert sorted(d["author_kind"] for d in employer["diagnoses"]) == ["employer", "prescriber"]
    # The same person acting for La Recyclerie never reuses Les Jardins' diagnosis.
    other_company = get(client, auth(client, app, world, "employer", "recyclerie"), path).get_json()
    assert [d["author_kind"] for d in other_company["diagnoses"]] == ["prescriber"]
    support = get(client, auth(client, app, world, "support"), path).get_json()
    assert len(support["diagnoses"]) == 2


def test_bad_searches_are_refused_in_french(app, client, world):
    headers = auth(client, app, world, "prescriber", "ft")
    nir = nir_of(app, world, "jean")
    wrong_key = nir[:13] + ("00" if nir[13:] != "00" else "01")
    body = assert_error(get(client, headers, f"?nir={wrong_key}"), 422)
    assert body["fields"]["nir"] == ["La clé du NIR ne correspond pas : vérifiez le numéro."]
    assert_error(get(client, headers, ""), 400)
    assert_error(get(client, headers, f"?nir={nir}&email=jean@exemple.fr"), 400)
    body = assert_error(get(client, headers, "?nom=Dupont"), 400)
    assert "nom" in body["fields"]
    assert_error(get(client, headers, "/999999"), 404, "Ce candidat n'existe pas.")
    assert_error(client.get(f"{API}/job-seekers/{world.seekers['jean']}"), 401)


def test_answers_match_the_openapi_document(app, client, world):
    schemas = Schemas(client.get(f"{API}/openapi.json").get_json())
    headers = auth(client, app, world, "prescriber", "ft")
    one, search = "/api/v1/job-seekers/{job_seeker_id}", "/api/v1/job-seekers"
    schemas.check(get(client, headers, f"/{world.seekers['jean']}"), one, "get")
    schemas.check(get(client, headers, f"/{world.seekers['aicha']}"), one, "get")
    schemas.check(get(client, headers, "/999999"), one, "get")
    schemas.check(get(client, headers, f"?nir={nir_of(app, world, 'jean')}"), search, "get")
    schemas.check(get(client, headers, "?nir=123"), search, "get")
    schemas.check(get(client, headers, ""), search, "get")
    schemas.check(client.get(f"{API}/job-seekers?email=a@b.fr"), search, "get")
