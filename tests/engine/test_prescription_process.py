"""The prescription process (bpmn/prescription.bpmn): one path per kind of sender, from the
company page to application cases in each company's inbox, through the service layer the
web and the API use (app/services/prescription.py, tasks.complete)."""
import io
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import FileStorage

from app.demo import nir_for
from app.domain import eligibility
from app.extensions import db
from app.models import (Case, Diagnosis, Document, JobDescription, JobSeeker, Membership, Notification, Organisation,
                        Task, User)
from app.services import inbox, prescription
from app.services import tasks as task_service
from app.services.tasks import ServiceError
from tests.support.world import PASSWORD, make_world

NEW_PERSON = dict(first_name="Lina", last_name="Moreau", birth_date="1991-04-02", email="lina.moreau@exemple.fr",
                  phone="06 12 34 56 78", address="3 rue des Lilas", postcode="35000", city="Rennes",
                  nir=nir_for(2, date(1991, 4, 2), "35", 7))
GRID = {f"grid_{d.code}": "2" for d in eligibility.SOCIO_PROFESSIONAL_GRID}
MESSAGE = "Bonjour, je vous présente Lina, motivée, disponible tout de suite et suivie depuis un an."


@pytest.fixture
def world(app, db_session):
    world = make_world(app.config["BPMN_DIR"])
    today = date.today()
    recyclerie = world.org("recyclerie")
    recyclerie.spontaneous_applications_open_until = today + timedelta(days=30)
    jobs = [JobDescription(company_id=world.orgs["jardins"], rome_code="A1414",
                           appellation="Maraîcher / Maraîchère", city="Rennes"),
            JobDescription(company_id=world.orgs["jardins"], rome_code="K2204",
                           appellation="Agent / Agente d'entretien", cv_required=True)]
    ccas = Organisation(category="prescriber", kind="CCAS", name="CCAS de Rennes", department="35")
    ai = Organisation(category="company", kind="AI", name="Coup de Main", department="35", siret="81234567800045")
    db.session.add_all(jobs + [ccas, ai])
    db.session.flush()
    orienteur = User(email="orienteur@test.fr", first_name="Oscar", last_name="Rienteur")
    orienteur.set_password(PASSWORD)
    db.session.add(orienteur)
    db.session.flush()
    db.session.add_all([Membership(user_id=orienteur.id, organisation_id=ccas.id, is_admin=True),
                        Membership(user_id=world.users["colleague"], organisation_id=ai.id)])
    db.session.commit()
    world.orgs.update(ccas=ccas.id, ai=ai.id)
    world.users["orienteur"] = orienteur.id
    world.jobs = {"maraicher": jobs[0].id, "entretien": jobs[1].id}
    return world


def open_task(case):
    return Task.query.filter_by(case_id=case.id, state="open").order_by(Task.id.desc()).first()


def complete(case, actor, files=None, **data):
    task_service.complete(open_task(case).id, actor, json_data=data, files=files)
    db.session.refresh(case)
    return open_task(case)


def start(world, sender, org, company, jobs=(), direct_hire=False):
    case = prescription.start(world.user(sender), world.org(org) if org else None, world.orgs[company],
                              [world.jobs[j] for j in jobs], direct_hire=direct_hire)
    return case


def applications_of(case):
    return Case.query.filter_by(parent_case_id=case.id, process_key="application").order_by(Case.id).all()


def pdf(size=2000):
    return FileStorage(io.BytesIO(b"%PDF-1.4\n" + b"0" * size), filename="cv-lina.pdf", content_type="application/pdf")


