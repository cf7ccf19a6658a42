"""A hire changed after it was declared, in a real browser (bpmn/hire.bpmn, DOMAIN §5 steps 5 and 7).

Emma (Les Jardins de la Vilaine) moves the start of a contract that has not begun, after a date
out of range is refused in French; the PASS IAE issued for that hire moves with it. She cancels
another hire, and its PASS IAE is cancelled. Sam (support) finds in his queue the PASS IAE that
could not be issued automatically (no NIR, no France Travail id): he delivers one and refuses
another with a reason, and Emma sees both outcomes. The hires are declared through the engine
(tests/support/hire.py); every page visited goes through axe (WCAG 2 A/AA), error states included.
"""
import re
from datetime import timedelta

import pytest

from app.domain.approvals import fr_date
from app.engine import runtime
from app.extensions import db
from app.models import Approval, Case, Task, User
from app.services.job_seekers import today_paris
from tests.browser.test_pass_lifecycle import (
    click_label,
    fact,
    sign_in,
    sign_out,
    submit,
    submit_with_keyboard,
)
from tests.support.axe import assert_accessible
from tests.support.hire import declare_hire
from tests.web.builders import build_scene, send_application

DIAGRAM = "#diagramme"
# Declared not registered at France Travail: the PASS IAE is issued at once.
REGISTERED = {"address": "1 rue Haute", "birth_place": "Rennes", "nir_missing_reason": "not_known",
              "france_travail_not_registered": True}
# No NIR, no France Travail id, not declared unregistered: support delivers the PASS by hand.
UNKNOWN = {"address": "1 rue Haute", "birth_place": "Rennes", "nir_missing_reason": "no_nir"}
REFUSAL = "Identité non vérifiée : l'employeur n'a pas pu fournir de pièce d'identité."


@pytest.fixture
def scene(live_server):
    return build_scene(live_server.app)


def hired(app, scene, seeker, start, person):
    """France Travail's application for `seeker` accepted by Emma, the hire declared to start on
    `start`; returns (application id, hire case id)."""
    case_id = send_application(app, scene, seeker=seeker)
    with app.app_context():
        application = db.session.get(Case, case_id)
        emma = db.session.get(User, scene.users["employer"])
        task = Task.query.filter_by(case_id=case_id, state="open").one()
        runtime.complete_task(task, {"decision": "accept"}, emma)
        db.session.commit()
        hire = declare_hire(application, emma, start, person=person)
        return case_id, hire.id


def open_case(page, live_server, case_id):
    page.goto(f"{live_server.url}/dossiers/{case_id}")
    assert_accessible(page, exclude=[DIAGRAM])


def open_action(page, title):
    """From a case page, the link to one of its optional actions, to its task page."""
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert_accessible(page)


def error_shown(page, message):
    """The form came back with an error: the error summary (role=alert, so it is announced) says
    `message`, and keyboard focus was moved onto it (app/static/js/focus-errors.js)."""
    summary = page.locator('main [role="alert"]')
    summary.wait_for()
    assert message in summary.inner_text()
    page.wait_for_function("() => document.activeElement && document.activeElement.getAttribute('role') === 'alert'")
    assert_accessible(page)


def test_an_employer_moves_the_start_of_a_contract_not_begun_and_the_pass_follows(
        browser_page, live_server, scene):
    page, app, today = browser_page, live_server.app, today_paris()
    start = today + timedelta(days=8)
    _application_id, hire_id = hired(app, scene, "nadia", start, REGISTERED)
    sign_in(page, live_server, scene.email("colleague"))
    open_case(page, live_server, hire_id)
    open_action(page, "Modifier la date de début")
    assert page.get_by_role("heading", level=1).inner_text() == "Modifier la date de début"

    # More than 30 days ahead: refused, the error names the last day allowed.
    field = page.get_by_label("Nouvelle date de début du contrat")
    field.fill((today + timedelta(days=31)).isoformat())
    submit(page, "Valider")
    error_shown(page, f"au plus tard le {fr_date(today + timedelta(days=30))}")
    # The summary's link takes the keyboard to the field; Tab then Enter submits the form.
    page.locator('main [role="alert"] a').first.focus()
    page.keyboard.press("Enter")
    field = page.get_by_label("Nouvelle date de début du contrat")
    assert field.evaluate("el => el === document.activeElement")
    new_start = today + timedelta(days=15)
    field.fill(new_start.isoformat())
    with page.expect_navigation():
        submit_with_keyboard(page, "Valider")
    page.wait_for_url(re.compile(r"/dossiers/\d+$"))
    assert page.get_by_text("C'est enregistré.").is_visible()
    new_end = new_start + timedelta(days=729)
    assert page.get_by_text(f"Date de début du contrat : {fr_date(start)} → {fr_date(new_start)} ; "
                            f"PASS IAE décalé : du {fr_date(new_start)} au {fr_date(new_end)}").is_visible()
    assert_accessible(page, exclude=[DIAGRAM])

    # The PASS issued for this hire and not started yet starts on the new day.
    page.goto(f"{live_server.url}/dossiers/{hire_id}")
    page.get_by_role("link", name=re.compile(r"PASS IAE 99999 00 00001")).click()
    page.wait_for_url(re.compile(r"/pass/\d+$"))
    assert fact(page, "Début") == fr_date(new_start)
    assert fact(page, "Fin prévue") == fr_date(new_end)
    assert page.get_by_text(f"Contrat du {fr_date(new_start)}").is_visible()
    assert_accessible(page)


