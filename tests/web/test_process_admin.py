"""/processus on the HTML and JSON side: who reaches what (process owners everything, support
read-only, others 403), and the French answers to bad input (422, 409, 404) that change nothing."""
import re

import pytest

from app.engine import processes
from app.extensions import db
from app.models import AuditEntry, Case, ProcessDraft, ProcessVersion, User
from app.services import process_admin as service
from tests.support.web import csrf_token
from tests.web.builders import PASSWORD, build_scene, login, open_task_id, send_application, text

KEY = "application"
OWNER = "olga.proprietaire@parcours.test"
BASE = f"/processus/{KEY}"

READS = ["/processus", BASE, f"{BASE}/versions/1", f"{BASE}/versions/1.bpmn", f"{BASE}/comparer?de=1&a=2",
         f"{BASE}/brouillon/verification", f"{BASE}/brouillon/comparaison", f"{BASE}/brouillon.bpmn",
         f"{BASE}/simulation", f"{BASE}/brouillon.json", "/processus/editeur.json",
         "/processus/formulaires/application_review.yaml"]
OWNER_PAGES = [f"{BASE}/modeler", f"{BASE}/publier", f"{BASE}/versions/1/republier", f"{BASE}/migration"]


def thirty_days(xml):
    return xml.replace('"P60D"', '"P30D"', 1)


@pytest.fixture
def scene(app):
    """The builders' scene, a process owner, a case on version 1, version 2 published, a draft."""
    scene = build_scene(app)
    case_id = send_application(app, scene)
    with app.app_context():
        owner = User(email=OWNER, first_name="Olga", last_name="Propriétaire", kind="staff", is_process_owner=True)
        owner.set_password(PASSWORD)
        db.session.add(owner)
        db.session.commit()
        scene.users["owner"] = owner.id
        xml = processes.latest_version(KEY).xml
        draft = service.save_draft(KEY, thirty_days(xml), {}, 0, owner)
        service.publish(KEY, draft.lock, "Refus à 30 jours", owner)
        service.save_draft(KEY, xml, {}, 0, owner)
    scene.case_id = case_id
    return scene


def sign_in(client, scene, who):
    email = OWNER if who == "owner" else scene.email(who)
    assert login(client, email).status_code == 302


def state(app):
    """What a refused request must leave alone."""
    with app.app_context():
        draft = ProcessDraft.query.filter_by(process_key=KEY).first()
        return (ProcessVersion.query.count(), draft.lock if draft else None, AuditEntry.query.count(),
                db.session.get(Case, Case.query.first().id).process_version_id)


def writes(app, scene):
    """(method, url, payload) of every changing route, in an order an owner can follow."""
    with app.app_context():
        lock = service.editor_state(KEY)["lock"]
        case = db.session.get(Case, scene.case_id)
        code = f"{case.id}-{case.lock_version}"
        xml = processes.latest_version(KEY).xml
    return [
        ("json", f"{BASE}/brouillon", {"xml": xml, "forms": {}, "lock": lock}, 200),
        ("json", f"{BASE}/brouillon/verifier", {"xml": xml, "forms": {}}, 200),
        ("json", "/processus/formulaires/apercu", {"form_key": "essai", "yaml": "title: Essai\nfields: []\n"}, 200),
        ("form", f"{BASE}/migration/verification", {"cases": str(scene.case_id)}, 200),
        ("form", f"{BASE}/migration/executer", {"cases": code}, 200),
        ("form", f"{BASE}/versions/1/republier", {"note": "Retour aux 60 jours"}, 302),
        ("form", f"{BASE}/brouillon/abandonner?verrou={lock + 1}", {}, 302),
        ("json", f"{BASE}/brouillon", {"xml": thirty_days(xml), "forms": {}, "lock": 0}, 200),
        ("form", f"{BASE}/publier?verrou=1", {"note": "De nouveau 30 jours"}, 302),
    ]


