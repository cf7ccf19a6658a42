"""Support's actions on a case, through the pages (and the API): each action, its reason, the
case's event log, conflicts, reassignment outside the organisation, the NIR search."""
import re

import pytest

from app.demo import nir_for
from app.engine import runtime
from app.extensions import db
from app.models import Case, Event, JobSeeker, Membership, Task, User
from tests.web.builders import (
    PASSWORD,
    build_scene,
    login,
    open_task_id,
    send_application,
    text,
)

REASON = "Demande de l'employeur au téléphone."


@pytest.fixture
def scene(app):
    scene = build_scene(app)
    with app.app_context():
        # A plain member of Les Jardins, and someone from elsewhere.
        for key, email, org in (("member", "mona.membre@jardins.test", "jardins"),
                                ("outsider", "oscar.dehors@ailleurs.fr", None)):
            user = User(email=email, first_name=email.split(".")[0].title(), last_name="Test")
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            scene.users[key] = user.id
            if org:
                db.session.add(Membership(user_id=user.id, organisation_id=scene.orgs[org], is_admin=False))
        from datetime import date
        seeker = db.session.get(JobSeeker, scene.seekers["nadia"])
        seeker.nir = nir_for(2, date(1990, 3, 14), "35", 7)
        db.session.commit()
    scene.case_id = send_application(app, scene)
    scene.task_id = open_task_id(app, scene.case_id)
    return scene


def as_support(client, scene):
    login(client, scene.email("support"))


def case_row(app, case_id):
    with app.app_context():
        case = db.session.get(Case, case_id)
        return {"status": case.status, "version": case.lock_version, "stage": case.stage,
                "employer": case.organisation_for("employer").id}


def events(app, case_id, kind):
    with app.app_context():
        return [(e.summary, e.data, e.actor_id) for e in
                Event.query.filter_by(case_id=case_id, kind=kind).order_by(Event.id)]


def post_action(client, app, case_id, action, reason=REASON, version=None):
    version = case_row(app, case_id)["version"] if version is None else version
    return client.post(f"/dossiers/{case_id}/support/{action}?version={version}", data={"reason": reason})


def make_failing(app, scene):
    """The employer transfers to a company they do not belong to: the transfer step fails."""
    with app.app_context():
        task = db.session.get(Task, scene.task_id)
        runtime.complete_task(task, {"decision": "transfer", "transfer_to": str(scene.orgs["geiq"])},
                              db.session.get(User, scene.users["employer"]))
        db.session.commit()
    assert case_row(app, scene.case_id)["status"] == "error"


# -- suspend, resume, cancel -------------------------------------------------------------------

def test_suspend_hides_the_tasks_and_blocks_them_then_resume_brings_them_back(app, client, scene):
    as_support(client, scene)
    response = post_action(client, app, scene.case_id, "suspendre")
    assert response.status_code == 302
    assert case_row(app, scene.case_id)["status"] == "suspended"
    [(summary, data, actor)] = events(app, scene.case_id, "case_suspended")
    assert summary == "Dossier suspendu par le support" and data["reason"] == REASON
    assert actor == scene.users["support"]

    # The employer no longer sees the task, and cannot complete it.
    employer = app.test_client()
    login(employer, scene.email("colleague"))
    assert "Traiter la nouvelle candidature" not in text(employer.get("/taches"))
    refused = employer.post(f"/taches/{scene.task_id}", data={"decision": "study"})
    assert refused.status_code == 409
    assert "Ce dossier est suspendu par le support." in text(refused)

    assert post_action(client, app, scene.case_id, "reprendre").status_code == 302
    assert case_row(app, scene.case_id)["status"] == "running"
    assert "Traiter la nouvelle candidature" in text(employer.get("/taches"))
    assert employer.post(f"/taches/{scene.task_id}", data={"decision": "study"}).status_code == 302


