"""A prescriber's authorization (bpmn/authorization.bpmn) decided by support, run by the real engine."""
import pytest

from app import formspec, permissions
from app.config import ROOT
from app.engine import checks
from app.engine.operations import names as operation_names
from app.extensions import db
from app.models import Event, Membership, Notification, Organisation, Task, User
from app.services import inbox
from app.services import operations as registered_operations  # noqa: F401  (the diagram calls them)
from app.services import organisations as organisations_service
from app.services import tasks as tasks_service
from app.services.tasks import ServiceError
from tests.support.world import PASSWORD, make_world


@pytest.fixture
def world(app, db_session):
    return make_world(app.config["BPMN_DIR"])


@pytest.fixture
def ccas(world):
    """A CCAS waiting for its authorization: Léa (admin, who registered it) and Hugo (member)."""
    org = Organisation(category="prescriber", kind="CCAS", name="CCAS de Brest", department="29", city="Brest",
                       siret="21290019700013", authorization_status="not_set")
    db.session.add(org)
    db.session.flush()
    people = {}
    for key, email, first, admin in (("lea", "lea@ccas-brest.fr", "Léa", True),
                                     ("hugo", "hugo@ccas-brest.fr", "Hugo", False)):
        user = User(email=email, first_name=first, last_name="Kervella")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=org.id, is_admin=admin))
        people[key] = user
    db.session.flush()
    case = organisations_service.start_authorization_case(org, people["lea"])
    db.session.commit()
    return {"org": org, "case": case, **people}


def support_task(case):
    return Task.query.filter_by(case_id=case.id, state="open").one()


def decide(world, case, **answer):
    task = support_task(case)
    tasks_service.complete(task.id, world.user("support"), json_data=answer)
    db.session.refresh(case)
    return case


def test_a_new_prescriber_waits_in_the_support_inbox(world, ccas):
    case, support = ccas["case"], world.user("support")
    task = support_task(case)
    assert case.reference.startswith("HAB-") and case.title == "Habilitation : CCAS de Brest"
    assert (case.stage, case.stage_label) == ("to_check", "Habilitation à vérifier")
    assert (task.title, task.form_key, task.role) == ("Vérifier l'habilitation", "authorization_decision", "support")
    assert task.organisation_id is None and task.candidate_user_id is None and task.assignee_id is None
    assert task.due_at is not None
    # What support reads to decide stays on the case row.
    assert case.summary["organisation_name"] == "CCAS de Brest"
    assert case.summary["organisation_kind_label"] == "Centre communal ou intercommunal d'action sociale"
    assert (case.summary["organisation_siret"], case.summary["organisation_department"]) == ("21290019700013", "29")
    assert case.summary["creator_name"] == "Léa Kervella"

    # Every support member sees it; nobody else has it in their inbox.
    items, total = inbox.tasks(support, None)
    assert [t.id for t in items] == [task.id] and total == 1
    assert inbox.counts(support, None)["unassigned"] == 1
    assert permissions.is_task_candidate(support, task)
    for key in ("prescriber", "employer"):
        user = world.user(key)
        org_id = world.orgs["ft" if key == "prescriber" else "jardins"]
        assert inbox.tasks(user, org_id)[1] == 0
        assert not permissions.is_task_candidate(user, task)
    lea = ccas["lea"]
    assert inbox.tasks(lea, ccas["org"].id)[1] == 0 and not permissions.is_task_candidate(lea, task)
    # The organisation's members follow the case; its tasks are not theirs.
    assert permissions.can_view_case(lea, case) and not permissions.can_act_on_task(lea, task)


def test_support_validates_the_authorization(world, ccas):
    case, org = ccas["case"], ccas["org"]
    assert not org.is_authorized_prescriber
    decide(world, case, decision="validated")
    db.session.refresh(org)
    assert org.authorization_status == "validated" and org.is_authorized_prescriber
    assert (case.status, case.stage, case.stage_label) == ("completed", "validated", "Habilitation validée")
    assert case.summary["decision"] == "validated"
    logged = Event.query.filter_by(case_id=case.id, kind="authorization_status_changed").one()
    assert logged.summary == "CCAS de Brest : habilitation validée"
    assert logged.data["from"] == "not_set" and logged.data["to"] == "validated"
    # Only the organisation's admins hear of it.
    sent = Notification.query.filter_by(case_id=case.id).all()
    assert [(n.recipient_email, n.subject) for n in sent] == [("lea@ccas-brest.fr", "Habilitation validée")]
    assert "CCAS de Brest" in sent[0].body
    assert Task.query.filter_by(case_id=case.id, state="open").count() == 0
    assert inbox.tasks(world.user("support"), None)[1] == 0


def test_support_refuses_with_a_reason_sent_to_the_admins(world, ccas):
    case, org = ccas["case"], ccas["org"]
    decide(world, case, decision="refused", reason="Aucune convention avec le département.")
    db.session.refresh(org)
    assert org.authorization_status == "refused" and not org.is_authorized_prescriber
    assert (case.status, case.stage, case.stage_label) == ("completed", "refused", "Habilitation refusée")
    assert Event.query.filter_by(case_id=case.id, kind="authorization_status_changed").one().data["reason"] == \
        "Aucune convention avec le département."
    sent = Notification.query.filter_by(case_id=case.id).all()
    assert [(n.recipient_email, n.subject) for n in sent] == [("lea@ccas-brest.fr", "Habilitation refusée")]
    assert "Motif : Aucune convention avec le département." in sent[0].body


def test_a_refusal_needs_a_reason_and_nothing_changes_without_it(world, ccas):
    case, org = ccas["case"], ccas["org"]
    with pytest.raises(ServiceError) as refused:
        decide(world, case, decision="refused")
    assert refused.value.status == 422
    assert refused.value.field_errors == {"reason": ["Ce champ est obligatoire."]}
    with pytest.raises(ServiceError) as unknown:
        decide(world, case, decision="maybe")
    assert unknown.value.field_errors == {"decision": ["Choisissez une valeur dans la liste."]}
    db.session.rollback()
    db.session.refresh(org)
    assert org.authorization_status == "not_set" and case.stage == "to_check" and case.status == "running"


def test_only_support_may_decide(world, ccas):
    task = support_task(ccas["case"])
    for user in (ccas["lea"], world.user("prescriber")):
        with pytest.raises(ServiceError) as denied:
            tasks_service.complete(task.id, user, json_data={"decision": "validated"})
        assert denied.value.status == 403
    db.session.refresh(ccas["org"])
    assert ccas["org"].authorization_status == "not_set"


def test_the_diagram_passes_the_process_owners_checks():
    context = checks.CheckContext(forms=lambda key: formspec.load_spec(key, ROOT / "forms"),
                                  process_keys={p.stem for p in (ROOT / "bpmn").glob("*.bpmn")},
                                  operations=operation_names(), expected_process_id="authorization")
    xml = (ROOT / "bpmn" / "authorization.bpmn").read_text(encoding="utf-8")
    assert checks.check_diagram(xml, context) == []
