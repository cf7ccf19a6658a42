"""Prolongation of a PASS IAE (bpmn/prolongation.bpmn, DOMAIN §9), run by the real engine.

Direct prolongations move the PASS end at once; requests wait for an authorized prescriber
(reminded at 10, 20 and 30 days, never decided automatically); every refusal says why, at
its exact boundary, and writes nothing.
"""
from datetime import timedelta

import pytest

from app import formspec, permissions
from app.config import ROOT
from app.domain.approvals import prolongation_window
from app.engine import checks, runtime
from app.engine.operations import names as operation_names
from app.extensions import db
from app.models import (Approval, Case, Event, Membership, Notification, Organisation, Prolongation,
                        ProlongationRequest, Suspension, Task, User)
from app.models.base import utcnow
from app.services import approvals, inbox, job_seekers
from app.services import operations as registered_operations  # noqa: F401  (the diagram calls them)
from app.services import prolongations
from app.services import tasks as tasks_service
from app.services.tasks import ServiceError
from tests.support.world import PASSWORD, make_world


@pytest.fixture
def world(app, db_session):
    return make_world(app.config["BPMN_DIR"])


def _user(email, first, org_id=None, admin=False):
    user = User(email=email, first_name=first, last_name="Test")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    if org_id is not None:
        db.session.add(Membership(user_id=user.id, organisation_id=org_id, is_admin=admin))
    return user


def make_pass(world, company="jardins", seeker="jean", end=None):
    """A PASS of `seeker` hired by `company`, started long ago, ending on `end` (default: in 30 days)."""
    today = job_seekers.today_paris()
    end = end or today + timedelta(days=30)
    start = min(today - timedelta(days=10), end - timedelta(days=729))
    approval = approvals.issue_pass(world.seeker(seeker), start)
    approval.base_end_on = approval.end_on = end
    approvals.attach_hire(approval, world.org(company), None, start)
    db.session.commit()
    return approval


def declare(world, approval, reason, end, user="employer", company="jardins", version=None, **extra):
    data = {"reason": reason, "end_on": end.isoformat(), "explanation": extra.pop("explanation", "Parcours à terminer.")}
    data.update(extra.pop("data", {}))
    db.session.refresh(approval)
    return prolongations.declare(world.user(user), world.org(company), approval.id, data,
                                 approval.lock_version if version is None else version, **extra)


def request_rqth(world, approval, days=365, email="prescripteur@test.fr", org="ft"):
    end = approval.end_on + timedelta(days=days)
    return declare(world, approval, "RQTH", end, data={"prescriber_email": email},
                   prescriber={"prescriber_organisation_id": str(world.orgs[org]), "contact_phone": "0611223344"})


def notified(email, template=None):
    query = Notification.query.filter_by(recipient_email=email)
    if template:
        query = query.filter_by(template=template)
    return query.count()


def refusal(call):
    with pytest.raises(ServiceError) as caught:
        call()
    db.session.rollback()
    return caught.value


def nothing_written(approval, end):
    db.session.expire_all()
    assert db.session.get(Approval, approval.id).end_on == end
    assert Case.query.filter_by(process_key="prolongation").count() == 0
    assert Prolongation.query.count() == 0 and ProlongationRequest.query.count() == 0


# -- the diagram ------------------------------------------------------------------------------

def test_the_shipped_diagram_passes_the_checks(app, world):
    xml = (ROOT / "bpmn" / "prolongation.bpmn").read_text()
    context = checks.CheckContext(forms=lambda key: formspec.load_spec(key, app.config["FORMS_DIR"]),
                                  operations=operation_names(), expected_process_id="prolongation")
    assert checks.errors(checks.check_diagram(xml, context)) == []
    assert "P10D" in xml and "P20D" in xml and "P30D" in xml  # reminders: editable by process owners


# -- direct prolongations -----------------------------------------------------------------------

