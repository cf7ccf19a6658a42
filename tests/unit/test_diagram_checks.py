"""The diagram checker (app/engine/checks.py): each rule on a small broken diagram.

Every problem names its element and speaks French; a sound diagram gives none.
"""
from pathlib import Path

import pytest

from app import formspec
from app.config import ROOT
from app.engine import checks

FORM = """title: Étudier
fields:
  - name: decision
    type: choice
    required: true
    label: Décision
    choices:
      accept: Accepter
      refuse: Refuser
"""


def lookup(forms):
    def find(form_key):
        if form_key not in forms:
            raise formspec.FormSpecError(f"Le formulaire « {form_key} » est introuvable.")
        return formspec.parse_spec(forms[form_key], form_key)
    return find


def context(**overrides):
    settings = {"forms": lookup({"review": FORM}), "process_keys": {"essai", "hire"},
                "operations": {"notify": "Envoyer une notification"}, "expected_process_id": "essai"}
    settings.update(overrides)
    return checks.CheckContext(**settings)


def diagram(*nodes, flows=(), lanes='<bpmn:lane id="Lane_1" name="Employeur"/>', process_id="essai",
            properties="", root_extra=""):
    """A process start → nodes… → end, with the given flow nodes wired in order."""
    ids = ["start"] + [_id(node) for node in nodes] + ["end"]
    wiring = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                     for i, (a, b) in enumerate(zip(ids, ids[1:])))
    extension = (f"<bpmn:extensionElements><spiffworkflow:properties>{properties}"
                 "</spiffworkflow:properties></bpmn:extensionElements>") if properties else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_essai"
  targetNamespace="http://parcours.local/bpmn">
  {root_extra}
  <bpmn:process id="{process_id}" name="Essai" isExecutable="true">{extension}
    <bpmn:laneSet id="LaneSet_1">{lanes}</bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    {"".join(nodes)}
    <bpmn:endEvent id="end"/>
    {wiring}{"".join(flows)}
  </bpmn:process>
