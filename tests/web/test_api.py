"""The JSON API (/api/v1) through the Flask test client, on SQLite and PostgreSQL.

Data is built with the real services and the shipped diagrams (tests/support/world.py).
The last part checks the OpenAPI document against the url_map and real answers.
"""
import hashlib
import json
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import ApiToken, Case, Event, Membership, Task
from app.models.base import utcnow
from tests.support.world import PASSWORD, make_world, open_task, send_application

API = "/api/v1"
NOT_A_JSON_OBJECT = "Le corps de la requête doit être un objet JSON."


# --- fixtures and helpers ---------------------------------------------------------------

@pytest.fixture
def world(app):
    with app.app_context():
        return make_world(app.config["BPMN_DIR"])


@pytest.fixture
def application(app, world):
    """An application from the prescriber (France Travail) to Les Jardins, its first task open."""
    with app.app_context():
        case = send_application(world)
        task = open_task(case)
        return SimpleNamespace(case_id=case.id, reference=case.reference, task_id=task.id)


def email_of(app, world, key):
    with app.app_context():
        return world.user(key).email


def issue(client, app, world, key, org=None, password=PASSWORD):
    body = {"email": email_of(app, world, key), "password": password}
    if org is not None:
        body["organisation_id"] = world.orgs[org]
    return client.post(f"{API}/tokens", json=body)


def auth(client, app, world, key, org=None):
    response = issue(client, app, world, key, org)
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def assert_error(response, status, message=None):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body.get("error"), str) and body["error"]
    assert set(body) <= {"error", "fields"}
    if message is not None:
        assert body["error"] == message
    return body


def complete(client, headers, task_id, **fields):
    return client.post(f"{API}/tasks/{task_id}/complete", json=fields, headers=headers)


REFUSAL = {"decision": "refuse", "refusal_reason": "other", "refusal_reason_details": "Poste pourvu.",
           "answer_to_job_seeker": "Merci, le poste est pourvu.", "private_comment": "Profil à revoir en juin."}


# --- tokens -------------------------------------------------------------------------------

def test_token_is_issued_hashed_with_expiry_and_organisation(app, client, world):
    response = issue(client, app, world, "employer", org="jardins")
    assert response.status_code == 201
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["user"]["id"] == world.users["employer"] and body["user"]["name"] == "Emma Ployeur"
    assert body["organisation"] == {"id": world.orgs["jardins"], "name": "Les Jardins (ACI)",
                                    "category": "company", "kind": "ACI"}
    with app.app_context():
        row = ApiToken.query.one()
        # Only the SHA-256 is stored, never the token itself.
        assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        assert body["token"] not in row.token_hash
        assert row.organisation_id == world.orgs["jardins"]
        lifetime = row.expires_at - row.created_at
        assert timedelta(hours=11, minutes=59) < lifetime <= timedelta(hours=12)
        assert body["expires_at"] == row.expires_at.isoformat()


def test_token_defaults_to_first_organisation_by_name_or_none(app, client, world):
    # The employer belongs to "Les Jardins" and "La Recyclerie": the web's default is by name.
    body = issue(client, app, world, "employer").get_json()
    assert body["organisation"]["id"] == world.orgs["recyclerie"]
    # A job seeker acts for no organisation.
    body = issue(client, app, world, "seeker_user").get_json()
    assert body["organisation"] is None and body["user"]["kind"] == "job_seeker"


def test_token_refusals(app, client, world):
    assert_error(issue(client, app, world, "employer", password="faux"), 401, "Identifiants incorrects.")
    unknown = client.post(f"{API}/tokens", json={"email": "personne@test.fr", "password": PASSWORD})
    assert_error(unknown, 401, "Identifiants incorrects.")
    # Not a member of that organisation.
    body = assert_error(issue(client, app, world, "employer", org="geiq"), 403)
    assert "organisation_id" in body["fields"]
    # Missing or mistyped fields: 422 per field; a body that is no JSON object: 400.
    body = assert_error(client.post(f"{API}/tokens", json={"email": 3}), 422)
    assert body["fields"] == {"email": ["Indiquez un texte."], "password": ["Ce champ est obligatoire."]}
    body = assert_error(client.post(f"{API}/tokens", json={"email": "a@b.fr", "password": "x",
                                                           "organisation_id": "deux", "extra": 1}), 422)
    assert set(body["fields"]) == {"organisation_id", "extra"}
    assert_error(client.post(f"{API}/tokens", data="{email", content_type="application/json"), 400,
                 NOT_A_JSON_OBJECT)
    # An inactive account gets no token, even with the right password.
    with app.app_context():
        world.user("colleague").is_active = False
        db.session.commit()
    response = issue(client, app, world, "colleague")
    assert_error(response, 401)
    assert response.get_json()["error"] != "Identifiants incorrects."
    with app.app_context():
        assert ApiToken.query.count() == 0


