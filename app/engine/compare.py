"""Compare two versions of a diagram element by element (same BPMN id = same element).

compare(old_xml, new_xml) -> Comparison(added, removed, changed): each element with its
id, type, name and, for a changed one, the list of what changed (name, type, lane,
properties the engine reads, operation and parameters, conditions, timers, scripts).
"""
from dataclasses import dataclass, field

from lxml import etree

from app.engine.parsing import BPMN_NS, SPIFF_NS

NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

# The French names of the element types a process owner meets.
TYPE_LABELS = {
    "process": "Processus", "lane": "Couloir", "startEvent": "Événement de début", "endEvent": "Événement de fin",
    "userTask": "Tâche humaine", "serviceTask": "Tâche automatique", "scriptTask": "Tâche script",
    "manualTask": "Tâche manuelle", "task": "Tâche", "sendTask": "Tâche d'envoi", "receiveTask": "Tâche de réception",
    "businessRuleTask": "Tâche de règle métier", "callActivity": "Appel de processus", "subProcess": "Sous-processus",
    "exclusiveGateway": "Branchement exclusif", "parallelGateway": "Branchement parallèle",
    "inclusiveGateway": "Branchement inclusif", "eventBasedGateway": "Branchement sur événement",
    "intermediateThrowEvent": "Événement intermédiaire (émission)",
    "intermediateCatchEvent": "Événement intermédiaire (attente)", "boundaryEvent": "Événement attaché",
    "sequenceFlow": "Flux", "message": "Message",
}
SKIPPED = {"extensionElements", "incoming", "outgoing", "flowNodeRef", "laneSet", "documentation"}


@dataclass
class Element:
    id: str
    type: str
    name: str
    details: dict = field(default_factory=dict)

    @property
    def type_label(self):
        return TYPE_LABELS.get(self.type, self.type)

    @property
    def label(self):
        return self.name or self.id


@dataclass
class Change:
    element: Element
    changes: list  # (what, before, after)


@dataclass
class Comparison:
    added: list
    removed: list
    changed: list

    @property
    def identical(self):
        return not (self.added or self.removed or self.changed)


def compare(old_xml, new_xml):
    old, new = elements(old_xml), elements(new_xml)
    added = [new[i] for i in new if i not in old]
    removed = [old[i] for i in old if i not in new]
    changed = []
    for element_id in old:
        if element_id not in new:
            continue
        before, after = old[element_id], new[element_id]
        changes = []
        if before.type != after.type:
            changes.append(("Type", before.type_label, after.type_label))
        if before.name != after.name:
            changes.append(("Nom", before.name, after.name))
        for key in sorted(set(before.details) | set(after.details)):
            if before.details.get(key) != after.details.get(key):
                changes.append((key, before.details.get(key, ""), after.details.get(key, "")))
        if changes:
            changed.append(Change(after, changes))
    return Comparison(added, removed, changed)


def elements(xml):
    """{id: Element} for the messages and every element of the executable process."""
    root = etree.fromstring(xml.encode("utf-8"))
    found = {}
    lanes = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            if ref.text:
                lanes[ref.text.strip()] = (lane.get("name") or "").strip()
    for message in root.findall("bpmn:message", NS):
        found[message.get("id")] = Element(message.get("id"), "message", message.get("name") or "")
    for process in root.findall("bpmn:process", NS):
        found[process.get("id")] = Element(process.get("id"), "process", process.get("name") or "",
                                           _properties(process))
        for node in process.iter():
            if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS or node is process:
                continue
            kind = etree.QName(node).localname
            if kind in SKIPPED or not node.get("id") or _inside_extension(node, process):
                continue
            if kind.endswith("EventDefinition") or kind in ("conditionExpression", "script"):
                continue  # described with the element that holds them
            details = _details(node, kind)
            if node.get("id") in lanes:
                details["Couloir"] = lanes[node.get("id")]
            found[node.get("id")] = Element(node.get("id"), kind, (node.get("name") or "").strip(), details)
    return found


def _inside_extension(node, process):
    parent = node.getparent()
    while parent is not None and parent is not process:
        if etree.QName(parent).localname == "extensionElements":
            return True
        parent = parent.getparent()
    return False


def _properties(node):
    found = node.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)
    return {f"Propriété {p.get('name')}": p.get("value") or "" for p in found}


def _details(node, kind):
    details = _properties(node)
    operator = node.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
    if operator is not None:
        details["Opération"] = operator.get("id") or ""
        for parameter in operator.iterfind("spiffworkflow:parameters/spiffworkflow:parameter", NS):
            details[f"Paramètre {parameter.get('id')}"] = parameter.get("value") or ""
    condition = node.find("bpmn:conditionExpression", NS)
    if condition is not None:
        details["Condition"] = (condition.text or "").strip()
    if kind == "sequenceFlow":
        details["Relie"] = f"{node.get('sourceRef')} → {node.get('targetRef')}"
    script = node.find("bpmn:script", NS)
    if script is not None:
        details["Script"] = (script.text or "").strip()
    if kind == "boundaryEvent":
        details["Attaché à"] = node.get("attachedToRef") or ""
        details["Interrompt la tâche"] = "non" if node.get("cancelActivity") == "false" else "oui"
    if kind == "callActivity":
        details["Processus appelé"] = node.get("calledElement") or ""
    for timer in node.findall("bpmn:timerEventDefinition", NS):
        for part, label in (("timeDuration", "Minuterie (durée)"), ("timeDate", "Minuterie (date)"),
                            ("timeCycle", "Minuterie (cycle)")):
            value = timer.find(f"bpmn:{part}", NS)
            if value is not None:
                details[label] = (value.text or "").strip()
    for message in node.findall("bpmn:messageEventDefinition", NS):
        details["Message"] = message.get("messageRef") or ""
        payload = message.find("bpmn:extensionElements/spiffworkflow:messagePayload", NS)
        if payload is not None:
            details["Contenu du message"] = (payload.text or "").strip()
        variable = message.find("bpmn:extensionElements/spiffworkflow:messageVariable", NS)
        if variable is not None:
            details["Variable du message"] = (variable.text or "").strip()
    return details
