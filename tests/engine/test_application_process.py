"""The application process (bpmn/application.bpmn) run by the real engine, transition by transition."""
from datetime import timedelta

import pytest

from app.engine import runtime
from app.extensions import db
from app.models import Case, Event, Notification, Task
from app.models.base import utcnow
from app.services.job_seekers import today_paris
from tests.support.hire import declare_hire
from tests.support.world import make_world, open_task, send_application


@pytest.fixture
def world(app, db_session):
    return make_world(app.config["BPMN_DIR"])


def act(case, actor, **data):
    runtime.complete_task(open_task(case), data, actor)
    db.session.commit()
    db.session.refresh(case)
    return case


REFUSAL = dict(decision="refuse", refusal_reason="lacking_skills", refusal_reason_details="",
               answer_to_job_seeker="Le poste demande le permis B.", private_comment="À revoir dans 6 mois.",
               share_reason_with_job_seeker=False)


def test_a_new_application_waits_for_the_receiving_company(world):
    case = send_application(world)
    task = open_task(case)
    assert case.reference.startswith("CAND-") and case.stage == "new"
    assert case.stage_label == "Nouvelle candidature"
    assert (task.title, task.form_key, task.role) == ("Traiter la nouvelle candidature", "application_review", "employer")
    assert task.organisation_id == world.orgs["jardins"]
    assert task.assignee_id is None  # sent by a prescriber: nobody at the company holds it yet
    assert task.due_at > utcnow() + timedelta(days=29)
    assert task.properties["choices.decision"].split(",")[0] == "study"
    notified = {n.recipient_email for n in Notification.query.filter_by(case_id=case.id)}
    assert notified == {"employeur@test.fr", "collegue@test.fr", "jean@exemple.fr", "prescripteur@test.fr"}


def test_study_gives_the_file_to_whoever_took_it(world):
    employer = world.user("employer")
    case = act(send_application(world), employer, decision="study")
    task = open_task(case)
    assert case.stage == "processing" and case.stage_label == "À l'étude"
    assert task.assignee_id == employer.id  # colleagues see who handles it
    assert "study" not in task.properties["choices.decision"]


def test_postpone_pool_refuse_then_reconsider_and_hire(world):
    employer = world.user("employer")
    case = send_application(world)
    act(case, employer, decision="postpone", answer_to_job_seeker="Un poste se libère en janvier.")
    assert case.stage == "postponed"
    act(case, employer, decision="pool")
    assert case.stage == "pool"
    act(case, employer, **REFUSAL)
    assert case.stage == "refused" and case.status == "running"
    reconsider = open_task(case)
    assert reconsider.listed is False and reconsider.properties["choices.decision"] == "accept"
    act(case, employer, decision="accept")
    hire = Case.query.filter_by(parent_case_id=case.id).one()
    assert hire.process_key == "hire" and hire.stage == "to_declare"
    # The person's record lacks the address and birth place: the hire asks for them first.
    assert open_task(case).form_key == "hire_job_seeker"
    declare_hire(case, employer, today_paris() + timedelta(days=7))
    db.session.refresh(hire)
    # Accepted; the application then follows its hire until the hire's follow-up ends (or it is cancelled).
    assert (case.stage, case.status) == ("accepted", "running")
    assert (hire.stage, hire.status) == ("hired", "running")
    kinds = [e.kind for e in Event.query.filter_by(case_id=case.id).order_by(Event.id)]
    assert "message_received" in kinds and "case_completed" not in kinds


def test_refusal_notifies_job_seeker_without_private_comment(world):
    case = act(send_application(world), world.user("employer"), **REFUSAL)
    to_seeker = Notification.query.filter_by(case_id=case.id, template="application_refused",
                                             recipient_email="jean@exemple.fr").one()
    to_sender = Notification.query.filter_by(case_id=case.id, template="application_refused",
                                             recipient_email="prescripteur@test.fr").one()
    assert "Le poste demande le permis B." in to_seeker.body
    assert "À revoir" not in to_seeker.body
    # Reason not shared: the job seeker does not read it, the prescriber does.
    assert "compétences requises" not in to_seeker.body
    assert "compétences requises" in to_sender.body