def test_bearer_authentication(app, client, world):
    response = client.get(f"{API}/tasks")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc"):
        response = client.get(f"{API}/tasks", headers={"Authorization": header})
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(client.get(f"{API}/tasks", headers={"Authorization": "Bearer inconnu"}), 401,
                 "Ce jeton n'est pas valable : demandez-en un nouveau.")

    headers = auth(client, app, world, "employer", "jardins")
    assert client.get(f"{API}/tasks", headers=headers).status_code == 200
    # The scheme is case-insensitive (RFC 7235).
    assert client.get(f"{API}/tasks", headers={"Authorization": "bearer " + headers["Authorization"][7:]}
                      ).status_code == 200

    with app.app_context():
        ApiToken.query.update({"expires_at": utcnow() - timedelta(seconds=1)})
        db.session.commit()
    response = client.get(f"{API}/tasks", headers=headers)
    assert_error(response, 401, "Ce jeton a expiré : demandez-en un nouveau.")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="parcours", error="invalid_token"'
    # Preflight-style OPTIONS needs no token.
    assert client.options(f"{API}/tasks").status_code == 200


def test_token_stops_working_when_membership_or_account_ends_or_is_revoked(app, client, world):
    headers = auth(client, app, world, "colleague", "jardins")
    with app.app_context():
        Membership.query.filter_by(user_id=world.users["colleague"]).update({"is_active": False})
        db.session.commit()
    assert_error(client.get(f"{API}/tasks", headers=headers), 401)

    headers = auth(client, app, world, "prescriber", "ft")
    with app.app_context():
        world.user("prescriber").is_active = False
        db.session.commit()
    assert_error(client.get(f"{API}/tasks", headers=headers), 401)

    headers = auth(client, app, world, "employer", "jardins")
    assert client.delete(f"{API}/tokens/current", headers=headers).status_code == 204
    assert_error(client.get(f"{API}/tasks", headers=headers), 401)


def test_no_session_cookie_and_no_cache(app, client, world):
    headers = auth(client, app, world, "employer", "jardins")
    response = client.get(f"{API}/tasks", headers=headers)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


# --- inbox --------------------------------------------------------------------------------

def test_task_list_scopes_filters_and_counts(app, client, world, application):
    headers = auth(client, app, world, "employer", "jardins")
    body = client.get(f"{API}/tasks", headers=headers).get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["page_size"] == 50
    item = body["items"][0]
    assert item["id"] == application.task_id
    assert item["title"] == "Traiter la nouvelle candidature"
    assert item["form_key"] == "application_review" and item["role"] == "employer"
    assert item["case"] == {"id": application.case_id, "reference": application.reference,
                            "process": "application", "stage": "new", "stage_label": "Nouvelle candidature"}
    assert item["organisation_id"] == world.orgs["jardins"] and item["assignee"] is None
    assert item["due_at"] and item["created_at"] and item["overdue"] is False
    assert item["links"]["complete"] == f"{API}/tasks/{application.task_id}/complete"
    assert body["counts"] == {"organisation": 1, "mine": 0, "unassigned": 1, "overdue": 0, "due_soon": 0}

    assert client.get(f"{API}/tasks?scope=mine", headers=headers).get_json()["total"] == 0
    assert client.get(f"{API}/tasks?scope=unassigned", headers=headers).get_json()["total"] == 1
    assert client.get(f"{API}/tasks?process=application&stage=new", headers=headers).get_json()["total"] == 1
    assert client.get(f"{API}/tasks?stage=processing", headers=headers).get_json()["total"] == 0
    assert client.get(f"{API}/tasks?process=hire", headers=headers).get_json()["total"] == 0
    assert client.get(f"{API}/tasks?overdue=1", headers=headers).get_json()["total"] == 0
    with app.app_context():
        db.session.get(Task, application.task_id).due_at = utcnow() - timedelta(days=1)
        db.session.commit()
    body = client.get(f"{API}/tasks?overdue=1", headers=headers).get_json()
    assert body["total"] == 1 and body["items"][0]["overdue"] is True and body["counts"]["overdue"] == 1
    assert client.get(f"{API}/tasks?page=2", headers=headers).get_json()["items"] == []

    # The same user acting for their other company has an empty inbox.
    other = auth(client, app, world, "employer", "recyclerie")
    assert client.get(f"{API}/tasks", headers=other).get_json()["total"] == 0


