"""Process owners' work on real databases: drafts, publication, rollback, migration, simulation.

Everything goes through app/services/process_admin.py, the real engine and bpmn/application.bpmn.
"""
import re
from datetime import timedelta

import pytest

from app import formspec
from app.engine import processes, runtime
from app.engine.parsing import parse_process
from app.engine.simulation import DryRunScriptEngine
from app.extensions import db
from app.models import AuditEntry, Case, Event, FormSpecVersion, Notification, ProcessDraft, ProcessVersion, Task, User
from app.models.base import utcnow
from app.services import process_admin as service
from app.services.tasks import ServiceError
from tests.support.world import make_world, open_task, send_application

KEY = "application"


@pytest.fixture
def world(app, db_session):
    world = make_world(app.config["BPMN_DIR"])
    for key, email, first in (("owner", "olga@parcours.test", "Olga"), ("owner2", "pierre@parcours.test", "Pierre")):
        user = User(email=email, first_name=first, last_name="Propriétaire", kind="staff", is_process_owner=True)
        db.session.add(user)
        db.session.flush()
        world.users[key] = user.id
    db.session.commit()
    return world


def shipped_xml():
    return processes.latest_version(KEY).xml


def thirty_days(xml=None):
    """The application diagram with its first auto-refusal timer at 30 days instead of 60."""
    xml = xml or shipped_xml()
    return xml.replace('"P60D"', '"P30D"', 1).replace('name="60 jours sans réponse"', 'name="30 jours sans réponse"', 1)


def without_first_notification(xml):
    """The application diagram without the service task every case has been through (notify_new)."""
    xml = xml.replace("<bpmn:flowNodeRef>notify_new</bpmn:flowNodeRef>", "")
    xml = re.sub(r'<bpmn:serviceTask id="notify_new".*?</bpmn:serviceTask>\n', "", xml, flags=re.S)
    xml = re.sub(r'<bpmn:sequenceFlow id="f_notify_new".*?</bpmn:sequenceFlow>\n', "", xml)
    xml = xml.replace('sourceRef="ms_new" targetRef="notify_new"', 'sourceRef="ms_new" targetRef="ut_new"')
    xml = xml.replace("<bpmn:incoming>f_notify_new</bpmn:incoming>", "<bpmn:incoming>f_new_notify</bpmn:incoming>")
    return re.sub(r'<bpmndi:BPMN(Shape|Edge) id="(notify_new_di|f_notify_new_di)".*?</bpmndi:BPMN(Shape|Edge)>\n', "", xml)


def publish(world, xml, note="Refus automatique à 30 jours", forms=None, actor="owner"):
    draft = service.save_draft(KEY, xml, forms or {}, service.editor_state(KEY)["lock"], world.user(actor))
    return service.publish(KEY, draft.lock, note, world.user(actor))


def days_to_wake(case):
    db.session.refresh(case)
    return (case.next_wake_at - utcnow()) / timedelta(days=1)


def study(world, case):
    runtime.complete_task(open_task(case), {"decision": "study"}, world.user("employer"))
    db.session.commit()


# -- drafts --------------------------------------------------------------------------------------

def test_a_draft_is_saved_and_a_stale_editor_cannot_overwrite_it(world):
    first = service.save_draft(KEY, thirty_days(), {}, 0, world.user("owner"))
    assert (first.lock, first.base_version) == (1, 1)
    # Pierre opened the editor before Olga's first save: his save is refused.
    with pytest.raises(ServiceError) as refused:
        service.save_draft(KEY, shipped_xml(), {}, 0, world.user("owner2"))
    assert refused.value.status == 409
    assert refused.value.message.startswith("Ce brouillon a été modifié par Olga Propriétaire entre-temps")
    # He reloads (lock 1) and saves; Olga, still on lock 1, is refused in turn.
    service.save_draft(KEY, shipped_xml(), {}, 1, world.user("owner2"))
    with pytest.raises(ServiceError) as refused:
        service.save_draft(KEY, thirty_days(), {}, 1, world.user("owner"))
    assert refused.value.status == 409
    assert "modifié par Pierre Propriétaire entre-temps" in refused.value.message
    draft = ProcessDraft.query.filter_by(process_key=KEY).one()
    assert (draft.lock, draft.xml, draft.updated_by_id) == (2, shipped_xml(), world.users["owner2"])


