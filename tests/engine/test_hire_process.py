"""The hire (bpmn/hire.bpmn, DOMAIN §5) run by the real engine through the task service: every path
of the PASS IAE (reuse, issue, manual delivery or refusal), the checks that refuse a hire without
writing anything, and what may happen after the hire (new start date, cancellation)."""
from datetime import date, timedelta

import pytest

from app.demo import nir_for
from app.domain import approvals as rules
from app.engine import runtime
from app.extensions import db
from app.models import Approval, ApprovalHire, Diagnosis, Event, Notification, Suspension, Task
from app.services import approvals, support
from app.services import operations as registered_operations  # noqa: F401  (the diagrams call them)
from app.services import tasks as task_service
from app.services.job_seekers import today_paris
from app.services.tasks import ServiceError
from tests.support.hire import GEIQ, PERSON, hire_case, open_hire_task
from tests.support.world import make_world, open_task, send_application

TODAY = today_paris()
# The SIAE's own criteria as its form sends them (forms/autoprescription_eligibility.yaml).
CRITERIA = dict(criteria_level_1=["RSA"], proofs_kept=True)


@pytest.fixture
def world(app, db_session):
    return make_world(app.config["BPMN_DIR"])


def complete(task, actor, **data):
    task_service.complete(task.id, actor, json_data=data)


def accept(world, seeker="jean", company="jardins", sender="prescriber", sender_org="ft", actor="employer"):
    application = send_application(world, seeker=seeker, company=company, sender=sender, sender_org=sender_org)
    runtime.complete_task(open_task(application), {"decision": "accept"}, world.user(actor))
    db.session.commit()
    return application, hire_case(application)


def task_of(hire, form_key):
    task = open_hire_task(hire, form_key)
    assert task is not None, [t.form_key for t in Task.query.filter_by(case_id=hire.id, state="open")]
    return task


def contract(start, end=None, job="Maraîcher", **extra):
    return dict(hiring_start_at=start.isoformat(), hiring_end_at=end.isoformat() if end else None,
                hired_job_description="other", hired_job=job, answer_to_job_seeker="", **extra)


def complete_person(world, seeker="jean", **extra):
    person = world.seeker(seeker)
    person.birth_place, person.address, person.postcode, person.city = "Rennes", "1 rue Haute", "35000", "Rennes"
    person.france_travail_not_registered = True
    for key, value in extra.items():
        setattr(person, key, value)
    db.session.commit()


def declare(world, hire, start, actor="employer", **extra):
    complete(task_of(hire, "hire_contract"), world.user(actor), **contract(start, **extra))
    db.session.refresh(hire)


def existing_pass(world, seeker, start, company="recyclerie"):
    approval = approvals.issue_pass(world.seeker(seeker), start)
    approvals.attach_hire(approval, world.org(company), None, start)
    db.session.commit()
    return approval


def log_of(case):
    return [e.summary for e in Event.query.filter_by(case_id=case.id).order_by(Event.id)]


# -- step 1: the person's missing information --------------------------------------------------------

def test_only_the_missing_information_is_asked_then_written_to_the_record(world):
    application, hire = accept(world)
    employer = world.user("employer")
    task = task_of(hire, "hire_job_seeker")
    with pytest.raises(ServiceError) as refused:
        complete(task, employer, address="3 rue des Lilas")
    assert refused.value.status == 422
    errors = refused.value.field_errors
    assert set(errors) == {"birth_place", "postcode", "city"}
    assert "commune de naissance" in errors["birth_place"][0]
    assert "birth_date" not in errors and "nir" not in errors  # Jean's record has them
    assert world.seeker("jean").address == ""
    complete(task, employer, **PERSON)
    jean = world.seeker("jean")
    assert (jean.birth_place, jean.address, jean.postcode, jean.city, jean.department) == (
        "Rennes", "3 rue des Lilas", "35000", "Rennes", "35")
    assert jean.france_travail_not_registered is True
    assert any(s.startswith("Fiche du candidat complétée : commune de naissance, adresse") for s in log_of(hire))
    assert open_hire_task(hire).form_key == "hire_contract"