def test_task_list_queries_do_not_grow_with_the_page(app, client, world, application):
    from sqlalchemy import event

    headers = auth(client, app, world, "employer", "jardins")

    def count_queries():
        statements = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            body = client.get(f"{API}/tasks", headers=headers).get_json()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return body["total"], len(statements)

    one = count_queries()
    with app.app_context():
        for seeker in ("aicha", "nadia", "jean"):
            send_application(world, seeker=seeker)
    four = count_queries()
    assert (one[0], four[0]) == (1, 4)
    assert four[1] == one[1], (one, four)


@pytest.mark.parametrize("query, field", [("scope=tous", "scope"), ("page=0", "page"), ("page=abc", "page"),
                                          ("page=99999999999999999999", "page"), ("overdue=peut-être", "overdue")])
def test_task_list_rejects_bad_parameters(app, client, world, query, field):
    headers = auth(client, app, world, "employer", "jardins")
    body = assert_error(client.get(f"{API}/tasks?{query}", headers=headers), 400)
    assert list(body["fields"]) == [field]


# --- one task -------------------------------------------------------------------------------

def test_task_detail_has_form_with_choices_after_context_and_diagram(app, client, world, application):
    headers = auth(client, app, world, "employer", "jardins")
    body = client.get(f"{API}/tasks/{application.task_id}", headers=headers).get_json()
    assert body["id"] == application.task_id and body["state"] == "open" and body["can_complete"] is True
    assert body["case"]["reference"] == application.reference and body["case"]["status"] == "running"
    assert body["form"]["key"] == "application_review" and body["form"]["title"]
    fields = {f["name"]: f for f in body["form"]["fields"]}
    assert list(fields) == ["decision", "refusal_reason", "refusal_reason_details", "answer_to_job_seeker",
                            "private_comment", "share_reason_with_job_seeker", "transfer_to"]
    decision = fields["decision"]
    assert decision["type"] == "choice" and decision["required"] is True
    assert decision["label"] == "Que souhaitez-vous faire ?"
    assert [c["value"] for c in decision["choices"]] == ["study", "postpone", "pool", "refuse", "accept",
                                                          "transfer"]
    assert {"value": "refuse", "label": "Décliner la candidature"} in decision["choices"]
    assert fields["refusal_reason"]["required_if"] == {"decision": ["refuse"]}
    assert fields["refusal_reason"]["required"] is False
    assert fields["answer_to_job_seeker"]["required_if"] == {"decision": ["refuse", "postpone"]}
    assert fields["refusal_reason"]["choices"] and all(set(c) == {"value", "label"}
                                                       for c in fields["refusal_reason"]["choices"])
    assert fields["private_comment"]["max_length"] == 5000 and fields["private_comment"]["choices"] is None
    # Transfer targets: the user's other companies (context), not the case's company.
    assert fields["transfer_to"]["choices"] == [{"value": str(world.orgs["recyclerie"]),
                                                 "label": "La Recyclerie (EI)"}]

    # The next stage's task: the diagram no longer offers "study".
    complete(client, headers, application.task_id, decision="study")
    with app.app_context():
        next_id = open_task(db.session.get(Case, application.case_id)).id
    body = client.get(f"{API}/tasks/{next_id}", headers=headers).get_json()
    decision = next(f for f in body["form"]["fields"] if f["name"] == "decision")
    assert [c["value"] for c in decision["choices"]] == ["postpone", "pool", "refuse", "accept", "transfer"]