@pytest.mark.parametrize("xml, message", [
    ("<html><body>Bonjour</body></html>", "Ce fichier n'est pas un diagramme BPMN 2.0"),
    ("<bpmn:definitions", "Ce fichier n'est pas un diagramme BPMN : le XML est invalide"),
    ("", "Le diagramme est vide."),
    ('<?xml version="1.0"?><!DOCTYPE d><bpmn:definitions/>', "Le fichier ne doit pas contenir de déclaration DOCTYPE"),
])
def test_a_file_that_is_not_bpmn_is_refused_and_nothing_is_saved(world, xml, message):
    with pytest.raises(ServiceError) as refused:
        service.save_draft(KEY, xml, {}, 0, world.user("owner"))
    assert refused.value.status == 422
    assert refused.value.message.startswith(message)
    assert ProcessDraft.query.count() == 0


def test_a_draft_can_be_discarded(world):
    draft = service.save_draft(KEY, thirty_days(), {}, 0, world.user("owner"))
    service.discard_draft(KEY, draft.lock, world.user("owner"))
    assert service.draft_of(KEY) is None
    assert service.editor_state(KEY)["xml"] == shipped_xml()


# -- publication ---------------------------------------------------------------------------------

def test_publishing_creates_the_next_version_that_new_cases_follow(world):
    before = send_application(world)
    version = publish(world, thirty_days())
    assert (version.version, version.source, version.note) == (2, "published", "Refus automatique à 30 jours")
    assert version.created_by_id == world.users["owner"]
    assert service.draft_of(KEY) is None
    audit = AuditEntry.query.filter_by(action="process_published").one()
    assert audit.actor_id == world.users["owner"]
    assert audit.summary == "Processus « Traitement d'une candidature » : version 2 publiée"

    after = send_application(world, seeker="aicha")
    assert after.process_version.version == 2
    assert 29.9 < days_to_wake(after) <= 30
    assert before.process_version.version == 1
    assert 59.9 < days_to_wake(before) <= 60
    assert service.running_counts(KEY) == {1: 1, 2: 1}


def test_publishing_refuses_a_draft_with_errors(world):
    broken = thirty_days().replace('id="notify" resultVariable=""', 'id="teleport" resultVariable=""', 1)
    draft = service.save_draft(KEY, broken, {}, 0, world.user("owner"))
    with pytest.raises(service.DraftHasErrors) as refused:
        service.publish(KEY, draft.lock, "Essai", world.user("owner"))
    assert refused.value.status == 422
    assert refused.value.message == "Le brouillon contient 1 erreur : corrigez-les avant de publier."
    [problem] = refused.value.problems
    assert problem.element_id == "notify_new"
    assert "L'opération « teleport »" in problem.message
    assert ProcessVersion.query.filter_by(process_key=KEY).count() == 1
    assert service.draft_of(KEY) is not None
    assert AuditEntry.query.count() == 0


def test_publishing_needs_a_note_and_the_draft_as_checked(world):
    lock = service.save_draft(KEY, thirty_days(), {}, 0, world.user("owner")).lock
    with pytest.raises(ServiceError, match="la note est obligatoire") as refused:
        service.publish(KEY, lock, "  ", world.user("owner"))
    assert refused.value.status == 422
    service.save_draft(KEY, thirty_days(), {}, lock, world.user("owner2"))
    with pytest.raises(ServiceError, match="modifié par Pierre Propriétaire") as refused:
        service.publish(KEY, lock, "Vu avant la modification de Pierre", world.user("owner"))
    assert refused.value.status == 409
    assert ProcessVersion.query.filter_by(process_key=KEY).count() == 1