@pytest.mark.parametrize("reason,days", [("SENIOR_CDI", 3650), ("COMPLETE_TRAINING", 365)])
def test_a_direct_prolongation_moves_the_end_by_its_days_counted_inclusively(world, reason, days):
    approval = make_pass(world)
    old_end = approval.end_on
    case = declare(world, approval, reason, old_end + timedelta(days=days))
    db.session.expire_all()
    approval = db.session.get(Approval, approval.id)
    prolongation = Prolongation.query.one()
    assert (prolongation.start_on, prolongation.end_on) == (old_end + timedelta(days=1), old_end + timedelta(days=days))
    assert (prolongation.end_on - prolongation.start_on).days + 1 == days
    assert approval.end_on == old_end + timedelta(days=days)
    assert prolongation.declared_by_id == world.users["employer"] and prolongation.validated_by_id is None
    assert prolongation.declared_by_company_id == world.orgs["jardins"] and prolongation.case_id == case.id
    assert (case.status, case.stage, case.reference[:4]) == ("completed", "prolonged", "PRO-")
    assert ProlongationRequest.query.count() == 0
    # Employer (every member) and job seeker are told; the log says what changed.
    assert notified("employeur@test.fr", "prolongation_recorded") == 1
    assert notified("collegue@test.fr", "prolongation_recorded") == 1
    assert notified("jean@exemple.fr", "prolongation_recorded") == 1
    body = Notification.query.filter_by(recipient_email="jean@exemple.fr").one().body
    assert f"jusqu'au {approval.end_on.strftime('%d/%m/%Y')}" in body
    event = Event.query.filter_by(case_id=case.id, kind="prolongation_recorded").one()
    assert event.data["days"] == days and event.actor_id == world.users["employer"]


def test_a_prolongation_longer_than_its_reason_allows_is_refused_with_the_last_possible_day(world):
    approval = make_pass(world)
    end = approval.end_on
    error = refusal(lambda: declare(world, approval, "COMPLETE_TRAINING", end + timedelta(days=366)))
    assert error.status == 422
    assert error.field_errors["end_on"] == [
        f"Une prolongation pour le motif « Fin d'une formation » dure au plus 365 jours : date de fin au plus "
        f"tard le {(end + timedelta(days=365)).strftime('%d/%m/%Y')}."]
    nothing_written(approval, end)
    error = refusal(lambda: declare(world, approval, "COMPLETE_TRAINING", end))
    assert error.status == 422 and "au plus tôt le" in error.field_errors["end_on"][0]
    nothing_written(approval, end)


# -- requests to an authorized prescriber -----------------------------------------------------

@pytest.fixture
def colleagues(world):
    """Twelve more members of France Travail Test (reminders reach at most 10 of them)."""
    return [_user(f"conseiller{n:02d}@ft.fr", f"Conseiller{n:02d}", world.orgs["ft"]) for n in range(12)]


def decision_task(case):
    return Task.query.filter_by(case_id=case.id, state="open").one()


def decide(world, case, user="prescriber", **answer):
    task = decision_task(case)
    actor = world.user(user) if isinstance(user, str) else user
    tasks_service.complete(task.id, actor, json_data=answer)
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_a_request_waits_for_the_prescriber_organisation_then_granting_pushes_the_end(world, colleagues):
    approval = make_pass(world)
    old_end = approval.end_on
    case = request_rqth(world, approval, days=200)
    prolongation_request = ProlongationRequest.query.one()
    assert prolongation_request.status == "pending" and prolongation_request.case_id == case.id
    assert prolongation_request.prescriber_id == world.users["prescriber"]
    assert prolongation_request.prescriber_organisation_id == world.orgs["ft"]
    assert prolongation_request.contact_phone == "0611223344"
    assert (case.stage, case.status) == ("pending", "running")
    assert db.session.get(Approval, approval.id).end_on == old_end  # nothing moves before the decision
    # The chosen prescriber is told; any member of the organisation may decide.
    assert notified("prescripteur@test.fr", "prolongation_request_new") == 1
    assert notified("conseiller00@ft.fr") == 0
    task = decision_task(case)
    assert (task.title, task.role, task.organisation_id) == (
        "Décider de la demande de prolongation", "authorized_prescriber", world.orgs["ft"])
    assert inbox.tasks(colleagues[0], world.orgs["ft"])[1] == 1
    assert not permissions.is_task_candidate(world.user("employer"), task)

    case = decide(world, case, user=colleagues[3], decision="grant")
    approval = db.session.get(Approval, approval.id)
    prolongation_request = ProlongationRequest.query.one()
    prolongation = Prolongation.query.one()
    assert approval.end_on == old_end + timedelta(days=200)
    assert (prolongation.validated_by_id, prolongation.validated_by_organisation_id) == (
        colleagues[3].id, world.orgs["ft"])
    assert prolongation.request_id == prolongation_request.id and prolongation.reason == "RQTH"
    assert prolongation_request.status == "granted" and prolongation_request.decided_by_id == colleagues[3].id
    assert (case.status, case.stage) == ("completed", "granted")
    for email in ("employeur@test.fr", "collegue@test.fr", "jean@exemple.fr"):
        assert notified(email, "prolongation_request_granted") == 1
    assert Event.query.filter_by(case_id=case.id, kind="prolongation_granted").count() == 1