def test_task_visible_to_case_parties_but_actions_to_candidates_only(app, client, world, application):
    prescriber = auth(client, app, world, "prescriber", "ft")
    body = client.get(f"{API}/tasks/{application.task_id}", headers=prescriber).get_json()
    assert body["can_complete"] is False
    assert_error(client.post(f"{API}/tasks/{application.task_id}/claim", headers=prescriber), 403)
    assert_error(complete(client, prescriber, application.task_id, decision="study"), 403)


def test_claim_and_unclaim(app, client, world, application):
    employer = auth(client, app, world, "employer", "jardins")
    colleague = auth(client, app, world, "colleague", "jardins")
    url = f"{API}/tasks/{application.task_id}"
    body = client.post(f"{url}/claim", headers=employer).get_json()
    assert body["assignee"] == {"id": world.users["employer"], "name": "Emma Ployeur"}
    assert body["claimed_at"] is not None
    # Claiming again is harmless; a colleague is refused.
    assert client.post(f"{url}/claim", headers=employer).status_code == 200
    body = assert_error(client.post(f"{url}/claim", headers=colleague), 409)
    assert "Emma Ployeur" in body["error"]
    assert_error(client.post(f"{url}/unclaim", headers=colleague), 403)
    assert_error(complete(client, colleague, application.task_id, decision="study"), 409)
    mine = client.get(f"{API}/tasks?scope=mine", headers=employer).get_json()
    assert mine["total"] == 1 and mine["counts"]["mine"] == 1
    body = client.post(f"{url}/unclaim", headers=employer).get_json()
    assert body["assignee"] is None and body["claimed_at"] is None
    assert client.post(f"{url}/claim", headers=colleague).get_json()["assignee"]["id"] == world.users["colleague"]
    with app.app_context():
        kinds = [e.kind for e in Event.query.filter_by(task_id=application.task_id).order_by(Event.id)]
    assert kinds.count("task_claimed") == 2 and kinds.count("task_unclaimed") == 1


# --- completing -------------------------------------------------------------------------------

def test_complete_moves_the_case_and_gives_the_next_task(app, client, world, application):
    headers = auth(client, app, world, "employer", "jardins")
    response = complete(client, headers, application.task_id, decision="study")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["case"]["id"] == application.case_id
    assert body["case"]["stage"] == "processing" and body["case"]["stage_label"] == "À l'étude"
    assert body["next_task"]["title"] == "Statuer sur la candidature à l'étude"
    assert body["next_task"]["case"]["stage"] == "processing"
    with app.app_context():
        task = db.session.get(Task, application.task_id)
        assert task.state == "completed" and task.completed_by_id == world.users["employer"]


def test_complete_refuses_invalid_data_per_field_in_french(app, client, world, application):
    headers = auth(client, app, world, "employer", "jardins")
    body = assert_error(complete(client, headers, application.task_id), 422)
    assert body["fields"] == {"decision": ["Ce champ est obligatoire."]}
    body = assert_error(complete(client, headers, application.task_id, decision="refuse"), 422,
                        "Le formulaire contient des erreurs : corrigez les champs signalés.")
    assert body["fields"] == {"refusal_reason": ["Ce champ est obligatoire."],
                              "answer_to_job_seeker": ["Ce champ est obligatoire."]}
    body = assert_error(complete(client, headers, application.task_id, decision="embaucher-demain"), 422)
    assert body["fields"] == {"decision": ["Choisissez une valeur dans la liste."]}
    body = assert_error(complete(client, headers, application.task_id, decision="study", couleur="bleu",
                                 share_reason_with_job_seeker="oui"), 422)
    assert body["fields"]["couleur"] == ["Ce champ n'existe pas dans ce formulaire."]
    assert body["fields"]["share_reason_with_job_seeker"] == ["Indiquez true ou false."]
    body = assert_error(complete(client, headers, application.task_id, decision="refuse", refusal_reason="other",
                                 answer_to_job_seeker="x" * 5001), 422)
    assert body["fields"] == {"refusal_reason_details": ["Ce champ est obligatoire."],
                              "answer_to_job_seeker": ["Saisissez au plus 5000 caractères."]}
    with app.app_context():
        assert db.session.get(Task, application.task_id).state == "open"
        assert Event.query.filter_by(kind="task_completed").count() == 0


