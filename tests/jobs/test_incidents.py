"""Incidents with a real RQ worker: a failing automatic step is retried automatically with
backoff, becomes an incident, and support retries it to completion; a failed background job
is listed with its error and retried (or abandoned) from the incidents page."""
import os
import re

import pytest
from rq.registry import FailedJobRegistry

from app.engine import processes, runtime
from app.extensions import db
from app.jobs.queue import get_queue
from app.models import AuditEntry, Case, Event, Organisation, Task, User
from tests.conftest import backends
from tests.support.waiting import wait_for
from tests.web.builders import build_scene, login, text

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_{key}"
  targetNamespace="http://parcours.local/bpmn">
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {body}
  </bpmn:process>
</bpmn:definitions>"""

# A case whose first automatic step opens a linked case of a process not published yet.
FAILING = DIAGRAM.format(key="essai_incident", name="Essai d'incident", body="""
    <bpmn:serviceTask id="open_linked" name="Ouvrir le dossier lié">
      <bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="start_case" resultVariable="">
        <spiffworkflow:parameters><spiffworkflow:parameter id="process" type="any" value='"essai_lie"' />
        </spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:userTask id="ut_check" name="Vérifier le dossier lié">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="support_reason" /></spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="open_linked" />
    <bpmn:sequenceFlow id="f2" sourceRef="open_linked" targetRef="ut_check" />
    <bpmn:sequenceFlow id="f3" sourceRef="ut_check" targetRef="end" />""")
LINKED = DIAGRAM.format(key="essai_lie", name="Dossier lié", body="""
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />""")

DELAYS = [0.2, 0.2]


def flaky_job(marker):
    """A background job that fails until the file `marker` exists (run by the real worker)."""
    if not os.path.exists(marker):
        raise RuntimeError("le fichier attendu n'existe pas encore")
    db.session.add(Organisation(category="prescriber", kind="FT", name="Créée par la tâche relancée"))
    db.session.commit()
    return "ok"


def automatic_retries(app, case_id):
    with app.app_context():
        return [e.data.get("attempt") for e in Event.query.filter_by(case_id=case_id, kind="service_retried")
                .order_by(Event.id) if e.data.get("automatic")]


def support_client(app, scene):
    client = app.test_client()
    assert login(client, scene.email("support")).status_code == 302
    return client


@pytest.mark.app_config(SERVICE_RETRY_DELAYS=DELAYS)
@pytest.mark.parametrize("database_url", backends(), indirect=True)
def test_a_failing_step_is_retried_automatically_then_support_retries_it_to_completion(app, rq_worker):
    scene = build_scene(app)
    with app.app_context():
        processes.store_version("essai_incident", FAILING, source="published", name="Essai d'incident")
        db.session.commit()
        case = runtime.start_case("essai_incident", {}, [])
        db.session.commit()  # the engine planned the automatic retries: they start after this commit
        case_id = case.id
        assert case.status == "error"

    # The worker's scheduler runs the attempts after their delays; each fails the same way.
    try:
        wait_for(lambda: automatic_retries(app, case_id) == [1, 2], timeout=60,
                 message="the two automatic attempts")
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- worker log ---\n{rq_worker.log()}") from None
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "error"
        assert "aucun processus « essai_lie » n'est publié" in case.last_error
        reference = case.reference

    client = support_client(app, scene)
    incidents = text(client.get("/incidents"))
    row = re.search(rf"{reference}.*?</tr>", incidents, re.DOTALL).group(0)
    assert "Ouvrir le dossier lié" in row and "aucun processus « essai_lie » n'est publié" in row
    assert re.search(r"<td>2</td>", row)  # two retries so far

    # The cause goes away (the linked process is published); support retries with a reason.
    with app.app_context():
        processes.store_version("essai_lie", LINKED, source="published", name="Dossier lié")
        db.session.commit()
        version = db.session.get(Case, case_id).lock_version
    retried = client.post(f"/dossiers/{case_id}/support/relancer?version={version}",
                          data={"reason": "Processus lié publié."})
    assert retried.status_code == 302
    assert "relancée avec succès" in text(client.get(f"/dossiers/{case_id}/support"))
    assert reference not in text(client.get("/incidents"))
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "running"
        assert Case.query.filter_by(parent_case_id=case_id, process_key="essai_lie", status="completed").count() == 1
        task = Task.query.filter_by(case_id=case_id, state="open").one()
    done = client.post(f"/taches/{task.id}", data={"reason": "Dossier lié vérifié."})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).status == "completed"
    assert "Traceback" not in rq_worker.log()


def test_a_failed_background_job_is_listed_then_retried_or_abandoned(app, rq_worker, tmp_path):
    scene = build_scene(app)
    marker = tmp_path / "ready"
    with app.app_context():
        queue = get_queue()
        # No RQ retries: straight to the failed jobs.
        job = queue.enqueue_call("tests.jobs.test_incidents.flaky_job", args=(str(marker),))
        other = queue.enqueue_call("tests.jobs.test_incidents.flaky_job", args=(str(tmp_path / "never"),))
        registry = FailedJobRegistry(queue=queue)
        wait_for(lambda: {job.id, other.id} <= set(registry.get_job_ids()), timeout=60,
                 message="the jobs to fail")

    client = support_client(app, scene)
    page = text(client.get("/incidents"))
    assert job.id in page and "RuntimeError: le fichier attendu n'existe pas encore" in page
    assert "tests.jobs.test_incidents.flaky_job" in page

    missing_reason = client.post(f"/incidents/taches-de-fond/{job.id}/relancer", data={"reason": ""})
    assert missing_reason.status_code == 422
    marker.write_text("prêt")
    assert client.post(f"/incidents/taches-de-fond/{job.id}/relancer",
                       data={"reason": "Fichier déposé."}).status_code == 302

    def created():
        with app.app_context():
            return Organisation.query.filter_by(name="Créée par la tâche relancée").count() == 1
    wait_for(created, timeout=60, message="the retried job to run")

    assert client.post(f"/incidents/taches-de-fond/{other.id}/abandonner",
                       data={"reason": "Tâche de test inutile."}).status_code == 302
    with app.app_context():
        assert FailedJobRegistry(queue=get_queue()).get_job_ids() == []
        actions = [(a.action, a.data["reason"], a.actor_id) for a in AuditEntry.query.order_by(AuditEntry.id)]
        support_id = db.session.query(User.id).filter_by(email=scene.email("support")).scalar()
    assert actions == [("job_retried", "Fichier déposé.", support_id),
                       ("job_skipped", "Tâche de test inutile.", support_id)]
    gone = client.post(f"/incidents/taches-de-fond/{other.id}/relancer", data={"reason": "Encore."},
                       follow_redirects=True)
    assert "n'est plus en échec" in text(gone)