def test_a_denial_keeps_the_end_and_tells_why_with_the_proposed_actions(world):
    approval = make_pass(world)
    old_end = approval.end_on
    case = request_rqth(world, approval)
    # IAE needs proposed actions; every denial an explanation.
    error = refusal(lambda: decide(world, case, decision="deny", deny_reason="IAE",
                                   deny_explanation="La personne est prête pour un emploi classique."))
    assert error.status == 422 and "deny_proposed_actions" in error.field_errors
    error = refusal(lambda: decide(world, case, decision="deny", deny_reason="DURATION", deny_explanation="  "))
    assert error.status == 422 and "deny_explanation" in error.field_errors
    assert ProlongationRequest.query.one().status == "pending"

    case = decide(world, case, decision="deny", deny_reason="IAE",
                  deny_explanation="La personne est prête pour un emploi classique.",
                  deny_proposed_actions=["EXIT_IAE", "SOCIAL_PARTNER"])
    prolongation_request = ProlongationRequest.query.one()
    assert prolongation_request.status == "denied" and prolongation_request.deny_reason == "IAE"
    assert prolongation_request.deny_explanation == "La personne est prête pour un emploi classique."
    assert prolongation_request.deny_proposed_actions == ["EXIT_IAE", "SOCIAL_PARTNER"]
    assert db.session.get(Approval, approval.id).end_on == old_end and Prolongation.query.count() == 0
    assert (case.status, case.stage) == ("completed", "denied")
    body = Notification.query.filter_by(recipient_email="jean@exemple.fr",
                                        template="prolongation_request_denied").one().body
    assert "Motif : L'IAE ne correspond plus aux besoins / à la situation de la personne" in body
    assert "Orientation vers un partenaire de l'accompagnement social/professionnel" in body
    assert notified("employeur@test.fr", "prolongation_request_denied") == 1


def test_other_denial_reasons_take_no_proposed_actions(world):
    approval = make_pass(world)
    case = request_rqth(world, approval)
    decide(world, case, decision="deny", deny_reason="DURATION", deny_explanation="Six mois suffiront.",
           deny_proposed_actions=["OTHER"])
    assert ProlongationRequest.query.one().deny_proposed_actions == []


def test_reminders_at_10_20_and_30_days_reach_the_assignee_and_ten_colleagues_and_never_decide(world, colleagues):
    approval = make_pass(world)
    case = request_rqth(world, approval)
    start = utcnow()
    assert runtime.wake_case(case, start + timedelta(days=9)) == []
    for count, days in enumerate((10, 20, 30), start=1):
        fired = runtime.wake_case(case, start + timedelta(days=days, hours=1))
        db.session.commit()
        assert fired == [f"{days} jours sans décision"]
        prolongation_request = ProlongationRequest.query.one()
        assert prolongation_request.reminders_sent == count and prolongation_request.status == "pending"
        assert notified("prescripteur@test.fr", "prolongation_request_reminder") == count
        reached = {n.recipient_email for n in Notification.query.filter_by(template="prolongation_request_reminder")}
        assert len(reached) == 11  # the assignee and 10 of the 12 colleagues
        assert Notification.query.filter_by(template="prolongation_request_reminder").count() == 11 * count
    assert runtime.wake_case(case, start + timedelta(days=90)) == []
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "running" and decision_task(case) is not None
    assert ProlongationRequest.query.one().status == "pending" and Prolongation.query.count() == 0


def test_a_reminder_to_a_prescriber_who_left_goes_to_the_organisation_admins(world, colleagues):
    approval = make_pass(world)
    chosen = _user("partante@ft.fr", "Partante", world.orgs["ft"])
    db.session.commit()
    case = request_rqth(world, approval, email="partante@ft.fr")
    Membership.query.filter_by(user_id=chosen.id).update({"is_active": False})
    db.session.commit()
    runtime.wake_case(case, utcnow() + timedelta(days=10, hours=1))
    db.session.commit()
    assert notified("partante@ft.fr", "prolongation_request_reminder") == 0
    assert notified("prescripteur@test.fr", "prolongation_request_reminder") == 1  # ft's admin


# -- refusals at their boundaries ---------------------------------------------------------------

def _end_where(condition):
    """A PASS end E for which condition(window(E)) holds today (scanning, so month ends are handled)."""
    today = job_seekers.today_paris()
    from app.domain.approvals import PassFacts

    for offset in range(-400, 400):
        end = today + timedelta(days=offset)
        window = prolongation_window(PassFacts(None, end - timedelta(days=729), end))
        if condition(window, today):
            return end
    pytest.skip("no such end date around today")