@pytest.mark.parametrize("data", ["", "{decision", "[1, 2]", '"study"', "null", '{"decision": NaN}',
                                  "[" * 5000 + "]" * 5000, b"\xff\xfe{", "{}{}"])
def test_malformed_bodies_are_400_never_500(app, client, world, application, data):
    headers = auth(client, app, world, "employer", "jardins")
    response = client.post(f"{API}/tasks/{application.task_id}/complete", data=data, headers=headers,
                           content_type="application/json")
    assert_error(response, 400, NOT_A_JSON_OBJECT)
    response = client.post(f"{API}/cases", data=data, headers=headers, content_type="text/plain")
    assert_error(response, 400, NOT_A_JSON_OBJECT)


@pytest.mark.parametrize("value", [None, 12, 1.5, True, [], {}, ["refuse"], "x" * 100_000])
def test_odd_field_values_are_422_never_500(app, client, world, application, value):
    headers = auth(client, app, world, "employer", "jardins")
    response = complete(client, headers, application.task_id, decision=value, transfer_to=value,
                        share_reason_with_job_seeker=value)
    assert_error(response, 422)


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_too_large_body_is_413_json(app, client, world, application):
    headers = auth(client, app, world, "employer", "jardins")
    response = complete(client, headers, application.task_id, decision="refuse", answer_to_job_seeker="x" * 4000)
    assert_error(response, 413)


def test_second_completion_is_a_conflict(app, client, world, application):
    employer = auth(client, app, world, "employer", "jardins")
    colleague = auth(client, app, world, "colleague", "jardins")
    assert complete(client, employer, application.task_id, **REFUSAL).status_code == 200
    body = assert_error(complete(client, colleague, application.task_id, decision="study"), 409)
    assert body["error"] == "Cette tâche a déjà été traitée par Emma Ployeur."
    assert_error(client.post(f"{API}/tasks/{application.task_id}/claim", headers=colleague), 409)
    with app.app_context():
        assert Event.query.filter_by(kind="task_completed", task_id=application.task_id).count() == 1


def test_other_organisation_is_403_and_unknown_is_404(app, client, world, application):
    outsider = auth(client, app, world, "outsider", "geiq")
    task_url = f"{API}/tasks/{application.task_id}"
    for response in (client.get(task_url, headers=outsider),
                     client.post(f"{task_url}/claim", headers=outsider),
                     client.post(f"{task_url}/unclaim", headers=outsider),
                     complete(client, outsider, application.task_id, decision="study"),
                     client.get(f"{API}/cases/{application.case_id}", headers=outsider)):
        assert_error(response, 403)
    assert client.get(f"{API}/tasks", headers=outsider).get_json()["total"] == 0

    for url in (f"{API}/tasks/999999", f"{API}/cases/999999", f"{API}/tasks/99999999999999999999",
                f"{API}/cases/99999999999", f"{API}/tasks/abc", f"{API}/nothing-here", "/api/v2/tasks", "/api/"):
        assert_error(client.get(url, headers=outsider), 404)
    assert_error(client.get(f"{API}/tasks/999999", headers=outsider), 404, "Cette tâche n'existe pas.")
    assert_error(client.get(f"{API}/cases/999999", headers=outsider), 404, "Ce dossier n'existe pas.")
    assert_error(complete(client, outsider, 999999, decision="study"), 404)
    # Unknown URLs need no token to be told so, and still answer JSON.
    assert_error(client.get(f"{API}/nothing-here"), 404)


def test_wrong_method_is_405_json_and_other_paths_keep_html_errors(app, client, world):
    response = client.delete(f"{API}/tasks")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_error(client.get(f"{API}/tokens"), 405)
    assert_error(client.put(f"{API}/tasks/1/complete"), 405)
    # Outside /api/ the web's HTML error pages are untouched.
    response = client.get("/cette-page-n-existe-pas")
    assert response.status_code == 404 and response.mimetype == "text/html"
    response = client.post("/static/app.css")
    assert response.status_code == 405 and response.mimetype == "text/html"


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)
def test_unexpected_error_is_500_json(app, client, world, monkeypatch):
    headers = auth(client, app, world, "employer", "jardins")
    from app.services import inbox

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(inbox, "tasks", broken)
    body = assert_error(client.get(f"{API}/tasks", headers=headers), 500)
    assert "bug" not in body["error"]