</bpmn:definitions>"""


def _id(node):
    return node.split('id="', 1)[1].split('"', 1)[0]


def user_task(properties='<spiffworkflow:property name="formKey" value="review"/>', task_id="ut", name="Étudier"):
    return (f'<bpmn:userTask id="{task_id}" name="{name}"><bpmn:extensionElements><spiffworkflow:properties>'
            f'{properties}</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')


def service_task(operation="notify", parameters='<spiffworkflow:parameter id="template" type="any" value=\'"x"\'/>'):
    return ('<bpmn:serviceTask id="st" name="Prévenir"><bpmn:extensionElements>'
            f'<spiffworkflow:serviceTaskOperator id="{operation}" resultVariable=""><spiffworkflow:parameters>'
            f'{parameters}</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>'
            '</bpmn:extensionElements></bpmn:serviceTask>')


def timer_event(body, kind="timeDuration"):
    return ('<bpmn:intermediateCatchEvent id="wait" name="Attendre"><bpmn:timerEventDefinition id="wait_def">'
            f'<bpmn:{kind}>{body}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')


def problems_of(xml, **overrides):
    return checks.check_diagram(xml, context(**overrides))


def only(problems, element_id):
    found = [p for p in problems if p.element_id == element_id]
    assert found, problems
    return found


def test_a_sound_diagram_has_no_problem():
    assert problems_of(diagram(user_task(), service_task(), timer_event('"P30D"'))) == []


@pytest.mark.parametrize("name", ["application.bpmn", "hire.bpmn"])
def test_the_shipped_diagrams_pass(name):
    forms_dir = ROOT / "forms"
    known = {p.stem for p in (ROOT / "bpmn").glob("*.bpmn")}
    import app.services.operations  # noqa: F401  (registers the operations)
    from app.engine.operations import names
    ctx = checks.CheckContext(forms=lambda key: formspec.load_spec(key, forms_dir), process_keys=known,
                              operations=names(), expected_process_id=Path(name).stem)
    assert checks.errors(checks.check_diagram((ROOT / "bpmn" / name).read_text(encoding="utf-8"), ctx)) == []


# -- the file itself ----------------------------------------------------------------------------

def test_a_file_that_is_not_xml():
    [problem] = problems_of("<bpmn:definitions")
    assert problem.message.startswith("Le fichier n'est pas un XML valide (ligne 1)")
    assert problem.element_id == ""


def test_a_file_that_is_not_bpmn():
    [problem] = problems_of('<?xml version="1.0"?><html><body/></html>')
    assert "n'est pas un diagramme BPMN 2.0" in problem.message


def test_a_doctype_is_refused():
    xml = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]>' + diagram().split("?>", 1)[1]
    [problem] = problems_of(xml)
    assert problem.message.startswith("Le fichier ne doit pas contenir de déclaration DOCTYPE")


def test_exactly_one_executable_process():
    xml = diagram().replace('isExecutable="true"', 'isExecutable="false"')
    [problem] = problems_of(xml)
    assert problem.message == "Le diagramme doit contenir exactement un processus exécutable (il en contient 0)."


def test_the_process_keeps_its_id():
    problems = problems_of(diagram(process_id="autre"))
    [problem] = only(problems, "autre")
    assert "L'identifiant du processus doit rester « essai »" in problem.message


def test_xsd_violations_are_reported_by_the_engine_parse():
    xml = diagram(user_task()).replace("<bpmn:endEvent", "<bpmn:bogus id='b'/><bpmn:endEvent")
    [problem] = problems_of(xml)
    assert problem.message.startswith("Le moteur refuse le diagramme")
    assert "schéma BPMN" in problem.message


# -- user tasks ---------------------------------------------------------------------------------

def test_a_user_task_needs_a_form_key():
    [problem] = problems_of(diagram(user_task(properties="")))
    assert problem.element_id == "ut"
    assert problem.element_name == "Étudier"
    assert problem.message == "La tâche « Étudier » n'a pas de formulaire : choisissez-en un (propriété formKey)."


def test_the_form_spec_must_exist():
    [problem] = problems_of(diagram(user_task('<spiffworkflow:property name="formKey" value="absent"/>')))
    assert problem.element_id == "ut"
    assert "Le formulaire « absent » est introuvable" in problem.message


def test_the_form_spec_must_be_valid():
    broken = lookup({"review": "title: Étudier\nfields:\n  - name: x\n    type: couleur\n    label: X\n"})
    [problem] = problems_of(diagram(user_task()), forms=broken)
    assert "type inconnu « couleur »" in problem.message


def test_choices_must_name_a_choice_field_and_its_codes():
    props = ('<spiffworkflow:property name="formKey" value="review"/>'
             '<spiffworkflow:property name="choices.decision" value="accept,postpone"/>'
             '<spiffworkflow:property name="choices.colour" value="red"/>')
    messages = [p.message for p in problems_of(diagram(user_task(props)))]
    assert any("« postpone » n'est pas un choix possible de « decision »" in m for m in messages)
    assert any("n'a pas de champ « colour »" in m for m in messages)


def test_due_in_must_be_an_iso_duration():
    props = ('<spiffworkflow:property name="formKey" value="review"/>'
             '<spiffworkflow:property name="dueIn" value="30 jours"/>')
    [problem] = problems_of(diagram(user_task(props)))
    assert "doit être une durée ISO 8601 (par exemple P30D pour 30 jours), pas « 30 jours »" in problem.message
    props = props.replace("30 jours", "P")
    assert problems_of(diagram(user_task(props)))


def test_listed_is_true_or_false():
    props = ('<spiffworkflow:property name="formKey" value="review"/>'
             '<spiffworkflow:property name="listed" value="peut-être"/>')
    [problem] = problems_of(diagram(user_task(props)))
    assert "doit valoir true ou false" in problem.message


def test_an_unknown_property_is_a_warning():
    props = ('<spiffworkflow:property name="formKey" value="review"/>'
             '<spiffworkflow:property name="formkey" value="review"/>')
    [problem] = problems_of(diagram(user_task(props)))
    assert problem.severity == "warning"
    assert "La propriété « formkey »" in problem.message
    assert checks.errors([problem]) == []


# -- lanes --------------------------------------------------------------------------------------

def test_a_lane_names_a_known_role():
    [problem] = problems_of(diagram(lanes='<bpmn:lane id="Lane_x" name="Patron"/>'))
    assert problem.element_id == "Lane_x"
    assert problem.message.startswith("Le couloir « Patron » ne correspond à aucun rôle")
    assert "Employeur" in problem.message


@pytest.mark.parametrize("name", ["Employeur", "prescripteur habilité", "job_seeker", "Plateforme"])
def test_role_labels_keys_and_the_platform_lane_are_known(name):
    assert problems_of(diagram(lanes=f'<bpmn:lane id="Lane_x" name="{name}"/>')) == []


def test_a_human_task_in_the_platform_lane_is_a_warning():
    lanes = '<bpmn:lane id="Lane_p" name="Plateforme"><bpmn:flowNodeRef>ut</bpmn:flowNodeRef></bpmn:lane>'
    [problem] = problems_of(diagram(user_task(), lanes=lanes))
    assert problem.severity == "warning"
    assert "iront à l'équipe support" in problem.message


# -- service tasks ------------------------------------------------------------------------------

def test_a_service_task_names_a_registered_operation():
    [problem] = problems_of(diagram(service_task(operation="teleport")))
    assert problem.element_id == "st"
    assert problem.message == ("L'opération « teleport » de la tâche « Prévenir » n'existe pas "
                               "(opérations connues : notify).")


def test_service_parameters_are_expressions_that_compile():
    params = ('<spiffworkflow:parameter id="template" type="any" value=\'"x\'/>'
              '<spiffworkflow:parameter id="to" type="any" value=""/>'
              '<spiffworkflow:parameter id="sneaky" type="any" value="x.__class__"/>')
    messages = [p.message for p in problems_of(diagram(service_task(parameters=params)))]
    assert any(m.startswith("Le paramètre « template » de « Prévenir » : erreur de syntaxe") for m in messages)
    assert any("Le paramètre « to » de la tâche « Prévenir » est vide" in m for m in messages)
    assert any("le nom « __class__ » est interdit" in m for m in messages)


# -- timers -------------------------------------------------------------------------------------

def test_a_timer_without_quotes_is_explained():
    [problem] = problems_of(diagram(timer_event("P30D")))
    assert problem.element_id == "wait"
    assert problem.message == ("Le délai de la minuterie « Attendre » utilise le nom inconnu « P30D » : une valeur "
                               'fixe s\'écrit entre guillemets, par exemple "P30D" (30 jours).')


def test_a_timer_must_give_an_iso_value():
    [problem] = problems_of(diagram(timer_event('"30 jours"')))
    assert "doit donner une durée ISO 8601" in problem.message
    [problem] = problems_of(diagram(timer_event("60")))
    assert "doit donner un texte ISO 8601 entre guillemets" in problem.message
    [problem] = problems_of(diagram(timer_event('"demain"', kind="timeDate")))
    assert "doit donner une date et heure ISO 8601" in problem.message


def test_timers_evaluate_without_case_data():
    [problem] = problems_of(diagram(timer_event("hire_end_date")))
    assert "utilise le nom inconnu « hire_end_date »" in problem.message


@pytest.mark.parametrize("body, kind", [('"P2W"', "timeDuration"), ('"PT12H"', "timeDuration"),
                                        ('"2030-01-31T09:00:00+01:00"', "timeDate"),
                                        ('"R3/P7D"', "timeCycle"), ('"P" + "30D"', "timeDuration")])
def test_valid_timers_pass(body, kind):
    assert problems_of(diagram(timer_event(body, kind))) == []


# -- call activities, expressions, milestones ----------------------------------------------------

def test_a_call_activity_points_to_a_known_process():
    node = '<bpmn:callActivity id="call" name="Embaucher" calledElement="recrutement"/>'
    [problem] = problems_of(diagram(node))
    assert problem.element_id == "call"
    assert "(« recrutement ») n'existe pas (processus connus : essai, hire)" in problem.message


def test_conditions_compile():
    gateway = '<bpmn:exclusiveGateway id="gw" name="Décision ?"/>'
    refuse = ('<bpmn:sequenceFlow id="f_refuse" name="Refus" sourceRef="gw" targetRef="end">'
              '<bpmn:conditionExpression>decision == </bpmn:conditionExpression></bpmn:sequenceFlow>')
    [problem] = only(problems_of(diagram(gateway, flows=[refuse])), "f_refuse")
    assert problem.message.startswith("La condition de « Refus » : erreur de syntaxe")


def test_scripts_may_not_import():
    node = '<bpmn:scriptTask id="script" name="Calculer"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
    [problem] = problems_of(diagram(node))
    assert problem.message == "Le script de « Calculer » : les imports sont interdits dans les scripts."


def test_message_payloads_compile_and_messages_have_names():
    root = '<bpmn:message id="msg" name=""/>'
    node = ('<bpmn:intermediateThrowEvent id="throw" name="Prévenir"><bpmn:messageEventDefinition id="d" '
            'messageRef="msg"><bpmn:extensionElements>'
            '<spiffworkflow:messagePayload>{"a": </spiffworkflow:messagePayload>'
            '</bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateThrowEvent>')
    messages = [p.message for p in only(problems_of(diagram(node, root_extra=root)), "throw")]
    assert any("Le message de « Prévenir » n'a pas de nom" in m for m in messages)
    assert any(m.startswith("Le contenu du message de « Prévenir » : erreur de syntaxe") for m in messages)


def test_a_milestone_carries_a_short_stage_code():
    node = ('<bpmn:intermediateThrowEvent id="ms" name="Déclinée"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="stage" value="Déclinée !"/></spiffworkflow:properties>'
            '</bpmn:extensionElements></bpmn:intermediateThrowEvent>')
    [problem] = problems_of(diagram(node))
    assert problem.element_id == "ms"
    assert "doit être un code court en minuscules" in problem.message


def test_process_properties_are_checked():
    props = ('<spiffworkflow:property name="referencePrefix" value="cand"/>'
             '<spiffworkflow:property name="summaryFields" value="decision, refus motif"/>')
    messages = [p.message for p in problems_of(diagram(properties=props))]
    assert any("Le préfixe des références" in m for m in messages)
    assert any("« refus motif » ne convient pas" in m for m in messages)
