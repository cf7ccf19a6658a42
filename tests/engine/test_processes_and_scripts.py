"""Process versions, diagram parsing errors, restricted scripts, serialization, optimistic lock."""
import json
import shutil

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app import create_app
from app.engine import processes, runtime, serialization
from app.engine.parsing import DiagramError, parse_process
from app.extensions import db
from app.models import Case, Event, ProcessVersion
from tests.support.database import settings_for
from tests.support.world import make_world, open_task, send_application

SCRIPT_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="run" name="Calcul"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run" />
    <bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def world(app, db_session):
    return make_world(app.config["BPMN_DIR"])


def run_script(script):
    version = processes.store_version("scripted", SCRIPT_PROCESS.format(script=script), source="file")
    db.session.commit()
    case = runtime.start_case(version.process_key, {}, [])
    db.session.commit()
    return case


def test_shipped_diagrams_are_stored_once_and_again_only_when_changed(world, app, tmp_path):
    versions = {v.process_key: v.version for v in ProcessVersion.query}
    assert {"application", "hire", "prescription", "authorization"} <= set(versions)
    assert set(versions.values()) == {1}
    assert processes.sync_process_files(app.config["BPMN_DIR"]) == []
    changed = tmp_path / "bpmn"
    shutil.copytree(app.config["BPMN_DIR"], changed)
    path = changed / "application.bpmn"
    path.write_text(path.read_text().replace('"P60D"', '"P30D"'))
    created = processes.sync_process_files(changed)
    assert [(v.process_key, v.version) for v in created] == [("application", 2)]


def test_running_cases_keep_their_version_and_new_ones_take_the_newest(world, app, tmp_path):
    before = send_application(world)
    changed = tmp_path / "bpmn"
    shutil.copytree(app.config["BPMN_DIR"], changed)
    path = changed / "application.bpmn"
    path.write_text(path.read_text().replace("Traiter la nouvelle candidature", "Lire la candidature"))
    processes.sync_process_files(changed)
    after = send_application(world, seeker="aicha")
    assert before.process_version.version == 1 and after.process_version.version == 2
    assert open_task(after).title == "Lire la candidature"
    runtime.complete_task(open_task(before), {"decision": "study"}, world.user("employer"))
    db.session.commit()
    assert before.stage == "processing"


def test_a_diagram_that_does_not_parse_is_named_with_its_line(tmp_path):
    broken = tmp_path / "broken.bpmn"
    broken.write_text('<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n<oops>\n')
    with pytest.raises(DiagramError) as error:
        processes.check_shipped_files(tmp_path)
    assert "broken.bpmn" in str(error.value) and "ligne" in str(error.value)


def test_the_app_refuses_to_start_with_a_broken_shipped_diagram(tmp_path, database_url):
    (tmp_path / "bad.bpmn").write_text("ceci n'est pas du BPMN")
    with pytest.raises(DiagramError, match="bad.bpmn"):
        create_app(settings_for(database_url, BPMN_DIR=str(tmp_path)))


def test_a_diagram_failing_the_bpmn_schema_is_refused_in_french():
    xml = SCRIPT_PROCESS.format(script="x = 1").replace("<bpmn:startEvent", "<bpmn:startEvent bogus='1'")
    with pytest.raises(DiagramError, match="schéma BPMN"):
        parse_process(xml, "schema.bpmn")


def test_scripts_see_dates_and_domain_names(world):
    case = run_script("label = refusal_reasons['auto']\nlater = (date(2026, 1, 31) + timedelta(days=1)).isoformat()")
    data = json.loads(case.workflow_json)
    assert case.status == "completed"
    assert "Refus automatique" in json.dumps(data, ensure_ascii=False) and "2026-02-01" in case.workflow_json


@pytest.mark.parametrize("script", ["open('/etc/passwd').read()", "__import__('os').system('true')",
                                    "().__class__.__base__.__subclasses__()"])
def test_scripts_cannot_reach_files_imports_or_internals(world, script):
    case = run_script(script)
    assert case.status == "error"
    failure = Event.query.filter_by(case_id=case.id, kind="service_failed").one()
    assert "Calcul" in failure.summary


def test_serialized_cases_do_not_embed_the_process_definition(world):
    case = send_application(world)
    stored = json.loads(case.workflow_json)
    assert "spec" not in stored and "subprocess_specs" not in stored
    assert case.serializer_version.endswith(serialization.FORMAT)
    parsed = processes.parsed_version(case.process_version)
    restored = serialization.loads(case.workflow_json, parsed.spec, parsed.subprocess_specs)
    assert [t.task_spec.name for t in restored.get_tasks(state=16, manual=True)] == ["ut_new"]  # 16 = READY


def test_a_stale_case_write_is_refused_by_the_lock(world):
    case = send_application(world)
    # Another request loaded the same case before this one completed its task.
    with Session(db.engine) as other:
        stale = other.get(Case, case.id)
        runtime.complete_task(open_task(case), {"decision": "study"}, world.user("colleague"))
        db.session.commit()
        stale.stage = "pool"
        with pytest.raises(StaleDataError):
            other.commit()
    db.session.refresh(case)
    assert case.stage == "processing"