def test_an_authorized_prescriber_validates_eligibility_then_applies_to_two_companies(world):
    prescriber = world.user("prescriber")
    case = start(world, "prescriber", "ft", "jardins", jobs=["maraicher"])
    task = open_task(case)
    assert case.reference.startswith("PRES-")
    assert (case.stage, case.stage_label) == ("identify", "Candidat à identifier")
    assert (task.title, task.role, task.organisation_id, task.assignee_id) == (
        "Identifier le candidat", "prescriber", world.orgs["ft"], prescriber.id)

    task = complete(case, prescriber, **NEW_PERSON)
    seeker = JobSeeker.query.filter_by(email="lina.moreau@exemple.fr").one()
    assert seeker.nir == NEW_PERSON["nir"] and seeker.department == "35" and seeker.created_by_id == prescriber.id
    assert case.job_seeker_id == seeker.id and case.stage_label == "Éligibilité à valider"
    assert (task.title, task.form_key, task.assignee_id) == ("Valider l'éligibilité IAE", "prescription_eligibility",
                                                             prescriber.id)

    task = complete(case, prescriber, support_needs=["mobility_licence"], criteria_level_1=["RSA"],
                    criteria_level_2=["PI"], **GRID)
    diagnosis = Diagnosis.query.filter_by(job_seeker_id=seeker.id).one()
    assert (diagnosis.author_kind, diagnosis.author_organisation_id) == ("prescriber", world.orgs["ft"])
    assert diagnosis.criteria == ["RSA", "PI"] and diagnosis.socio_professional["housing"] == "2"
    assert diagnosis.expires_on == eligibility.diagnosis_expiry("prescriber", diagnosis.created_on)
    assert (case.stage_label, task.title) == ("Message à rédiger", "Message et CV")

    complete(case, prescriber, files={"cv": pdf()}, add_more="yes",
             more_targets=[f"company-{world.orgs['recyclerie']}"], message=MESSAGE)
    assert (case.stage, case.stage_label, case.status) == ("sent", "Candidatures envoyées", "completed")
    sent = applications_of(case)
    assert [a.organisation_for("employer").id for a in sent] == [world.orgs["jardins"], world.orgs["recyclerie"]]
    for application in sent:
        task = open_task(application)
        assert (application.stage, task.title, task.assignee_id) == ("new", "Traiter la nouvelle candidature", None)
        assert application.party("prescriber").organisation_id == world.orgs["ft"]
        cv = Document.query.filter_by(case_id=application.id).one()
        assert cv.job_seeker_id == seeker.id and cv.content.startswith(b"%PDF-")
    # Each company finds its application in its own inbox, not in the other's.
    for company, application in zip(("jardins", "recyclerie"), sent):
        items, _total = inbox.tasks(world.user("employer"), world.orgs[company])
        assert [t.case_id for t in items] == [application.id]
    assert sent[0].summary["job_seeker_name"] == "Lina MOREAU"
    notified = {n.recipient_email for n in Notification.query.filter_by(case_id=sent[0].id)}
    assert notified == {"employeur@test.fr", "collegue@test.fr", "lina.moreau@exemple.fr", "prescripteur@test.fr"}


def test_data_of_each_application_names_the_jobs_the_diagnosis_and_the_cv(world):
    prescriber = world.user("prescriber")
    case = start(world, "prescriber", "ft", "jardins", jobs=["maraicher", "entretien"])
    complete(case, prescriber, **NEW_PERSON)
    complete(case, prescriber, **GRID)
    with pytest.raises(ServiceError) as refused:
        complete(case, prescriber, add_more="no", message=MESSAGE)
    assert refused.value.field_errors["cv"] == [
        "Le CV est obligatoire pour le poste « Agent / Agente d'entretien » : joignez-le au format PDF."]
    complete(case, prescriber, files={"cv": pdf()}, add_more="no", message=MESSAGE)
    (application,) = applications_of(case)
    from app.services import cases
    data = cases.snapshot(application)["data"]
    assert data["job_description_ids"] == [world.jobs["maraicher"], world.jobs["entretien"]]
    assert data["diagnosis_id"] == Diagnosis.query.one().id
    assert data["cv_document_id"] == Document.query.filter_by(case_id=application.id).one().id
    assert data["message"] == MESSAGE and data["sender_kind"] == "prescriber"


def test_an_orienteur_never_gets_the_eligibility_step(world):
    orienteur = world.user("orienteur")
    case = start(world, "orienteur", "ccas", "jardins", jobs=["maraicher"])
    task = complete(case, orienteur, **NEW_PERSON)
    assert task.title == "Message et CV" and case.stage == "message"
    assert Task.query.filter_by(case_id=case.id, form_key="prescription_eligibility").count() == 0
    complete(case, orienteur, add_more="no", message=MESSAGE)
    (application,) = applications_of(case)
    assert application.party("prescriber").organisation_id == world.orgs["ccas"]
    assert Diagnosis.query.count() == 0


def test_an_existing_valid_prescriber_diagnosis_is_reused(world):
    prescriber = world.user("prescriber")
    first = start(world, "prescriber", "ft", "jardins", jobs=["maraicher"])
    complete(first, prescriber, **NEW_PERSON)
    complete(first, prescriber, **GRID)
    complete(first, prescriber, add_more="no", message=MESSAGE)
    second = start(world, "prescriber", "ft", "recyclerie")
    task = complete(second, prescriber, nir=NEW_PERSON["nir"], use_existing=True)
    assert task.title == "Message et CV"
    complete(second, prescriber, add_more="no", message=MESSAGE, confirm_recent_application=False)
    (application,) = applications_of(second)
    from app.services import cases
    assert cases.snapshot(application)["data"]["diagnosis_id"] == Diagnosis.query.one().id


def test_a_job_seeker_applies_alone_without_identification_nor_eligibility(world):
    nadia = world.user("seeker_user")
    case = start(world, "seeker_user", None, "jardins", jobs=["maraicher"])
    task = open_task(case)
    assert (task.title, task.role, task.organisation_id, task.candidate_user_id, task.assignee_id) == (
        "Message et CV", "job_seeker", None, nadia.id, nadia.id)
    assert case.job_seeker_id == world.seekers["nadia"] and case.stage == "message"
    complete(case, nadia, add_more="no", message="Bonjour, je souhaite rejoindre votre équipe de maraîchage.")
    (application,) = applications_of(case)
    assert application.job_seeker_id == world.seekers["nadia"]
    assert application.summary["sender_kind"] == "job_seeker"
    assert application.party("prescriber") is None and application.party("sender") is None


