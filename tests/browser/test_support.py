"""Support reassigns a task, and a supervisor reads the dashboard, in a real browser.

Every page visited goes through axe (WCAG 2 A/AA); the bpmn-js drawing is left out of the
check (a third-party drawing, whose numbers the table under it gives as text).
"""
import re

import pytest

from app.extensions import db
from app.models import Membership, Organisation, User
from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene, send_application

HEATMAP = "#diagramme-attente"


@pytest.fixture
def scene(live_server):
    app = live_server.app
    scene = build_scene(app)
    with app.app_context():
        member = User(email="mona.membre@jardins.test", first_name="Mona", last_name="Membre")
        member.set_password(PASSWORD)
        ddets = Organisation(category="institution", kind="DDETS", name="DDETS d'Ille-et-Vilaine", department="35")
        agent = User(email="agent@ddets35.test", first_name="Agnès", last_name="Agent")
        agent.set_password(PASSWORD)
        db.session.add_all([member, ddets, agent])
        db.session.flush()
        db.session.add_all([Membership(user_id=member.id, organisation_id=scene.orgs["jardins"]),
                            Membership(user_id=agent.id, organisation_id=ddets.id)])
        db.session.commit()
    scene.case_id = send_application(app, scene)
    send_application(app, scene, seeker="leo", company="recyclerie")
    return scene


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches"))


def watch_errors(page):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)
    return errors


def test_support_finds_a_case_and_reassigns_its_task_with_a_reason(browser_page, live_server, scene):
    page = browser_page
    errors = watch_errors(page)
    sign_in(page, live_server, scene.email("support"))

    # The case list, searched by the job seeker's name.
    page.get_by_role("button", name="Pilotage").click()
    page.get_by_role("link", name="Dossiers").click()
    page.wait_for_url(re.compile(r"/dossiers$"))
    assert_accessible(page)
    page.get_by_role("searchbox").fill("nadia")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/dossiers\?"))
    assert page.get_by_text("1 dossier correspondant à vos critères.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Actions du support")).click()

    # The case's support page, then the reassignment form.
    page.wait_for_url(re.compile(r"/dossiers/\d+/support$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Actions du support : dossier CAND-")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Réaffecter")).click()
    page.wait_for_url(re.compile(r"/taches/\d+/reaffecter$"))
    assert_accessible(page)

    # Forgetting the reason: the error is announced, focused, and nothing changed.
    page.get_by_label("Confier la tâche à", exact=True).select_option(label="Mona Membre (mona.membre@jardins.test)")
    page.get_by_role("button", name="Réaffecter").click()
    alert = page.locator("[role=alert]").filter(has_text="Motif")
    assert alert.is_visible()
    assert_accessible(page)

    page.get_by_label("Confier la tâche à", exact=True).select_option(label="Mona Membre (mona.membre@jardins.test)")
    page.get_by_label(re.compile("^Motif")).fill("Karim est en congés cette semaine.")
    page.get_by_role("button", name="Réaffecter").click()
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_text("est confiée à Mona Membre").is_visible()
    history = page.locator(".parcours-assignment-history")
    assert "confiée à Mona Membre par le support" in history.inner_text()
    assert "Motif : « Karim est en congés cette semaine. »" in history.inner_text()
    assert_accessible(page)
    assert errors == []


def test_a_supervisor_reads_the_dashboard_charts_tables_and_diagram(browser_page, live_server, scene):
    page = browser_page
    errors = watch_errors(page)
    sign_in(page, live_server, "agent@ddets35.test")
    page.get_by_role("button", name="Pilotage").click()
    page.get_by_role("link", name="Tableaux de bord").click()
    page.wait_for_url(re.compile(r"/pilotage/application$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord : Traitement d'une candidature"
    assert page.get_by_text("Périmètre : le département 35.").is_visible()

    # The charts are drawn from the same numbers as the tables.
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart-drawn]').length >= 3")
    stages = page.get_by_role("table", name="Dossiers par étape")
    assert stages.get_by_role("row", name=re.compile("Nouvelle candidature")).get_by_role("cell").inner_text() == "2"

    # The diagram shows where cases wait, the same as the table.
    page.wait_for_function(
        f"() => document.querySelector('{HEATMAP}').dataset.heatmapRendered === 'done'")
    badge = page.locator(f"{HEATMAP} .parcours-heat").first
    assert badge.inner_text().startswith("2")
    waiting = page.get_by_role("table", name="Où les dossiers attendent")
    assert waiting.get_by_role("row", name=re.compile("Traiter la nouvelle candidature")).is_visible()
    assert_accessible(page, exclude=[HEATMAP])

    # Filters that make no sense are explained, next to the field.
    page.get_by_label("Dossiers ouverts depuis le").fill("2026-03-01")
    page.get_by_label("Dossiers ouverts jusqu'au").fill("2026-02-01")
    page.get_by_role("button", name="Filtrer").click()
    assert page.locator("[role=alert]").filter(has_text="La date de fin doit être égale ou postérieure").is_visible()
    assert_accessible(page)

    # Every table downloads as CSV.
    page.goto(live_server.url + "/pilotage/application")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger ce tableau (CSV) : Dossiers par étape").click()
    assert download.value.suggested_filename == "pilotage-application-stages.csv"
    assert errors == []
