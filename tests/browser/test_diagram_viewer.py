"""assets/js/diagram-viewer.js renders a diagram and marks where a case stands."""
from tests.support.axe import assert_accessible

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  id="Definitions_essai" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="essai" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_review" name="Étudier la candidature">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="End"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Task_review"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_review" targetRef="End"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram"><bpmndi:BPMNPlane id="Plane" bpmnElement="essai">
    <bpmndi:BPMNShape id="Start_di" bpmnElement="Start"><dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="Task_di" bpmnElement="Task_review"><dc:Bounds x="200" y="78" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="End_di" bpmnElement="End"><dc:Bounds x="360" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="F1_di" bpmnElement="F1"><di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="F2_di" bpmnElement="F2"><di:waypoint x="300" y="118"/><di:waypoint x="360" y="118"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Diagramme</title>
<link rel="stylesheet" href="/static/dist/bpmn-js/diagram-js.css">
<link rel="stylesheet" href="/static/dist/bpmn-js/bpmn-js.css">
<link rel="stylesheet" href="/static/css/app.css"></head>
<body><main><h1>Où en est la candidature</h1>
<div id="diagramme" data-bpmn-url="/__essai__/diagramme.bpmn"
     data-current-elements="Task_review, Inconnu" data-done-elements="Start"></div>
</main><script src="/static/dist/diagram-viewer.js"></script></body></html>"""


def test_viewer_marks_current_and_done_elements(browser_page, live_server):
    page = browser_page
    # Both answered by the browser itself: the viewer is tested apart from any app route.
    page.route(live_server.url + "/__essai__/page",
               lambda route: route.fulfill(body=PAGE, content_type="text/html; charset=utf-8"))
    page.route(live_server.url + "/__essai__/diagramme.bpmn",
               lambda route: route.fulfill(body=BPMN, content_type="application/xml"))
    page.goto(live_server.url + "/__essai__/page")
    page.wait_for_selector("#diagramme[data-bpmn-rendered=done]")

    current = page.locator('g.djs-element.parcours-current[data-element-id="Task_review"]')
    assert current.count() == 1
    assert page.locator('g.djs-element.parcours-done[data-element-id="Start"]').count() == 1
    assert page.locator("g.parcours-current").count() == 1  # the unknown id was skipped
    # app.css draws the current step in DSFR blue (the fallback, no DSFR css on this page).
    stroke = current.locator(".djs-visual > :nth-child(1)").evaluate("e => getComputedStyle(e).stroke")
    assert stroke == "rgb(0, 0, 145)"
    assert_accessible(page)