# --- cases --------------------------------------------------------------------------------------

def test_create_case_sends_an_application(app, client, world):
    headers = auth(client, app, world, "prescriber", "ft")
    response = client.post(f"{API}/cases", headers=headers, json={
        "process": "application", "job_seeker_id": world.seekers["aicha"], "company_id": world.orgs["recyclerie"],
        "message": "Candidate motivée, disponible."})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"{API}/cases/{body['id']}"
    assert body["process"] == "application" and body["status"] == "running" and body["stage"] == "new"
    assert body["reference"].startswith("CAND-") and body["version"] == 1
    assert body["job_seeker"] == {"id": world.seekers["aicha"], "name": "Aïcha TRAORÉ"}
    roles = {p["role"]: p for p in body["parties"]}
    assert roles["employer"]["organisation"]["id"] == world.orgs["recyclerie"]
    assert roles["prescriber"]["person"]["id"] == world.users["prescriber"]
    assert [t["title"] for t in body["open_tasks"]] == ["Traiter la nouvelle candidature"]
    assert body["events"][0]["kind"] == "case_started"
    # The company sees it in its inbox.
    employer = auth(client, app, world, "employer", "recyclerie")
    assert client.get(f"{API}/tasks", headers=employer).get_json()["total"] == 1


def test_create_case_refusals(app, client, world):
    headers = auth(client, app, world, "prescriber", "ft")
    body = assert_error(client.post(f"{API}/cases", headers=headers, json={}), 422)
    assert set(body["fields"]) == {"process", "job_seeker_id", "company_id"}
    body = assert_error(client.post(f"{API}/cases", headers=headers, json={
        "process": "prolongation", "job_seeker_id": "1", "company_id": True, "message": 4, "x": 1}), 422)
    assert set(body["fields"]) == {"process", "job_seeker_id", "company_id", "message", "x"}
    body = assert_error(client.post(f"{API}/cases", headers=headers, json={
        "process": "application", "job_seeker_id": 2**40, "company_id": world.orgs["jardins"],
        "message": "Bonjour"}), 422)
    assert list(body["fields"]) == ["job_seeker_id"]
    # The service's own checks: unknown job seeker, a prescriber is no company, empty message.
    for payload, field in (({"job_seeker_id": 999999, "company_id": world.orgs["jardins"]}, "job_seeker_id"),
                           ({"job_seeker_id": world.seekers["jean"], "company_id": world.orgs["ft"]}, "company_id"),
                           ({"job_seeker_id": world.seekers["jean"], "company_id": world.orgs["jardins"],
                             "message": "   "}, "message")):
        payload = {"process": "application", "message": "Bonjour", **payload}
        body = assert_error(client.post(f"{API}/cases", headers=headers, json=payload), 422)
        assert list(body["fields"]) == [field]
    with app.app_context():
        assert Case.query.count() == 0


