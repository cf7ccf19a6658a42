"""GET /api/v1/applications/{sent,received,mine}: the application lists as JSON, on both backends.

Same rules as the pages (tests/web/test_application_lists.py): who may list what, what a row
shows to whom, the same filters checked by the same form specs; answers match the OpenAPI
document.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.engine import runtime
from app.extensions import db
from app.models import Case, Task, User
from app.models.base import utcnow
from tests.web.builders import PASSWORD, build_scene, send_application
from tests.web.test_api import Schemas

API = "/api/v1/applications"
PARIS = ZoneInfo("Europe/Paris")
REFUSAL = {"decision": "refuse", "refusal_reason": "no_position",
           "answer_to_job_seeker": "Nous n'avons plus de poste ouvert.",
           "private_comment": "Profil intéressant pour la saison prochaine."}


@pytest.fixture
def scene(app):
    return build_scene(app)


def token(client, scene, user, org=None):
    body = {"email": scene.email(user), "password": PASSWORD}
    if org is not None:
        body["organisation_id"] = scene.orgs[org]
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def act(app, case_id, user_id, **data):
    with app.app_context():
        task = Task.query.filter_by(case_id=case_id, state="open").order_by(Task.id.desc()).first()
        runtime.complete_task(task, data, db.session.get(User, user_id))
        db.session.commit()


def reference(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).reference


def by_reference(response):
    assert response.status_code == 200, response.get_json()
    return {item["reference"]: item for item in response.get_json()["items"]}


def test_a_prescriber_lists_what_their_organisation_sent(app, client, scene):
    case_id = send_application(app, scene)
    act(app, case_id, scene.users["employer"], **REFUSAL)
    other = send_application(app, scene, seeker="leo", sender="other_prescriber", sender_org="ml")
    response = client.get(f"{API}/sent", headers=token(client, scene, "prescriber"))
    body = response.get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["page_size"] == 20
    assert body["filters"]["archived"] is False and body["filters"]["states"] == []
    [item] = body["items"]
    assert item["reference"] == reference(app, case_id) and item["id"] == case_id
    assert item["job_seeker"]["name"] == "Nadia HADDAD"
    assert item["company"] == {"id": scene.orgs["jardins"], "name": "Les Jardins de la Vilaine", "kind": "ACI",
                               "kind_label": "Atelier chantier d'insertion", "city": "Rennes"}
    assert item["stage"] == "refused" and item["state_label"] == "Déclinée"
    assert item["refusal_reason"] == "no_position"
    assert item["refusal_reason_label"] == "Pas de recrutement en cours"
    assert item["answer_to_job_seeker"] == "Nous n'avons plus de poste ouvert."
    assert item["private_comment"] == "Profil intéressant pour la saison prochaine."
    assert item["sender"]["kind"] == "prescriber" and item["sender"]["person"]["name"] == "Paula Rescrit"
    assert datetime.fromisoformat(item["sent_at"]) <= utcnow()
    assert reference(app, other) not in by_reference(response)


def test_the_sent_list_filters_like_the_page(app, client, scene):
    nadia = send_application(app, scene)
    leo = send_application(app, scene, seeker="leo", company="recyclerie")
    act(app, leo, scene.users["employer"], decision="pool")
    headers = token(client, scene, "prescriber")
    refs = {reference(app, nadia): "nadia", reference(app, leo): "leo"}

    def listed(query):
        return {refs[ref] for ref in by_reference(client.get(f"{API}/sent?{query}", headers=headers))}

    assert listed("state=pool") == {"leo"}
    assert listed("state=pool,new") == {"nadia", "leo"}
    assert listed("state=pool&state=new") == {"nadia", "leo"}
    assert listed(f"company={scene.orgs['jardins']}") == {"nadia"}
    assert listed("job_seeker=leo") == {"leo"}
    today = datetime.now(PARIS).date()
    assert listed(f"date_from={today.isoformat()}") == {"nadia", "leo"}
    assert listed(f"date_to={(today - timedelta(days=1)).isoformat()}") == set()
    assert listed("mine=1") == {"nadia", "leo"}
    assert listed("archived=0") == {"nadia", "leo"}
    body = client.get(f"{API}/sent?state=pool&archived=1", headers=headers).get_json()
    assert body["filters"]["states"] == ["pool"] and body["filters"]["archived"] is True


@pytest.mark.parametrize("query, field, message", [
    ("state=nowhere", "state", "Choisissez uniquement des valeurs de la liste."),
    ("date_from=2026-13-01", "date_from", "Saisissez une date valide au format AAAA-MM-JJ (ex. 2026-11-22)."),
    ("date_from=2026-11-30&date_to=2026-11-01", "date_to",
     "La date de fin doit être égale ou postérieure à la date de début."),
    ("archived=peut-etre", "archived", "Indiquez 1 ou 0."),
    ("colour=blue", "colour", "Ce champ n'existe pas dans ce formulaire."),
    ("company=999999", "company", "Choisissez une valeur dans la liste."),
])
def test_bad_filters_are_400_with_a_message_per_parameter(app, client, scene, query, field, message):
    headers = token(client, scene, "prescriber")
    response = client.get(f"{API}/sent?{query}", headers=headers)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "Paramètre de requête invalide : corrigez les paramètres signalés."
    assert body["fields"][field] == [message]


def test_a_bad_page_is_400(app, client, scene):
    response = client.get(f"{API}/mine?page=0", headers=token(client, scene, "seeker"))
    assert response.status_code == 400 and "page" in response.get_json()["fields"]


def test_a_company_lists_received_applications_with_the_task_to_do(app, client, scene):
    case_id = send_application(app, scene)
    old = send_application(app, scene, seeker="leo")
    with app.app_context():
        db.session.get(Case, old).created_at = utcnow() - timedelta(days=3 * 365)
        db.session.commit()
        task_id = Task.query.filter_by(case_id=case_id, state="open").one().id
    auto = send_application(app, scene, seeker="leo", sender="employer", sender_org="jardins")
    headers = token(client, scene, "colleague", "jardins")
    items = by_reference(client.get(f"{API}/received", headers=headers))
    assert set(items) == {reference(app, case_id), reference(app, auto)}  # the 3-year-old one is gone
    item = items[reference(app, case_id)]
    assert item["open_task"] == {"id": task_id, "title": "Traiter la nouvelle candidature"}
    assert item["sender"]["organisation"]["name"] == "France Travail Rennes"
    assert item["auto_prescription"] is False
    assert items[reference(app, auto)]["auto_prescription"] is True
    assert items[reference(app, auto)]["sender"]["kind"] == "auto"
    assert set(by_reference(client.get(f"{API}/received?sender_kind=auto", headers=headers))) == {
        reference(app, auto)}
    assert client.get(f"{API}/received?sender_kind=robot", headers=headers).status_code == 400


def test_a_job_seeker_lists_their_own_without_private_comment(app, client, scene):
    shared = send_application(app, scene)
    act(app, shared, scene.users["employer"], **REFUSAL, share_reason_with_job_seeker=True)
    kept = send_application(app, scene, company="recyclerie")
    act(app, kept, scene.users["employer"], **REFUSAL)
    someone_else = send_application(app, scene, seeker="leo")
    response = client.get(f"{API}/mine", headers=token(client, scene, "seeker"))
    items = by_reference(response)
    assert set(items) == {reference(app, shared), reference(app, kept)}
    assert reference(app, someone_else) not in items
    assert "Profil intéressant" not in response.get_data(as_text=True)
    assert all(item["private_comment"] is None for item in items.values())
    assert items[reference(app, shared)]["refusal_reason"] == "no_position"
    assert items[reference(app, kept)]["refusal_reason"] is None
    assert items[reference(app, kept)]["answer_to_job_seeker"] == "Nous n'avons plus de poste ouvert."
    assert items[reference(app, kept)]["sender"]["person"] is None  # organisations only
    assert items[reference(app, kept)]["sender"]["organisation"]["name"] == "France Travail Rennes"


@pytest.mark.parametrize("user, org, path", [
    ("prescriber", None, "received"),
    ("seeker", None, "sent"),
    ("seeker", None, "received"),
    ("support", None, "sent"),
])
def test_lists_of_others_are_403(app, client, scene, user, org, path):
    response = client.get(f"{API}/{path}?state=nowhere", headers=token(client, scene, user, org))
    assert response.status_code == 403  # the right comes before the parameters
    assert response.get_json()["error"].startswith("Cette liste montre les candidatures")


def test_lists_need_a_token(client):
    for path in ("sent", "received", "mine"):
        assert client.get(f"{API}/{path}").status_code == 401


def test_pages_of_the_api_list(app, client, scene):
    from app.models import JobSeeker, Organisation
    from app.services import cases
    with app.app_context():
        actor = db.session.get(User, scene.users["prescriber"])
        for n in range(21):
            seeker = JobSeeker(first_name=f"Page{n}", last_name="Test")
            db.session.add(seeker)
            db.session.flush()
            cases.open_application(actor, db.session.get(Organisation, scene.orgs["ft"]), seeker.id,
                                   scene.orgs["jardins"], "Bonjour.")
        db.session.commit()
    headers = token(client, scene, "prescriber")
    first = client.get(f"{API}/sent", headers=headers).get_json()
    second = client.get(f"{API}/sent?page=2", headers=headers).get_json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (21, 20, 1)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert client.get(f"{API}/sent?page=3", headers=headers).get_json()["items"] == []


def test_answers_match_the_openapi_document(app, client, scene):
    case_id = send_application(app, scene)
    act(app, case_id, scene.users["employer"], **REFUSAL)
    schemas = Schemas(client.get("/api/v1/openapi.json").get_json())
    prescriber = token(client, scene, "prescriber")
    employer = token(client, scene, "employer", "jardins")
    seeker = token(client, scene, "seeker")
    for path, headers in (("sent", prescriber), ("received", employer), ("mine", seeker)):
        schemas.check(client.get(f"{API}/{path}", headers=headers), f"/api/v1/applications/{path}", "get")
        schemas.check(client.get(f"{API}/{path}?state=x", headers=headers), f"/api/v1/applications/{path}", "get")
        schemas.check(client.get(f"{API}/{path}"), f"/api/v1/applications/{path}", "get")
    schemas.check(client.get(f"{API}/received", headers=prescriber), "/api/v1/applications/received", "get")
