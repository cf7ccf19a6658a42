"""The employers' directory: /structures (search) and /structures/<id> (a company's page)."""
import re

import pytest

from tests.web.builders import build_scene, login, text
from tests.web.directory_data import add_company, add_job


@pytest.fixture
def scene(app):
    return build_scene(app)


def card(page, name):
    """The result card of a company: from its name to the line counting its jobs."""
    start = page.index(f">{name}</a>")
    return page[start:page.index("</p>", page.index("fr-card__detail", start))]


def names_in_order(html, names):
    """The given company names in the order the page shows them."""
    positions = {name: html.find(f">{name}</a>") for name in names}
    return [name for name, at in sorted(positions.items(), key=lambda item: item[1]) if at >= 0]


def test_the_directory_needs_an_account(client, scene):
    response = client.get("/structures")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_every_page_links_to_the_directory(client, scene):
    login(client, scene.email("prescriber"))
    page = text(client.get("/taches"))
    assert '<a class="fr-nav__link" href="/structures">Trouver une structure</a>' in page


def test_search_lists_companies_with_kind_city_and_open_jobs(app, client, scene):
    add_job(app, scene.orgs["jardins"], "A1414", "Maraîcher / Maraîchère")
    add_job(app, scene.orgs["jardins"], "A1203", "Paysagiste")
    add_job(app, scene.orgs["jardins"], "A1203", "Jardinier / Jardinière d'espaces verts", active=False)
    login(client, scene.email("prescriber"))
    response = client.get("/structures")
    page = text(response)
    assert response.status_code == 200
    assert "3 structures trouvées" in page
    jardins = card(page, "Les Jardins de la Vilaine")
    assert "Atelier chantier d'insertion · Rennes (35)" in jardins
    assert '<span class="fr-sr-only">Type : </span>ACI' in jardins
    assert "2 fiches de poste ouvertes" in jardins  # the closed one is not counted
    assert "Aucune fiche de poste ouverte" in page  # the two others


def test_filters_by_department_kind_and_city(app, client, scene):
    add_company(app, "Ressourcerie de Saint-Denis", kind="ACI", department="93", city="Saint-Denis", postcode="93200")
    add_company(app, "Bâtir Ensemble 93", kind="EI", department="93", city="Montreuil", postcode="93100")
    login(client, scene.email("prescriber"))

    page = text(client.get("/structures?department=93"))
    assert "2 structures trouvées" in page
    assert "Ressourcerie de Saint-Denis" in page and "Les Jardins de la Vilaine" not in page

    page = text(client.get("/structures?department=93&kind=EI"))
    assert "1 structure trouvée" in page and "Bâtir Ensemble 93" in page

    page = text(client.get("/structures?kind=GEIQ"))
    assert "1 structure trouvée" in page and "GEIQ Bâtiment Bretagne" in page

    # Spaces, hyphens and case do not matter in a city name.
    page = text(client.get("/structures?city=saint+denis"))
    assert "1 structure trouvée" in page and "Ressourcerie de Saint-Denis" in page

    page = text(client.get("/structures?city=Brest"))
    assert "Aucune structure trouvée" in page
    assert "Aucune structure ne correspond à ces critères." in page
    # The form shows what was searched.
    assert 'name="city" value="Brest"' in page


def test_job_search_matches_rome_appellations_and_custom_names(app, client, scene):
    batiment = add_company(app, "Bâtir Ensemble", kind="EI")
    add_job(app, batiment, "F1703", "Maçon / Maçonne")
    closed = add_company(app, "Chantier Fermé", kind="EI")
    add_job(app, closed, "F1703", "Maçon / Maçonne", active=False)
    add_job(app, scene.orgs["geiq"], "F1703", "Ouvrier / Ouvrière en maçonnerie", custom_name="Équipier de chantier")
    add_job(app, scene.orgs["jardins"], "A1414", "Maraîcher / Maraîchère")
    login(client, scene.email("prescriber"))

    # "macon" finds the appellations "Maçon / Maçonne" and "Ouvrier / Ouvrière en maçonnerie".
    page = text(client.get("/structures?job=macon"))
    assert "2 structures trouvées" in page
    assert "Bâtir Ensemble" in page and "GEIQ Bâtiment Bretagne" in page
    assert "Chantier Fermé" not in page  # its only maçon job is closed
    assert "Les Jardins de la Vilaine" not in page
    assert "1 pour « macon »" in page

    # The job's own name counts too.
    page = text(client.get("/structures?job=équipier"))
    assert "1 structure trouvée" in page and "GEIQ Bâtiment Bretagne" in page

    page = text(client.get("/structures?job=astronaute"))
    assert "Aucune structure n'a de fiche de poste ouverte pour « astronaute »" in page


