"""The diagram checker: what "Vérifier" reports and what publishing requires.

check_diagram(xml, context) returns every problem found, each naming the element it
concerns, in French, for a process owner:
  - the file is XML, is BPMN, holds exactly one executable process (with the expected id);
  - our rules: user tasks have a form whose spec exists and is valid (and valid
    `choices.<field>`, `dueIn`, `listed` properties); lanes name a known role; service
    tasks name a registered operation; timers evaluate to ISO-8601 dates/durations;
    call activities point to a known process; every expression (conditions, scripts,
    service parameters, message payloads) compiles and passes scripting.check_source;
    milestones carry a short stage code;
  - SpiffWorkflow's own parse with XSD validation (app.engine.parsing.parse_process).
bpmnlint's modelling rules run in the browser (assets/js/modeler.js): they advise,
these rules decide.
"""
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Callable

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from app import formspec
from app.domain.vocabularies import ROLES
from app.engine import bpmn_extensions as names
from app.engine.parsing import BPMN_NS, DiagramError, parse_process
from app.engine.runtime import role_for_lane
from app.engine.scripting import ForbiddenScript, ParcoursScriptEngine, check_source

SPIFF_NS = names.SPIFF_NS
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

# P30D, PT12H, P1Y2M, P2W: at least one component, T only before hours/minutes/seconds.
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$")
STAGE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A BPMN file needs no DTD; refusing it keeps entity tricks out of every parser.
DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
DOCTYPE_MESSAGE = "Le fichier ne doit pas contenir de déclaration DOCTYPE : un diagramme BPMN n'en a pas besoin."


@dataclass(frozen=True)
class Problem:
    element_id: str
    element_name: str
    message: str
    severity: str = "error"  # "error" blocks publishing; "warning" only informs

    def as_dict(self):
        return asdict(self)


@dataclass
class CheckContext:
    """What the rules compare the diagram with.

    forms: form_key -> FormSpec, raising formspec.FormSpecError (missing or invalid spec).
    process_keys: the processes a call activity may point to.
    operations: {name: label} of the registered service-task operations.
    expected_process_id: the id the executable process must keep (None: any).
    called_xml: [(source, xml)] of other processes, so that SpiffWorkflow resolves call activities.
    """
    forms: Callable
    process_keys: set = field(default_factory=set)
    operations: dict = field(default_factory=dict)
    expected_process_id: str | None = None
    called_xml: list = field(default_factory=list)


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def check_diagram(xml, context):
    """Every problem of the diagram `xml` (a str), errors first; [] when it can be published."""
    if DOCTYPE.search(xml):
        return [Problem("", "", DOCTYPE_MESSAGE)]
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        return [Problem("", "", f"Le fichier n'est pas un XML valide (ligne {exc.lineno}) : {exc.msg}.")]
    if root.tag != f"{{{BPMN_NS}}}definitions":
        return [Problem("", "", "Ce fichier n'est pas un diagramme BPMN 2.0 : son élément racine doit être "
                                "bpmn:definitions.")]
    executable = [p for p in root.findall("bpmn:process", NS) if p.get("isExecutable") == "true"]
    if len(executable) != 1:
        return [Problem("", "", "Le diagramme doit contenir exactement un processus exécutable "
                                f"(il en contient {len(executable)}).")]
    process = executable[0]
    checker = _Checker(root, process, context)
    problems = checker.run()
    problems.extend(_engine_problems(xml, context, checker, problems))
    return sorted(problems, key=lambda p: p.severity != "error")


def _engine_problems(xml, context, checker, found):
    """SpiffWorkflow's parse (XSD and structure), unless our rules already named the cause."""
    if any(p.message.startswith(CALLED_PREFIX) for p in found):
        return []  # SpiffWorkflow would only repeat, less clearly, that the called process is unknown
    try:
        parse_process(xml, source="", extra_xml=context.called_xml)
    except DiagramError as exc:
        where = f" (ligne {exc.line})" if exc.line else ""
        return [Problem(exc.element_id or "", checker.name_of(exc.element_id),
                        f"Le moteur refuse le diagramme{where} : {exc.message}")]
    return []


CALLED_PREFIX = "Le sous-processus appelé"


