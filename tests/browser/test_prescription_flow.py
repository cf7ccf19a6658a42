"""An authorized prescriber creates a job seeker, records a diagnosis and applies to two
companies in a real browser; then a member of each company finds the application in its inbox.

Every page visited goes through axe (WCAG 2 A/AA); the bpmn-js canvas is left out on the
case page (a third-party drawing, described by the text under it).
"""
import re
from datetime import date, timedelta

import pytest

from app.demo import nir_for
from app.domain import eligibility
from app.extensions import db
from app.models import JobDescription, Organisation
from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene

DIAGRAM = "#diagramme"
NIR = nir_for(2, date(1991, 4, 2), "35", 7)


@pytest.fixture
def scene(live_server):
    app = live_server.app
    scene = build_scene(app)
    with app.app_context():
        jardins = db.session.get(Organisation, scene.orgs["jardins"])
        recyclerie = db.session.get(Organisation, scene.orgs["recyclerie"])
        recyclerie.spontaneous_applications_open_until = date.today() + timedelta(days=60)
        job = JobDescription(company_id=jardins.id, rome_code="A1414", appellation="Maraîcher / Maraîchère",
                             city="Rennes")
        db.session.add(job)
        db.session.commit()
        scene.job_id = job.id
    return scene


def sign_in(page, live_server, scene, key):
    page.goto(live_server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(scene.email(key))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches"))


def sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/login$"))


def tick(page, input_id):
    """Tick a DSFR radio or checkbox as a person does: by clicking its label."""
    page.locator(f"label[for='{input_id}']").click()


def test_a_prescriber_applies_to_two_companies_which_find_it_in_their_inbox(browser_page, live_server, scene):
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)

    sign_in(page, live_server, scene, "prescriber")
    assert_accessible(page)

    # The company's page in the directory, then its "Postuler" link: the chosen job is already ticked.
    page.goto(f"{live_server.url}/structures/{scene.orgs['jardins']}")
    assert_accessible(page)
    page.get_by_role("link", name="Postuler : Maraîcher / Maraîchère").click()
    page.wait_for_url(re.compile(r"/candidatures/nouvelle\?"))
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Postuler pour un candidat chez Les Jardins de la Vilaine (ACI)"
    assert page.get_by_label("Maraîcher / Maraîchère — Rennes").is_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Continuer").click()

    # Identify the job seeker: nobody has this NIR yet, so the prescriber creates her.
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Identifier le candidat"
    assert_accessible(page)
    page.get_by_label("Numéro de sécurité sociale (NIR)").fill(NIR)
    page.get_by_label("Adresse e-mail du candidat").fill("lina.moreau@exemple.fr")
    page.get_by_label("Prénom (obligatoire)").fill("Lina")
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Moreau")
    page.get_by_label("Date de naissance (obligatoire)").fill("1991-04-02")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Code postal (obligatoire)").fill("35000")
    page.get_by_label("Ville (obligatoire)").fill("Rennes")
    page.get_by_role("button", name="Valider").click()

    # France Travail is an authorized prescriber and Les Jardins an SIAE: the eligibility step.
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Valider l'éligibilité IAE"
    assert page.get_by_text("C'est enregistré.").is_visible()
    assert_accessible(page)
    for dimension in eligibility.SOCIO_PROFESSIONAL_GRID:
        tick(page, f"grid_{dimension.code}-1")
    tick(page, "support_needs-0")
    tick(page, "criteria_level_1-0")  # RSA
    page.get_by_role("button", name="Valider").click()

    # The message, sent to Les Jardins and, spontaneously, to La Recyclerie.
    page.wait_for_url(re.compile(r"/taches/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Message et CV"
    spontaneous = "La Recyclerie Rennaise (EI), Rennes : candidature spontanée"
    assert page.get_by_text("Seulement à Les Jardins de la Vilaine (ACI) (Maraîcher / Maraîchère)").is_visible()
    assert not page.get_by_text(spontaneous).is_visible()  # until the other companies are asked for
    assert_accessible(page)
    tick(page, "add_more-1")
    page.get_by_text(spontaneous).click()
    page.get_by_label("Message de candidature (obligatoire)").fill(
        "Bonjour, je vous présente Lina : motivée, disponible tout de suite, suivie depuis un an.")
    page.get_by_role("button", name="Valider").click()

    # The prescription's case: both applications are sent.
    page.wait_for_url(re.compile(r"/dossiers/\d+$"))
    assert page.get_by_text("C'est enregistré.").is_visible()
    assert page.locator(".parcours-page-header").get_by_text("Candidatures envoyées").is_visible()
    assert_accessible(page, exclude=[DIAGRAM])
    sign_out(page)

    # A member of each company finds the application in its inbox.
    for key in ("colleague", "employer"):  # Les Jardins; La Recyclerie (the employer's first company)
        sign_in(page, live_server, scene, key)
        row = page.get_by_role("row").filter(has_text="Lina MOREAU")
        assert row.get_by_role("link", name="Traiter la nouvelle candidature").is_visible()
        assert_accessible(page)
        row.get_by_role("link", name="Traiter la nouvelle candidature").click()
        page.wait_for_url(re.compile(r"/taches/\d+$"))
        assert page.get_by_text("Bonjour, je vous présente Lina").is_visible()
        assert page.get_by_text("Paula Rescrit, France Travail Rennes").is_visible()
        assert_accessible(page)
        sign_out(page)

    assert not errors, errors