def test_a_nir_given_at_hire_is_written_but_never_logged_nor_kept_in_the_case(world):
    nadia = world.seeker("nadia")
    nir = nir_for(2, date(1990, 3, 3), "35", 7)
    application, hire = accept(world, seeker="nadia")
    employer = world.user("employer")
    task = task_of(hire, "hire_job_seeker")
    with pytest.raises(ServiceError) as refused:
        complete(task, employer, **dict(PERSON, france_travail_not_registered=False))
    assert set(refused.value.field_errors) == {"nir"}
    complete(task, employer, **dict(PERSON, nir=nir, france_travail_not_registered=False))
    db.session.refresh(nadia)
    assert nadia.nir == nir and nadia.birth_date is not None
    summaries = log_of(hire)
    assert any(s.endswith("NIR complété") for s in summaries)
    assert not any(nir in s for s in summaries)
    assert nir not in str(runtime.case_state(hire).data)


def test_nothing_missing_goes_straight_to_the_contract(world):
    complete_person(world)
    application, hire = accept(world)
    assert open_hire_task(hire).form_key == "hire_contract"


# -- steps 2 to 5 in an SIAE: eligibility, waiting period, PASS IAE ---------------------------------

def test_an_siae_hire_validates_eligibility_then_issues_a_new_pass(world):
    complete_person(world)
    application, hire = accept(world)
    employer = world.user("employer")
    start = TODAY + timedelta(days=5)
    declare(world, hire, start, end=start + timedelta(days=180))
    task = task_of(hire, "autoprescription_eligibility")
    with pytest.raises(ServiceError) as refused:
        complete(task, employer, criteria_level_2=["PI"], proofs_kept=True)
    assert "il faut au moins 1 critère de niveau 1 ou 3 critères de niveau 2" in \
        " ".join(sum(refused.value.field_errors.values(), []))
    assert Approval.query.count() == 0
    complete(task, employer, criteria_level_1=["RSA"], proofs_kept=True)
    diagnosis = Diagnosis.query.one()
    assert (diagnosis.author_kind, diagnosis.author_organisation_id, diagnosis.author_user_id) == (
        "employer", world.orgs["jardins"], employer.id)
    assert diagnosis.expires_on == TODAY + timedelta(days=91)
    approval = Approval.query.one()
    assert approval.number == "999990000001" and approval.origin == "issued"
    assert (approval.start_on, approval.end_on) == (start, start + timedelta(days=729))
    assert [(h.company_id, h.case_id, h.hiring_start_on) for h in approval.hires] == [
        (world.orgs["jardins"], hire.id, start)]
    db.session.refresh(hire)
    db.session.refresh(application)
    assert hire.summary["approval_id"] == approval.id and hire.summary["pass_number"] == "99999 00 00001"
    assert (hire.stage, application.stage) == ("hired", "accepted")
    accepted = Notification.query.filter_by(case_id=hire.id, template="pass_accepted").all()
    assert {n.recipient_email for n in accepted} == {"employeur@test.fr", "collegue@test.fr", "jean@exemple.fr"}
    assert all(n.subject == "PASS IAE accepté" and "99999 00 00001" in n.body for n in accepted)


def test_a_usable_diagnosis_skips_eligibility_and_numbers_follow(world):
    complete_person(world)
    complete_person(world, seeker="aicha")
    first, hire = accept(world)
    declare(world, hire, TODAY + timedelta(days=1))
    complete(task_of(hire, "autoprescription_eligibility"), world.user("employer"), **CRITERIA)
    # Aïcha: her prescriber's diagnosis is valid, no eligibility step.
    db.session.add(Diagnosis(job_seeker_id=world.seekers["aicha"], author_kind="prescriber",
                             author_organisation_id=world.orgs["ft"], author_user_id=world.users["prescriber"],
                             criteria=[], created_on=TODAY, expires_on=TODAY + timedelta(days=180)))
    db.session.commit()
    second, hire2 = accept(world, seeker="aicha")
    declare(world, hire2, TODAY + timedelta(days=2))
    assert open_hire_task(hire2) is None or not open_hire_task(hire2).listed
    assert sorted(a.number for a in Approval.query) == ["999990000001", "999990000002"]


