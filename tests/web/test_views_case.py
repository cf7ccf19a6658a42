"""The case page (parties, tasks, timeline, diagram), notifications, the outbox and error pages."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Case, Event, Notification
from tests.support.hire import declare_hire_in
from tests.web.builders import (
    build_scene,
    child_case_id,
    login,
    open_task_id,
    send_application,
    text,
)

PARIS_DATETIME = re.compile(r"\d{2}/\d{2}/\d{4} à \d{2}:\d{2}")


@pytest.fixture
def scene(app):
    return build_scene(app)


@pytest.fixture
def case_id(app, scene):
    return send_application(app, scene)


def reference_of(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).reference


def refuse(app, client, case_id, share=True):
    data = {"decision": "refuse", "refusal_reason": "no_position",
            "answer_to_job_seeker": "Nous n'avons plus de poste ouvert.",
            "private_comment": "Profil intéressant pour la saison prochaine."}
    if share:
        data["share_reason_with_job_seeker"] = "y"
    response = client.post(f"/taches/{open_task_id(app, case_id)}", data=data)
    assert response.status_code == 302
    return response


def test_the_case_page_shows_stage_parties_message_and_open_tasks(app, client, scene, case_id):
    login(client, scene.email("colleague"))
    response = client.get(f"/dossiers/{case_id}")
    assert response.status_code == 200
    page = text(response)
    reference = reference_of(app, case_id)
    assert f"<title>Dossier {reference} — Parcours</title>" in page
    assert "Traitement d'une candidature : Nadia HADDAD → Les Jardins de la Vilaine (ACI)" in page
    assert "Nouvelle candidature" in page
    assert "En cours" in page
    assert "Paula Rescrit, France Travail Rennes" in page
    assert "nadia.haddad@exemple.test" in page  # a party of the case reads the contact
    assert "Né(e) le 14/03/1990" in page
    assert "Bonjour, je vous recommande Nadia" in page
    assert f'href="/taches/{open_task_id(app, case_id)}">Traiter la nouvelle candidature</a>' in page
    assert "Employeur (Les Jardins de la Vilaine (ACI))" in page
    assert "Prise en charge par : personne" in page


def test_a_case_is_found_by_its_reference(app, client, scene, case_id):
    login(client, scene.email("prescriber"))
    response = client.get(f"/dossiers/ref/{reference_of(app, case_id)}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dossiers/{case_id}")
    assert client.get("/dossiers/ref/CAND-0000-999999").status_code == 404


def test_the_timeline_shows_who_when_and_the_answers_with_their_labels(app, client, scene, case_id):
    login(client, scene.email("employer"))
    refuse(app, client, case_id)
    page = text(client.get(f"/dossiers/{case_id}"))
    timeline = page.split("Historique du dossier", 1)[1]
    assert "Dossier ouvert : Traitement d'une candidature (version 1)" in timeline
    assert "Traiter la nouvelle candidature : traitée" in timeline
    assert "Étape : Déclinée" in timeline
    assert re.search(r"Emma Ployeur, le " + PARIS_DATETIME.pattern, timeline)
    # Choice codes become their French labels; the checkbox says Oui.
    assert "<dt>Que souhaitez-vous faire ?</dt><dd>Décliner la candidature</dd>" in timeline
    assert "<dt>Motif du refus</dt><dd>Pas de recrutement en cours</dd>" in timeline
    assert "<dt>Message au candidat</dt><dd>Nous n'avons plus de poste ouvert.</dd>" in timeline
    assert "<dt>Communiquer le motif du refus au candidat</dt><dd>Oui</dd>" in timeline
    assert "<dt>Commentaire privé pour le prescripteur</dt><dd>Profil intéressant pour la saison prochaine.</dd>" \
        in timeline
    assert "no_position" not in timeline
    # Newest first.
    assert timeline.index("Étape : Déclinée") < timeline.index("Dossier ouvert")


def test_times_are_shown_in_paris_time(app, client, scene, case_id):
    with app.app_context():
        event = Event.query.filter_by(case_id=case_id, kind="case_started").one()
        # 15:05 UTC in November is 16:05 in Paris.
        event.at = datetime(2026, 11, 22, 15, 5, tzinfo=ZoneInfo("UTC"))
        db.session.commit()
    login(client, scene.email("employer"))
    assert "le 22/11/2026 à 16:05" in text(client.get(f"/dossiers/{case_id}"))


def test_the_prescriber_reads_the_private_comment_and_the_job_seeker_never(app, client, scene, case_id):
    login(client, scene.email("employer"))
    refuse(app, client, case_id)
    prescriber = app.test_client()
    login(prescriber, scene.email("prescriber"))
    assert "Profil intéressant pour la saison prochaine." in text(prescriber.get(f"/dossiers/{case_id}"))
    seeker = app.test_client()
    login(seeker, scene.email("seeker"))
    page = text(seeker.get(f"/dossiers/{case_id}"))
    assert "Nous n'avons plus de poste ouvert." in page
    assert "Profil intéressant" not in page
    assert "Commentaire privé" not in page
    assert "Profil intéressant" not in text(seeker.get("/notifications"))


def test_the_diagram_shows_where_the_case_stands(app, client, scene, case_id):
    login(client, scene.email("employer"))
    client.post(f"/taches/{open_task_id(app, case_id)}", data={"decision": "study"})
    page = text(client.get(f"/dossiers/{case_id}"))
    assert f'data-bpmn-url="/dossiers/{case_id}/diagramme.bpmn"' in page
    current = re.search(r'data-current-elements="([^"]*)"', page).group(1).split(",")
    done = re.search(r'data-done-elements="([^"]*)"', page).group(1).split(",")
    assert "ut_processing" in current
    assert "ut_new" in done and "ms_processing" in done
    assert "Étape actuelle : <strong>À l'étude</strong>" in page
    assert "En cours : Statuer sur la candidature à l'étude." in page
    assert "/static/dist/diagram-viewer.js" in page
    response = client.get(f"/dossiers/{case_id}/diagramme.bpmn")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    assert '<bpmn:process id="application"' in xml
    assert 'id="ut_processing"' in xml


def test_accepting_links_the_application_and_its_hire(app, client, scene, case_id):
    login(client, scene.email("employer"))
    response = client.post(f"/taches/{open_task_id(app, case_id)}", data={"decision": "accept"})
    assert response.status_code == 302
    hire_id = child_case_id(app, case_id)
    page = text(client.get(f"/dossiers/{case_id}"))
    assert "Dossier ouvert depuis celui-ci" in page
    assert f'href="/dossiers/{hire_id}">{reference_of(app, hire_id)}</a>' in page
    page = text(client.get(f"/dossiers/{hire_id}"))
    assert "Embauche" in page
    assert "Dossier d'origine" in page
    assert f'href="/dossiers/{case_id}">{reference_of(app, case_id)}</a>' in page
    assert "Compléter les informations du candidat" in page  # the person's address is missing
    start = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=10)
    declare_hire_in(app, case_id, scene.users["employer"], start, job="Agent de tri")
    page = text(client.get(f"/dossiers/{hire_id}"))
    assert f"<dt>Date de début du contrat</dt><dd>{start:%d/%m/%Y}</dd>" in page
    assert "Agent de tri" in page
    # Declared: only the optional actions remain (move the start, cancel the hire).
    assert "Annuler l'embauche" in page and "Modifier la date de début" in page


def test_the_optional_reconsider_action_is_offered_only_to_the_employer(app, client, scene, case_id):
    login(client, scene.email("employer"))
    refuse(app, client, case_id)
    page = text(client.get(f"/dossiers/{case_id}"))
    assert "Revenir sur le refus" in page and "Action possible" in page
    prescriber = app.test_client()
    login(prescriber, scene.email("prescriber"))
    page = text(prescriber.get(f"/dossiers/{case_id}"))
    to_do = page.split("Ce qui reste à faire", 1)[1].split("Où en est le dossier ?", 1)[0]
    assert "Revenir sur le refus" not in to_do
    assert "Aucune tâche en cours sur ce dossier." in to_do


# -- notifications -----------------------------------------------------------------------

def test_notifications_unread_first_with_a_badge_and_mark_as_read(app, client, scene, case_id):
    employer = app.test_client()
    login(employer, scene.email("employer"))
    refuse(app, employer, case_id, share=False)
    login(client, scene.email("seeker"))
    page = text(client.get("/notifications"))
    assert "<title>Notifications — Parcours</title>" in page
    assert "Vous avez 2 notifications non lues." in page
    assert re.search(r'Notifications\s*<span class="fr-badge[^"]*">2<span class="fr-sr-only"> non lues', page)
    assert "Candidature déclinée" in page and "Nouvelle candidature" in page
    assert "Nous n'avons plus de poste ouvert." in page
    assert "Motif :" not in page  # the employer did not share the reason
    assert f'href="/dossiers/{case_id}"' in page
    with app.app_context():
        first = Notification.query.filter_by(recipient_id=scene.users["seeker"]).order_by(Notification.id).first()
        first_id = first.id
    response = client.post(f"/notifications/{first_id}/lue", follow_redirects=True)
    page = text(response)
    assert "Notification marquée comme lue." in page
    assert "Vous avez 1 notification non lue." in page
    # Unread first: the refusal comes before the (read) new application.
    assert page.index("Candidature déclinée") < page.index("Nouvelle candidature")
    page = text(client.post("/notifications/toutes-lues", follow_redirects=True))
    assert "Toutes vos notifications sont marquées comme lues." in page
    assert "Vous avez tout lu." in page


def test_the_sender_is_notified_and_nobody_marks_someone_elses_notification(app, client, scene, case_id):
    login(client, scene.email("prescriber"))
    page = text(client.get("/notifications"))
    assert "Nouvelle candidature de Nadia HADDAD pour Les Jardins de la Vilaine (ACI)." in page
    with app.app_context():
        theirs = Notification.query.filter_by(recipient_id=scene.users["seeker"]).first().id
    assert client.post(f"/notifications/{theirs}/lue").status_code == 404


def test_no_notification_yet(client, scene):
    login(client, scene.email("other_seeker"))
    page = text(client.get("/notifications"))
    assert "Vous n'avez reçu aucune notification pour le moment." in page


def test_the_outbox_is_hidden_from_regular_users(app, client, scene, case_id):
    login(client, scene.email("employer"))
    assert client.get("/dev/outbox").status_code == 404
    assert "Boîte d'envoi" not in text(client.get("/taches"))


def test_support_reads_the_outbox(app, client, scene, case_id):
    login(client, scene.email("support"))
    assert "Boîte d'envoi (outbox)" in text(client.get("/taches"))
    page = text(client.get("/dev/outbox"))
    assert "Nouvelle candidature" in page
    assert "emma.ployeur@jardins.test" in page
    assert "Dans l'application seulement" in page
    assert reference_of(app, case_id) in page


@pytest.mark.app_config(DEMO_MODE=True)
def test_the_outbox_is_open_in_demo_mode(client, scene, case_id):
    login(client, scene.email("other_seeker"))
    assert client.get("/dev/outbox").status_code == 200


# -- error pages -------------------------------------------------------------------------

def test_unknown_page_is_a_french_404(client, scene):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    page = text(response)
    assert "<title>Page introuvable — Parcours</title>" in page
    assert "La page que vous cherchez n'existe pas ou n'existe plus." in page
    assert 'role="alert"' in page


def test_api_paths_keep_json_errors(client):
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404
    assert response.is_json


def test_an_unknown_case_is_a_french_404(client, scene):
    login(client, scene.email("employer"))
    response = client.get("/dossiers/424242")
    assert response.status_code == 404
    assert "Ce dossier n'existe pas." in text(response)


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_too_big_a_request_is_a_french_413(app, client, scene, case_id):
    login(client, scene.email("employer"))
    response = client.post(f"/taches/{open_task_id(app, case_id)}",
                           data={"decision": "refuse", "answer_to_job_seeker": "x" * 5000})
    assert response.status_code == 413
    assert "Le fichier dépasse la taille autorisée." in text(response)


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)
def test_a_bug_is_an_apologetic_500_without_traceback(app, client, scene, monkeypatch):
    from app.services import inbox

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(inbox, "counts", broken)
    login(client, scene.email("employer"))
    response = client.get("/taches")
    assert response.status_code == 500
    page = text(response)
    assert "Nous sommes désolés" in page
    assert "secret internal detail" not in page
    assert "Traceback" not in page
