"""A company admin finds their company in the directory, then publishes a job description and
opens spontaneous applications, in a real browser; axe checks every page visited."""
import re

import pytest

from tests.support.axe import assert_accessible
from tests.web.builders import PASSWORD, build_scene
from tests.web.directory_data import add_company, add_job


@pytest.fixture
def scene(live_server):
    scene = build_scene(live_server.app)
    add_job(live_server.app, scene.orgs["jardins"], "A1414", "Maraîcher / Maraîchère", cv_required=True)
    other = add_company(live_server.app, "Potager Solidaire", kind="EI", spontaneous_days=30)
    add_job(live_server.app, other, "A1414", "Ouvrier maraîcher / Ouvrière maraîchère")
    return scene


def test_directory_company_page_and_job_description_admin(browser_page, live_server, scene):
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text else None)

    page.goto(live_server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(scene.email("employer"))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/taches"))

    # The directory, from the main menu; search a job.
    page.get_by_role("link", name="Trouver une structure").click()
    page.wait_for_url(re.compile(r"/structures$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Trouver une structure"
    assert_accessible(page)
    page.get_by_label("Métier recherché").fill("maraicher")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/structures\?job=maraicher"))
    assert page.get_by_role("heading", name="2 structures trouvées").is_visible()
    assert page.get_by_text("Candidatures spontanées ouvertes").is_visible()
    assert_accessible(page)

    # The company page.
    page.get_by_role("link", name="Les Jardins de la Vilaine").click()
    page.wait_for_url(re.compile(r"/structures/\d+$"))
    assert page.get_by_role("heading", name="Maraîcher / Maraîchère").is_visible()
    assert page.get_by_text("CV obligatoire").is_visible()
    apply = page.get_by_role("link", name="Postuler : Maraîcher / Maraîchère")
    assert re.search(r"/candidatures/nouvelle\?structure=\d+&fiche=\d+$", apply.get_attribute("href"))
    assert_accessible(page)

    # Its job descriptions, then a new one: search the job first.
    page.get_by_role("link", name="Gérer les fiches de poste").click()
    page.wait_for_url(re.compile(r"/fiches$"))
    assert_accessible(page)
    page.get_by_role("link", name="Créer une fiche de poste").click()
    page.wait_for_url(re.compile(r"/fiches/nouvelle$"))
    assert_accessible(page)
    page.get_by_label("Rechercher un métier").fill("cuisinier")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"metier=cuisinier"))
    # A DSFR radio is ticked by its label, as a person does (the input sits under it).
    page.locator("label.fr-label", has_text="Cuisinier / Cuisinière en restaurant d'insertion (G1602)").click()
    page.get_by_label("Type de contrat (obligatoire)").select_option(label="CDD d'insertion (CDDI)")
    page.get_by_label("Code postal du lieu de travail (obligatoire)").fill("35000")
    page.get_by_label("Durée de travail par semaine (en heures)").fill("49")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la fiche de poste").click()

    # Too many hours: the error is announced, what was typed is kept.
    alert = page.locator("[role=alert]").filter(has_text="Durée de travail par semaine")
    assert alert.is_visible()
    assert "Saisissez un nombre entre 1 et 48." in alert.inner_text()
    assert page.get_by_label("Cuisinier / Cuisinière en restaurant d'insertion (G1602)").is_checked()
    assert_accessible(page)
    page.get_by_label("Durée de travail par semaine (en heures)").fill("30")
    page.get_by_role("button", name="Enregistrer la fiche de poste").click()
    page.wait_for_url(re.compile(r"/fiches$"))
    assert page.get_by_text("La fiche de poste « Cuisinier / Cuisinière en restaurant d'insertion » est créée.") \
        .is_visible()
    assert page.get_by_role("row").filter(has_text="Cuisinier / Cuisinière en restaurant d'insertion") \
        .get_by_text("Ouvert", exact=True).is_visible()
    assert_accessible(page)

    # Receiving applications: open spontaneous applications.
    page.get_by_role("link", name="Réception des candidatures").click()
    page.wait_for_url(re.compile(r"/parametres$"))
    assert_accessible(page)
    page.get_by_role("button", name="Ouvrir pour 90 jours").click()
    page.wait_for_url(re.compile(r"/parametres$"))
    assert page.get_by_text("Les candidatures spontanées sont ouvertes jusqu'au").is_visible()
    assert_accessible(page)

    assert not errors, errors