@pytest.mark.parametrize("where,allowed", [
    ("day_before_opening", False), ("opening_day", True), ("closing_day", True), ("day_after_closing", False)])
def test_the_window_is_twelve_months_before_to_six_months_after_the_end(world, where, allowed):
    conditions = {
        "day_before_opening": lambda w, t: w[0] == t + timedelta(days=1),
        "opening_day": lambda w, t: w[0] == t,
        "closing_day": lambda w, t: w[1] == t,
        "day_after_closing": lambda w, t: w[1] == t - timedelta(days=1),
    }
    approval = make_pass(world, end=_end_where(conditions[where]))
    end = approval.end_on
    call = lambda: declare(world, approval, "COMPLETE_TRAINING", end + timedelta(days=30))  # noqa: E731
    if allowed:
        call()
        assert db.session.get(Approval, approval.id).end_on == end + timedelta(days=30)
        return
    error = refusal(call)
    assert error.status == 409
    assert ("trop tôt pour le prolonger" if where == "day_before_opening" else "ne pouvait être prolongé que jusqu'au") \
        in error.message
    nothing_written(approval, end)


def test_a_suspended_pass_cannot_be_prolonged(world):
    approval = make_pass(world)
    today = job_seekers.today_paris()
    db.session.add(Suspension(approval_id=approval.id, start_on=today - timedelta(days=3),
                              end_on=today + timedelta(days=5), reason="CONTRACT_BROKEN",
                              organisation_id=world.orgs["jardins"]))
    approvals.refresh_end(approval)
    db.session.commit()
    end = approval.end_on
    error = refusal(lambda: declare(world, approval, "COMPLETE_TRAINING", end + timedelta(days=10)))
    assert error.status == 409 and "il ne peut pas être prolongé pendant une suspension" in error.message
    assert f"possible à nouveau à partir du {(today + timedelta(days=6)).strftime('%d/%m/%Y')}" in error.message
    nothing_written(approval, end)


def test_one_pending_request_blocks_any_other_prolongation(world):
    approval = make_pass(world)
    end = approval.end_on
    request_rqth(world, approval)
    for call in (lambda: declare(world, approval, "COMPLETE_TRAINING", end + timedelta(days=10)),
                 lambda: request_rqth(world, approval, days=30)):
        error = refusal(call)
        assert error.status == 409 and "Une demande de prolongation est déjà en attente" in error.message
    assert ProlongationRequest.query.count() == 1 and Prolongation.query.count() == 0


def test_a_reason_whose_cumulative_cap_is_reached_comes_back_disabled(world):
    # 1095 days of RQTH already granted (3 × 365), ending in 30 days: the window is open.
    approval = make_pass(world, end=job_seekers.today_paris() + timedelta(days=30 - 1095))
    start = approval.end_on + timedelta(days=1)
    for _ in range(3):
        db.session.add(Prolongation(approval_id=approval.id, start_on=start, end_on=start + timedelta(days=364),
                                    reason="RQTH", declared_by_company_id=world.orgs["jardins"]))
        start += timedelta(days=365)
    approvals.refresh_end(approval)
    db.session.commit()
    assert approval.end_on == job_seekers.today_paris() + timedelta(days=30)
    page = prolongations.declare_page(world.user("employer"), world.org("jardins"), approval.id)
    rqth = next(o for o in page.options if o.code == "RQTH")
    assert not rqth.enabled
    assert rqth.disabled_reason == ("La durée cumulée des prolongations pour le motif « Reconnaissance de la "
                                    "qualité de travailleur handicapé » a atteint son maximum de 1095 jours pour "
                                    "ce PASS IAE.")
    assert next(o for o in page.options if o.code == "SENIOR").enabled
    error = refusal(lambda: request_rqth(world, approval, days=10))
    assert error.status == 422 and error.field_errors["reason"] == [rqth.disabled_reason]


def test_particular_difficulties_are_for_ai_and_aci_only(world):
    ei_pass = make_pass(world, company="recyclerie")
    page = prolongations.declare_page(world.user("employer"), world.org("recyclerie"), ei_pass.id)
    assert "PARTICULAR_DIFFICULTIES" not in [o.code for o in page.options]
    error = refusal(lambda: declare(world, ei_pass, "PARTICULAR_DIFFICULTIES", ei_pass.end_on + timedelta(days=30),
                                    company="recyclerie", data={"prescriber_email": "prescripteur@test.fr"}))
    assert error.status == 422
    assert error.field_errors["reason"] == [
        "Le motif « Difficultés particulièrement importantes » est réservé aux structures de type AI et ACI."]
    aci_pass = make_pass(world, company="jardins", seeker="aicha")
    page = prolongations.declare_page(world.user("employer"), world.org("jardins"), aci_pass.id)
    assert "PARTICULAR_DIFFICULTIES" in [o.code for o in page.enabled]


