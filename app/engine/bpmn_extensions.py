"""The names of the diagram properties Parcours reads, from bpmn_extensions.json.

The browser modeler (assets/js/modeler.js) imports the same JSON file: its moddle
extension (how bpmn-js reads and writes `spiffworkflow:` elements) and the property
names its dedicated fields write. Renaming a property here renames it in both.
"""
import json
from pathlib import Path

DEFINITION = json.loads(Path(__file__).with_name("bpmn_extensions.json").read_text(encoding="utf-8"))

_properties = DEFINITION["properties"]
REFERENCE_PREFIX = _properties["process"]["referencePrefix"]
SUMMARY_FIELDS = _properties["process"]["summaryFields"]
FORM_KEY = _properties["userTask"]["formKey"]
DUE_IN = _properties["userTask"]["dueIn"]
LISTED = _properties["userTask"]["listed"]
CHOICES_PREFIX = _properties["userTask"]["choicesPrefix"]
STAGE = _properties["anyElement"]["stage"]

USER_TASK_PROPERTIES = (FORM_KEY, DUE_IN, LISTED, STAGE)
PROCESS_PROPERTIES = (REFERENCE_PREFIX, SUMMARY_FIELDS, STAGE)

# The lane of the platform's own automatic steps: it names no role (a human task
# drawn there goes to support staff, as app.engine.runtime does for any unknown lane).
AUTOMATIC_LANE = DEFINITION["lanes"]["automatic"]

SPIFF_NS = DEFINITION["moddle"]["uri"]