def test_case_detail_and_private_fields(app, client, world):
    with app.app_context():
        case = send_application(world, seeker="nadia")
        task_id, case_id = open_task(case).id, case.id
    employer = auth(client, app, world, "employer", "jardins")
    assert complete(client, employer, task_id, **REFUSAL).status_code == 200

    body = client.get(f"{API}/cases/{case_id}", headers=employer).get_json()
    assert body["stage"] == "refused" and body["archived"] is False and body["version"] == 1
    completed = next(e for e in body["events"] if e["kind"] == "task_completed")
    assert completed["data"]["fields"]["private_comment"] == "Profil à revoir en juin."
    assert completed["actor"] == "Emma Ployeur"
    assert all(re.match(r"\d{4}-\d\d-\d\dT", e["at"]) for e in body["events"])
    # The "reconsider" task is open but unlisted: the case still shows it.
    assert [t["title"] for t in body["open_tasks"]] == ["Revenir sur le refus"]

    prescriber = auth(client, app, world, "prescriber", "ft")
    completed = next(e for e in client.get(f"{API}/cases/{case_id}", headers=prescriber).get_json()["events"]
                     if e["kind"] == "task_completed")
    assert completed["data"]["fields"]["private_comment"] == "Profil à revoir en juin."

    # The job seeker reads their case without the private comment nor the professionals' names.
    seeker = auth(client, app, world, "seeker_user")
    body = client.get(f"{API}/cases/{case_id}", headers=seeker).get_json()
    completed = next(e for e in body["events"] if e["kind"] == "task_completed")
    assert "private_comment" not in completed["data"]["fields"]
    assert "Profil à revoir" not in json.dumps(body)
    parties = {p["role"]: p for p in body["parties"]}
    assert parties["prescriber"]["person"] is None
    assert parties["prescriber"]["organisation"] == {"id": world.orgs["ft"], "name": "France Travail Test"}
    assert parties["job_seeker"]["person"] == {"id": world.users["seeker_user"], "name": "Nadia Haddad"}
    # No contact details or identifiers anywhere.
    for secret in ("candidat@test.fr", "prescripteur@test.fr", "employeur@test.fr"):
        assert secret not in json.dumps(body)
    assert_error(client.post(f"{API}/tasks/{task_id}/claim", headers=seeker), 403)


def test_support_sees_any_case(app, client, world, application):
    support = auth(client, app, world, "support")
    body = client.get(f"{API}/cases/{application.case_id}", headers=support).get_json()
    assert body["id"] == application.case_id
    assert {p["role"]: p for p in body["parties"]}["prescriber"]["person"]["name"] == "Paula Rescrit"


# --- OpenAPI ----------------------------------------------------------------------------------------