def test_an_employer_cancels_a_hire_and_its_pass_is_cancelled(browser_page, live_server, scene):
    page, app, today = browser_page, live_server.app, today_paris()
    case_id, hire_id = hired(app, scene, "nadia", today + timedelta(days=5), REGISTERED)
    sign_in(page, live_server, scene.email("colleague"))
    open_case(page, live_server, hire_id)
    open_action(page, "Annuler l'embauche")

    # Without the confirmation: refused, nothing cancelled.
    submit(page, "Valider")
    error_shown(page, "Je confirme l'annulation de cette embauche")
    page.locator("label.fr-label", has_text="Je confirme l'annulation de cette embauche").click()
    page.get_by_label("Motif de l'annulation").fill("Le contrat n'a finalement pas été signé.")
    submit(page, "Valider")
    page.wait_for_url(re.compile(r"/dossiers/\d+$"))
    assert_accessible(page, exclude=[DIAGRAM])

    open_case(page, live_server, case_id)
    assert page.get_by_text("Embauche annulée").first.is_visible()
    page.goto(f"{live_server.url}/pass")
    assert_accessible(page)
    with app.app_context():
        approval_id = Approval.query.one().id
    page.goto(f"{live_server.url}/pass/{approval_id}")
    assert fact(page, "État") == "Annulé"
    assert page.locator("section", has=page.get_by_role("heading", name="Embauches sur ce PASS IAE")) \
        .get_by_text("Embauche annulée").is_visible()
    assert_accessible(page)


def test_support_delivers_a_pass_by_hand_or_refuses_it_with_a_reason(browser_page, live_server, scene):
    page, app, today = browser_page, live_server.app, today_paris()
    _nadia_case, nadia_hire = hired(app, scene, "nadia", today + timedelta(days=3), UNKNOWN)
    leo_case, leo_hire = hired(app, scene, "leo", today + timedelta(days=4), {**UNKNOWN, "birth_date": "1988-06-02"})
    sign_in(page, live_server, scene.email("support"))
    page.get_by_role("button", name="Pilotage").click()
    page.get_by_role("link", name="Files du support").click()
    page.wait_for_url(re.compile(r"/support/files$"))
    queue = page.locator("section", has=page.get_by_role("heading", name="PASS IAE à délivrer manuellement"))
    assert_accessible(page)

    # Nadia: a refusal without its reason is refused, then Sam delivers the PASS.
    queue.get_by_role("link", name=re.compile("^Nadia HADDAD")).click()
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Délivrer le PASS IAE manuellement"
    # The support lane's task is the whole team's, not addressed to Sam alone.
    assert page.get_by_text("Elle revient à toute l'équipe du support de la plateforme").is_visible()
    assert_accessible(page)
    click_label(page, "Refuser le PASS IAE")
    page.get_by_label("Motif du refus").wait_for()
    assert_accessible(page)
    submit(page, "Valider")
    error_shown(page, "Motif du refus : Ce champ est obligatoire.")
    assert page.get_by_label("Motif du refus").is_visible()  # still offered: "Refuser" stays ticked
    click_label(page, "Délivrer le PASS IAE")
    submit(page, "Valider")
    page.wait_for_url(re.compile(rf"/dossiers/{nadia_hire}$"))
    assert page.get_by_text("PASS IAE délivré").first.is_visible()
    assert_accessible(page, exclude=[DIAGRAM])

    # Léo: refused, with the reason the employer will read.
    page.get_by_role("button", name="Pilotage").click()
    page.get_by_role("link", name="Files du support").click()
    page.wait_for_url(re.compile(r"/support/files$"))
    assert not queue.get_by_role("link", name=re.compile("^Nadia HADDAD")).count()
    assert_accessible(page)
    queue.get_by_role("link", name=re.compile("^Léo MARTIN")).click()
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert_accessible(page)
    click_label(page, "Refuser le PASS IAE")
    page.get_by_label("Motif du refus").fill(REFUSAL)
    submit(page, "Valider")
    page.wait_for_url(re.compile(rf"/dossiers/{leo_hire}$"))
    assert page.get_by_text("PASS IAE refusé").first.is_visible()
    assert_accessible(page, exclude=[DIAGRAM])
    sign_out(page)

    # Karim, at Les Jardins, reads both outcomes.
    sign_in(page, live_server, scene.email("colleague"))
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    page.wait_for_url(re.compile(r"/notifications$"))
    refused = page.locator("li.parcours-notification", has_text="PASS IAE refusé")
    assert refused.get_by_text("Le PASS IAE de Léo MARTIN pour son embauche chez Les Jardins de la Vilaine (ACI) "
                               "n'a pas pu être délivré.").is_visible()
    assert refused.get_by_text(f"Motif : {REFUSAL}").is_visible()
    pass_start = today + timedelta(days=3)
    accepted = page.locator("li.parcours-notification", has_text="PASS IAE accepté")
    assert accepted.get_by_text(f"Le PASS IAE n° 99999 00 00001 de Nadia HADDAD est accepté pour son embauche chez "
                                f"Les Jardins de la Vilaine (ACI) : il est valable du {fr_date(pass_start)} au "
                                f"{fr_date(pass_start + timedelta(days=729))}.").is_visible()
    assert_accessible(page)
    accepted.get_by_role("link", name=re.compile("^Voir le dossier")).click()
    page.wait_for_url(re.compile(rf"/dossiers/{nadia_hire}$"))
    assert_accessible(page, exclude=[DIAGRAM])
    page.get_by_role("link", name=re.compile(r"PASS IAE 99999 00 00001")).click()
    page.wait_for_url(re.compile(r"/pass/\d+$"))
    assert fact(page, "Début") == fr_date(pass_start)
    assert_accessible(page)
    open_case(page, live_server, leo_case)
    assert page.get_by_role("link", name=re.compile("PASS IAE 99999")).count() == 0
