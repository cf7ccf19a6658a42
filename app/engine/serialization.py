"""Serialize workflows without their process definition.

SpiffWorkflow's default converter embeds the whole spec in every case (about half
its bytes); ours stores only the task tree, and the spec comes from the process
version the case runs (cached once per version).
"""
import threading
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

# Bumped when our stored shape changes; stored with each case for migrations on load.
FORMAT = "ref-1"


class SpecReferenceWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the specs out of the serialized workflow; restores them from the caller."""

    _specs = threading.local()

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = self._specs.value
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = SpecReferenceWorkflowConverter
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))


def serializer_version():
    return f"{_serializer.VERSION}/{FORMAT}"


def dumps(workflow):
    return _serializer.serialize_json(workflow)


def loads(text, spec, subprocess_specs):
    SpecReferenceWorkflowConverter._specs.value = (spec, subprocess_specs)
    try:
        return _serializer.deserialize_json(text)
    finally:
        SpecReferenceWorkflowConverter._specs.value = None
