"""Parse BPMN XML into SpiffWorkflow specs, with XSD validation and French errors."""
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}


class DiagramError(ValueError):
    """A diagram that cannot be used, with a French message naming where."""

    def __init__(self, message, source="", line=None, element_id=""):
        where = source + (f", ligne {line}" if line else "")
        super().__init__(f"{where} : {message}" if where else message)
        self.message = message
        self.source = source
        self.line = line
        self.element_id = element_id


@dataclass
class ParsedProcess:
    process_id: str
    name: str
    spec: object
    subprocess_specs: dict
    properties: dict = field(default_factory=dict)


def executable_process_ids(xml, source=""):
    root = _xml_root(xml, source)
    return [p.get("id") for p in root.findall(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]


def process_properties(xml, process_id):
    """spiffworkflow:property values set on the <process> element itself (e.g. referencePrefix)."""
    root = etree.fromstring(xml.encode("utf-8"))
    found = root.xpath(f"//bpmn:process[@id='{process_id}']/bpmn:extensionElements"
                       "/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)
    return {p.get("name"): p.get("value") for p in found}


def parse_process(xml, source="", extra_xml=()):
    """Parse one file's single executable process; extra_xml supplies called processes."""
    ids = executable_process_ids(xml, source)
    if len(ids) != 1:
        raise DiagramError(f"le fichier doit contenir exactement un processus exécutable (trouvé : {len(ids)}).",
                           source)
    process_id = ids[0]
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_str(xml.encode("utf-8"), filename=source or None)
        for other_source, other in extra_xml:
            parser.add_bpmn_str(other.encode("utf-8"), filename=other_source or None)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise DiagramError(_french_validation_message(exc), source, getattr(exc, "line_number", None) or None,
                           getattr(exc, "id", "")) from exc
    except etree.XMLSyntaxError as exc:
        raise DiagramError(f"XML invalide ({exc.msg}).", source, exc.lineno) from exc
    except Exception as exc:  # SpiffWorkflow raises plain exceptions for some structural errors
        raise DiagramError(f"diagramme inutilisable ({exc}).", source) from exc
    return ParsedProcess(process_id, spec.description or process_id, spec, subprocess_specs,
                         process_properties(xml, process_id))


def _xml_root(xml, source):
    try:
        return etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise DiagramError(f"XML invalide ({exc.msg}).", source, exc.lineno) from exc


def _french_validation_message(exc):
    text = str(exc).split("\n")[0]
    if "XSD" in text or "schema" in text.lower() or "Element" in text:
        return f"le diagramme ne respecte pas le schéma BPMN ({text})."
    return f"le diagramme est invalide ({text})."