def test_cancel_closes_the_open_tasks_for_good(app, client, scene):
    as_support(client, scene)
    assert post_action(client, app, scene.case_id, "annuler").status_code == 302
    assert case_row(app, scene.case_id)["status"] == "cancelled"
    with app.app_context():
        assert db.session.get(Task, scene.task_id).state == "cancelled"
    again = post_action(client, app, scene.case_id, "annuler")
    assert again.status_code == 409
    assert "Ce dossier a été annulé." in text(again)
    assert post_action(client, app, scene.case_id, "reprendre").status_code == 409


@pytest.mark.parametrize("action", ["suspendre", "annuler", "relancer", "passer"])
def test_a_reason_is_required_and_nothing_changes_without_it(app, client, scene, action):
    if action in ("relancer", "passer"):
        make_failing(app, scene)
    as_support(client, scene)
    before = case_row(app, scene.case_id)
    response = post_action(client, app, scene.case_id, action, reason="   ")
    assert response.status_code == 422
    page = text(response)
    assert "Motif : Ce champ est obligatoire." in page or "Indiquez le motif" in page
    assert 'role="alert"' in page
    assert case_row(app, scene.case_id) == before


def test_an_action_on_a_case_that_changed_meanwhile_is_refused(app, client, scene):
    as_support(client, scene)
    page = client.get(f"/dossiers/{scene.case_id}/support/suspendre")
    seen = int(re.search(r"version=(\d+)", text(page)).group(1))
    # Meanwhile the employer studies the application.
    employer = app.test_client()
    login(employer, scene.email("colleague"))
    assert employer.post(f"/taches/{scene.task_id}", data={"decision": "study"}).status_code == 302
    before = case_row(app, scene.case_id)
    response = post_action(client, app, scene.case_id, "suspendre", version=seen)
    assert response.status_code == 409
    assert "Le dossier a changé depuis que vous avez ouvert cette page" in text(response)
    assert case_row(app, scene.case_id) == before
    assert events(app, scene.case_id, "case_suspended") == []