def test_results_put_matching_and_recruiting_companies_first_and_blocked_ones_last(app, client, scene):
    two = add_company(app, "Zèbre Bâtiment", kind="EI")
    add_job(app, two, "F1703", "Maçon / Maçonne")
    add_job(app, two, "F1703", "Aide-maçon / Aide-maçonne")
    one = add_company(app, "Alpha Maçonnerie", kind="EI")
    add_job(app, one, "F1703", "Maçon / Maçonne")
    blocked = add_company(app, "Aaa Bloquée", kind="EI", blocked=True)
    add_job(app, blocked, "F1703", "Maçon / Maçonne")
    add_job(app, blocked, "F1703", "Chapiste")
    add_job(app, blocked, "F1703", "Maçon / Maçonne en rénovation")
    spontaneous = add_company(app, "Mouette Services", kind="EI", spontaneous_days=30)
    login(client, scene.email("prescriber"))

    page = text(client.get("/structures?job=maçon"))
    assert names_in_order(page, ["Aaa Bloquée", "Alpha Maçonnerie", "Zèbre Bâtiment"]) == [
        "Zèbre Bâtiment", "Alpha Maçonnerie", "Aaa Bloquée"]

    # Without a job: recruiting first, then open to spontaneous applications, then the others, blocked last.
    page = text(client.get("/structures?kind=EI"))
    assert names_in_order(page, ["Aaa Bloquée", "Alpha Maçonnerie", "Zèbre Bâtiment", "Mouette Services",
                                 "La Recyclerie Rennaise"]) == [
        "Alpha Maçonnerie", "Zèbre Bâtiment", "Mouette Services", "La Recyclerie Rennaise", "Aaa Bloquée"]
    assert spontaneous


def test_badges_for_blocked_companies_and_open_spontaneous_applications(app, client, scene):
    add_company(app, "Ouverte aux spontanées", kind="AI", spontaneous_days=0)  # open until today included
    add_company(app, "Spontanées expirées", kind="AI", spontaneous_days=-1)
    add_company(app, "Structure bloquée", kind="AI", blocked=True, spontaneous_days=10)
    login(client, scene.email("prescriber"))
    page = text(client.get("/structures?kind=AI"))
    assert "Candidatures spontanées ouvertes" in card(page, "Ouverte aux spontanées")
    assert "Candidatures spontanées ouvertes" not in card(page, "Spontanées expirées")
    assert "Ne reçoit pas de candidatures" in card(page, "Structure bloquée")
    assert "Candidatures spontanées ouvertes" not in card(page, "Structure bloquée")
    assert "Ne reçoit pas de candidatures" not in card(page, "Ouverte aux spontanées")


def test_results_are_paginated(app, client, scene):
    for number in range(1, 26):
        add_company(app, f"Entreprise adaptée {number:02d}", kind="EA")
    login(client, scene.email("prescriber"))

    page = text(client.get("/structures?kind=EA"))
    assert "25 structures trouvées" in page and "(page 1 sur 2)" in page
    assert len(re.findall(r">Entreprise adaptée \d\d</a>", page)) == 20
    assert "Entreprise adaptée 20" in page and "Entreprise adaptée 21" not in page
    assert 'href="/structures?kind=EA&page=2"' in page.replace("&amp;", "&")

    page = text(client.get("/structures?kind=EA&page=2"))
    assert len(re.findall(r">Entreprise adaptée \d\d</a>", page)) == 5
    assert "Entreprise adaptée 25" in page

    assert client.get("/structures?kind=EA&page=3").status_code == 404
    assert client.get("/structures?kind=EA&page=99999999999999999999999").status_code == 404
    assert client.get("/structures?kind=EA&page=deux").status_code == 200  # read as the first page


def test_an_invalid_filter_is_explained_in_french(client, scene):
    login(client, scene.email("prescriber"))
    response = client.get("/structures?kind=XYZ&department=99")
    page = text(response)
    assert response.status_code == 400
    assert 'role="alert"' in page
    assert "La recherche contient 2 erreurs" in page
    assert "Type de structure : Choisissez une valeur dans la liste." in page
    assert "Département : Choisissez une valeur dans la liste." in page