def send(client, kind, url, payload):
    if kind == "json":
        return client.post(url, json=payload)
    return client.post(url, data=payload)


def test_process_owners_reach_every_page_and_action(app, client, scene):
    sign_in(client, scene, "owner")
    for url in READS + OWNER_PAGES:
        response = client.get(url)
        assert response.status_code == 200, (url, text(response)[:1000])
    for kind, url, payload, expected in writes(app, scene):
        response = send(client, kind, url, payload)
        assert response.status_code == expected, (url, text(response)[:2000])
    with app.app_context():
        versions = [(v.version, v.created_by_id) for v in ProcessVersion.query.filter_by(process_key=KEY)
                    .order_by(ProcessVersion.version)]
        assert versions[2:] == [(3, scene.users["owner"]), (4, scene.users["owner"])]
        assert db.session.get(Case, scene.case_id).process_version.version == 2
        actions = sorted(a.action for a in AuditEntry.query)
        assert actions == ["case_version_migrated", "process_draft_discarded", "process_published",
                           "process_published", "process_rolled_back"]


def test_support_reads_everything_and_changes_nothing(app, client, scene):
    sign_in(client, scene, "support")
    for url in READS:
        assert client.get(url).status_code == 200, url
    for url in OWNER_PAGES:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Seuls les propriétaires des processus peuvent modifier" in text(response)
    before = state(app)
    for kind, url, payload, _expected in writes(app, scene):
        response = send(client, kind, url, payload)
        assert response.status_code == 403, url
    assert state(app) == before
    page = text(client.get(BASE))
    assert "Republier" not in page and "Modifier le brouillon" not in page


@pytest.mark.parametrize("who", ["employer", "prescriber", "seeker"])
def test_everybody_else_is_refused(app, client, scene, who):
    sign_in(client, scene, who)
    assert "Processus</a>" not in text(client.get("/taches"))
    for url in READS + OWNER_PAGES:
        response = client.get(url)
        assert response.status_code == 403, url
    assert "réservée aux propriétaires des processus et à l'équipe support" in text(client.get("/processus"))
    assert client.get("/processus/editeur.json").get_json()["error"]["status"] == 403
    before = state(app)
    for kind, url, payload, _expected in writes(app, scene):
        assert send(client, kind, url, payload).status_code == 403, url
    assert state(app) == before


def test_signed_out_visitors_are_sent_to_the_login_page(app, client, scene):
    for url in READS + OWNER_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_navigation_shows_processes_to_owners_and_support(app, client, scene):
    sign_in(client, scene, "owner")
    assert re.search(r'href="/processus"[^>]*>Processus</a>', text(client.get("/taches")))


# -- bad input ---------------------------------------------------------------------------------

def test_saving_what_is_not_bpmn_or_from_a_stale_editor_is_refused(app, client, scene):
    sign_in(client, scene, "owner")
    before = state(app)
    response = client.post(f"{BASE}/brouillon", json={"xml": "<html/>", "forms": {}, "lock": before[1]})
    assert response.status_code == 422
    assert response.get_json()["error"]["message"].startswith("Ce fichier n'est pas un diagramme BPMN 2.0")
    response = client.post(f"{BASE}/brouillon", json={"xml": "<bpmn:definitions", "lock": before[1]})
    assert response.status_code == 422
    xml = text(client.get(f"{BASE}/versions/1.bpmn"))
    response = client.post(f"{BASE}/brouillon", json={"xml": xml, "forms": {}, "lock": before[1] - 1})
    assert response.status_code == 409
    assert response.get_json()["error"]["message"].startswith(
        "Ce brouillon a été modifié par Olga Propriétaire entre-temps")
    response = client.post(f"{BASE}/brouillon", data="pas du JSON", content_type="application/json")
    assert response.status_code == 400
    assert "La demande est illisible" in response.get_json()["error"]["message"]
    response = client.post(f"{BASE}/brouillon", json={"xml": xml, "forms": {"../x": "a"}, "lock": before[1]})
    assert response.status_code == 422
    assert state(app) == before