def test_a_valid_pass_is_reused_and_a_later_pass_start_moves_to_the_hire(world):
    complete_person(world)
    approval = existing_pass(world, "jean", TODAY + timedelta(days=20))
    application, hire = accept(world)
    start = TODAY + timedelta(days=3)
    declare(world, hire, start)
    assert open_hire_task(hire).listed is False  # no eligibility step: the PASS counts as eligibility
    db.session.refresh(approval)
    assert Approval.query.count() == 1
    assert (approval.start_on, approval.end_on) == (start, start + timedelta(days=729))
    assert {h.case_id for h in approval.hires} == {None, hire.id}
    db.session.refresh(hire)
    assert hire.summary["pass_outcome"] == "reused"
    assert any("réutilisé" in s and "début avancé" in s for s in log_of(hire))


def test_a_hire_after_the_pass_end_is_refused_with_the_date(world):
    complete_person(world)
    approval = existing_pass(world, "jean", TODAY - timedelta(days=700))
    application, hire = accept(world)
    too_late = approval.end_on + timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        complete(task_of(hire, "hire_contract"), world.user("employer"), **contract(too_late))
    assert f"prend fin le {rules.fr_date(approval.end_on)}" in refused.value.field_errors["hiring_start_at"][0]
    assert ApprovalHire.query.filter_by(case_id=hire.id).count() == 0
    assert open_hire_task(hire).form_key == "hire_contract"


def test_a_hire_during_a_suspension_ends_it_the_day_before(world):
    complete_person(world)
    approval = existing_pass(world, "jean", TODAY - timedelta(days=100))
    db.session.add(Suspension(approval_id=approval.id, start_on=TODAY - timedelta(days=10),
                              end_on=TODAY + timedelta(days=50), reason="CONTRACT_BROKEN",
                              organisation_id=world.orgs["recyclerie"]))
    approvals.refresh_end(approval)
    db.session.commit()
    application, hire = accept(world)
    start = TODAY + timedelta(days=4)
    declare(world, hire, start)
    suspension = Suspension.query.one()
    db.session.refresh(approval)
    assert suspension.end_on == start - timedelta(days=1)
    assert approval.end_on == approval.base_end_on + timedelta(days=rules.days_inclusive(suspension.start_on,
                                                                                            suspension.end_on))


def test_the_waiting_period_refuses_the_hire_with_the_domain_message(world):
    complete_person(world)
    ended = existing_pass(world, "jean", TODAY - timedelta(days=800))
    application, hire = accept(world, sender="employer", sender_org="recyclerie")
    with pytest.raises(ServiceError) as refused:
        complete(task_of(hire, "hire_contract"), world.user("employer"), **contract(TODAY + timedelta(days=2)))
    message = refused.value.message
    assert f"a pris fin le {rules.fr_date(ended.end_on)}" in message and "délai de carence" in message
    assert Approval.query.count() == 1 and Diagnosis.query.count() == 0
    assert open_hire_task(hire).form_key == "hire_contract"


def without_nir(world):
    """Nadia: address known, no NIR (she has none), no France Travail id, not declared unregistered."""
    nadia = world.seeker("nadia")
    nadia.birth_date = TODAY - timedelta(days=30 * 365)
    nadia.birth_place, nadia.address, nadia.postcode, nadia.city = "Dakar", "1 rue Haute", "35000", "Rennes"
    nadia.nir_missing_reason = "no_nir"
    db.session.commit()
    application, hire = accept(world, seeker="nadia")
    # Only the France Travail id is asked, and it may stay empty.
    complete(task_of(hire, "hire_job_seeker"), world.user("employer"))
    declare(world, hire, TODAY + timedelta(days=6))
    complete(task_of(hire, "autoprescription_eligibility"), world.user("employer"), **CRITERIA)
    db.session.refresh(hire)
    db.session.refresh(application)
    return application, hire


def test_support_delivers_a_pass_by_hand_when_it_cannot_be_issued(world):
    application, hire = without_nir(world)
    assert (hire.stage, hire.summary["pass_outcome"]) == ("pass_manual", "manual")
    assert application.stage == "accepted"  # the hire is declared; only the PASS waits
    manual = task_of(hire, "pass_manual_delivery")
    assert manual.role == "support" and manual.title == "Délivrer le PASS IAE manuellement"
    assert [t.id for t in support.manual_pass_queue()] == [manual.id]
    with pytest.raises(ServiceError) as denied:
        complete(manual, world.user("employer"), pass_decision="deliver")
    assert denied.value.status == 403
    complete(manual, world.user("support"), pass_decision="deliver")
    approval = Approval.query.one()
    assert (approval.origin, approval.start_on, approval.created_by_id) == (
        "manual", TODAY + timedelta(days=6), world.users["support"])
    db.session.refresh(hire)
    assert hire.stage_label == "PASS IAE délivré" and hire.summary["pass_number"] == "99999 00 00001"
    assert support.manual_pass_queue() == []
    assert Notification.query.filter_by(case_id=hire.id, template="pass_accepted").count() == 3


