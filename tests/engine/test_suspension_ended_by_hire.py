"""A hire that ends a suspension closes the suspension's case (bpmn/suspension.bpmn, DOMAIN §8):
the hire case sends `suspension_ended_by_hire` to that case in the same transaction, its tasks are
cancelled, its stage and log say why, and its end timer has nothing left to do."""
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from app.domain import approvals as rules
from app.engine import runtime
from app.extensions import db
from app.models import Event, Notification, Suspension, Task
from app.services import approvals, suspensions
from app.services import operations as registered_operations  # noqa: F401  (the diagrams call them)
from app.services import tasks as task_service
from app.services.job_seekers import today_paris
from tests.support.hire import hire_case, open_hire_task
from tests.support.world import make_world, open_task, send_application

TODAY = today_paris()
DAY = timedelta(days=1)
ACTIONS = {"suspension_edit", "suspension_end", "suspension_delete"}


@pytest.fixture
def world(app, db_session):
    return make_world(app.config["BPMN_DIR"])


def suspended_pass(world, start, end, org="recyclerie", user="employer", hiring_end=None, reason="CONTRACT_BROKEN"):
    """Jean's PASS, hired by `org` 100 days ago, suspended by `org` (or a prescriber) from start to end."""
    jean = world.seeker("jean")
    jean.birth_place, jean.address, jean.postcode, jean.city = "Rennes", "1 rue Haute", "35000", "Rennes"
    jean.france_travail_not_registered = True
    approval = approvals.issue_pass(jean, TODAY - 100 * DAY)
    approvals.attach_hire(approval, world.org("recyclerie"), None, TODAY - 100 * DAY, hiring_end)
    db.session.commit()
    case = suspensions.start(approval.id, approval.lock_version, world.user(user), world.org(org),
                             {"reason": reason, "start_at": start.isoformat(), "end_at": end.isoformat(),
                              "end_unknown": False, "explanation": ""})
    db.session.commit()
    return approval, case


def hire_at_jardins(world, start):
    """Jean is accepted at Les Jardins and hired from `start`; returns the hire case."""
    application = send_application(world, seeker="jean", company="jardins", sender="prescriber", sender_org="ft")
    runtime.complete_task(open_task(application), {"decision": "accept"}, world.user("employer"))
    db.session.commit()
    hire = hire_case(application)
    task_service.complete(open_hire_task(hire, "hire_contract").id, world.user("employer"), json_data=dict(
        hiring_start_at=start.isoformat(), hiring_end_at=None, hired_job_description="other",
        hired_job="Maraîcher", answer_to_job_seeker=""))
    db.session.commit()
    db.session.refresh(hire)
    return hire


def tasks_of(case, state):
    return {t.form_key for t in Task.query.filter_by(case_id=case.id, state=state)}


def events(case, kind):
    return Event.query.filter_by(case_id=case.id, kind=kind).order_by(Event.id).all()


def sent_to_suspensions(hire):
    """Where the hire case sent `suspension_ended_by_hire` (one list per sending)."""
    return [e.data["delivered_to"] for e in events(hire, "message_sent")
            if e.data["message"] == suspensions.ENDED_BY_HIRE]


def wake_later(case, day):
    return runtime.wake_case(case, now=datetime.combine(day, datetime.min.time(), timezone.utc))


def test_a_hire_during_the_suspension_closes_its_case(world):
    approval, case = suspended_pass(world, TODAY - 10 * DAY, TODAY + 19 * DAY)
    assert tasks_of(case, "open") == ACTIONS
    hire = hire_at_jardins(world, TODAY)
    db.session.refresh(case)

    row = Suspension.query.one()
    assert row.end_on == TODAY - DAY and row.case_id == case.id
    assert case.status == "completed"
    assert (case.stage, case.stage_label) == ("ended_by_hire", "Suspension terminée par une embauche")
    assert case.next_wake_at is None and case.waiting_messages == ""
    # Its tasks are cancelled, not completed by anyone, and the organisation has nothing left to do.
    assert tasks_of(case, "open") == set() and tasks_of(case, "cancelled") == ACTIONS
    assert Task.query.filter_by(case_id=case.id, state="completed").count() == 0
    assert suspensions.actions_for(row) == {}
    # The log says which hire ended it, without personal data.
    ended = events(case, "suspension_ended_by_hire")[0]
    assert ended.summary == (f"Suspension terminée le {rules.fr_date(TODAY - DAY)} par l'embauche "
                             f"{hire.reference} (contrat à partir du {rules.fr_date(TODAY)}) ; nouvelle fin du "
                             f"PASS IAE le {rules.fr_date(approvals.get(approval.id).end_on)}")
    assert "Jean" not in str(ended.data) and ended.data["hire_case"] == hire.reference
    assert events(case, "message_received")[0].data["from"] == hire.reference
    assert sent_to_suspensions(hire) == [[case.reference]]
    assert case.summary["end_at"] == (TODAY - DAY).isoformat()
    # The job seeker hears of the new end, as after an early end.
    assert Notification.query.filter_by(case_id=case.id, template="suspension_changed").count() == 1
    # The end timer first planned finds a closed case.
    assert wake_later(case, TODAY + 21 * DAY) == []
    db.session.commit()
    assert case.status == "completed" and Suspension.query.one().end_on == TODAY - DAY