class _Checker:
    def __init__(self, root, process, context):
        self.root = root
        self.process = process
        self.context = context
        self.problems = []
        self.by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}

    # -- helpers ---------------------------------------------------------------------
    def name_of(self, element_id):
        element = self.by_id.get(element_id)
        if element is None:
            return ""
        return (element.get("name") or "").strip() or element_id

    def add(self, element, message, severity="error"):
        element_id = element.get("id", "") if element is not None else ""
        self.problems.append(Problem(element_id, self.name_of(element_id), message, severity))

    def label(self, element):
        """« name » of an element for messages, or its id."""
        return f"« {self.name_of(element.get('id'))} »"

    @staticmethod
    def local(element):
        return etree.QName(element).localname

    @staticmethod
    def properties(element):
        found = element.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property",
                              namespaces=NS)
        return {p.get("name"): p.get("value") or "" for p in found}

    def expression(self, element, source, what, mode="eval"):
        """Add a problem when `source` does not compile or uses a forbidden name."""
        problem = expression_problem(source, mode)
        if problem:
            self.add(element, f"{what} de {self.label(element)} : {problem}")
        return problem is None

    # -- the rules -----------------------------------------------------------------
    def run(self):
        if self.context.expected_process_id and self.process.get("id") != self.context.expected_process_id:
            self.add(self.process, f"L'identifiant du processus doit rester « {self.context.expected_process_id} » "
                                   f"(il vaut « {self.process.get('id')} ») : les dossiers en cours s'y réfèrent.")
        self.check_process_properties()
        rules = {"lane": self.check_lane, "userTask": self.check_user_task, "serviceTask": self.check_service_task,
                 "scriptTask": self.check_script_task, "sequenceFlow": self.check_sequence_flow,
                 "callActivity": self.check_call_activity, "timerEventDefinition": self.check_timer_definition,
                 "messageEventDefinition": self.check_message_definition}
        for element in self.process.iter():
            if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_NS:
                continue
            rule = rules.get(self.local(element))
            if rule is not None:
                rule(element)
            self.check_stage(element)
            self.check_scripts_around(element)
        return self.problems

    def check_process_properties(self):
        props = self.properties(self.process)
        prefix = props.get(names.REFERENCE_PREFIX)
        if prefix is not None and not re.match(r"^[A-Z]{2,8}$", prefix):
            self.add(self.process, f"Le préfixe des références ({names.REFERENCE_PREFIX}) doit compter 2 à 8 "
                                   f"lettres majuscules (par exemple CAND), pas « {prefix} ».")
        fields = props.get(names.SUMMARY_FIELDS)
        if fields is not None:
            bad = [f.strip() for f in fields.split(",") if f.strip() and not IDENTIFIER.match(f.strip())]
            if bad:
                self.add(self.process, f"Les champs du résumé ({names.SUMMARY_FIELDS}) doivent être des noms de "
                                       f"données séparés par des virgules : « {', '.join(bad)} » ne convient pas.")

    def check_lane(self, lane):
        name = (lane.get("name") or "").strip()
        holds_user_task = any(self.local(self.by_id[ref.text.strip()]) == "userTask"
                              for ref in lane.findall("bpmn:flowNodeRef", NS)
                              if ref.text and ref.text.strip() in self.by_id)
        if name.lower() == names.AUTOMATIC_LANE.lower():
            if holds_user_task:
                self.add(lane, f"Le couloir « {name} » est celui des étapes automatiques : les tâches humaines "
                               "qui s'y trouvent iront à l'équipe support.", "warning")
            return
        if role_for_lane(name) is None:
            known = ", ".join(list(ROLES.values()) + [names.AUTOMATIC_LANE])
            self.add(lane, f"Le couloir « {name or lane.get('id')} » ne correspond à aucun rôle : nommez-le "
                           f"d'après un rôle connu ({known}).")

    def check_user_task(self, task):
        props = self.properties(task)
        form_key = (props.get(names.FORM_KEY) or "").strip()
        spec = None
        if not form_key:
            self.add(task, f"La tâche {self.label(task)} n'a pas de formulaire : choisissez-en un "
                           f"(propriété {names.FORM_KEY}).")
        else:
            try:
                spec = self.context.forms(form_key)
            except formspec.FormSpecError as exc:
                self.add(task, f"Le formulaire de la tâche {self.label(task)} est inutilisable : {exc}")
        restrict = formspec.parse_restrict_choices(props)
        if spec is not None and restrict:
            for problem in formspec.check_restrict_choices(spec, restrict):
                self.add(task, f"Choix proposés par la tâche {self.label(task)} : {problem}")
        due = props.get(names.DUE_IN)
        if due is not None and not is_iso_duration(due):
            self.add(task, f"L'échéance de la tâche {self.label(task)} doit être une durée ISO 8601 "
                           f"(par exemple P30D pour 30 jours), pas « {due} ».")
        listed = props.get(names.LISTED)
        if listed is not None and listed.strip().lower() not in ("true", "false"):
            self.add(task, f"« Visible dans les boîtes de réception » de la tâche {self.label(task)} doit valoir "
                           f"true ou false, pas « {listed} ».")
        for key in props:
            if key not in names.USER_TASK_PROPERTIES and not key.startswith(names.CHOICES_PREFIX):
                self.add(task, f"La propriété « {key} » de la tâche {self.label(task)} n'est pas lue par le "
                               "moteur : vérifiez son nom.", "warning")

    def check_service_task(self, task):
        operator = task.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
        operation = (operator.get("id") or "").strip() if operator is not None else ""
        if not operation:
            self.add(task, f"La tâche automatique {self.label(task)} n'indique pas d'opération : choisissez-en une.")
            return
        if operation not in self.context.operations:
            known = ", ".join(sorted(self.context.operations)) or "aucune"
            self.add(task, f"L'opération « {operation} » de la tâche {self.label(task)} n'existe pas "
                           f"(opérations connues : {known}).")
        for parameter in operator.iterfind("spiffworkflow:parameters/spiffworkflow:parameter", NS):
            pid = parameter.get("id") or ""
            value = parameter.get("value")
            if not IDENTIFIER.match(pid):
                self.add(task, f"Un paramètre de la tâche {self.label(task)} a un nom invalide (« {pid} ») : "
                               "lettres, chiffres et _ seulement.")
            if value is None or not value.strip():
                self.add(task, f"Le paramètre « {pid} » de la tâche {self.label(task)} est vide : donnez une "
                               "expression (un texte entre guillemets, par exemple \"modele\").")
            else:
                self.expression(task, value, f"Le paramètre « {pid} »")

    def check_script_task(self, task):
        script = task.find("bpmn:script", NS)
        if script is None or not (script.text or "").strip():
            self.add(task, f"La tâche script {self.label(task)} n'a pas de script.")
            return
        self.expression(task, script.text, "Le script", mode="exec")

    def check_sequence_flow(self, flow):
        condition = flow.find("bpmn:conditionExpression", NS)
        if condition is not None and (condition.text or "").strip():
            self.expression(flow, condition.text.strip(), "La condition")

    def check_call_activity(self, activity):
        called = (activity.get("calledElement") or "").strip()
        local = {p.get("id") for p in self.root.findall("bpmn:process", NS)}
        if not called or called not in (self.context.process_keys | local):
            known = ", ".join(sorted(self.context.process_keys)) or "aucun"
            self.add(activity, f"{CALLED_PREFIX} par {self.label(activity)} (« {called} ») n'existe pas "
                               f"(processus connus : {known}).")

    def check_timer_definition(self, definition):
        event = definition.getparent()
        for kind in ("timeDuration", "timeDate", "timeCycle"):
            node = definition.find(f"bpmn:{kind}", NS)
            if node is None:
                continue
            self.check_timer(event, kind, (node.text or "").strip())
            return
        self.add(event, f"La minuterie {self.label(event)} n'a pas de délai : choisissez un type (date, durée "
                        "ou cycle) et une valeur.")

    def check_timer(self, event, kind, expression):
        example = {"timeDuration": '"P30D" (30 jours)', "timeDate": '"2030-01-31T09:00:00+01:00"',
                   "timeCycle": '"R3/P7D" (3 fois, tous les 7 jours)'}[kind]
        what = f"Le délai de la minuterie {self.label(event)}"
        if not expression:
            self.add(event, f"{what} est vide : indiquez par exemple {example}.")
            return
        if not self.expression(event, expression, "Le délai de la minuterie"):
            return
        try:
            value = evaluate_on_empty_data(expression)
        except NameError as exc:
            if kind == "timeDate" and IDENTIFIER.match(expression):
                # A date read from the case data (e.g. the end of a suspension), set by an earlier step.
                self.add(event, f"{what} est lu dans la donnée « {expression} » du dossier : vérifiez qu'une "
                                "étape précédente la calcule (date et heure ISO 8601).", severity="warning")
                return
            self.add(event, f"{what} utilise le nom inconnu « {getattr(exc, 'name', '') or exc} » : une valeur "
                            f"fixe s'écrit entre guillemets, par exemple {example}.")
            return
        except Exception as exc:  # any error of the process owner's expression is reported, not raised
            self.add(event, f"{what} ne peut pas être calculé : {exc}.")
            return
        if not isinstance(value, str):
            self.add(event, f"{what} doit donner un texte ISO 8601 entre guillemets, par exemple {example}.")
            return
        if not timer_value_is_valid(kind, value):
            expected = {"timeDuration": "une durée", "timeDate": "une date et heure",
                        "timeCycle": "un cycle"}[kind]
            self.add(event, f"{what} doit donner {expected} ISO 8601, par exemple {example}, pas « {value} ».")

    def check_message_definition(self, definition):
        event = definition.getparent()
        ref = definition.get("messageRef")
        message = self.by_id.get(ref) if ref else None
        if message is not None and not (message.get("name") or "").strip():
            self.add(event, f"Le message de {self.label(event)} n'a pas de nom : les dossiers s'échangent les "
                            "messages par leur nom.")
        payload = definition.find("bpmn:extensionElements/spiffworkflow:messagePayload", NS)
        if payload is not None and (payload.text or "").strip():
            self.expression(event, payload.text.strip(), "Le contenu du message")
        variable = definition.find("bpmn:extensionElements/spiffworkflow:messageVariable", NS)
        if variable is not None and (variable.text or "").strip() and not IDENTIFIER.match(variable.text.strip()):
            self.add(event, f"La variable qui reçoit le message de {self.label(event)} doit être un nom de donnée "
                            f"(lettres, chiffres et _), pas « {variable.text.strip()} ».")

    def check_stage(self, element):
        if self.local(element) == "process":
            return
        stage = self.properties(element).get(names.STAGE)
        if stage is not None and not STAGE_CODE.match(stage):
            self.add(element, f"L'étape métier de {self.label(element)} doit être un code court en minuscules, "
                              f"chiffres et _ (par exemple refused), pas « {stage} ».")

    def check_scripts_around(self, element):
        for kind, label in (("preScript", "Le script avant"), ("postScript", "Le script après")):
            node = element.find(f"bpmn:extensionElements/spiffworkflow:{kind}", NS)
            if node is not None and (node.text or "").strip():
                self.expression(element, node.text, label, mode="exec")