def test_a_form_spec_edited_with_the_draft_is_published_and_used_by_tasks(world, app):
    text = service.published_form_text("application_review").replace(
        "title: Traiter la candidature", "title: Donner suite à la candidature")
    publish(world, thirty_days(), forms={"application_review": text})
    row = FormSpecVersion.query.filter_by(form_key="application_review").one()
    assert (row.version, row.process_key, row.process_version) == (1, KEY, 2)
    case = send_application(world)
    from app.services.tasks import load_form_spec
    assert load_form_spec(open_task(case)).title == "Donner suite à la candidature"


def test_a_broken_form_spec_in_the_draft_blocks_publication(world):
    draft = service.save_draft(KEY, shipped_xml(), {"application_review": "title: [\n"}, 0, world.user("owner"))
    with pytest.raises(service.DraftHasErrors) as refused:
        service.publish(KEY, draft.lock, "Formulaire", world.user("owner"))
    assert any("n'est pas un YAML valide" in p.message for p in refused.value.problems)
    assert FormSpecVersion.query.count() == 0


# -- rollback ------------------------------------------------------------------------------------

def test_an_earlier_version_is_republished_as_the_newest(world):
    publish(world, thirty_days())
    version = service.republish(KEY, 1, "Les employeurs ont besoin de 60 jours", world.user("owner"))
    assert version.version == 3
    assert version.xml == ProcessVersion.query.filter_by(process_key=KEY, version=1).one().xml
    assert version.note == "Retour à la version 1 : Les employeurs ont besoin de 60 jours"
    audit = AuditEntry.query.filter_by(action="process_rolled_back").one()
    assert audit.data["restored"] == 1 and audit.data["replaced"] == 2
    assert 59.9 < days_to_wake(send_application(world)) <= 60
    with pytest.raises(ServiceError, match="déjà celle en service") as refused:
        service.republish(KEY, 3, "Encore", world.user("owner"))
    assert refused.value.status == 409


def test_comparing_versions_names_what_changed(world):
    publish(world, thirty_days())
    comparison = service.comparison(KEY, 1, 2)
    assert (comparison.added, comparison.removed) == ([], [])
    [change] = comparison.changed
    assert change.element.id == "bt_new_auto"
    assert change.changes == [("Nom", "60 jours sans réponse", "30 jours sans réponse"),
                              ("Minuterie (durée)", '"P60D"', '"P30D"')]


# -- migration -----------------------------------------------------------------------------------

def test_a_running_case_moves_to_the_newest_version(world):
    case = send_application(world)
    task = open_task(case)
    publish(world, thirty_days())
    newest, [trial] = service.precheck(KEY, [case.id])
    assert trial.ok and trial.reasons == []
    assert "Les échéances en attente repartent de la date du changement de version." in trial.notes
    assert trial.waiting_at == ["Traiter la nouvelle candidature", "Embauché ailleurs (message attendu)"]
    assert ("30 jours sans réponse", pytest.approx(utcnow() + timedelta(days=30), abs=timedelta(minutes=5))) \
        in trial.timers

    newest, [outcome] = service.migrate(KEY, [(case.id, trial.lock_version)], world.user("owner"))
    assert outcome.migrated, outcome.message
    db.session.refresh(case)
    assert case.process_version.version == 2
    assert 29.9 < days_to_wake(case) <= 30
    # The open task keeps its row (id, assignee, dates): nothing to redo for the employer.
    assert open_task(case).id == task.id
    event = Event.query.filter_by(case_id=case.id, kind="version_migrated").one()
    assert event.summary == "Dossier passé de la version 1 à la version 2 du processus"
    assert event.actor_id == world.users["owner"]
    assert AuditEntry.query.filter_by(action="case_version_migrated").one().data["case"] == case.reference
    # The moved case goes on as usual.
    study(world, case)
    assert case.stage == "processing"


def test_a_case_that_cannot_move_says_why_and_stays(world):
    case = send_application(world)
    publish(world, without_first_notification(shipped_xml()), note="Sans notification")
    _newest, [trial] = service.precheck(KEY, [case.id])
    assert not trial.can_move
    assert trial.reasons == ["L'étape « Prévenir l'employeur, le candidat et l'émetteur » où le dossier est passé "
                             "n'existe plus dans cette version."]
    _newest, [outcome] = service.migrate(KEY, [(case.id, trial.lock_version)], world.user("owner"))
    assert not outcome.migrated
    assert "n'existe plus dans cette version" in outcome.message
    db.session.refresh(case)
    assert case.process_version.version == 1
    assert Event.query.filter_by(case_id=case.id, kind="version_migrated").count() == 0


