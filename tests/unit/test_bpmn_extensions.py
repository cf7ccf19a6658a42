"""app/engine/bpmn_extensions.json describes our spiffworkflow elements to bpmn-js (moddle) and
names the properties the engine reads: what the modeler writes must parse as the engine reads it.

The round trip runs bpmn-moddle (the model under bpmn-js) in Node with that very file.
"""
import json
import shutil
import subprocess

import pytest

from app.config import ROOT
from app.engine import bpmn_extensions, parsing
from app.engine.parsing import parse_process

NODE = shutil.which("node")

# Reads a diagram on stdin, changes it as the modeler's fields do, writes it on stdout.
SCRIPT = """
import { BpmnModdle } from 'bpmn-moddle';
import { readFileSync } from 'node:fs';
const spec = JSON.parse(readFileSync('app/engine/bpmn_extensions.json', 'utf8'));
const moddle = new BpmnModdle({ spiffworkflow: spec.moddle });
const { rootElement: definitions, warnings } = await moddle.fromXML(readFileSync(0, 'utf8'));
if (warnings.length) { console.error(JSON.stringify(warnings.map((w) => w.message))); process.exit(2); }
const names = spec.properties;
const process_ = definitions.rootElements.find((e) => e.$type === 'bpmn:Process');
const byId = (id) => process_.flowElements.find((e) => e.id === id);
const properties = byId('ut_new').extensionElements.values.find((v) => v.$type === 'spiffworkflow:Properties');
properties.get('properties').find((p) => p.name === names.userTask.dueIn).value = 'P15D';
properties.get('properties').push(
  moddle.create('spiffworkflow:Property', { name: names.userTask.listed, value: 'false' }));
const task = byId('archive');
const operator = task.extensionElements.values.find((v) => v.$type === 'spiffworkflow:ServiceTaskOperator');
operator.id = 'notify';
operator.parameterList.get('parameters').push(
  moddle.create('spiffworkflow:Parameter', { id: 'template', type: 'any', value: '"application_archived"' }));
const { xml } = await moddle.toXML(definitions, { format: true });
process.stdout.write(xml);
"""


def test_the_json_names_the_namespace_the_parser_reads():
    assert bpmn_extensions.SPIFF_NS == parsing.SPIFF_NS
    assert bpmn_extensions.DEFINITION["moddle"]["prefix"] == "spiffworkflow"
    assert (bpmn_extensions.FORM_KEY, bpmn_extensions.DUE_IN, bpmn_extensions.STAGE) == ("formKey", "dueIn", "stage")


def _roundtrip(xml):
    if NODE is None or not (ROOT / "node_modules" / "bpmn-moddle").exists():
        pytest.fail("node and node_modules (npm ci) are needed: make test installs them", pytrace=False)
    done = subprocess.run([NODE, "--input-type=module", "-e", SCRIPT], input=xml, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_what_the_modeler_writes_is_what_the_engine_reads():
    original_xml = (ROOT / "bpmn" / "application.bpmn").read_text(encoding="utf-8")
    original = parse_process(original_xml, "avant")
    changed = parse_process(_roundtrip(original_xml), "après")
    assert changed.properties == original.properties  # referencePrefix, summaryFields
    specs = changed.spec.task_specs
    assert specs["ut_new"].extensions["properties"] == {
        **original.spec.task_specs["ut_new"].extensions["properties"], "dueIn": "P15D", "listed": "false"}
    assert specs["archive"].operation_name == "notify"
    assert specs["archive"].operation_params == {"template": {"value": '"application_archived"', "type": "any"}}
    untouched = set(specs) - {"ut_new", "archive"}
    for name in untouched:
        before, after = original.spec.task_specs[name], specs[name]
        assert getattr(after, "extensions", None) == getattr(before, "extensions", None), name
        for attribute in ("operation_name", "operation_params", "script"):
            assert getattr(after, attribute, None) == getattr(before, attribute, None), (name, attribute)


def test_message_payloads_survive_the_round_trip():
    xml = (ROOT / "bpmn" / "hire.bpmn").read_text(encoding="utf-8")
    script = SCRIPT.split("const names")[0] + "process.stdout.write((await moddle.toXML(definitions)).xml);"
    done = subprocess.run([NODE, "--input-type=module", "-e", script], input=xml, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    before, after = parse_process(xml, "avant"), parse_process(done.stdout, "après")
    for name in ("throw_completed", "throw_hired"):
        assert after.spec.task_specs[name].event_definition.expression == \
            before.spec.task_specs[name].event_definition.expression
    assert json.dumps(sorted(after.spec.task_specs)) == json.dumps(sorted(before.spec.task_specs))