def openapi_path(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def test_openapi_documents_every_api_route_and_nothing_else(app, client):
    doc = client.get(f"{API}/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "Jeton obtenu par POST /api/v1/tokens."}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(f"{API}/") or rule.endpoint.startswith("api."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((openapi_path(rule), method.lower()))
    documented = {(path, method) for path, item in doc["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    assert routes == documented
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert params == set(re.findall(r"{(\w+)}", path)), (path, method)
            for status in operation["responses"]:
                assert re.fullmatch(r"[1-5]\d\d", status)
            # Every authenticated operation documents 401; every body-taking one documents 400 and 422.
            if operation.get("security") != []:
                assert "401" in operation["responses"], (path, method)
            if "requestBody" in operation:
                assert {"400", "422"} <= set(operation["responses"]), (path, method)


def test_openapi_document_is_valid_openapi(client):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(client.get(f"{API}/openapi.json").get_json())


class Schemas:
    """A small JSON Schema checker for the subset openapi.py uses (no new dependency)."""

    TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}

    def __init__(self, doc):
        self.doc = doc

    def resolve(self, ref):
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def errors(self, value, schema, where="$"):
        if "$ref" in schema:
            return self.errors(value, self.resolve(schema["$ref"]), where)
        found = []
        for sub in schema.get("allOf", []):
            found += self.errors(value, sub, where)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                matches = [sub for sub in schema[key] if not self.errors(value, sub, where)]
                if not matches or (key == "oneOf" and len(matches) > 1):
                    found.append(f"{where}: {key} not satisfied by {value!r:.80}")
        if "type" in schema and not self.type_ok(value, schema["type"]):
            return found + [f"{where}: {value!r:.80} is not {schema['type']}"]
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{where}: {value!r} not in {schema['enum']}")
        if "const" in schema and value != schema["const"]:
            found.append(f"{where}: {value!r} != {schema['const']!r}")
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            for name in schema.get("required", []):
                if name not in value:
                    found.append(f"{where}: missing {name}")
            extra = schema.get("additionalProperties", True)
            for name, item in value.items():
                if name in properties:
                    found += self.errors(item, properties[name], f"{where}.{name}")
                elif extra is False:
                    found.append(f"{where}: undocumented property {name}")
                elif isinstance(extra, dict):
                    found += self.errors(item, extra, f"{where}.{name}")
        if isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                found += self.errors(item, schema["items"], f"{where}[{index}]")
        return found

    def type_ok(self, value, kinds):
        kinds = [kinds] if isinstance(kinds, str) else kinds
        for kind in kinds:
            if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
                return True
            if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
                return True
            if kind in self.TYPES and isinstance(value, self.TYPES[kind]) and not (
                    kind != "boolean" and isinstance(value, bool)):
                return True
        return False

    def check(self, response, path, method):
        """`response` matches what the document says of (path, method) for its status code."""
        operation = self.doc["paths"][path][method]
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, f"{method.upper()} {path}: status {response.status_code} undocumented"
        if "$ref" in documented:
            documented = self.resolve(documented["$ref"])
        media = (documented.get("content") or {}).get("application/json")
        if media is None:
            assert not response.get_data(), f"{method.upper()} {path}: body not documented"
            return
        body = response.get_json()
        problems = self.errors(body, media["schema"])
        assert not problems, f"{method.upper()} {path} {response.status_code}: {problems[:5]}"
        if "example" in media:
            assert not self.errors(media["example"], media["schema"]), f"{path}: example off its schema"
        for header in documented.get("headers", {}):
            assert header in response.headers, f"{method.upper()} {path}: header {header} missing"


def test_real_answers_match_the_documented_schemas(app, client, world, application):
    schemas = Schemas(client.get(f"{API}/openapi.json").get_json())
    check = schemas.check
    response = issue(client, app, world, "employer", "jardins")
    check(response, "/api/v1/tokens", "post")
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    check(issue(client, app, world, "seeker_user"), "/api/v1/tokens", "post")
    check(issue(client, app, world, "employer", password="non"), "/api/v1/tokens", "post")
    check(issue(client, app, world, "employer", org="geiq"), "/api/v1/tokens", "post")
    check(client.post(f"{API}/tokens", json=[]), "/api/v1/tokens", "post")
    check(client.post(f"{API}/tokens", json={}), "/api/v1/tokens", "post")

    check(client.get(f"{API}/tasks", headers=headers), "/api/v1/tasks", "get")
    check(client.get(f"{API}/tasks?page=x", headers=headers), "/api/v1/tasks", "get")
    check(client.get(f"{API}/tasks"), "/api/v1/tasks", "get")
    task = f"{API}/tasks/{application.task_id}"
    check(client.get(task, headers=headers), "/api/v1/tasks/{task_id}", "get")
    check(client.get(f"{API}/tasks/999999", headers=headers), "/api/v1/tasks/{task_id}", "get")
    check(client.post(f"{task}/claim", headers=headers), "/api/v1/tasks/{task_id}/claim", "post")
    check(client.post(f"{task}/unclaim", headers=headers), "/api/v1/tasks/{task_id}/unclaim", "post")
    check(complete(client, headers, application.task_id, decision="refuse"),
          "/api/v1/tasks/{task_id}/complete", "post")
    response = complete(client, headers, application.task_id, decision="study")
    check(response, "/api/v1/tasks/{task_id}/complete", "post")
    assert response.get_json()["next_task"] is not None
    check(complete(client, headers, application.task_id, decision="study"),
          "/api/v1/tasks/{task_id}/complete", "post")
    check(client.get(task, headers=headers), "/api/v1/tasks/{task_id}", "get")  # completed task

    case = f"{API}/cases/{application.case_id}"
    check(client.get(case, headers=headers), "/api/v1/cases/{case_id}", "get")
    outsider = auth(client, app, world, "outsider", "geiq")
    check(client.get(case, headers=outsider), "/api/v1/cases/{case_id}", "get")
    prescriber = auth(client, app, world, "prescriber", "ft")
    check(client.post(f"{API}/cases", headers=prescriber, json={
        "process": "application", "job_seeker_id": world.seekers["aicha"], "company_id": world.orgs["jardins"],
        "message": "Bonjour"}), "/api/v1/cases", "post")
    check(client.post(f"{API}/cases", headers=prescriber, json={"process": "application"}), "/api/v1/cases", "post")
    check(client.delete(f"{API}/tokens/current", headers=outsider), "/api/v1/tokens/current", "delete")
    # The documented request examples are accepted by their own schemas.
    for path, item in schemas.doc["paths"].items():
        for method, operation in item.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media and "example" in media:
                assert not schemas.errors(media["example"], media["schema"]), (path, method)