def test_a_case_changed_since_its_precheck_is_refused(world):
    case = send_application(world)
    publish(world, thirty_days())
    _newest, [trial] = service.precheck(KEY, [case.id])
    study(world, case)  # the employer acts between the pre-check and the migration
    _newest, [outcome] = service.migrate(KEY, [(case.id, trial.lock_version)], world.user("owner"))
    assert not outcome.migrated
    assert outcome.message == ("Ce dossier a changé depuis la vérification préalable : vérifiez-le de nouveau "
                               "avant de le migrer.")
    db.session.refresh(case)
    assert case.process_version.version == 1
    assert AuditEntry.query.filter_by(action="case_version_migrated").count() == 0


# -- simulation ----------------------------------------------------------------------------------

def test_simulation_runs_the_draft_on_copies_and_touches_nothing(world):
    new_case = send_application(world)
    studied = send_application(world, seeker="aicha")
    study(world, studied)
    stored = {c.id: (c.workflow_json, c.lock_version, c.process_version_id, len(c.events)) for c in (new_case, studied)}
    notifications = Notification.query.count()
    service.save_draft(KEY, thirty_days(), {}, 0, world.user("owner"))

    report = service.simulate_draft(KEY)
    trials = {t.case_id: t for t in report.trials}
    assert report.problems == [] and set(trials) == {new_case.id, studied.id}
    assert trials[new_case.id].ok
    assert trials[new_case.id].waiting_at == ["Traiter la nouvelle candidature", "Embauché ailleurs (message attendu)"]
    [(timer, due)] = trials[new_case.id].timers
    assert timer == "30 jours sans réponse"
    assert due == pytest.approx(utcnow() + timedelta(days=30), abs=timedelta(minutes=5))
    assert trials[studied.id].waiting_at[0] == "Statuer sur la candidature à l'étude"

    db.session.expire_all()
    for case in Case.query.filter(Case.id.in_(stored)):
        assert (case.workflow_json, case.lock_version, case.process_version_id, len(case.events)) == stored[case.id]
    assert Notification.query.count() == notifications
    assert ProcessVersion.query.filter_by(process_key=KEY).count() == 1


def test_simulation_reports_cases_the_draft_cannot_take(world):
    case = send_application(world)
    service.save_draft(KEY, without_first_notification(shipped_xml()), {}, 0, world.user("owner"))
    [trial] = service.simulate_draft(KEY).trials
    assert trial.case_id == case.id and not trial.ok
    assert "n'existe plus dans cette version" in trial.reasons[0]


def test_service_operations_are_only_written_down_in_a_dry_run(world):
    from SpiffWorkflow.bpmn import BpmnWorkflow

    parsed = parse_process(shipped_xml(), "essai")
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    engine = DryRunScriptEngine()
    workflow.script_engine = engine
    workflow.do_engine_steps()
    assert engine.calls == [{"element": "Prévenir l'employeur, le candidat et l'émetteur", "operation": "notify"}]
    assert Notification.query.count() == 0 and Task.query.count() == 0


# -- export --------------------------------------------------------------------------------------

def test_the_export_command_writes_the_versions_in_service(world, app, tmp_path):
    text = service.published_form_text("application_review").replace("Traiter la candidature", "Étudier")
    publish(world, thirty_days(), forms={"application_review": text})
    result = app.test_cli_runner().invoke(args=["processes", "export", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "application.bpmn").read_text(encoding="utf-8") == thirty_days(
        ProcessVersion.query.filter_by(process_key=KEY, version=1).one().xml)
    assert (tmp_path / "hire.bpmn").exists()
    assert (tmp_path / "forms" / "application_review.yaml").read_text(encoding="utf-8") == text
    assert "application.bpmn écrit" in result.output
    assert formspec.parse_spec(text, "application_review").title == "Étudier"