def test_support_pages_are_for_support_only(app, client, scene):
    login(client, scene.email("colleague"))
    for path in (f"/dossiers/{scene.case_id}/support", f"/dossiers/{scene.case_id}/support/suspendre",
                 f"/taches/{scene.task_id}/reaffecter", "/incidents", "/support/files"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "réservée au support" in text(response)
    assert post_action(client, app, scene.case_id, "suspendre").status_code == 403
    assert case_row(app, scene.case_id)["status"] == "running"


# -- reassign -----------------------------------------------------------------------------------

def test_reassign_to_a_member_shows_who_when_and_why_on_the_task(app, client, scene):
    as_support(client, scene)
    form = client.get(f"/taches/{scene.task_id}/reaffecter")
    assert "Mona Test (mona.membre@jardins.test)" in text(form)
    version = case_row(app, scene.case_id)["version"]
    response = client.post(f"/taches/{scene.task_id}/reaffecter?version={version}",
                           data={"assignee_id": str(scene.users["member"]), "reason": "Karim est en congés."})
    assert response.status_code == 302
    with app.app_context():
        task = db.session.get(Task, scene.task_id)
        assert task.assignee_id == scene.users["member"]
    [(_summary, data, _actor)] = events(app, scene.case_id, "task_reassigned")
    assert data["reason"] == "Karim est en congés." and data["override"] is False

    member = app.test_client()
    login(member, "mona.membre@jardins.test")
    page = text(member.get(f"/taches/{scene.task_id}"))
    assert "Qui l'a prise en charge" in page
    assert "confiée à Mona Test par le support — Sam Support" in page
    assert "Motif : « Karim est en congés. »" in page
    assert "Traiter la nouvelle candidature" in text(member.get("/taches?vue=mine"))


def test_reassign_outside_the_organisation_needs_the_override(app, client, scene):
    as_support(client, scene)
    version = case_row(app, scene.case_id)["version"]
    refused = client.post(f"/taches/{scene.task_id}/reaffecter?version={version}",
                          data={"override": "", "assignee_id": "", "reason": REASON})
    assert refused.status_code == 422
    assert "Choisissez la personne à qui confier la tâche." in text(refused)

    # Through the API, any user id can be sent: without override, refused.
    token = client.post("/api/v1/tokens", json={"email": scene.email("support"), "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    response = client.post(f"/api/v1/tasks/{scene.task_id}/reassign", headers=headers,
                           json={"assignee_id": scene.users["outsider"], "reason": REASON})
    assert response.status_code == 422
    assert "n'est pas membre actif de Les Jardins de la Vilaine" in response.get_json()["error"]
    with app.app_context():
        assert db.session.get(Task, scene.task_id).assignee_id is None
    assert events(app, scene.case_id, "task_reassigned") == []

    # With the override (the page's checkbox and the outsider's email), it is done and logged.
    accepted = client.post(f"/taches/{scene.task_id}/reaffecter?version={version}",
                           data={"override": "y", "outside_email": "oscar.dehors@ailleurs.fr", "reason": REASON})
    assert accepted.status_code == 302, re.findall(r'(?:fr-error-text|role="alert")[^>]*>(.*?)</', text(accepted), re.DOTALL)
    [(_summary, data, _actor)] = events(app, scene.case_id, "task_reassigned")
    assert data["override"] is True and data["to"]["id"] == scene.users["outsider"]
    # The outsider may act on this task only, without seeing the person's details.
    outsider = app.test_client()
    login(outsider, "oscar.dehors@ailleurs.fr")
    page = outsider.get(f"/taches/{scene.task_id}")
    assert page.status_code == 200
    assert "Le support de la plateforme vous l'a confiée personnellement." in text(page)
    assert "nadia.haddad@exemple.test" not in text(page)
    assert outsider.get(f"/dossiers/{scene.case_id}").status_code == 403
    assert outsider.post(f"/taches/{scene.task_id}", data={"decision": "study"}).status_code == 302


def test_api_actions_with_reason_version_and_french_errors(app, client, scene):
    token = client.post("/api/v1/tokens", json={"email": scene.email("support"), "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    base = f"/api/v1/cases/{scene.case_id}"
    missing = client.post(f"{base}/suspend", headers=headers, json={"lock_version": 1})
    assert missing.status_code == 422 and missing.get_json()["fields"] == {"reason": ["Ce champ est obligatoire."]}
    stale = client.post(f"{base}/suspend", headers=headers, json={"reason": REASON, "lock_version": 999})
    assert stale.status_code == 409
    version = case_row(app, scene.case_id)["version"]
    done = client.post(f"{base}/suspend", headers=headers, json={"reason": REASON, "lock_version": version})
    assert done.status_code == 200
    assert done.get_json()["case"]["status"] == "suspended"
    assert done.get_json()["case"]["lock_version"] == version + 1
    assert client.post(f"{base}/resume", headers=headers, json={"reason": REASON}).get_json()["case"]["status"] \
        == "running"
    retry = client.post(f"{base}/retry", headers=headers, json={"reason": REASON})
    assert retry.status_code == 409 and "n'est pas bloqué" in retry.get_json()["error"]
    assert client.post(f"{base}/cancel", headers=headers, json={"reason": REASON, "extra": 1}).status_code == 422
    assert client.post(f"{base}/cancel", headers=headers, json={"reason": REASON}).get_json()["case"]["status"] \
        == "cancelled"
    assert client.post("/api/v1/cases/999999/cancel", headers=headers, json={"reason": REASON}).status_code == 404

    employer = client.post("/api/v1/tokens", json={"email": scene.email("colleague"), "password": PASSWORD})
    forbidden = client.post(f"{base}/resume", headers={"Authorization": f"Bearer {employer.get_json()['token']}"},
                            json={"reason": REASON})
    assert forbidden.status_code == 403
    assert forbidden.get_json()["error"] == "Cette action est réservée au support de la plateforme."


# -- change the bound organisation ---------------------------------------------------------------

def test_change_the_employer_moves_the_open_tasks_and_the_case_data(app, client, scene):
    from app.services import tasks as task_service
    with app.app_context():
        task_service.claim(scene.task_id, db.session.get(User, scene.users["colleague"]))
    as_support(client, scene)
    version = case_row(app, scene.case_id)["version"]
    bad = client.post(f"/dossiers/{scene.case_id}/support/structure?version={version}",
                      data={"role": "employer", "organisation": "81234567800012", "reason": REASON})
    assert bad.status_code == 422 and "Ce SIRET n'est pas valide" in text(bad)
    wrong_kind = client.post(f"/dossiers/{scene.case_id}/support/structure?version={version}",
                             data={"role": "employer", "organisation": str(scene.orgs["ft"]), "reason": REASON})
    assert wrong_kind.status_code == 422 and "ne peut pas revenir à France Travail Rennes" in text(wrong_kind)
    response = client.post(f"/dossiers/{scene.case_id}/support/structure?version={version}",
                           data={"role": "employer", "organisation": str(scene.orgs["recyclerie"]),
                                 "reason": REASON})
    assert response.status_code == 302, text(response)
    assert case_row(app, scene.case_id)["employer"] == scene.orgs["recyclerie"]
    with app.app_context():
        task = db.session.get(Task, scene.task_id)
        assert task.organisation_id == scene.orgs["recyclerie"] and task.assignee_id is None
        case = db.session.get(Case, scene.case_id)
        assert runtime.case_state(case).data["company_name"] == "La Recyclerie Rennaise (EI)"
    [(summary, data, _)] = events(app, scene.case_id, "party_changed")
    assert summary == "Employeur : Les Jardins de la Vilaine (ACI) → La Recyclerie Rennaise (EI) (support)"
    assert data["reason"] == REASON and data["tasks"] == [scene.task_id]


# -- failed automatic steps -------------------------------------------------------------------------

def test_retry_fails_again_with_the_error_then_skip_lets_the_case_go_on(app, client, scene):
    make_failing(app, scene)
    as_support(client, scene)
    incidents = text(client.get("/incidents"))
    with app.app_context():
        reference = db.session.get(Case, scene.case_id).reference
    assert reference in incidents and "Transférer la candidature" in incidents
    retried = post_action(client, app, scene.case_id, "relancer")
    assert retried.status_code == 302
    console = text(client.get(f"/dossiers/{scene.case_id}/support"))
    assert "La relance a de nouveau échoué" in console
    assert case_row(app, scene.case_id)["status"] == "error"
    retries = events(app, scene.case_id, "service_retried")
    assert [d["reason"] for _s, d, _a in retries] == [REASON]
    assert re.search(rf"{reference}.*?<td>1</td>", text(client.get("/incidents")), re.DOTALL)

    skipped = post_action(client, app, scene.case_id, "passer", reason="Transfert fait à la main.")
    assert skipped.status_code == 302
    row = case_row(app, scene.case_id)
    assert row["status"] == "running" and row["stage"] == "new"
    [(summary, data, _)] = events(app, scene.case_id, "service_skipped")
    assert "Transférer la candidature" in summary and data["reason"] == "Transfert fait à la main."
    assert reference not in text(client.get("/incidents"))


# -- correct a completed task's answers --------------------------------------------------------------

def test_correct_the_answers_of_a_completed_task_without_moving_the_case(app, client, scene):
    with app.app_context():
        runtime.complete_task(db.session.get(Task, scene.task_id),
                              {"decision": "refuse", "refusal_reason": "no_position",
                               "answer_to_job_seeker": "Pas de poste.", "share_reason_with_job_seeker": True},
                              db.session.get(User, scene.users["colleague"]))
        db.session.commit()
    as_support(client, scene)
    form = text(client.get(f"/taches/{scene.task_id}/corriger"))
    assert "Corriger les réponses" in form and "Pas de poste." in form
    # The decision cannot change here: only the current one is offered.
    assert "Accepter et déclarer l'embauche" not in form
    version = case_row(app, scene.case_id)["version"]
    unchanged = client.post(f"/taches/{scene.task_id}/corriger?version={version}",
                            data={"decision": "refuse", "refusal_reason": "no_position",
                                  "answer_to_job_seeker": "Pas de poste.", "share_reason_with_job_seeker": "y",
                                  "support_reason": REASON})
    assert unchanged.status_code == 422 and "Aucune réponse n'a changé" in text(unchanged)
    no_reason = client.post(f"/taches/{scene.task_id}/corriger?version={version}",
                            data={"decision": "refuse", "refusal_reason": "other", "refusal_reason_details": "x",
                                  "answer_to_job_seeker": "Pas de poste.", "share_reason_with_job_seeker": "y"})
    assert no_reason.status_code == 422
    changed = client.post(f"/taches/{scene.task_id}/corriger?version={version}",
                          data={"decision": "refuse", "refusal_reason": "other",
                                "refusal_reason_details": "Poste supprimé.", "answer_to_job_seeker": "Pas de poste.",
                                "share_reason_with_job_seeker": "y", "support_reason": REASON})
    assert changed.status_code == 302, text(changed)
    with app.app_context():
        case = db.session.get(Case, scene.case_id)
        assert case.stage == "refused"
        assert case.summary["refusal_reason"] == "other"
        assert case.summary["refusal_reason_details"] == "Poste supprimé."
    [(_summary, data, _)] = events(app, scene.case_id, "data_corrected")
    assert data["fields"] == {"refusal_reason": "other", "refusal_reason_details": "Poste supprimé."}
    assert data["reason"] == REASON
    # The corrected values are the form's starting point next time.
    assert "Poste supprimé." in text(client.get(f"/taches/{scene.task_id}/corriger"))
    # A decision outside the one taken is refused.
    version = case_row(app, scene.case_id)["version"]
    other = client.post(f"/taches/{scene.task_id}/corriger?version={version}",
                        data={"decision": "accept", "support_reason": REASON})
    assert other.status_code == 422


# -- search -----------------------------------------------------------------------------------------

def test_search_by_nir_checks_it_and_finds_the_person(app, client, scene):
    as_support(client, scene)
    with app.app_context():
        nir = db.session.get(JobSeeker, scene.seekers["nadia"]).nir
        reference = db.session.get(Case, scene.case_id).reference
    spaced = " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])
    assert reference in text(client.get("/dossiers", query_string={"q": spaced}))
    wrong_key = nir[:13] + ("00" if nir[13:] != "00" else "01")
    response = client.get("/dossiers", query_string={"q": wrong_key})
    assert response.status_code == 422
    assert "La clé du NIR ne correspond pas : vérifiez le numéro." in text(response)
    assert reference not in text(response)
    short = client.get("/dossiers", query_string={"q": "2900335"})
    assert short.status_code == 200  # seven digits: a case number, not a NIR
    too_long = client.get("/dossiers", query_string={"q": "29003351400411234"})
    assert too_long.status_code == 422
    assert "Le NIR doit compter 15 caractères" in text(too_long)
    token = client.post("/api/v1/tokens", json={"email": scene.email("support"), "password": PASSWORD}).get_json()
    api = client.get("/api/v1/cases/search", query_string={"q": wrong_key},
                     headers={"Authorization": f"Bearer {token['token']}"})
    assert api.status_code == 422
    assert api.get_json()["fields"]["q"] == ["La clé du NIR ne correspond pas : vérifiez le numéro."]