def test_support_may_refuse_the_pass_with_a_reason(world):
    application, hire = without_nir(world)
    manual = task_of(hire, "pass_manual_delivery")
    with pytest.raises(ServiceError) as refused:
        complete(manual, world.user("support"), pass_decision="refuse")
    assert "pass_refusal_reason" in refused.value.field_errors
    complete(manual, world.user("support"), pass_decision="refuse",
             pass_refusal_reason="Identité impossible à vérifier.")
    db.session.refresh(hire)
    assert (hire.stage, hire.stage_label) == ("pass_refused", "PASS IAE refusé")
    assert Approval.query.count() == 0
    refused_notes = Notification.query.filter_by(case_id=hire.id, template="pass_refused").all()
    assert refused_notes and all("Identité impossible à vérifier." in n.body for n in refused_notes)


# -- a GEIQ: past start allowed, its own fields, no PASS ------------------------------------------------

def test_a_geiq_hire_may_start_in_the_past_and_issues_no_pass(world):
    complete_person(world)
    application, hire = accept(world, company="geiq", actor="outsider")
    outsider = world.user("outsider")
    task = task_of(hire, "hire_contract_geiq")
    past = TODAY - timedelta(days=10)
    with pytest.raises(ServiceError) as refused:
        complete(task, outsider, **contract(past, **dict(GEIQ, hours_per_week=60)))
    assert refused.value.field_errors["hours_per_week"] == ["Saisissez un nombre entre 1 et 48."]
    complete(task, outsider, **contract(past, **GEIQ))
    db.session.refresh(hire)
    db.session.refresh(application)
    assert (hire.stage, hire.summary["pass_outcome"], application.stage) == ("hired", "none", "accepted")
    assert Approval.query.count() == 0 and Diagnosis.query.count() == 0
    # Started already: no start change is offered, only the cancellation.
    assert [t.form_key for t in Task.query.filter_by(case_id=hire.id, state="open")] == ["hire_cancel"]


def test_a_job_description_of_the_company_names_the_job(world):
    from app.models import JobDescription
    complete_person(world)
    job = JobDescription(company_id=world.orgs["jardins"], rome_code="A1414", appellation="Maraîcher / Maraîchère")
    other = JobDescription(company_id=world.orgs["geiq"], rome_code="F1703", appellation="Maçon / Maçonne")
    db.session.add_all([job, other])
    db.session.commit()
    application, hire = accept(world)
    task = task_of(hire, "hire_contract")
    assert task_service.form_context(task, world.user("employer"))["hire_jobs"] == {str(job.id): job.display_name}
    fields = contract(TODAY + timedelta(days=2), job="")
    with pytest.raises(ServiceError) as refused:
        complete(task, world.user("employer"), **dict(fields, hired_job_description=str(other.id)))
    assert "hired_job_description" in refused.value.field_errors
    complete(task, world.user("employer"), **dict(fields, hired_job_description=str(job.id)))
    db.session.refresh(hire)
    assert hire.summary["hired_job"] == "Maraîcher / Maraîchère"


# -- step 7: after the hire ---------------------------------------------------------------------------

def hired_with_new_pass(world, start, seeker="jean"):
    complete_person(world, seeker=seeker)
    application, hire = accept(world, seeker=seeker)
    declare(world, hire, start)
    complete(task_of(hire, "autoprescription_eligibility"), world.user("employer"), **CRITERIA)
    db.session.refresh(hire)
    return application, hire, Approval.query.filter(Approval.job_seeker_id == world.seekers[seeker]).one()