# -- shared helpers ------------------------------------------------------------------

def expression_problem(source, mode="eval"):
    """A French description of why `source` cannot run in our script engine, or None."""
    try:
        compile(source, "<diagramme>", mode)
        check_source(source)
    except SyntaxError as exc:
        return f"erreur de syntaxe (ligne {exc.lineno or 1}) : {_syntax_message(exc)}"
    except ForbiddenScript as exc:
        return f"{exc}."
    except (ValueError, TypeError) as exc:  # e.g. a null byte
        return f"expression illisible ({exc})."
    return None


def _syntax_message(exc):
    return {"invalid syntax": "syntaxe invalide", "unexpected EOF while parsing": "expression incomplète",
            "unterminated string literal (detected at line 1)": "guillemet fermant manquant"}.get(exc.msg, exc.msg)


def evaluate_on_empty_data(expression):
    """Evaluate an expression as the engine does, with no case data (timers must not need any)."""
    engine = ParcoursScriptEngine()
    return engine.environment.evaluate(expression, {})


def is_iso_duration(value):
    value = (value or "").strip().upper()
    if not ISO_DURATION.match(value):
        return False
    try:
        TimerEventDefinition.parse_iso_duration(value)
    except Exception:
        return False
    return True


def timer_value_is_valid(kind, value):
    try:
        if kind == "timeDuration":
            return is_iso_duration(value)
        if kind == "timeDate":
            datetime.fromisoformat(value)
            return True
        cycles, _start, _duration = TimerEventDefinition.parse_iso_recurring_interval(value)
        return value.upper().startswith("R") and (cycles == -1 or cycles > 0)
    except Exception:
        return False

