// Read and write the spiffworkflow extension elements that app/engine reads:
//   <spiffworkflow:properties><spiffworkflow:property name="formKey" value="..."/></...>
//   <spiffworkflow:serviceTaskOperator id="notify"><spiffworkflow:parameters>
//     <spiffworkflow:parameter id="template" type="any" value='"x"'/></...></...>
// Every change goes through the command stack (undo/redo) as one multi-command.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

const MULTI = 'properties-panel.multi-command-executor';

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

// A pool edits its process (referencePrefix, summaryFields).
export function businessObjectOf(element) {
  const bo = getBusinessObject(element);
  return is(bo, 'bpmn:Participant') ? bo.get('processRef') : bo;
}

export function extensionValues(bo, type) {
  const ext = bo && bo.get('extensionElements');
  if (!ext) return [];
  return ext.get('values').filter((value) => is(value, type));
}

export function readProperties(bo) {
  const result = {};
  extensionValues(bo, 'spiffworkflow:Properties').forEach((container) => {
    container.get('properties').forEach((prop) => { result[prop.get('name')] = prop.get('value') || ''; });
  });
  return result;
}

export function operatorOf(bo) {
  return extensionValues(bo, 'spiffworkflow:ServiceTaskOperator')[0];
}

export function parametersOf(bo) {
  const operator = operatorOf(bo);
  const list = operator && operator.get('parameterList');
  return list ? list.get('parameters') : [];
}

export class ExtensionWriter {
  constructor(bpmnFactory, commandStack) {
    this.bpmnFactory = bpmnFactory;
    this.commandStack = commandStack;
  }

  create(type, attrs, parent) {
    const created = this.bpmnFactory.create(type, attrs);
    created.$parent = parent;
    return created;
  }

  run(commands) {
    if (commands.length) this.commandStack.execute(MULTI, commands);
  }

  // The element's bpmn:ExtensionElements, created (with its command) when missing.
  extensionElements(element, bo, commands) {
    let ext = bo.get('extensionElements');
    if (!ext) {
      ext = this.create('bpmn:ExtensionElements', { values: [] }, bo);
      commands.push(update(element, bo, { extensionElements: ext }));
    }
    return ext;
  }

  // changes: { name: value }, a value of null or '' removes the property.
  setProperties(element, bo, changes) {
    const commands = [];
    const wanted = Object.entries(changes);
    const adding = wanted.filter(([, value]) => value !== null && value !== undefined && value !== '');
    let container = extensionValues(bo, 'spiffworkflow:Properties')[0];
    if (!container) {
      if (!adding.length) return;
      const ext = this.extensionElements(element, bo, commands);
      container = this.create('spiffworkflow:Properties', { properties: [] }, ext);
      commands.push(update(element, ext, { values: [...ext.get('values'), container] }));
    }
    let list = container.get('properties').slice();
    let listChanged = false;
    wanted.forEach(([name, value]) => {
      const existing = list.find((prop) => prop.get('name') === name);
      const removing = value === null || value === undefined || value === '';
      if (removing) {
        if (existing) { list = list.filter((prop) => prop !== existing); listChanged = true; }
      } else if (existing) {
        if (existing.get('value') !== value) commands.push(update(element, existing, { value }));
      } else {
        list.push(this.create('spiffworkflow:Property', { name, value }, container));
        listChanged = true;
      }
    });
    if (listChanged) commands.push(update(element, container, { properties: list }));
    this.run(commands);
  }

  // Chooses the operation of a service task; the operator always holds <parameters> (the XSD wants it).
  setOperation(element, bo, name) {
    const commands = [];
    const operator = operatorOf(bo);
    if (operator) {
      const changes = { id: name };
      if (!operator.get('parameterList')) {
        changes.parameterList = this.create('spiffworkflow:Parameters', { parameters: [] }, operator);
      }
      commands.push(update(element, operator, changes));
    } else {
      const ext = this.extensionElements(element, bo, commands);
      const created = this.create('spiffworkflow:ServiceTaskOperator', { id: name, resultVariable: '' }, ext);
      created.set('parameterList', this.create('spiffworkflow:Parameters', { parameters: [] }, created));
      commands.push(update(element, ext, { values: [...ext.get('values'), created] }));
    }
    this.run(commands);
  }

  addParameter(element, bo, id) {
    const operator = operatorOf(bo);
    if (!operator) return;
    const commands = [];
    let list = operator.get('parameterList');
    if (!list) {
      list = this.create('spiffworkflow:Parameters', { parameters: [] }, operator);
      commands.push(update(element, operator, { parameterList: list }));
    }
    const parameter = this.create('spiffworkflow:Parameter', { id, type: 'any', value: '""' }, list);
    commands.push(update(element, list, { parameters: [...list.get('parameters'), parameter] }));
    this.run(commands);
  }

  removeParameter(element, bo, parameter) {
    const list = operatorOf(bo).get('parameterList');
    this.run([update(element, list, { parameters: list.get('parameters').filter((p) => p !== parameter) })]);
  }

  setAttribute(element, moddleElement, name, value) {
    this.run([update(element, moddleElement, { [name]: value })]);
  }

  // A sequence flow's condition (a Python expression); empty removes it.
  setCondition(element, bo, body) {
    const current = bo.get('conditionExpression');
    if (!body) {
      if (current) this.run([update(element, bo, { conditionExpression: undefined })]);
    } else if (current) {
      this.run([update(element, current, { body })]);
    } else {
      this.run([update(element, bo, { conditionExpression: this.create('bpmn:FormalExpression', { body }, bo) })]);
    }
  }

  // A timer's kind: timeDuration, timeDate or timeCycle ('' removes it), with an empty expression.
  setTimerKind(element, definition, kind) {
    const changes = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
    if (kind) changes[kind] = this.create('bpmn:FormalExpression', { body: '' }, definition);
    this.run([update(element, definition, changes)]);
  }
}

export const TIMER_KINDS = ['timeDuration', 'timeDate', 'timeCycle'];

export function timerDefinitionOf(bo) {
  return (bo.get('eventDefinitions') || []).find((d) => is(d, 'bpmn:TimerEventDefinition'));
}

export function timerKindOf(definition) {
  return TIMER_KINDS.find((kind) => definition.get(kind)) || '';
}