# --- a company's page ---------------------------------------------------------------

def test_company_page_shows_identity_and_open_jobs_with_apply_links(app, client, scene):
    jardins = scene.orgs["jardins"]
    job = add_job(app, jardins, "A1414", "Maraîcher / Maraîchère", cv_required=True, hours=26,
                  city="Cesson-Sévigné", postcode="35510")
    closed = add_job(app, jardins, "A1203", "Paysagiste", active=False)
    login(client, scene.email("prescriber"))
    response = client.get(f"/structures/{jardins}")
    page = text(response)
    assert response.status_code == 200
    assert "<h1 class=\"fr-mb-1w\">Les Jardins de la Vilaine</h1>" in page
    assert "Atelier chantier d'insertion (ACI)" in page
    assert "35 — Ille-et-Vilaine" in page
    assert "Maraîcher / Maraîchère" in page
    assert "CDD d'insertion (CDDI)" in page
    assert "26 heures" in page
    assert "Cesson-Sévigné (35510)" in page
    assert "CV obligatoire" in page
    assert f'href="/candidatures/nouvelle?structure={jardins}&fiche={job}"' in page
    # A closed job is not shown to people outside the company.
    assert "Paysagiste" not in page and f"fiche={closed}" not in page
    # No spontaneous applications: no button for them.
    assert "n'accepte pas de candidatures spontanées" in page
    assert f'href="/candidatures/nouvelle?structure={jardins}"' not in page
    # Managing is for admins.
    assert "Gérer les fiches de poste" not in page


def test_members_also_see_closed_jobs_and_admins_the_management_links(app, client, scene):
    jardins = scene.orgs["jardins"]
    add_job(app, jardins, "A1414", "Maraîcher / Maraîchère")
    add_job(app, jardins, "A1203", "Paysagiste", active=False)
    login(client, scene.email("employer"))
    page = text(client.get(f"/structures/{jardins}"))
    assert "Paysagiste" in page
    assert "Recrutement fermé" in page
    assert page.index("Maraîcher / Maraîchère") < page.index("Paysagiste")  # open jobs first
    assert f'href="/structures/{jardins}/fiches"' in page
    assert f'href="/structures/{jardins}/parametres"' in page


def test_spontaneous_applications_button_when_they_are_open(app, client, scene):
    company = add_company(app, "Services Plus", kind="AI", spontaneous_days=45)
    login(client, scene.email("prescriber"))
    page = text(client.get(f"/structures/{company}"))
    assert "Candidatures spontanées ouvertes" in page
    assert "accepte les candidatures spontanées jusqu'au" in page
    assert f'<a class="fr-btn fr-btn--secondary" href="/candidatures/nouvelle?structure={company}">' \
           f'Candidature spontanée</a>' in page


def test_a_blocked_company_offers_no_application_except_to_its_members(app, client, scene):
    company = add_company(app, "Structure complète", kind="EI", blocked=True, spontaneous_days=20,
                          members=[(scene.users["other_employer"], False)])
    job = add_job(app, company, "K2204", "Agent / Agente d'entretien de locaux")
    login(client, scene.email("prescriber"))
    page = text(client.get(f"/structures/{company}"))
    assert "Ne reçoit pas de candidatures" in page
    assert "Cette structure ne reçoit pas de candidatures pour le moment" in page
    assert "Agent / Agente d'entretien de locaux" in page  # still described
    assert "/candidatures/nouvelle" not in page

    client.post("/logout")
    login(client, scene.email("other_employer"))
    page = text(client.get(f"/structures/{company}"))
    assert f'href="/candidatures/nouvelle?structure={company}&fiche={job}"' in page
    assert "Seuls les membres de votre structure peuvent encore y déclarer des candidatures." in page


@pytest.mark.parametrize("what", ["unknown", "huge", "prescriber"])
def test_only_companies_have_a_page(client, scene, what):
    login(client, scene.email("prescriber"))
    company_id = {"unknown": 999_999, "huge": 99_999_999_999_999_999_999}.get(what) or scene.orgs["ft"]
    response = client.get(f"/structures/{company_id}")
    assert response.status_code == 404
    assert ("La page que vous cherchez n'existe pas" if what == "huge" else "Cette structure n'existe pas.") \
        in text(response)