def test_an_employer_applies_for_someone_to_another_company(world):
    outsider = world.user("outsider")
    case = start(world, "outsider", "geiq", "jardins", jobs=["maraicher"])
    task = open_task(case)
    assert (task.role, task.organisation_id, task.assignee_id) == ("employer", world.orgs["geiq"], outsider.id)
    task = complete(case, outsider, email="jean@exemple.fr", use_existing=True)
    assert task.title == "Message et CV" and task.role == "employer"
    complete(case, outsider, add_more="no", message=MESSAGE)
    (application,) = applications_of(case)
    assert application.summary["sender_kind"] == "employer" and application.job_seeker_id == world.seekers["jean"]
    assert application.party("sender").organisation_id == world.orgs["geiq"]
    assert application.organisation_for("employer").id == world.orgs["jardins"]


def test_an_employer_cannot_apply_to_its_own_company(world):
    with pytest.raises(ServiceError) as refused:
        start(world, "employer", "jardins", "jardins", jobs=["maraicher"])
    assert refused.value.status == 403 and "Déclarer une embauche directe" in refused.value.message
    assert Case.query.count() == 0


@pytest.mark.parametrize("company, employer, too_few, enough", [
    ("jardins", "employer", ["CAP_BEP", "PI"], ["CAP_BEP", "PI", "QPV"]),   # ACI: 3 level-2 criteria
    ("ai", "colleague", ["CAP_BEP"], ["CAP_BEP", "PI"]),                    # AI: 2 level-2 criteria
])
def test_auto_prescription_applies_the_counting_rule_of_the_kind_then_goes_to_the_hire(world, company, employer,
                                                                                          too_few, enough):
    actor = world.user(employer)
    case = start(world, employer, company, company, direct_hire=True)
    assert case.title.startswith("Embauche directe")
    task = complete(case, actor, nir=world.seeker("jean").nir, use_existing=True)
    assert (task.title, task.role, task.organisation_id) == (
        "Valider les critères administratifs", "employer", world.orgs[company])
    kind = world.org(company).kind
    with pytest.raises(ServiceError) as refused:
        complete(case, actor, criteria_level_2=too_few, proofs_kept=True)
    needed = eligibility.MIN_LEVEL_2_CRITERIA[kind]
    assert f"il faut au moins 1 critère de niveau 1 ou {needed} critères de niveau 2" in \
        refused.value.field_errors["criteria_level_2"][0]
    with pytest.raises(ServiceError) as refused:
        complete(case, actor, criteria_level_2=["SENIOR", "JEUNE", "PI"], proofs_kept=True)
    assert "ne peuvent pas être cochés ensemble" in refused.value.field_errors["criteria_level_2"][0]
    with pytest.raises(ServiceError) as refused:
        complete(case, actor, proofs_kept=True)
    assert "(aucun coché)" in refused.value.field_errors["criteria_level_1"][0]
    assert Diagnosis.query.count() == 0

    complete(case, actor, criteria_level_2=enough, proofs_kept=True)
    diagnosis = Diagnosis.query.one()
    assert (diagnosis.author_kind, diagnosis.author_organisation_id, diagnosis.criteria) == (
        "employer", world.orgs[company], enough)
    assert diagnosis.expires_on == diagnosis.created_on + timedelta(days=91)
    assert case.status == "completed" and case.stage == "sent"
    (application,) = applications_of(case)
    assert application.party("sender").organisation_id == world.orgs[company]
    hire = Case.query.filter_by(parent_case_id=application.id, process_key="hire").one()
    task = open_task(hire)
    # Jean's record lacks his address: the hire starts there, with the employer who declared it.
    assert (task.title, task.assignee_id) == ("Compléter les informations du candidat", actor.id)


def test_auto_prescription_with_a_usable_diagnosis_skips_the_criteria(world):
    prescriber = world.user("prescriber")
    first = start(world, "prescriber", "ft", "recyclerie")
    complete(first, prescriber, nir=world.seeker("jean").nir, use_existing=True)
    complete(first, prescriber, **GRID)
    complete(first, prescriber, add_more="no", message=MESSAGE)
    employer = world.user("employer")
    case = start(world, "employer", "jardins", "jardins", direct_hire=True)
    complete(case, employer, nir=world.seeker("jean").nir, use_existing=True)
    assert case.status == "completed"
    (application,) = applications_of(case)
    assert Case.query.filter_by(parent_case_id=application.id, process_key="hire").count() == 1


def test_only_an_siae_member_declares_a_direct_hire(world):
    with pytest.raises(ServiceError) as refused:
        start(world, "outsider", "geiq", "geiq", direct_hire=True)
    assert refused.value.status == 403
    with pytest.raises(ServiceError):
        start(world, "prescriber", "ft", "jardins", direct_hire=True)
    assert Case.query.count() == 0
