"""Suspension of a PASS IAE (bpmn/suspension.bpmn, DOMAIN §8) run by the real engine: suspend,
edit, end early, delete, the end reached by the timer, and every refusal at its boundary."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app import formspec
from app.domain import approvals as rules
from app.engine import checks, runtime
from app.engine.operations import names
from app.extensions import db
from app.models import Case, Event, Notification, Suspension, Task
from app.services import approvals, suspensions, tasks
from app.services.job_seekers import today_paris
from app.services.tasks import ServiceError
from tests.support.world import make_world

ROOT = Path(__file__).resolve().parents[2]
TODAY = today_paris()
DAY = timedelta(days=1)


@pytest.fixture
def world(app, db_session):
    return make_world(app.config["BPMN_DIR"])


def make_pass(world, start, company="jardins", seeker="jean", hiring_end=None):
    """A PASS IAE issued on `start` with a hire by `company` that day."""
    approval = approvals.issue_pass(world.seeker(seeker), start)
    approvals.attach_hire(approval, world.org(company), None, start, hiring_end)
    db.session.commit()
    return approval


def suspend(world, approval, start, end=None, end_unknown=False, reason="CONTRACT_SUSPENDED",
            user="employer", org="jardins", version=None):
    case = suspensions.start(approval.id, approval.lock_version if version is None else version,
                             world.user(user), world.org(org),
                             {"reason": reason, "start_at": start.isoformat(),
                              "end_at": end.isoformat() if end else None, "end_unknown": end_unknown,
                              "explanation": "Arrêt maladie long."})
    db.session.commit()
    return case


def refusal(call):
    with pytest.raises(ServiceError) as caught:
        call()
    db.session.rollback()
    return caught.value


def task_of(case, form_key):
    return Task.query.filter_by(case_id=case.id, state="open", form_key=form_key).one()


def complete(case, form_key, user, **data):
    """Complete a task of the case as the web and the API do (form spec, domain checks)."""
    result = tasks.complete(task_of(case, form_key).id, user, json_data=data)
    db.session.refresh(case)
    return result


def pass_end(approval):
    db.session.refresh(approval)
    return approval.end_on


# -- the diagram --------------------------------------------------------------------------

def test_the_diagram_passes_the_checker(world):
    forms_dir = ROOT / "forms"
    ctx = checks.CheckContext(forms=lambda key: formspec.load_spec(key, forms_dir),
                              process_keys={p.stem for p in (ROOT / "bpmn").glob("*.bpmn")},
                              operations=names(), expected_process_id="suspension")
    problems = checks.check_diagram((ROOT / "bpmn" / "suspension.bpmn").read_text(encoding="utf-8"), ctx)
    assert checks.errors(problems) == []


# -- suspend ------------------------------------------------------------------------------

def test_suspending_moves_the_pass_end_by_the_inclusive_days_and_waits_for_the_end(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    base_end = approval.end_on
    start, end = TODAY - 10 * DAY, TODAY + 19 * DAY  # 30 days
    case = suspend(world, approval, start, end)

    assert case.reference.startswith("SUS-") and case.status == "running"
    assert case.stage == "suspended" and case.stage_label == "PASS IAE suspendu"
    row = Suspension.query.one()
    assert (row.start_on, row.end_on, row.case_id, row.organisation_id) == (start, end, case.id,
                                                                           world.orgs["jardins"])
    assert pass_end(approval) == base_end + 30 * DAY
    assert approvals.view(approval, TODAY).status == "suspended"
    # The employer's three optional tasks, out of the inboxes.
    open_tasks = Task.query.filter_by(case_id=case.id, state="open").all()
    assert {(t.form_key, t.role, t.organisation_id, t.listed) for t in open_tasks} == {
        (key, "employer", world.orgs["jardins"], False)
        for key in ("suspension_edit", "suspension_end", "suspension_delete")}
    # The job seeker is told, with the new end.
    notice = Notification.query.filter_by(case_id=case.id).one()
    assert notice.recipient_email == "jean@exemple.fr"
    assert rules.fr_date(base_end + 30 * DAY) in notice.body
    assert Event.query.filter_by(case_id=case.id, kind="suspension_recorded").count() == 1
    # The case sleeps until the day after the last day of the suspension.
    assert case.next_wake_at.date() in (end, end + DAY)  # midnight in Paris, stored in UTC


def test_a_one_day_suspension_pushes_the_end_by_one_day(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    base_end = approval.end_on
    suspend(world, approval, TODAY, TODAY)
    assert pass_end(approval) == base_end + DAY


def test_end_unknown_lasts_the_maximum(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    base_end = approval.end_on
    start = TODAY - 5 * DAY
    suspend(world, approval, start, end_unknown=True)
    row = Suspension.query.one()
    assert row.end_unknown and row.end_on == rules.max_suspension_end(start)
    assert pass_end(approval) == base_end + timedelta(days=rules.days_inclusive(start, row.end_on))


# -- edit, end early, delete --------------------------------------------------------------

def test_edit_moves_the_end_again_and_rearms_the_timer(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    base_end = approval.end_on
    case = suspend(world, approval, TODAY - 10 * DAY, TODAY + 19 * DAY)
    employer = world.user("employer")
    complete(case, "suspension_edit", employer, reason="CONTRACT_BROKEN",
             start_at=(TODAY - 10 * DAY).isoformat(), end_at=(TODAY + 4 * DAY).isoformat(),
             end_unknown=False, explanation="Rupture")
    row = Suspension.query.one()
    assert (row.end_on, row.reason) == (TODAY + 4 * DAY, "CONTRACT_BROKEN")
    assert pass_end(approval) == base_end + 15 * DAY  # shortened: pulled back
    assert case.status == "running" and case.stage == "suspended"
    assert case.next_wake_at.date() in (TODAY + 4 * DAY, TODAY + 5 * DAY)
    # The tasks are offered again for a later change.
    assert task_of(case, "suspension_edit") and task_of(case, "suspension_delete")
    assert Event.query.filter_by(case_id=case.id, kind="suspension_edited").count() == 1
    assert Notification.query.filter_by(case_id=case.id, template="suspension_changed").count() == 1


def test_end_early_ends_the_day_before_the_return(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    base_end = approval.end_on
    case = suspend(world, approval, TODAY - 10 * DAY, TODAY + 19 * DAY)
    complete(case, "suspension_end", world.user("colleague"), first_day_back=(TODAY + 1 * DAY).isoformat())
    row = Suspension.query.one()
    assert row.end_on == TODAY
    assert pass_end(approval) == base_end + 11 * DAY
    assert case.status == "running"


def test_delete_pulls_the_end_back_and_closes_the_case(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    base_end = approval.end_on
    case = suspend(world, approval, TODAY - 10 * DAY, TODAY + 19 * DAY)
    complete(case, "suspension_delete", world.user("employer"), confirm=True)
    assert Suspension.query.count() == 0
    assert pass_end(approval) == base_end
    assert case.status == "completed" and case.stage == "deleted"
    assert Task.query.filter_by(case_id=case.id, state="open").count() == 0
    assert Notification.query.filter_by(case_id=case.id, template="suspension_deleted").count() == 1


def test_the_timer_closes_the_case_the_day_after_the_end(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    end = TODAY + 3 * DAY
    case = suspend(world, approval, TODAY - 2 * DAY, end)
    assert runtime.wake_case(case, now=datetime.combine(end, datetime.min.time(), timezone.utc)) == []
    fired = runtime.wake_case(case, now=datetime.combine(end + 2 * DAY, datetime.min.time(), timezone.utc))
    db.session.commit()
    assert fired
    assert case.status == "completed" and case.stage == "ended"
    assert Task.query.filter_by(case_id=case.id, state="open").count() == 0
    assert Suspension.query.one().end_on == end  # the suspension stays on record


def test_a_hire_that_ends_the_suspension_lets_the_case_finish(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    case = suspend(world, approval, TODAY - 10 * DAY, TODAY + 19 * DAY)
    approvals.attach_hire(approval, world.org("recyclerie"), None, TODAY)  # ends it yesterday
    db.session.commit()
    assert Suspension.query.one().end_on == TODAY - DAY
    # The tasks refuse: the suspension changed outside the case.
    error = refusal(lambda: complete(case, "suspension_edit", world.user("employer"),
                                     reason="CONTRACT_BROKEN", start_at=(TODAY - 10 * DAY).isoformat(),
                                     end_at=(TODAY + 2 * DAY).isoformat(), end_unknown=False))
    assert error.status == 409 and "modifiée" in error.message
    # The timer still fires at the end first planned, and the case closes.
    runtime.wake_case(case, now=datetime.combine(TODAY + 21 * DAY, datetime.min.time(), timezone.utc))
    db.session.commit()
    assert case.status == "completed" and case.stage == "ended"


def test_a_hire_on_its_first_day_deletes_it_and_the_case_still_closes(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    case = suspend(world, approval, TODAY, TODAY + 5 * DAY)
    approvals.attach_hire(approval, world.org("recyclerie"), None, TODAY)
    db.session.commit()
    assert Suspension.query.count() == 0
    error = refusal(lambda: complete(case, "suspension_delete", world.user("employer"), confirm=True))
    assert error.status == 409 and "n'existe plus" in error.message
    runtime.wake_case(case, now=datetime.combine(TODAY + 7 * DAY, datetime.min.time(), timezone.utc))
    db.session.commit()
    assert case.status == "completed"
    assert "supprimée par une nouvelle embauche" in Event.query.filter_by(
        case_id=case.id, kind="suspension_closed").one().summary


# -- refusals at their boundaries ----------------------------------------------------------

def refused_start(world, approval, start, end, **kwargs):
    count = Case.query.count()
    error = refusal(lambda: suspend(world, approval, start, end, **kwargs))
    assert Case.query.count() == count and Suspension.query.count() == 0  # nothing written
    return error


def test_start_in_the_future_is_refused_today_is_fine(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    error = refused_start(world, approval, TODAY + DAY, TODAY + 5 * DAY)
    assert error.status == 422
    assert error.field_errors["start_at"] == [
        f"La suspension ne peut pas commencer dans le futur : date de début au plus tard le {rules.fr_date(TODAY)}."]
    suspend(world, approval, TODAY, TODAY + 5 * DAY)


def test_more_than_365_days_back_is_refused(world):
    approval = make_pass(world, TODAY - 500 * DAY)
    error = refused_start(world, approval, TODAY - 366 * DAY, TODAY)
    floor = TODAY - 365 * DAY
    assert error.field_errors["start_at"] == [
        f"La suspension ne peut pas commencer avant le {rules.fr_date(floor)}, soit 365 jours avant aujourd'hui "
        "(limite de rétroactivité)."]
    suspend(world, approval, floor, TODAY)


def test_before_the_last_hire_is_refused(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    approvals.attach_hire(approval, world.org("jardins"), None, TODAY - 20 * DAY)
    db.session.commit()
    error = refused_start(world, approval, TODAY - 21 * DAY, TODAY)
    assert error.field_errors["start_at"] == [
        f"La suspension ne peut pas commencer avant le {rules.fr_date(TODAY - 20 * DAY)}, date de la dernière "
        "embauche."]
    suspend(world, approval, TODAY - 20 * DAY, TODAY)


def test_before_the_day_after_the_previous_suspension_is_refused(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    case = suspend(world, approval, TODAY - 30 * DAY, TODAY - 20 * DAY)
    runtime.wake_case(case, now=datetime.combine(TODAY, datetime.min.time(), timezone.utc))
    db.session.commit()
    count = Suspension.query.count()
    error = refusal(lambda: suspend(world, approval, TODAY - 20 * DAY, TODAY))
    assert Suspension.query.count() == count
    assert (f"au plus tôt le {rules.fr_date(TODAY - 19 * DAY)}" in error.field_errors["start_at"][0])
    suspend(world, approval, TODAY - 19 * DAY, TODAY)


def test_end_beyond_36_months_is_refused(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    latest = rules.max_suspension_end(TODAY)
    error = refused_start(world, approval, TODAY, latest + DAY)
    assert error.field_errors["end_at"] == [
        f"Une suspension dure au plus 36 mois : date de fin au plus tard le {rules.fr_date(latest)}."]
    suspend(world, approval, TODAY, latest)


def test_a_pass_not_started_expired_or_suspended_is_refused_with_409(world):
    future = make_pass(world, TODAY + 10 * DAY)
    error = refused_start(world, future, TODAY, TODAY)
    assert error.status == 409 and "pas encore démarré" in error.message

    expired = make_pass(world, TODAY - 800 * DAY, seeker="aicha")
    error = refused_start(world, expired, TODAY, TODAY)
    assert error.status == 409 and "a expiré" in error.message


def test_an_already_suspended_pass_is_refused(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    suspend(world, approval, TODAY - 3 * DAY, TODAY + 3 * DAY)
    db.session.refresh(approval)
    error = refusal(lambda: suspend(world, approval, TODAY, TODAY + 5 * DAY, user="colleague"))
    assert error.status == 409 and "déjà suspendu" in error.message
    assert Suspension.query.count() == 1


def test_a_stale_page_gets_409_and_writes_nothing(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    stale = approval.lock_version - 1
    error = refused_start(world, approval, TODAY, TODAY, version=stale)
    assert error.status == 409 and "modifié par quelqu'un d'autre" in error.message


def test_another_company_or_a_non_member_is_refused(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    error = refused_start(world, approval, TODAY, TODAY, user="employer", org="recyclerie")
    assert error.status == 403
    error = refused_start(world, approval, TODAY, TODAY, user="outsider", org="jardins")
    assert error.status == 403


def test_the_last_hire_decides_which_company_may_suspend(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    approvals.attach_hire(approval, world.org("recyclerie"), None, TODAY - 50 * DAY)
    db.session.commit()
    assert refused_start(world, approval, TODAY, TODAY, org="jardins").status == 403
    suspend(world, approval, TODAY, TODAY, org="recyclerie", reason="CONTRAT_PASSERELLE")


def test_contrat_passerelle_is_for_aci_and_ei_only(world):
    approval = make_pass(world, TODAY - 100 * DAY, company="geiq")
    error = refused_start(world, approval, TODAY, TODAY, user="outsider", org="geiq",
                          reason="CONTRAT_PASSERELLE")
    assert "réservé aux structures de type ACI et EI" in error.field_errors["reason"][0]


def test_a_prescriber_suspends_only_when_no_contract_is_left(world):
    running = make_pass(world, TODAY - 100 * DAY)
    error = refused_start(world, running, TODAY, TODAY, user="prescriber", org="ft")
    assert error.status == 403 and "contrat" in error.message

    ended = make_pass(world, TODAY - 100 * DAY, seeker="aicha", hiring_end=TODAY - DAY)
    case = suspend(world, ended, TODAY - 5 * DAY, TODAY + 5 * DAY, user="prescriber", org="ft",
                   reason="FINISHED_CONTRACT")
    assert {(t.role, t.organisation_id) for t in Task.query.filter_by(case_id=case.id, state="open")} == {
        ("authorized_prescriber", world.orgs["ft"])}
    # A prescriber has no "contrat passerelle" reason.
    assert "CONTRAT_PASSERELLE" not in suspensions.reasons(world.org("ft"))


def test_edit_refusals_reach_the_field_and_change_nothing(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    case = suspend(world, approval, TODAY - 10 * DAY, TODAY + 19 * DAY)
    end_before = pass_end(approval)
    latest = rules.max_suspension_end(TODAY - 10 * DAY)
    error = refusal(lambda: complete(case, "suspension_edit", world.user("employer"), reason="CONTRACT_BROKEN",
                                     start_at=(TODAY - 10 * DAY).isoformat(),
                                     end_at=(latest + DAY).isoformat(), end_unknown=False))
    assert error.status == 422 and rules.fr_date(latest) in error.field_errors["end_at"][0]
    error = refusal(lambda: complete(case, "suspension_end", world.user("employer"),
                                     first_day_back=(TODAY - 10 * DAY).isoformat()))
    assert error.field_errors["first_day_back"] == [
        f"La date de reprise doit être au plus tôt le {rules.fr_date(TODAY - 9 * DAY)}, lendemain du début de la "
        "suspension (pour annuler entièrement la suspension, supprimez-la)."]
    assert pass_end(approval) == end_before
    assert Suspension.query.one().end_on == TODAY + 19 * DAY
    assert task_of(case, "suspension_end").state == "open"


def test_another_organisation_cannot_complete_the_tasks(world):
    approval = make_pass(world, TODAY - 100 * DAY)
    case = suspend(world, approval, TODAY - 10 * DAY, TODAY + 19 * DAY)
    error = refusal(lambda: complete(case, "suspension_delete", world.user("outsider"), confirm=True))
    assert error.status == 403
    assert Suspension.query.count() == 1