def test_the_prescriber_must_be_a_member_of_an_authorized_prescriber(world):
    approval = make_pass(world)
    ccas = Organisation(category="prescriber", kind="CCAS", name="CCAS non habilité", authorization_status="not_set")
    db.session.add(ccas)
    db.session.flush()
    _user("orienteur@ccas.fr", "Orienteur", ccas.id)
    db.session.commit()
    end = approval.end_on
    for email, message in (("orienteur@ccas.fr", "n'est membre d'aucun prescripteur habilité"),
                           ("personne@nulle-part.fr", "Aucun compte actif n'a cette adresse e-mail")):
        error = refusal(lambda: declare(world, approval, "SENIOR", end + timedelta(days=30),
                                        data={"prescriber_email": email},
                                        prescriber={"prescriber_organisation_id": str(ccas.id)}))
        assert error.status == 422 and message in error.field_errors["prescriber_email"][0]
    # An authorized person, but an organisation that is not theirs.
    error = refusal(lambda: declare(world, approval, "SENIOR", end + timedelta(days=30),
                                    data={"prescriber_email": "prescripteur@test.fr"},
                                    prescriber={"prescriber_organisation_id": str(ccas.id)}))
    assert error.status == 422 and "prescriber_organisation_id" in error.field_errors
    nothing_written(approval, end)


def test_only_members_of_the_authorized_organisation_decide(world):
    approval = make_pass(world)
    case = request_rqth(world, approval)
    other = Organisation(category="prescriber", kind="ML", name="Mission locale", authorization_status="validated")
    db.session.add(other)
    db.session.flush()
    outsider = _user("ailleurs@ml.fr", "Ailleurs", other.id)
    db.session.commit()
    for user in (outsider, world.user("employer")):
        error = refusal(lambda: decide(world, case, user=user, decision="grant"))
        assert error.status == 403
    # The organisation lost its authorization since: its members may no longer decide.
    world.org("ft").authorization_status = "refused"
    db.session.commit()
    error = refusal(lambda: decide(world, case, decision="grant"))
    assert error.status == 403 and "prescripteur habilité" in error.message
    assert ProlongationRequest.query.one().status == "pending"


def test_only_a_hiring_siae_may_prolong(world):
    approval = make_pass(world)
    for user, company in (("outsider", "geiq"), ("employer", "recyclerie")):
        error = refusal(lambda: declare(world, approval, "COMPLETE_TRAINING", approval.end_on + timedelta(days=5),
                                        user=user, company=company))
        assert error.status == 403
    hire = approval.hires[0]
    hire.cancelled_at = utcnow()
    db.session.commit()
    error = refusal(lambda: declare(world, approval, "COMPLETE_TRAINING", approval.end_on + timedelta(days=5)))
    assert error.status == 403


def test_a_pass_changed_since_the_page_was_shown_is_refused(world):
    approval = make_pass(world)
    end = approval.end_on
    shown = approval.lock_version
    approval.base_end_on = approval.end_on = end + timedelta(days=1)  # a colleague's change meanwhile
    db.session.commit()
    error = refusal(lambda: declare(world, approval, "COMPLETE_TRAINING", end + timedelta(days=30), version=shown))
    assert error.status == 409 and error.message == approvals.PASS_CHANGED
    nothing_written(approval, end + timedelta(days=1))


def test_a_grant_after_the_pass_moved_keeps_the_requested_days_right_after_the_new_end(world):
    approval = make_pass(world)
    case = request_rqth(world, approval, days=100)
    today = job_seekers.today_paris()
    db.session.add(Suspension(approval_id=approval.id, start_on=today - timedelta(days=2), end_on=today + timedelta(days=7),
                              reason="CONTRACT_BROKEN", organisation_id=world.orgs["jardins"]))
    approvals.refresh_end(approval)
    db.session.commit()
    moved_end = approval.end_on
    decide(world, case, decision="grant")
    prolongation = Prolongation.query.one()
    assert prolongation.start_on == moved_end + timedelta(days=1)
    assert db.session.get(Approval, approval.id).end_on == moved_end + timedelta(days=100)