def test_publishing_a_draft_with_errors_is_refused_with_its_problems(app, client, scene):
    sign_in(client, scene, "owner")
    lock = state(app)[1]
    xml = text(client.get(f"{BASE}/versions/2.bpmn")).replace('name="Employeur"', 'name="Patron"')
    assert client.post(f"{BASE}/brouillon", json={"xml": xml, "forms": {}, "lock": lock}).status_code == 200
    page = text(client.get(f"{BASE}/publier"))
    assert "Le brouillon contient 1 erreur : corrigez-les avant de publier." in page
    assert 'href="/processus/application/modeler?element=Lane_employer"' in page
    before = state(app)
    response = client.post(f"{BASE}/publier?verrou={lock + 1}", data={"note": "Essai"})
    assert response.status_code == 422
    assert "Le couloir « Patron » ne correspond à aucun rôle" in text(response)
    assert state(app) == before
    checked = client.post(f"{BASE}/brouillon/verifier", json={"xml": xml}).get_json()
    assert checked["errors"] == 1
    assert checked["problems"][0]["element_id"] == "Lane_employer"


def test_publishing_without_a_note_or_from_an_old_page_is_refused(app, client, scene):
    sign_in(client, scene, "owner")
    lock = state(app)[1]
    before = state(app)
    response = client.post(f"{BASE}/publier?verrou={lock}", data={"note": ""})
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in text(response)
    response = client.post(f"{BASE}/publier?verrou={lock - 1}", data={"note": "Vieille page"})
    assert response.status_code == 409
    assert "Ce brouillon a été modifié par Olga Propriétaire entre-temps" in text(response)
    assert state(app) == before


def test_migrating_a_case_changed_since_its_precheck_is_refused(app, client, scene):
    sign_in(client, scene, "owner")
    page = text(client.post(f"{BASE}/migration/verification", data={"cases": str(scene.case_id)}))
    code = re.search(r'name="cases" value="(\d+-\d+)" checked', page).group(1)
    assert "Passage à la version 2" in page and ">Oui<" in page
    # The employer acts on the case meanwhile.
    from app.services import tasks
    with app.app_context():
        tasks.complete(open_task_id(app, scene.case_id), db.session.get(User, scene.users["colleague"]),
                       formdata=_form(decision="study"))
    response = client.post(f"{BASE}/migration/executer", data={"cases": code})
    assert response.status_code == 409
    assert "Ce dossier a changé depuis la vérification préalable" in text(response)
    with app.app_context():
        assert db.session.get(Case, scene.case_id).process_version.version == 1


def _form(**data):
    from werkzeug.datastructures import MultiDict
    return MultiDict(data)


def test_unknown_processes_and_versions_are_404(app, client, scene):
    sign_in(client, scene, "owner")
    for url in ("/processus/inconnu", f"{BASE}/versions/9", f"{BASE}/comparer?de=1&a=9", f"{BASE}/comparer?de=x"):
        response = client.get(url)
        assert response.status_code == 404, url
    assert "Le processus « inconnu » n'existe pas." in text(client.get("/processus/inconnu"))


@pytest.mark.csrf
def test_the_modeler_saves_with_its_csrf_token(app, client, scene):
    sign_in_with_csrf(client, scene)
    page = text(client.get(f"{BASE}/modeler"))
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    xml = text(client.get(f"{BASE}/versions/2.bpmn"))
    lock = state(app)[1]
    assert client.post(f"{BASE}/brouillon", json={"xml": xml, "lock": lock}).status_code == 400
    response = client.post(f"{BASE}/brouillon", json={"xml": xml, "lock": lock}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json() == {"lock": lock + 1, "message": "Brouillon enregistré.",
                                   "updated_at": response.get_json()["updated_at"]}


def sign_in_with_csrf(client, scene):
    token = csrf_token(client.get("/login").data)
    response = client.post("/login", data={"email": OWNER, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
