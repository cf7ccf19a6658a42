// The properties panel groups for what Parcours reads in a diagram, in French:
//   user task: form key, due date, choices offered, visible in inboxes;
//   any flow node: business stage (milestone); lane: role; service task: operation and
//   parameters; timer events: delay; flows out of a gateway: condition; script task: script;
//   the process (pool): reference prefix and summary fields.
// Property names come from app/engine/bpmn_extensions.json (shared with the Python engine).
import {
  CheckboxEntry, ListGroup, SelectEntry, TextAreaEntry, TextFieldEntry,
  isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import extensions from '../../../app/engine/bpmn_extensions.json';
import {
  ExtensionWriter, businessObjectOf, operatorOf, parametersOf, readProperties, timerDefinitionOf, timerKindOf,
} from './extension-elements';

const NAMES = extensions.properties;
const FORM_KEY = NAMES.userTask.formKey;
const DUE_IN = NAMES.userTask.dueIn;
const LISTED = NAMES.userTask.listed;
const CHOICES = NAMES.userTask.choicesPrefix;
const STAGE = NAMES.anyElement.stage;
const PREFIX = NAMES.process.referencePrefix;
const SUMMARY = NAMES.process.summaryFields;

const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STAGE_CODE = /^[a-z][a-z0-9_]{0,39}$/;

function useWriter() {
  return new ExtensionWriter(useService('bpmnFactory'), useService('commandStack'));
}

// -- user tasks ----------------------------------------------------------------------------

function FormKeyEntry({ element, id, parcours }) {
  const writer = useWriter();
  const bo = getBusinessObject(element);
  return SelectEntry({
    element, id,
    label: 'Formulaire (clé)',
    description: 'Le formulaire que la personne remplit pour cette tâche (forms/<clé>.yaml ou modifié ici).',
    getValue: () => readProperties(bo)[FORM_KEY] || '',
    setValue: (value) => writer.setProperties(element, bo, { [FORM_KEY]: value }),
    getOptions: () => {
      const current = readProperties(bo)[FORM_KEY];
      const keys = new Set([...parcours.formKeys(), ...(current ? [current] : [])]);
      return [{ value: '', label: '(aucun)' }, ...[...keys].sort().map((key) => ({ value: key, label: key }))];
    },
  });
}

function DueInEntry({ element, id }) {
  const writer = useWriter();
  const bo = getBusinessObject(element);
  return TextFieldEntry({
    element, id,
    label: 'Échéance (durée ISO)',
    description: 'Délai pour traiter la tâche, en durée ISO 8601 : P30D = 30 jours, PT48H = 48 heures. Vide : pas d\'échéance.',
    debounce: useService('debounceInput'),
    getValue: () => readProperties(bo)[DUE_IN] || '',
    setValue: (value) => writer.setProperties(element, bo, { [DUE_IN]: (value || '').trim().toUpperCase() }),
    validate: (value) => (value && !ISO_DURATION.test(value.trim().toUpperCase())
      ? 'Durée ISO 8601 attendue, par exemple P30D.' : null),
  });
}

function choicesText(bo) {
  return Object.entries(readProperties(bo))
    .filter(([name]) => name.startsWith(CHOICES))
    .map(([name, value]) => `${name.slice(CHOICES.length)}: ${value.split(',').map((c) => c.trim()).join(', ')}`)
    .join('\n');
}

function parseChoices(text) {
  const result = {};
  (text || '').split('\n').forEach((line) => {
    const [field, codes] = line.split(':');
    if (field && field.trim() && codes !== undefined) {
      result[CHOICES + field.trim()] = codes.split(',').map((c) => c.trim()).filter(Boolean).join(',');
    }
  });
  return result;
}

function ChoicesEntry({ element, id }) {
  const writer = useWriter();
  const bo = getBusinessObject(element);
  return TextAreaEntry({
    element, id,
    label: 'Choix proposés',
    description: 'Limite les choix d\'un champ du formulaire à cette étape, une ligne par champ : '
      + '« decision: study, refuse, accept ». Vide : tous les choix du formulaire.',
    rows: 3,
    monospace: true,
    debounce: useService('debounceInput'),
    getValue: () => choicesText(bo),
    setValue: (value) => {
      const wanted = parseChoices(value);
      const changes = {};
      Object.keys(readProperties(bo)).filter((name) => name.startsWith(CHOICES)).forEach((name) => {
        changes[name] = null;
      });
      writer.setProperties(element, bo, { ...changes, ...wanted });
    },
    validate: (value) => {
      const bad = (value || '').split('\n').filter((line) => line.trim()
        && !/^\s*[a-z][a-z0-9_]*\s*:\s*[^,\s][^:]*$/.test(line));
      return bad.length ? 'Une ligne par champ : « champ: code1, code2 ».' : null;
    },
  });
}

function ListedEntry({ element, id }) {
  const writer = useWriter();
  const bo = getBusinessObject(element);
  return CheckboxEntry({
    element, id,
    label: 'Visible dans les boîtes de réception',
    description: 'Décochez pour une action facultative (revenir sur un refus…) proposée seulement sur la page du dossier.',
    getValue: () => (readProperties(bo)[LISTED] || 'true').toLowerCase() !== 'false',
    // Visible is the engine's default: the property is only written to hide the task.
    setValue: (checked) => writer.setProperties(element, bo, { [LISTED]: checked ? null : 'false' }),
  });
}

// -- any element ---------------------------------------------------------------------------

function StageEntry({ element, id }) {
  const writer = useWriter();
  const bo = getBusinessObject(element);
  return TextFieldEntry({
    element, id,
    label: 'Étape métier (stage)',
    description: 'Quand le dossier passe ici, son étape devient ce code (ex. refused) avec le nom de l\'élément '
      + 'comme libellé. Vide : pas de changement d\'étape.',
    debounce: useService('debounceInput'),
    getValue: () => readProperties(bo)[STAGE] || '',
    setValue: (value) => writer.setProperties(element, bo, { [STAGE]: (value || '').trim() }),
    validate: (value) => (value && !STAGE_CODE.test(value.trim())
      ? 'Un code court : minuscules, chiffres et _ (ex. refused).' : null),
  });
}

// -- lanes ---------------------------------------------------------------------------------

function RoleEntry({ element, id, parcours }) {
  const modeling = useService('modeling');
  const bo = getBusinessObject(element);
  return SelectEntry({
    element, id,
    label: 'Rôle',
    description: 'Le couloir porte le nom d\'un rôle : ses tâches vont aux personnes qui ont ce rôle dans le dossier.',
    getValue: () => bo.get('name') || '',
    setValue: (value) => modeling.updateProperties(element, { name: value }),
    getOptions: () => {
      const roles = parcours.config.roles;
      const current = bo.get('name') || '';
      const known = roles.some((role) => role.value.toLowerCase() === current.toLowerCase());
      return [
        ...(known ? [] : [{ value: current, label: current ? `${current} (rôle inconnu)` : '(à choisir)' }]),
        ...roles,
      ];
    },
  });
}

// -- service tasks -------------------------------------------------------------------------

function OperationEntry({ element, id, parcours }) {
  const writer = useWriter();
  const bo = getBusinessObject(element);
  return SelectEntry({
    element, id,
    label: 'Opération',
    description: 'Ce que fait la plateforme à cette étape (liste des opérations enregistrées).',
    getValue: () => (operatorOf(bo) && operatorOf(bo).get('id')) || '',
    setValue: (value) => writer.setOperation(element, bo, value),
    getOptions: () => {
      const current = (operatorOf(bo) && operatorOf(bo).get('id')) || '';
      const options = parcours.config.operations.map((op) => ({ value: op.value, label: `${op.label} (${op.value})` }));
      const known = options.some((op) => op.value === current);
      return [{ value: '', label: '(à choisir)' }, ...(known || !current ? [] : [{ value: current, label: `${current} (inconnue)` }]),
        ...options];
    },
  });
}

function ParameterNameEntry({ element, id, parameter }) {
  const writer = useWriter();
  return TextFieldEntry({
    element, id,
    label: 'Nom du paramètre',
    debounce: useService('debounceInput'),
    getValue: () => parameter.get('id') || '',
    setValue: (value) => writer.setAttribute(element, parameter, 'id', (value || '').trim()),
    validate: (value) => (!IDENTIFIER.test(value || '') ? 'Lettres, chiffres et _ seulement.' : null),
  });
}

function ParameterValueEntry({ element, id, parameter }) {
  const writer = useWriter();
  return TextFieldEntry({
    element, id,
    label: 'Valeur (expression Python)',
    description: 'Un texte s\'écrit entre guillemets ("application_new") ; une liste entre crochets ; '
      + 'un nom sans guillemets désigne une donnée du dossier.',
    debounce: useService('debounceInput'),
    getValue: () => parameter.get('value') || '',
    setValue: (value) => writer.setAttribute(element, parameter, 'value', value || ''),
  });
}

function parametersGroup(element, injector) {
  const bo = getBusinessObject(element);
  const writer = new ExtensionWriter(injector.get('bpmnFactory'), injector.get('commandStack'));
  const parameters = parametersOf(bo);
  return {
    id: 'parcours-parameters',
    label: 'Paramètres de l\'opération',
    component: ListGroup,
    element,
    shouldOpen: true,
    items: parameters.map((parameter, index) => ({
      id: `parcours-parameter-${index}`,
      label: parameter.get('id') || '(sans nom)',
      entries: [
        { id: `parcours-parameter-${index}-name`, component: ParameterNameEntry, parameter, element },
        { id: `parcours-parameter-${index}-value`, component: ParameterValueEntry, parameter, element },
      ],
      autoFocusEntry: `parcours-parameter-${index}-name`,
      remove: () => writer.removeParameter(element, bo, parameter),
    })),
    add: operatorOf(bo) ? (event) => {
      event.stopPropagation();
      const used = new Set(parameters.map((p) => p.get('id')));
      let n = parameters.length + 1;
      while (used.has(`parametre${n}`)) n += 1;
      writer.addParameter(element, bo, `parametre${n}`);
    } : undefined,
  };
}

// -- timers, conditions, scripts --------------------------------------------------------------

const TIMER_KIND_LABELS = { timeDuration: 'Durée', timeDate: 'Date', timeCycle: 'Cycle' };
const TIMER_HELP = {
  timeDuration: 'Une durée ISO 8601 entre guillemets : "P30D" = 30 jours, "PT12H" = 12 heures.',
  timeDate: 'Une date et heure ISO 8601 entre guillemets : "2030-01-31T09:00:00+01:00".',
  timeCycle: 'Un cycle ISO 8601 entre guillemets : "R3/P7D" = 3 fois, tous les 7 jours.',
};

function TimerKindEntry({ element, id }) {
  const writer = useWriter();
  const definition = timerDefinitionOf(getBusinessObject(element));
  return SelectEntry({
    element, id,
    label: 'Type de délai',
    getValue: () => timerKindOf(definition),
    setValue: (value) => writer.setTimerKind(element, definition, value),
    getOptions: () => [{ value: '', label: '(aucun)' },
      ...Object.entries(TIMER_KIND_LABELS).map(([value, label]) => ({ value, label }))],
  });
}

function TimerValueEntry({ element, id }) {
  const writer = useWriter();
  const definition = timerDefinitionOf(getBusinessObject(element));
  const kind = timerKindOf(definition);
  return TextFieldEntry({
    element, id,
    label: 'Délai',
    description: `Expression Python. ${TIMER_HELP[kind] || ''}`,
    debounce: useService('debounceInput'),
    getValue: () => (definition.get(kind) && definition.get(kind).get('body')) || '',
    setValue: (value) => writer.setAttribute(element, definition.get(kind), 'body', value || ''),
    validate: (value) => (value && !/^\s*["']/.test(value) && /^\s*[PR0-9]/i.test(value)
      ? 'Mettez la valeur entre guillemets, par exemple "P30D".' : null),
  });
}

function ConditionEntry({ element, id }) {
  const writer = useWriter();
  const bo = getBusinessObject(element);
  return TextFieldEntry({
    element, id,
    label: 'Condition (expression Python)',
    description: 'Ce flux est suivi quand l\'expression est vraie, par exemple : decision == "refuse".',
    debounce: useService('debounceInput'),
    getValue: () => (bo.get('conditionExpression') && bo.get('conditionExpression').get('body')) || '',
    setValue: (value) => writer.setCondition(element, bo, (value || '').trim()),
  });
}

function ScriptEntry({ element, id }) {
  const modeling = useService('modeling');
  const bo = getBusinessObject(element);
  return TextAreaEntry({
    element, id,
    label: 'Script (Python)',
    description: 'Lit et modifie les données du dossier ; les imports et les noms commençant par _ sont interdits.',
    rows: 6,
    monospace: true,
    debounce: useService('debounceInput'),
    getValue: () => bo.get('script') || '',
    setValue: (value) => modeling.updateProperties(element, { script: value || '' }),
  });
}

// -- the process ---------------------------------------------------------------------------

function processEntry(key, label, description, validate) {
  return function ProcessPropertyEntry({ element, id }) {
    const writer = useWriter();
    const bo = businessObjectOf(element);
    return TextFieldEntry({
      element, id, label, description, validate,
      debounce: useService('debounceInput'),
      getValue: () => readProperties(bo)[key] || '',
      setValue: (value) => writer.setProperties(element, bo, { [key]: (value || '').trim() }),
    });
  };
}

const PrefixEntry = processEntry(PREFIX, 'Préfixe des références',
  'Les dossiers sont numérotés PRÉFIXE-année-numéro (ex. CAND).',
  (value) => (value && !/^[A-Z]{2,8}$/.test(value.trim()) ? '2 à 8 lettres majuscules.' : null));
const SummaryEntry = processEntry(SUMMARY, 'Données affichées dans les listes',
  'Noms des données du dossier recopiées pour les listes, séparés par des virgules.');

// -- the provider --------------------------------------------------------------------------

function group(id, label, entries) {
  return { id, label, entries };
}

function entry(id, component, element, isEdited, extra) {
  return { id, component, element, isEdited, ...extra };
}

export default class ParcoursPropertiesProvider {
  constructor(propertiesPanel, injector, parcours) {
    this.injector = injector;
    this.parcours = parcours;
    // Low priority: runs after the standard provider, whose groups it completes or replaces.
    propertiesPanel.registerProvider(200, this);
  }

  getGroups(element) {
    return (groups) => {
      const parcours = this.parcours;
      const added = [];
      const bo = getBusinessObject(element);
      if (isAny(element, ['bpmn:Participant', 'bpmn:Process']) && businessObjectOf(element)) {
        added.push(group('parcours-process', 'Processus (Parcours)', [
          entry('parcours-referencePrefix', PrefixEntry, element, isTextFieldEntryEdited),
          entry('parcours-summaryFields', SummaryEntry, element, isTextFieldEntryEdited),
        ]));
      }
      if (is(element, 'bpmn:UserTask')) {
        added.push(group('parcours-user-task', 'Tâche humaine (Parcours)', [
          entry('parcours-formKey', FormKeyEntry, element, isSelectEntryEdited, { parcours }),
          entry('parcours-dueIn', DueInEntry, element, isTextFieldEntryEdited),
          entry('parcours-choices', ChoicesEntry, element, isTextAreaEntryEdited),
          entry('parcours-listed', ListedEntry, element, isCheckboxEntryEdited),
        ]));
      }
      if (is(element, 'bpmn:ServiceTask')) {
        added.push(group('parcours-service-task', 'Tâche automatique (Parcours)', [
          entry('parcours-operation', OperationEntry, element, isSelectEntryEdited, { parcours }),
        ]));
        added.push(parametersGroup(element, this.injector));
      }
      if (is(element, 'bpmn:Lane')) {
        added.push(group('parcours-lane', 'Couloir (Parcours)', [
          entry('parcours-role', RoleEntry, element, isSelectEntryEdited, { parcours }),
        ]));
      }
      if (is(element, 'bpmn:Event') && timerDefinitionOf(bo)) {
        const entries = [entry('parcours-timer-kind', TimerKindEntry, element, isSelectEntryEdited)];
        if (timerKindOf(timerDefinitionOf(bo))) {
          entries.push(entry('parcours-timer-value', TimerValueEntry, element, isTextFieldEntryEdited));
        }
        added.push(group('parcours-timer', 'Minuterie', entries));
      }
      if (is(element, 'bpmn:SequenceFlow') && isAny(bo.get('sourceRef'), ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) {
        added.push(group('parcours-condition', 'Condition', [
          entry('parcours-condition-expression', ConditionEntry, element, isTextFieldEntryEdited),
        ]));
      }
      if (is(element, 'bpmn:ScriptTask')) {
        added.push(group('parcours-script', 'Script', [entry('parcours-script-body', ScriptEntry, element, isTextAreaEntryEdited)]));
      }
      if (is(element, 'bpmn:FlowNode')) {
        added.push(group('parcours-stage', 'Étape métier', [
          entry('parcours-stage-code', StageEntry, element, isTextFieldEntryEdited),
        ]));
      }
      // Our timer group replaces the standard one, whose help shows values without the quotes
      // a Python expression needs.
      const kept = groups.filter((g) => g.id !== 'timer');
      const general = kept.findIndex((g) => g.id === 'general');
      kept.splice(general + 1, 0, ...added);
      return kept;
    };
  }
}

ParcoursPropertiesProvider.$inject = ['propertiesPanel', 'injector', 'config.parcours'];