def test_a_hire_on_its_first_day_deletes_the_suspension_and_closes_the_case(world):
    approval, case = suspended_pass(world, TODAY, TODAY + 5 * DAY)
    hire = hire_at_jardins(world, TODAY)
    db.session.refresh(case)
    assert Suspension.query.count() == 0
    assert case.status == "completed" and case.stage == "ended_by_hire"
    assert tasks_of(case, "cancelled") == ACTIONS
    summary = events(case, "suspension_ended_by_hire")[0].summary
    assert summary.startswith(f"Suspension supprimée par l'embauche {hire.reference}")
    assert Notification.query.filter_by(case_id=case.id, template="suspension_deleted").count() == 1


def test_a_hire_starting_later_in_the_suspension_closes_the_case_with_the_day_before(world):
    approval, case = suspended_pass(world, TODAY - 10 * DAY, TODAY + 19 * DAY)
    hire_at_jardins(world, TODAY + 4 * DAY)
    db.session.refresh(case)
    assert Suspension.query.one().end_on == TODAY + 3 * DAY
    assert case.status == "completed" and tasks_of(case, "open") == set()


def test_a_prescribers_suspension_closes_too(world):
    approval, case = suspended_pass(world, TODAY - 5 * DAY, TODAY + 30 * DAY, org="ft", user="prescriber",
                                    hiring_end=TODAY - 6 * DAY, reason="FINISHED_CONTRACT")
    assert {t.role for t in Task.query.filter_by(case_id=case.id, state="open")} == {"authorized_prescriber"}
    hire_at_jardins(world, TODAY + DAY)
    db.session.refresh(case)
    assert Suspension.query.one().end_on == TODAY
    assert case.status == "completed" and case.stage == "ended_by_hire"
    assert tasks_of(case, "cancelled") == ACTIONS


def test_a_hire_after_the_suspension_leaves_its_case_alone(world):
    approval, case = suspended_pass(world, TODAY - 10 * DAY, TODAY + 3 * DAY)
    hire = hire_at_jardins(world, TODAY + 10 * DAY)
    db.session.refresh(case)
    assert Suspension.query.one().end_on == TODAY + 3 * DAY
    assert case.status == "running" and case.stage == "suspended"
    assert tasks_of(case, "open") == ACTIONS
    assert events(case, "message_received") == [] and sent_to_suspensions(hire) == []
    # Its own timer closes it as before.
    assert wake_later(case, TODAY + 5 * DAY)
    db.session.commit()
    assert case.status == "completed" and case.stage == "ended"


def test_every_element_of_the_diagram_has_its_drawing(app):
    """The viewer draws from the DI: each node and flow of the process needs its shape or edge."""
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    root = ElementTree.parse(f"{app.config['BPMN_DIR']}/suspension.bpmn").getroot()
    drawn = {e.get("bpmnElement") for e in root.iter() if e.tag.endswith(("BPMNShape", "BPMNEdge"))}
    elements = {e.get("id") for process in root.findall("bpmn:process", ns) for e in process.iter()
                if e.tag.split("}")[1] in ("startEvent", "endEvent", "serviceTask", "userTask", "subProcess",
                                           "exclusiveGateway", "parallelGateway", "boundaryEvent",
                                           "intermediateThrowEvent", "sequenceFlow")}
    assert elements - drawn == set()
    assert {"bm_sub_employer_hire", "bm_sub_prescriber_hire", "close_by_hire"} <= drawn
