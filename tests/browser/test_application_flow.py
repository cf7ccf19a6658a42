"""An employer studies then refuses an application in a real browser, with only clicks and typing.

Every page visited goes through axe (WCAG 2 A/AA); the bpmn-js canvas is left out of the
check on the case page (a third-party drawing, described by the text under it).
"""
import re

import pytest

from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene, send_application

DIAGRAM = "#diagramme"


def click_label(page, text):
    """Tick a DSFR radio or checkbox as a person does: by clicking its label (the input sits under it)."""
    page.locator("label.fr-label", has_text=re.compile("^" + re.escape(text) + "$")).click()


@pytest.fixture
def application(live_server):
    scene = build_scene(live_server.app)
    case_id = send_application(live_server.app, scene)
    return scene, case_id


def test_employer_studies_then_refuses_an_application(browser_page, live_server, application):
    scene, case_id = application
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The 422 answer to the incomplete form is expected; any other console error is a bug.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)

    # Sign in.
    page.goto(live_server.url + "/taches")
    assert page.title() == "Connexion — Parcours"
    assert page.get_by_text("Connectez-vous pour accéder à cette page.").is_visible()
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(scene.email("colleague"))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # The inbox.
    page.wait_for_url(re.compile(r"/taches"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mes tâches"
    assert page.get_by_text("Bonjour Karim, vous êtes connecté(e).").is_visible()
    assert page.get_by_text("Vous agissez pour").is_visible()
    row = page.get_by_role("row").filter(has_text="Nadia HADDAD")
    assert row.get_by_role("cell", name="Nouvelle candidature", exact=True).is_visible()
    assert row.get_by_text("Personne", exact=True).is_visible()
    assert_accessible(page)
    row.get_by_role("link", name="Traiter la nouvelle candidature").click()

    # The task: put the application under study.
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", name="Pourquoi cette tâche vous est proposée").is_visible()
    assert page.get_by_text("Bonjour, je vous recommande Nadia").is_visible()
    # The refusal fields stay hidden until "Décliner" is chosen.
    assert not page.get_by_label("Motif du refus (obligatoire)").is_visible()
    assert_accessible(page)
    click_label(page, "Mettre à l'étude")
    page.get_by_role("button", name="Valider").click()

    # The next task is the employer's too: the same person keeps the file.
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_text("C'est enregistré.").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Statuer sur la candidature à l'étude"
    assert page.get_by_text("À l'étude", exact=True).first.is_visible()
    assert_accessible(page)

    # Refuse, forgetting the message first: the error is announced and the field named.
    click_label(page, "Décliner la candidature")
    assert page.get_by_label("Motif du refus (obligatoire)").is_visible()
    page.get_by_label("Motif du refus (obligatoire)").select_option(label="Candidat non joignable")
    page.get_by_role("button", name="Valider").click()
    alert = page.locator("[role=alert]").filter(has_text="Message au candidat")
    assert alert.is_visible()
    assert "Ce champ est obligatoire." in alert.inner_text()
    assert page.title().startswith("Erreur : ")
    # Keyboard focus starts from the list of errors.
    page.wait_for_function("document.activeElement && document.activeElement.getAttribute('role') === 'alert'")
    assert page.get_by_label("Décliner la candidature").is_checked()  # what was chosen is kept
    assert_accessible(page)

    page.get_by_label("Message au candidat (obligatoire)").fill("Nous n'avons pas réussi à vous joindre par téléphone.")
    page.get_by_label("Commentaire privé pour le prescripteur").fill("Trois appels sans réponse.")
    click_label(page, "Communiquer le motif du refus au candidat")
    page.get_by_role("button", name="Valider").click()

    # Back on the case page, refused, with the answers in the history.
    page.wait_for_url(re.compile(rf"/dossiers/{case_id}$"))
    assert page.get_by_text("C'est enregistré.").is_visible()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Dossier CAND-")
    assert page.locator(".parcours-page-header").get_by_text("Déclinée").is_visible()
    history = page.locator("section", has=page.get_by_role("heading", name="Historique du dossier"))
    assert history.get_by_text("Candidat non joignable").is_visible()
    assert history.get_by_text("Nous n'avons pas réussi à vous joindre par téléphone.").is_visible()
    assert page.get_by_text("Étape actuelle :").is_visible()
    page.wait_for_selector(f"{DIAGRAM}[data-bpmn-rendered=done]")
    assert page.locator(f"{DIAGRAM} g.parcours-done").count() > 0
    assert_accessible(page, exclude=[DIAGRAM])

    # Notifications, then sign out.
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    page.wait_for_url(re.compile(r"/notifications$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    assert page.get_by_text("Nouvelle candidature de Nadia HADDAD").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert page.get_by_text("Vous êtes déconnecté(e). À bientôt !").is_visible()

    assert not errors, errors
