"""Sending applications through the pages (app/web/prescription.py and the task pages of
bpmn/prescription.bpmn): every refusal of the issue's "Bad input" gets a French message and
creates nothing."""
import io
import re
from datetime import date, timedelta

import pytest

from app.demo import nir_for
from app.domain import eligibility
from app.extensions import db
from app.models import Case, Diagnosis, Document, JobDescription, JobSeeker, Organisation, Task
from tests.web.builders import build_scene, login, logout, text

BIRTH = date(1991, 4, 2)
NIR = nir_for(2, BIRTH, "35", 7)
PERSON = {"first_name": "Lina", "last_name": "Moreau", "birth_date": "02/04/1991", "email": "lina.moreau@exemple.fr",
          "phone": "06 12 34 56 78", "postcode": "35000", "city": "Rennes", "nir": NIR}
GRID = {f"grid_{d.code}": "3" for d in eligibility.SOCIO_PROFESSIONAL_GRID}
MESSAGE = "Bonjour, je vous présente Lina, motivée, disponible tout de suite."


@pytest.fixture
def scene(app):
    scene = build_scene(app)
    with app.app_context():
        jardins = db.session.get(Organisation, scene.orgs["jardins"])
        jardins.spontaneous_applications_open_until = None
        db.session.get(Organisation, scene.orgs["recyclerie"]).spontaneous_applications_open_until = \
            date.today() + timedelta(days=60)
        # Addresses under .test are refused by the form's email check: give Nadia a real-looking one.
        db.session.get(JobSeeker, scene.seekers["nadia"]).email = "nadia.haddad@exemple.fr"
        # Mission locale de Brest plays the orienteur: its authorization is not validated.
        db.session.get(Organisation, scene.orgs["ml"]).authorization_status = "not_set"
        jobs = {"maraicher": JobDescription(company_id=jardins.id, rome_code="A1414",
                                            appellation="Maraîcher / Maraîchère"),
                "entretien": JobDescription(company_id=jardins.id, rome_code="K2204",
                                            appellation="Agent / Agente d'entretien", cv_required=True),
                "ferme": JobDescription(company_id=jardins.id, rome_code="A1203", appellation="Jardinier / Jardinière",
                                        is_active=False)}
        blocked = Organisation(category="company", kind="EI", name="Atelier Fermé", department="35",
                               siret="81234567800052", block_job_applications=True)
        db.session.add_all([*jobs.values(), blocked])
        db.session.commit()
        scene.jobs = {key: job.id for key, job in jobs.items()}
        scene.orgs["blocked"] = blocked.id
    return scene


def counts(app):
    with app.app_context():
        return {"cases": Case.query.filter_by(process_key="application").count(),
                "seekers": JobSeeker.query.count(), "diagnoses": Diagnosis.query.count(),
                "documents": Document.query.count()}


