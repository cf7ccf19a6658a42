"""Company admins manage job descriptions and whether the company receives applications
(/structures/<id>/fiches, /structures/<id>/parametres); every change is audited."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import JobDescription, Organisation
from app.models.audit import AuditEntry
from app.services.directory import today_paris
from tests.web.builders import build_scene, login, text
from tests.web.directory_data import add_job

MACON = "F1703|Maçon / Maçonne"


@pytest.fixture
def scene(app):
    return build_scene(app)


def job_form(**changes):
    data = {"appellation": MACON, "custom_name": "Maçon en rénovation du bâti ancien",
            "description": "Chantiers de rénovation dans le centre de Rennes.", "contract_type": "CDDI",
            "postcode": "35000", "city": "Rennes", "hours_per_week": "26", "open_positions": "2",
            "cv_required": "y", "is_active": "y"}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def audit_rows(app, company_id):
    with app.app_context():
        return [(row.action, row.actor_id, row.summary, row.data) for row in
                AuditEntry.query.filter_by(organisation_id=company_id).order_by(AuditEntry.id)]


def jobs_of(app, company_id):
    with app.app_context():
        return JobDescription.query.filter_by(company_id=company_id).order_by(JobDescription.id).all()


# --- creating, editing, closing ----------------------------------------------------------

def test_an_admin_searches_a_job_then_creates_the_job_description(app, client, scene):
    jardins = scene.orgs["jardins"]
    login(client, scene.email("employer"))
    page = text(client.get(f"/structures/{jardins}/fiches"))
    assert "Votre structure n'a encore aucune fiche de poste." in page

    # First the job search: no form until a job is found.
    page = text(client.get(f"/structures/{jardins}/fiches/nouvelle"))
    assert "Rechercher un métier" in page
    assert "Recherchez d'abord le métier" in page
    assert 'data-spec-form="job_description"' not in page

    page = text(client.get(f"/structures/{jardins}/fiches/nouvelle?metier=macon"))
    assert 'data-spec-form="job_description"' in page
    assert f'value="{MACON}"' in page
    assert "Maçon / Maçonne (F1703)" in page
    assert "Aide-maçon / Aide-maçonne (F1703)" in page
    assert f'action="/structures/{jardins}/fiches/nouvelle?metier=macon"' in page
    # New jobs start at the company's place, one position, recruitment open.
    assert 'name="open_positions" type="text" value="1"' in page
    assert 'name="city" type="text" value="Rennes"' in page

    response = client.post(f"/structures/{jardins}/fiches/nouvelle?metier=macon",
                           data=job_form(postcode="35 510", city="Cesson-Sévigné"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/structures/{jardins}/fiches")
    [job] = jobs_of(app, jardins)
    assert (job.rome_code, job.appellation, job.custom_name) == ("F1703", "Maçon / Maçonne",
                                                                   "Maçon en rénovation du bâti ancien")
    assert (job.contract_type, job.postcode, job.department, job.city) == ("CDDI", "35510", "35", "Cesson-Sévigné")
    assert (job.hours_per_week, job.open_positions, job.cv_required, job.is_active) == (26, 2, True, True)
    assert job.updated_by_id == scene.users["employer"]
    [(action, actor, summary, data)] = audit_rows(app, jardins)
    assert (action, actor) == ("job_description_created", scene.users["employer"])
    assert summary == "Fiche de poste « Maçon en rénovation du bâti ancien » créée"
    assert data["job_description_id"] == job.id and data["values"]["hours_per_week"] == 26

    page = text(client.get(f"/structures/{jardins}/fiches"))
    assert "La fiche de poste « Maçon en rénovation du bâti ancien » est créée." in page
    assert "Maçon / Maçonne (F1703)" in page
    # The company page now lists it.
    assert "Maçon en rénovation du bâti ancien" in text(client.get(f"/structures/{jardins}"))


@pytest.mark.parametrize("postcode, department", [("20090", "2A"), ("20200", "2B"), ("97400", "974"),
                                                  ("13003", "13")])
def test_the_departement_comes_from_the_postcode(app, client, scene, postcode, department):
    jardins = scene.orgs["jardins"]
    login(client, scene.email("employer"))
    response = client.post(f"/structures/{jardins}/fiches/nouvelle", data=job_form(postcode=postcode))
    assert response.status_code == 302
    [job] = jobs_of(app, jardins)
    assert job.department == department


def test_an_admin_edits_a_job_description_and_the_changes_are_audited(app, client, scene):
    jardins = scene.orgs["jardins"]
    job_id = add_job(app, jardins, "A1414", "Maraîcher / Maraîchère", hours=35)
    login(client, scene.email("colleague"))  # also an admin of jardins
    page = text(client.get(f"/structures/{jardins}/fiches/{job_id}"))
    assert "Modifier la fiche de poste" in page
    assert 'value="A1414|Maraîcher / Maraîchère" checked' in page
    assert 'value="35"' in page

    form = job_form(appellation="A1414|Maraîcher / Maraîchère", custom_name="", hours_per_week="30",
                    cv_required=None, description="Travail en équipe, encadrement technique sur le chantier.",
                    open_positions="2")
    response = client.post(f"/structures/{jardins}/fiches/{job_id}", data=form)
    assert response.status_code == 302
    with app.app_context():
        job = db.session.get(JobDescription, job_id)
        assert (job.hours_per_week, job.cv_required, job.updated_by_id) == (30, False, scene.users["colleague"])
    [(action, actor, summary, data)] = audit_rows(app, jardins)
    assert (action, actor, summary) == ("job_description_updated", scene.users["colleague"],
                                        "Fiche de poste « Maraîcher / Maraîchère » modifiée")
    assert data["changes"] == {"hours_per_week": [35, 30]}

    # The same values again: nothing to record.
    response = client.post(f"/structures/{jardins}/fiches/{job_id}", data=form, follow_redirects=True)
    assert "Aucune modification : la fiche de poste est inchangée." in text(response)
    assert len(audit_rows(app, jardins)) == 1


def test_changing_the_job_of_a_job_description(app, client, scene):
    jardins = scene.orgs["jardins"]
    job_id = add_job(app, jardins, "A1414", "Maraîcher / Maraîchère")
    login(client, scene.email("employer"))
    page = text(client.get(f"/structures/{jardins}/fiches/{job_id}?metier=cuisinier"))
    assert "Changer de métier" in page
    assert 'value="A1414|Maraîcher / Maraîchère" checked' in page  # the current one stays offered
    assert 'value="G1602|Cuisinier / Cuisinière"' in page
    response = client.post(f"/structures/{jardins}/fiches/{job_id}?metier=cuisinier",
                           data=job_form(appellation="G1602|Cuisinier / Cuisinière", custom_name=""))
    assert response.status_code == 302
    [job] = jobs_of(app, jardins)
    assert (job.rome_code, job.appellation) == ("G1602", "Cuisinier / Cuisinière")


def test_a_search_that_finds_no_job_says_so(client, scene):
    login(client, scene.email("employer"))
    page = text(client.get(f"/structures/{scene.orgs['jardins']}/fiches/nouvelle?metier=astronaute"))
    assert "Aucun métier ne correspond à « astronaute »" in page
    assert 'data-spec-form="job_description"' not in page


def test_closing_and_reopening_recruitment(app, client, scene):
    jardins = scene.orgs["jardins"]
    job_id = add_job(app, jardins, "K2204", "Agent / Agente d'entretien de locaux")
    login(client, scene.email("employer"))
    response = client.post(f"/structures/{jardins}/fiches/{job_id}/desactiver", follow_redirects=True)
    assert "Le recrutement est fermé sur « Agent / Agente d'entretien de locaux »" in text(response)
    assert jobs_of(app, jardins)[0].is_active is False
    client.post("/logout")
    login(client, scene.email("prescriber"))
    assert "Agent / Agente d'entretien de locaux" not in text(client.get(f"/structures/{jardins}"))
    client.post("/logout")
    login(client, scene.email("employer"))
    client.post(f"/structures/{jardins}/fiches/{job_id}/activer")
    assert jobs_of(app, jardins)[0].is_active is True
    assert [row[0] for row in audit_rows(app, jardins)] == ["job_description_deactivated",
                                                            "job_description_activated"]


# --- who may ------------------------------------------------------------------------------

ADMIN_GETS = ["/structures/{c}/fiches", "/structures/{c}/fiches/nouvelle", "/structures/{c}/fiches/{j}",
              "/structures/{c}/parametres"]
ADMIN_POSTS = ["/structures/{c}/fiches/nouvelle", "/structures/{c}/fiches/{j}", "/structures/{c}/fiches/{j}/desactiver",
               "/structures/{c}/fiches/{j}/activer", "/structures/{c}/parametres/bloquer",
               "/structures/{c}/parametres/spontanees-ouvrir"]


@pytest.mark.parametrize("who, company", [
    ("employer", "recyclerie"),       # a member of the company, not its admin
    ("other_employer", "jardins"),    # the admin of another company
    ("prescriber", "jardins"),
    ("seeker", "jardins"),
])
def test_only_the_company_admins_manage_it(app, client, scene, who, company):
    company_id = scene.orgs[company]
    job_id = add_job(app, company_id, "A1414", "Maraîcher / Maraîchère", active=False)
    login(client, scene.email(who))
    for path in ADMIN_GETS:
        response = client.get(path.format(c=company_id, j=job_id))
        assert response.status_code == 403, path
        assert "Seuls les administrateurs de cette structure peuvent la gérer." in text(response)
    for path in ADMIN_POSTS:
        assert client.post(path.format(c=company_id, j=job_id), data=job_form()).status_code == 403, path
    with app.app_context():
        company_row = db.session.get(Organisation, company_id)
        assert not company_row.block_job_applications
        assert company_row.spontaneous_applications_open_until is None
    [job] = jobs_of(app, company_id)
    assert job.is_active is False and job.appellation == "Maraîcher / Maraîchère"
    assert audit_rows(app, company_id) == []


def test_a_job_description_of_another_company_is_not_found(app, client, scene):
    other_job = add_job(app, scene.orgs["geiq"], "F1703", "Maçon / Maçonne")
    login(client, scene.email("employer"))
    assert client.get(f"/structures/{scene.orgs['jardins']}/fiches/{other_job}").status_code == 404
    assert client.get(f"/structures/{scene.orgs['jardins']}/fiches/99999999999999999999").status_code == 404
    assert client.post(f"/structures/{scene.orgs['jardins']}/fiches/{other_job}/desactiver").status_code == 404
    assert jobs_of(app, scene.orgs["geiq"])[0].is_active is True


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field, message", [
    ({"hours_per_week": "0"}, "Durée de travail par semaine (en heures)", "Saisissez un nombre entre 1 et 48."),
    ({"hours_per_week": "49"}, "Durée de travail par semaine (en heures)", "Saisissez un nombre entre 1 et 48."),
    ({"hours_per_week": "17,5"}, "Durée de travail par semaine (en heures)", "Saisissez un nombre entier (ex. 35)."),
    ({"open_positions": "0"}, "Nombre de postes ouverts", "Saisissez un nombre entre 1 et 999."),
    ({"open_positions": ""}, "Nombre de postes ouverts", "Ce champ est obligatoire."),
    ({"appellation": "F1703|Astronaute"}, "Métier (appellation ROME)", "Choisissez une valeur dans la liste."),
    ({"appellation": None}, "Métier (appellation ROME)", "Ce champ est obligatoire."),
    ({"postcode": "3500"}, "Code postal du lieu de travail",
     "Saisissez un code postal français de 5 chiffres (ex. 35000)."),
    ({"postcode": "00100"}, "Code postal du lieu de travail",
     "Ce code postal ne correspond à aucun département : vérifiez-le (ex. 35000)."),
    ({"contract_type": "STAGE"}, "Type de contrat", "Choisissez une valeur dans la liste."),
    ({"city": ""}, "Ville du lieu de travail", "Ce champ est obligatoire."),
])
def test_bad_input_is_refused_in_french_and_changes_nothing(app, client, scene, changes, field, message):
    jardins = scene.orgs["jardins"]
    login(client, scene.email("employer"))
    response = client.post(f"/structures/{jardins}/fiches/nouvelle?metier=macon", data=job_form(**changes))
    page = text(response)
    assert response.status_code == 422
    assert 'role="alert"' in page
    assert f"{field} : {message}" in page
    assert jobs_of(app, jardins) == []
    assert audit_rows(app, jardins) == []


def test_a_bad_edit_keeps_the_job_description_as_it_was(app, client, scene):
    jardins = scene.orgs["jardins"]
    job_id = add_job(app, jardins, "A1414", "Maraîcher / Maraîchère", hours=35)
    login(client, scene.email("employer"))
    response = client.post(f"/structures/{jardins}/fiches/{job_id}",
                           data=job_form(appellation="A1414|Maraîcher / Maraîchère", hours_per_week="49"))
    assert response.status_code == 422
    assert "Saisissez un nombre entre 1 et 48." in text(response)
    assert jobs_of(app, jardins)[0].hours_per_week == 35
    assert audit_rows(app, jardins) == []


# --- receiving applications ---------------------------------------------------------------

def test_blocking_and_unblocking_applications(app, client, scene):
    jardins = scene.orgs["jardins"]
    login(client, scene.email("employer"))
    page = text(client.get(f"/structures/{jardins}/parametres"))
    assert "Reçoit des candidatures" in page
    response = client.post(f"/structures/{jardins}/parametres/bloquer", follow_redirects=True)
    page = text(response)
    assert "Votre structure ne reçoit plus de candidatures." in page
    assert "Ne reçoit pas de candidatures" in page
    with app.app_context():
        assert db.session.get(Organisation, jardins).block_job_applications is True
    response = client.post(f"/structures/{jardins}/parametres/debloquer", follow_redirects=True)
    assert "Votre structure reçoit de nouveau des candidatures." in text(response)
    with app.app_context():
        assert db.session.get(Organisation, jardins).block_job_applications is False
    rows = audit_rows(app, jardins)
    assert [(action, actor) for action, actor, _summary, _data in rows] == [
        ("applications_blocked", scene.users["employer"]), ("applications_unblocked", scene.users["employer"])]
    page = text(client.get(f"/structures/{jardins}/parametres"))
    assert "Réception des candidatures bloquée" in page and "Emma Ployeur" in page  # the recent changes


def test_opening_spontaneous_applications_for_90_days_then_closing_them(app, client, scene):
    jardins = scene.orgs["jardins"]
    login(client, scene.email("employer"))
    until = today_paris() + timedelta(days=90)
    response = client.post(f"/structures/{jardins}/parametres/spontanees-ouvrir", follow_redirects=True)
    assert f"Les candidatures spontanées sont ouvertes jusqu'au {until:%d/%m/%Y}." in text(response)
    with app.app_context():
        assert db.session.get(Organisation, jardins).spontaneous_applications_open_until == until
    assert "Candidatures spontanées ouvertes" in text(client.get(f"/structures/{jardins}"))

    response = client.post(f"/structures/{jardins}/parametres/spontanees-fermer", follow_redirects=True)
    assert "Les candidatures spontanées sont fermées." in text(response)
    with app.app_context():
        assert db.session.get(Organisation, jardins).spontaneous_applications_open_until is None
    response = client.post(f"/structures/{jardins}/parametres/spontanees-fermer", follow_redirects=True)
    assert "Les candidatures spontanées étaient déjà fermées." in text(response)
    rows = audit_rows(app, jardins)
    assert [row[0] for row in rows] == ["spontaneous_applications_opened", "spontaneous_applications_closed"]
    assert rows[0][3] == {"until": until.isoformat()}


def test_an_unknown_setting_is_not_found(client, scene):
    login(client, scene.email("employer"))
    assert client.post(f"/structures/{scene.orgs['jardins']}/parametres/supprimer").status_code == 404
