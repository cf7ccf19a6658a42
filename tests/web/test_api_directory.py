"""The directory's read API: /api/v1/companies, /api/v1/companies/{id}, /api/v1/job-descriptions/{id}."""
import pytest

from tests.web.builders import PASSWORD, build_scene
from tests.web.directory_data import add_company, add_job
from tests.web.test_api import Schemas

API = "/api/v1"


@pytest.fixture
def scene(app):
    return build_scene(app)


def token(client, scene, who):
    response = client.post(f"{API}/tokens", json={"email": scene.email(who), "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_searching_companies(app, client, scene):
    batiment = add_company(app, "Bâtir Ensemble 93", kind="EI", department="93", city="Montreuil",
                           postcode="93100", spontaneous_days=30)
    add_job(app, batiment, "F1703", "Maçon / Maçonne")
    add_job(app, batiment, "F1703", "Chapiste", active=False)
    blocked = add_company(app, "Bloquée 93", kind="EI", department="93", city="Bobigny", blocked=True)
    headers = token(client, scene, "prescriber")

    body = client.get(f"{API}/companies?department=93", headers=headers).get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["page_size"] == 20
    first, second = body["items"]
    assert first == {
        "id": batiment, "name": "Bâtir Ensemble 93", "kind": "EI", "kind_label": "Entreprise d'insertion",
        "city": "Montreuil", "postcode": "93100", "department": "93", "open_job_descriptions": 1,
        "spontaneous_applications_open": True, "spontaneous_applications_open_until": first[
            "spontaneous_applications_open_until"],
        "blocks_applications": False, "links": {"self": f"{API}/companies/{batiment}"}}
    assert first["spontaneous_applications_open_until"] is not None
    assert (second["id"], second["blocks_applications"]) == (blocked, True)

    body = client.get(f"{API}/companies?job=maçon&kind=EI", headers=headers).get_json()
    assert [item["id"] for item in body["items"]] == [batiment]
    body = client.get(f"{API}/companies?city=montreuil", headers=headers).get_json()
    assert [item["id"] for item in body["items"]] == [batiment]
    assert client.get(f"{API}/companies?page=2&department=93", headers=headers).get_json()["items"] == []


def test_bad_search_parameters_are_explained(client, scene):
    headers = token(client, scene, "prescriber")
    response = client.get(f"{API}/companies?kind=SIAE&department=100", headers=headers)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "La recherche contient des erreurs : corrigez les champs signalés."
    assert body["fields"] == {"kind": ["Choisissez une valeur dans la liste."],
                              "department": ["Choisissez une valeur dans la liste."]}
    response = client.get(f"{API}/companies?page=0", headers=headers)
    assert response.status_code == 400 and "page" in response.get_json()["fields"]
    assert client.get(f"{API}/companies").status_code == 401


def test_a_company_with_its_job_descriptions(app, client, scene):
    jardins = scene.orgs["jardins"]
    open_job = add_job(app, jardins, "A1414", "Maraîcher / Maraîchère", custom_name="Maraîcher bio",
                       cv_required=True, hours=26)
    closed_job = add_job(app, jardins, "A1203", "Paysagiste", active=False)

    body = client.get(f"{API}/companies/{jardins}", headers=token(client, scene, "prescriber")).get_json()
    assert body["name"] == "Les Jardins de la Vilaine" and body["kind"] == "ACI"
    assert body["open_job_descriptions"] == 1
    [job] = body["job_descriptions"]
    assert job["id"] == open_job
    assert (job["name"], job["appellation"], job["rome_code"]) == ("Maraîcher bio", "Maraîcher / Maraîchère", "A1414")
    assert (job["contract_type"], job["contract_type_label"]) == ("CDDI", "CDD d'insertion (CDDI)")
    assert (job["hours_per_week"], job["open_positions"], job["cv_required"], job["is_active"]) == (26, 2, True, True)
    assert job["company"] == {"id": jardins, "name": "Les Jardins de la Vilaine"}

    # Its members also see the closed one.
    body = client.get(f"{API}/companies/{jardins}", headers=token(client, scene, "colleague")).get_json()
    assert [job["id"] for job in body["job_descriptions"]] == [open_job, closed_job]
    assert body["job_descriptions"][1]["is_active"] is False


def test_one_job_description(app, client, scene):
    jardins = scene.orgs["jardins"]
    open_job = add_job(app, jardins, "A1414", "Maraîcher / Maraîchère")
    closed_job = add_job(app, jardins, "A1203", "Paysagiste", active=False)
    prescriber = token(client, scene, "prescriber")
    body = client.get(f"{API}/job-descriptions/{open_job}", headers=prescriber).get_json()
    assert body["id"] == open_job and body["links"] == {"self": f"{API}/job-descriptions/{open_job}",
                                                         "company": f"{API}/companies/{jardins}"}
    response = client.get(f"{API}/job-descriptions/{closed_job}", headers=prescriber)
    assert response.status_code == 404
    assert response.get_json()["error"] == "Cette fiche de poste n'existe pas ou n'est plus publiée."
    member = token(client, scene, "colleague")
    assert client.get(f"{API}/job-descriptions/{closed_job}", headers=member).get_json()["is_active"] is False
    assert client.get(f"{API}/job-descriptions/999999", headers=prescriber).status_code == 404
    response = client.get(f"{API}/companies/{scene.orgs['ft']}", headers=prescriber)
    assert response.status_code == 404 and response.get_json()["error"] == "Cette structure n'existe pas."


def test_answers_match_the_openapi_document(app, client, scene):
    schemas = Schemas(client.get(f"{API}/openapi.json").get_json())
    jardins = scene.orgs["jardins"]
    job = add_job(app, jardins, "A1414", "Maraîcher / Maraîchère")
    add_company(app, "Ouverte", kind="AI", spontaneous_days=3)
    headers = token(client, scene, "prescriber")
    for query in ("", "?job=maraicher", "?kind=XX"):
        schemas.check(client.get(f"{API}/companies{query}", headers=headers), "/api/v1/companies", "get")
    schemas.check(client.get(f"{API}/companies"), "/api/v1/companies", "get")  # no token
    schemas.check(client.get(f"{API}/companies/{jardins}", headers=headers), "/api/v1/companies/{company_id}", "get")
    schemas.check(client.get(f"{API}/companies/999999", headers=headers), "/api/v1/companies/{company_id}", "get")
    schemas.check(client.get(f"{API}/job-descriptions/{job}", headers=headers),
                  "/api/v1/job-descriptions/{job_id}", "get")
    schemas.check(client.get(f"{API}/job-descriptions/999999", headers=headers),
                  "/api/v1/job-descriptions/{job_id}", "get")