def task_path(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert re.search(r"/taches/\d+$", response.location), response.location
    return response.location


def begin(client, scene, company="jardins", jobs=("maraicher",)):
    """Open a prescription from the company page's link; the path of its first task."""
    response = client.post(f"/candidatures/nouvelle?structure={scene.orgs[company]}",
                           data={"job_description_ids": [str(scene.jobs[j]) for j in jobs]})
    return task_path(response)


def identified(client, scene, **person):
    path = begin(client, scene)
    return task_path(client.post(path, data=person or PERSON))


def pdf(size=1000, name="cv.pdf"):
    return (io.BytesIO(b"%PDF-1.4\n" + b"0" * size), name)


# -- starting from a company page ---------------------------------------------------------------

def test_the_start_page_offers_the_company_jobs_with_the_chosen_one_ticked(app, client, scene):
    login(client, scene.email("prescriber"))
    response = client.get(f"/candidatures/nouvelle?structure={scene.orgs['jardins']}&fiche={scene.jobs['maraicher']}")
    page = text(response)
    assert response.status_code == 200
    assert "<h1 class=\"fr-mb-1w\">Postuler pour un candidat chez Les Jardins de la Vilaine (ACI)</h1>" in page
    assert re.search(rf'value="{scene.jobs["maraicher"]}" checked', page)
    assert "Agent / Agente d'entretien" in page and "Jardinier" not in page  # closed jobs are not offered


def test_a_link_to_a_closed_job_says_so(app, client, scene):
    login(client, scene.email("prescriber"))
    page = text(client.get(f"/candidatures/nouvelle?structure={scene.orgs['jardins']}&fiche={scene.jobs['ferme']}"))
    assert "Ce poste n'est plus ouvert" in page and "checked" not in page


def test_an_inactive_job_is_refused_and_nothing_is_created(app, client, scene):
    login(client, scene.email("prescriber"))
    response = client.post(f"/candidatures/nouvelle?structure={scene.orgs['jardins']}",
                           data={"job_description_ids": [str(scene.jobs["ferme"])]})
    assert response.status_code == 422
    assert "Choisissez uniquement des valeurs de la liste." in text(response)
    with app.app_context():
        assert Case.query.count() == 0


def test_a_job_closed_after_the_start_stops_the_sending(app, client, scene):
    login(client, scene.email("prescriber"))
    path = identified(client, scene)
    path = task_path(client.post(path, data=GRID))
    with app.app_context():
        db.session.get(JobDescription, scene.jobs["maraicher"]).is_active = False
        db.session.commit()
    before = counts(app)
    response = client.post(path, data={"add_more": "no", "message": MESSAGE})
    assert response.status_code == 422
    assert "Le poste « Maraîcher / Maraîchère » n'est plus ouvert au recrutement" in text(response)
    assert counts(app) == before


def test_a_spontaneous_application_needs_a_company_that_accepts_them(app, client, scene):
    login(client, scene.email("prescriber"))
    response = client.post(f"/candidatures/nouvelle?structure={scene.orgs['jardins']}", data={})
    assert response.status_code == 422
    assert "Les Jardins de la Vilaine (ACI) n'accepte pas de candidature spontanée en ce moment" in text(response)
    # A company with no open job and closed spontaneous applications cannot be applied to at all.
    response = client.get(f"/candidatures/nouvelle?structure={scene.orgs['geiq']}")
    assert response.status_code == 422 and "ne recrute pas en ce moment" in text(response)
    with app.app_context():
        assert Case.query.count() == 0


def test_a_blocked_company_refuses_everyone_but_its_members(app, client, scene):
    login(client, scene.email("prescriber"))
    response = client.get(f"/candidatures/nouvelle?structure={scene.orgs['blocked']}")
    assert response.status_code == 403
    assert "Atelier Fermé (EI) ne reçoit plus de candidatures pour le moment" in text(response)
    response = client.post(f"/candidatures/nouvelle?structure={scene.orgs['blocked']}", data={})
    assert response.status_code == 403
    with app.app_context():
        assert Case.query.count() == 0


def test_an_unknown_company_is_a_404_in_french(client, scene):
    login(client, scene.email("prescriber"))
    response = client.get("/candidatures/nouvelle?structure=999999")
    assert response.status_code == 404 and "Cette structure n'existe pas" in text(response)
    for wrong in ("abc", "99999999999999", "-3"):
        assert client.get(f"/candidatures/nouvelle?structure={wrong}").status_code == 404
    assert "Chercher une structure" in text(client.get("/candidatures/nouvelle"))


# -- identifying the job seeker --------------------------------------------------------------------

def test_an_invalid_nir_key_is_refused(app, client, scene):
    login(client, scene.email("prescriber"))
    path = begin(client, scene)
    wrong = NIR[:13] + ("00" if NIR[13:] != "00" else "01")
    response = client.post(path, data={**PERSON, "nir": wrong})
    assert response.status_code == 422
    assert "La clé du NIR ne correspond pas : vérifiez le numéro." in text(response)
    assert counts(app)["seekers"] == 2


def test_an_email_already_used_by_another_person_offers_that_person(app, client, scene):
    login(client, scene.email("prescriber"))
    path = begin(client, scene)
    response = client.post(path, data={**PERSON, "email": "Nadia.Haddad@exemple.fr"})
    page = text(response)
    assert response.status_code == 422
    # The prescriber has no case with Nadia yet: her first name and initial only.
    assert "Une personne est déjà inscrite avec cette adresse e-mail : Nadia H." in page
    assert "Cochez « Cette personne est déjà inscrite »" in page
    assert counts(app)["seekers"] == 2
    response = client.post(path, data={"email": "nadia.haddad@exemple.fr", "use_existing": "y"})
    task_path(response)
    with app.app_context():
        case = Case.query.filter_by(process_key="prescription").one()
        assert case.job_seeker_id == scene.seekers["nadia"]
    assert counts(app)["seekers"] == 2


def test_a_known_nir_offers_the_existing_person_instead_of_a_duplicate(app, client, scene):
    login(client, scene.email("prescriber"))
    task_path(client.post(begin(client, scene), data=PERSON))
    with app.app_context():
        assert JobSeeker.query.filter_by(nir=NIR).count() == 1
    # A colleague of the same organisation, another day: the same NIR typed again.
    path = begin(client, scene, company="recyclerie", jobs=())
    response = client.post(path, data={**PERSON, "email": "autre@exemple.fr", "first_name": "Line"})
    page = text(response)
    assert response.status_code == 422
    # France Travail already has a case with Lina: it sees her in full.
    assert "Une personne est déjà inscrite avec ce NIR : Lina MOREAU, né(e) le 02/04/1991." in page
    response = client.post(path, data={"nir": NIR, "use_existing": "y"})
    task_path(response)
    with app.app_context():
        assert JobSeeker.query.filter_by(nir=NIR).count() == 1 and JobSeeker.query.count() == 3


def test_use_existing_without_a_match_asks_for_the_identity(app, client, scene):
    login(client, scene.email("prescriber"))
    path = begin(client, scene)
    response = client.post(path, data={"email": "personne@exemple.fr", "use_existing": "y"})
    assert response.status_code == 422
    assert "Aucune personne n'est inscrite avec ce NIR ni avec cette adresse e-mail" in text(response)


def test_a_new_person_needs_an_email_or_no_email_and_a_nir_or_its_reason(app, client, scene):
    login(client, scene.email("prescriber"))
    path = begin(client, scene)
    person = {k: v for k, v in PERSON.items() if k not in ("email", "nir")}
    response = client.post(path, data=person)
    page = text(response)
    assert response.status_code == 422
    assert "cochez « La personne n'a pas d'adresse e-mail »" in page
    assert "Saisissez le NIR plus haut, ou indiquez pourquoi il manque." in page
    response = client.post(path, data={**person, "no_email": "y", "nir_missing_reason": "temporary_number"})
    task_path(response)
    with app.app_context():
        seeker = JobSeeker.query.filter_by(first_name="Lina").one()
        assert (seeker.email, seeker.nir, seeker.nir_missing_reason) == (None, None, "temporary_number")


# -- eligibility -------------------------------------------------------------------------------------

def test_an_orienteur_cannot_reach_the_eligibility_task(app, client, scene):
    login(client, scene.email("prescriber"))
    eligibility_path = identified(client, scene)
    assert "Valider l'éligibilité IAE" in text(client.get(eligibility_path))
    logout(client)
    login(client, scene.email("other_prescriber"))  # Mission locale, not authorized
    assert client.get(eligibility_path).status_code == 403
    assert client.post(eligibility_path, data=GRID).status_code == 403
    assert counts(app)["diagnoses"] == 0


def test_a_prescriber_whose_authorization_was_withdrawn_cannot_validate_eligibility(app, client, scene):
    login(client, scene.email("prescriber"))
    eligibility_path = identified(client, scene)
    with app.app_context():
        db.session.get(Organisation, scene.orgs["ft"]).authorization_status = "refused"
        db.session.commit()
    response = client.post(eligibility_path, data=GRID)
    assert response.status_code == 403
    assert "Seul un membre d'un prescripteur habilité peut valider l'éligibilité IAE" in text(response)
    assert counts(app)["diagnoses"] == 0


def test_an_orienteur_goes_straight_to_the_message(app, client, scene):
    login(client, scene.email("other_prescriber"))
    path = identified(client, scene)
    assert "<h1 class=\"fr-mb-1w\">Message et CV</h1>" in text(client.get(path))


def test_exclusive_criteria_and_a_missing_grid_answer_are_refused(app, client, scene):
    login(client, scene.email("prescriber"))
    path = identified(client, scene)
    response = client.post(path, data={**GRID, "criteria_level_2": ["SENIOR", "JEUNE"]})
    assert response.status_code == 422
    assert "Les critères « Senior (+50 ans) » et « Jeune (-26 ans) » ne peuvent pas être cochés ensemble." \
        in text(response)
    response = client.post(path, data={**GRID, "criteria_level_1": ["DETLD"], "criteria_level_2": ["DELD"]})
    assert "ne peuvent pas être cochés ensemble" in text(response)
    partial = {k: v for k, v in GRID.items() if k != "grid_housing"}
    response = client.post(path, data=partial)
    assert response.status_code == 422 and "Ce champ est obligatoire." in text(response)
    assert counts(app)["diagnoses"] == 0


def direct_hire(client, scene, nir):
    response = client.post("/candidatures/embauche-directe", data={})
    path = task_path(response)
    return task_path(client.post(path, data={"nir": nir, "use_existing": "y"}))


def test_auto_prescription_criteria_name_what_is_missing_for_the_kind(app, client, scene):
    login(client, scene.email("colleague"))  # Les Jardins, an ACI
    with app.app_context():
        db.session.get(JobSeeker, scene.seekers["leo"]).nir = NIR
        db.session.commit()
    path = direct_hire(client, scene, NIR)
    page = text(client.get(path))
    assert "Valider les critères administratifs" in page
    response = client.post(path, data={"criteria_level_2": ["CAP_BEP", "PI"], "proofs_kept": "y"})
    assert response.status_code == 422
    assert ("Pour un atelier chantier d'insertion (ACI), il faut au moins 1 critère de niveau 1 ou 3 critères "
            "de niveau 2 (2 cochés).") in text(response)
    response = client.post(path, data={"criteria_level_2": ["SENIOR", "JEUNE", "PI"], "proofs_kept": "y"})
    assert "ne peuvent pas être cochés ensemble" in text(response)
    response = client.post(path, data={"proofs_kept": "y"})
    assert "(aucun coché)" in text(response)
    assert counts(app)["diagnoses"] == 0 and counts(app)["cases"] == 0
    response = client.post(path, data={"criteria_level_1": ["RSA"], "proofs_kept": "y"})
    assert response.status_code == 302
    assert counts(app)["diagnoses"] == 1 and counts(app)["cases"] == 1


def test_only_siae_members_declare_a_direct_hire(app, client, scene):
    login(client, scene.email("other_employer"))  # GEIQ
    response = client.get("/candidatures/embauche-directe")
    assert response.status_code == 403 and "Seul un membre d'une SIAE" in text(response)
    logout(client)
    login(client, scene.email("prescriber"))
    assert client.post("/candidatures/embauche-directe", data={}).status_code == 403
    with app.app_context():
        assert Case.query.count() == 0


# -- message and CV ------------------------------------------------------------------------------------

def message_step(client, scene, jobs=("maraicher",)):
    path = begin(client, scene, jobs=jobs)
    path = task_path(client.post(path, data=PERSON))
    return task_path(client.post(path, data=GRID))


def test_a_cv_that_is_not_a_pdf_or_too_big_is_refused(app, client, scene):
    login(client, scene.email("prescriber"))
    path = message_step(client, scene)
    before = counts(app)
    response = client.post(path, data={"add_more": "no", "message": MESSAGE,
                                       "cv": (io.BytesIO(b"PK\x03\x04 not a pdf"), "cv.docx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Le fichier doit être un document PDF." in text(response)
    big = pdf(size=5 * 1024 * 1024 + 10)
    response = client.post(path, data={"add_more": "no", "message": MESSAGE, "cv": big},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Le fichier ne doit pas dépasser 5 Mo." in text(response)
    assert counts(app) == before


def test_a_job_that_requires_a_cv_needs_one(app, client, scene):
    login(client, scene.email("prescriber"))
    path = message_step(client, scene, jobs=("entretien",))
    before = counts(app)
    response = client.post(path, data={"add_more": "no", "message": MESSAGE})
    assert response.status_code == 422
    assert "Le CV est obligatoire pour le poste « Agent / Agente d'entretien »" in text(response)
    assert counts(app) == before
    response = client.post(path, data={"add_more": "no", "message": MESSAGE, "cv": pdf()},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    after = counts(app)
    assert after["cases"] == 1 and after["documents"] == 2  # the upload, and the application's copy


def test_the_message_is_mandatory(app, client, scene):
    login(client, scene.email("prescriber"))
    path = message_step(client, scene)
    response = client.post(path, data={"add_more": "no", "message": "  "})
    assert response.status_code == 422 and "Ce champ est obligatoire." in text(response)
    assert counts(app)["cases"] == 0


def test_the_24_hour_rule_warns_then_sends_once_confirmed(app, client, scene):
    login(client, scene.email("prescriber"))
    path = message_step(client, scene)
    assert client.post(path, data={"add_more": "no", "message": MESSAGE}).status_code == 302
    assert counts(app)["cases"] == 1
    # The same person, the same company, an hour later.
    path = begin(client, scene)
    path = task_path(client.post(path, data={"nir": NIR, "use_existing": "y"}))
    response = client.post(path, data={"add_more": "no", "message": MESSAGE})
    page = text(response)
    assert response.status_code == 422
    assert "Lina MOREAU a déjà postulé il y a moins de 24 heures auprès de : Les Jardins de la Vilaine (ACI)" in page
    assert "Cochez cette case pour confirmer l'envoi d'une nouvelle candidature." in page
    assert counts(app)["cases"] == 1
    response = client.post(path, data={"add_more": "no", "message": MESSAGE, "confirm_recent_application": "y"})
    assert response.status_code == 302
    assert counts(app)["cases"] == 2


def test_adding_companies_sends_one_application_each_and_shows_the_case(app, client, scene):
    login(client, scene.email("prescriber"))
    path = message_step(client, scene)
    page = text(client.get(path))
    assert "Seulement à Les Jardins de la Vilaine (ACI) (Maraîcher / Maraîchère)" in page
    assert "La Recyclerie Rennaise (EI), Rennes : candidature spontanée" in page
    assert "Atelier Fermé" not in page  # blocked
    response = client.post(path, data={"add_more": "yes", "more_targets": [f"company-{scene.orgs['recyclerie']}"],
                                       "message": MESSAGE})
    assert response.status_code == 302 and re.search(r"/dossiers/\d+$", response.location)
    page = text(client.get(response.location))
    assert "Candidatures envoyées" in page
    with app.app_context():
        companies = sorted(c.organisation_for("employer").name for c in Case.query.filter_by(process_key="application"))
    assert companies == ["La Recyclerie Rennaise", "Les Jardins de la Vilaine"]


def test_a_company_not_offered_cannot_be_added(app, client, scene):
    login(client, scene.email("prescriber"))
    path = message_step(client, scene)
    response = client.post(path, data={"add_more": "yes", "more_targets": [f"company-{scene.orgs['blocked']}"],
                                       "message": MESSAGE})
    assert response.status_code == 422 and "Choisissez uniquement des valeurs de la liste." in text(response)
    assert counts(app)["cases"] == 0


def test_a_job_seeker_applies_alone(app, client, scene):
    login(client, scene.email("seeker"))
    response = client.get(f"/candidatures/nouvelle?structure={scene.orgs['jardins']}&fiche={scene.jobs['maraicher']}")
    assert "Postuler chez Les Jardins de la Vilaine (ACI)" in text(response)
    path = begin(client, scene)
    assert "Message et CV" in text(client.get(path))
    assert client.post(path, data={"add_more": "no", "message": "Bonjour, je suis disponible."}).status_code == 302
    with app.app_context():
        (application,) = Case.query.filter_by(process_key="application").all()
        assert application.job_seeker_id == scene.seekers["nadia"]


def test_the_cv_is_for_those_who_follow_the_application(app, client, scene):
    login(client, scene.email("prescriber"))
    path = message_step(client, scene)
    client.post(path, data={"add_more": "no", "message": MESSAGE, "cv": pdf()}, content_type="multipart/form-data")
    with app.app_context():
        application = Case.query.filter_by(process_key="application").one()
        document_id = Document.query.filter_by(case_id=application.id).one().id
        application_id, task_id = application.id, Task.query.filter_by(case_id=application.id).one().id
    logout(client)
    login(client, scene.email("colleague"))  # Les Jardins received it
    # The CV is offered where the employer reads the application: the task and the case pages.
    assert f'href="/candidatures/cv/{document_id}"' in text(client.get(f"/taches/{task_id}"))
    assert f'href="/candidatures/cv/{document_id}"' in text(client.get(f"/dossiers/{application_id}"))
    response = client.get(f"/candidatures/cv/{document_id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    logout(client)
    login(client, scene.email("other_employer"))
    assert client.get(f"/candidatures/cv/{document_id}").status_code == 403
    assert client.get("/candidatures/cv/999999").status_code == 404
    assert client.get("/candidatures/cv/99999999999999").status_code == 404


def test_the_sender_holds_every_step_of_the_prescription(app, client, scene):
    login(client, scene.email("prescriber"))
    path = begin(client, scene)
    task_id = int(path.rsplit("/", 1)[1])
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.assignee_id == scene.users["prescriber"] and task.organisation_id == scene.orgs["ft"]


def test_siae_members_find_the_direct_hire_in_the_menu(app, client, scene):
    login(client, scene.email("colleague"))
    assert 'href="/candidatures/embauche-directe"' in text(client.get("/taches"))
    page = text(client.get("/candidatures/embauche-directe"))
    assert "Déclarer une embauche directe" in page and "Pour Les Jardins de la Vilaine (ACI)" in page
    logout(client)
    login(client, scene.email("other_employer"))  # a GEIQ: no auto-prescription
    assert 'href="/candidatures/embauche-directe"' not in text(client.get("/taches"))


def test_the_case_history_says_the_identity_was_given_but_keeps_no_nir_or_birth_date(app, client, scene):
    login(client, scene.email("other_prescriber"))
    identified(client, scene)
    with app.app_context():
        from app.models import Event
        logged = [e.data["fields"] for e in Event.query.filter_by(kind="task_completed") if "nir" in e.data["fields"]]
    assert len(logged) == 1
    assert NIR not in str(logged) and "1991-04-02" not in str(logged) and "06 12 34 56 78" not in str(logged)
    assert logged[0]["first_name"] == "Lina"  # the name stays: the history would make no sense without it
    with app.app_context():
        assert JobSeeker.query.filter_by(nir=NIR).one().birth_date == BIRTH  # the record has them