def test_the_start_moves_within_30_days_and_the_pass_issued_for_it_follows(world):
    application, hire, approval = hired_with_new_pass(world, TODAY + timedelta(days=10))
    change = task_of(hire, "hire_start_change")
    assert change.listed is False
    employer = world.user("employer")
    for wrong, expected in [(TODAY - timedelta(days=1), f"au plus tôt le {rules.fr_date(TODAY)}"),
                            (TODAY + timedelta(days=31), f"au plus tard le {rules.fr_date(TODAY + timedelta(days=30))}")]:
        with pytest.raises(ServiceError) as refused:
            complete(change, employer, new_hiring_start_at=wrong.isoformat())
        assert expected in refused.value.field_errors["new_hiring_start_at"][0]
    new_start = TODAY + timedelta(days=20)
    complete(change, employer, new_hiring_start_at=new_start.isoformat())
    db.session.refresh(approval)
    db.session.refresh(hire)
    assert (approval.start_on, approval.end_on) == (new_start, new_start + timedelta(days=729))
    assert approval.hires[0].hiring_start_on == new_start
    assert hire.summary["hiring_start_at"] == new_start.isoformat()
    assert task_of(hire, "hire_start_change").id != change.id  # offered again, with the new date


def test_the_start_of_a_started_contract_cannot_move(world):
    application, hire, approval = hired_with_new_pass(world, TODAY + timedelta(days=1))
    change = task_of(hire, "hire_start_change")
    hire.summary = dict(hire.summary, hiring_start_at=TODAY.isoformat())  # as if the first day had come
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        complete(change, world.user("employer"), new_hiring_start_at=(TODAY + timedelta(days=3)).isoformat())
    assert f"a commencé le {rules.fr_date(TODAY)}" in refused.value.field_errors["new_hiring_start_at"][0]


def test_the_first_day_of_the_contract_closes_the_start_change(world):
    application, hire, approval = hired_with_new_pass(world, TODAY + timedelta(days=2))
    runtime.wake_case(hire, hire.next_wake_at + timedelta(seconds=1))
    db.session.commit()
    assert open_hire_task(hire, "hire_start_change") is None
    assert open_hire_task(hire, "hire_cancel") is not None


def test_cancelling_the_only_hire_cancels_the_pass_and_the_application(world):
    application, hire, approval = hired_with_new_pass(world, TODAY + timedelta(days=5))
    complete(task_of(hire, "hire_cancel"), world.user("employer"), cancel_confirmed=True,
             cancellation_reason="Le candidat ne s'est pas présenté.")
    db.session.refresh(approval)
    db.session.refresh(hire)
    db.session.refresh(application)
    assert approval.cancelled_at is not None and approval.hires[0].cancelled_at is not None
    assert (hire.stage, hire.status) == ("cancelled", "completed")
    assert Task.query.filter_by(case_id=hire.id, state="open").count() == 0
    assert (application.stage, application.stage_label, application.status) == (
        "cancelled", "Embauche annulée", "completed")
    told = {n.recipient_email for n in Notification.query.filter_by(case_id=application.id, template="hire_cancelled")}
    assert told == {"jean@exemple.fr", "prescripteur@test.fr"}


def test_cancelling_one_of_two_hires_keeps_the_pass(world):
    complete_person(world)
    approval = existing_pass(world, "jean", TODAY + timedelta(days=1))
    application, hire = accept(world)
    declare(world, hire, TODAY + timedelta(days=3))
    complete(task_of(hire, "hire_cancel"), world.user("employer"), cancel_confirmed=True)
    db.session.refresh(approval)
    assert approval.cancelled_at is None
    assert [h.cancelled_at is not None for h in sorted(approval.hires, key=lambda h: h.id)] == [False, True]


def test_the_follow_up_ends_with_the_contract_and_closes_the_application(world):
    application, hire, approval = hired_with_new_pass(world, TODAY + timedelta(days=2))
    runtime.wake_case(hire, utcnow_plus(days=800))
    db.session.commit()
    db.session.refresh(application)
    assert hire.status == "completed" and hire.stage == "hired"
    assert (application.stage, application.status) == ("accepted", "completed")


def utcnow_plus(days):
    from app.models.base import utcnow
    return utcnow() + timedelta(days=days)


def test_another_hire_of_the_same_person_does_not_move_this_application(world):
    complete_person(world)
    first, hire1 = accept(world, company="recyclerie")
    second, hire2 = accept(world, company="geiq", actor="outsider")
    complete(task_of(hire2, "hire_contract_geiq"), world.user("outsider"), **contract(TODAY, **GEIQ))
    db.session.refresh(first)
    db.session.refresh(second)
    assert second.stage == "accepted"
    assert first.stage != "accepted" and open_hire_task(hire1).form_key == "hire_contract"