def test_hire_makes_other_pending_applications_obsolete_but_not_other_people(world):
    employer = world.user("employer")
    pending_elsewhere = send_application(world, company="recyclerie")
    pooled = act(send_application(world, company="geiq"), world.user("outsider"), decision="pool")
    someone_else = send_application(world, seeker="aicha", company="recyclerie")
    hired = act(send_application(world), employer, decision="accept")
    declare_hire(hired, employer, today_paris() + timedelta(days=7), job="Agent")
    for case in (pending_elsewhere, pooled, someone_else):
        db.session.refresh(case)
    assert (pending_elsewhere.stage_label, pending_elsewhere.status) == ("Embauché ailleurs", "completed")
    assert Task.query.filter_by(case_id=pending_elsewhere.id, state="open").count() == 0
    assert pooled.stage == "pool"  # the pool is not a pending state (DOMAIN §4)
    assert someone_else.stage == "new"


def test_transfer_moves_the_application_to_the_other_company_with_answers_cleared(world):
    employer = world.user("employer")
    case = act(send_application(world), employer, decision="study")
    act(case, employer, decision="transfer", transfer_to=str(world.orgs["recyclerie"]))
    task = open_task(case)
    assert case.stage == "new"
    assert case.organisation_for("employer").id == world.orgs["recyclerie"]
    assert task.organisation_id == world.orgs["recyclerie"]
    colleague_notes = Notification.query.filter_by(case_id=case.id, template="application_transferred",
                                                   recipient_email="collegue@test.fr").count()
    assert colleague_notes == 1


def test_transfer_to_a_company_the_actor_does_not_belong_to_puts_the_case_in_error(world):
    case = send_application(world)
    act(case, world.user("employer"), decision="transfer", transfer_to=str(world.orgs["geiq"]))
    assert case.status == "error"
    assert case.organisation_for("employer").id == world.orgs["jardins"]
    failure = Event.query.filter_by(case_id=case.id, kind="service_failed").one()
    assert "Transférer la candidature" in failure.summary


def test_sixty_days_without_answer_refuses_automatically(world):
    case = send_application(world)
    assert runtime.wake_case(case, utcnow() + timedelta(days=59)) == []
    fired = runtime.wake_case(case, utcnow() + timedelta(days=61))
    db.session.commit()
    assert fired == ["60 jours sans réponse"]
    assert case.stage == "refused"
    seeker_note = Notification.query.filter_by(case_id=case.id, template="application_refused",
                                               recipient_email="jean@exemple.fr").one()
    assert "Refus automatique" in seeker_note.body


def test_a_pooled_application_is_archived_after_180_days_and_stays_actionable(world):
    case = act(send_application(world), world.user("employer"), decision="pool")
    runtime.wake_case(case, utcnow() + timedelta(days=181))
    db.session.commit()
    assert case.archived is True and case.stage == "pool"
    assert open_task(case) is not None


def test_completing_a_task_twice_is_refused_with_the_colleagues_name(world):
    case = send_application(world)
    task = open_task(case)
    runtime.complete_task(task, {"decision": "study"}, world.user("colleague"))
    db.session.commit()
    with pytest.raises(runtime.TaskNotOpen, match="Karim Collègue"):
        runtime.complete_task(task, {"decision": "pool"}, world.user("employer"))


def test_only_the_person_or_a_professional_of_their_own_organisation_may_apply(world):
    from app.services import cases
    from app.services.tasks import ServiceError
    with pytest.raises(ServiceError) as refused:
        cases.open_application(world.user("seeker_user"), None, world.seekers["jean"], world.orgs["jardins"], "Bonjour")
    assert refused.value.status == 403
    with pytest.raises(ServiceError):
        # A prescriber cannot send in the name of an organisation they do not belong to.
        cases.open_application(world.user("prescriber"), world.org("geiq"), world.seekers["jean"],
                               world.orgs["jardins"], "Bonjour")
    own = cases.open_application(world.user("seeker_user"), None, world.seekers["nadia"], world.orgs["jardins"],
                                 "Je souhaite postuler.")
    assert own.stage == "new"
    assert Case.query.count() == 1
