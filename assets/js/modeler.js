// The process owners' modeler (templates/processes/modeler.html): bpmn-js with its properties
// panel, our French fields for what the engine reads (modeler/properties.js), bpmnlint's advice,
// the draft saved with optimistic concurrency, "Vérifier" on the server, and the form specs
// edited next to the diagram. Bundled by scripts/build-assets.mjs (dist/modeler.js + modeler.css).
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import { is } from 'bpmn-js/lib/util/ModelUtil';

import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import './modeler/modeler.css';

import extensions from '../../app/engine/bpmn_extensions.json';
import FormsEditor from './modeler/forms-editor';
import lintConfig from './modeler/lint';
import ParcoursPropertiesProvider from './modeler/properties';
import translateModule, { translate } from './modeler/translate';
import { readProperties } from './modeler/extension-elements';

const OPEN_GROUPS = ['general', 'parcours-process', 'parcours-user-task', 'parcours-service-task',
  'parcours-parameters', 'parcours-lane', 'parcours-timer', 'parcours-condition', 'parcours-script', 'parcours-stage'];

const parcoursModule = {
  __init__: ['parcoursPropertiesProvider'],
  parcoursPropertiesProvider: ['type', ParcoursPropertiesProvider],
};

class ModelerPage {
  constructor(root) {
    this.root = root;
    this.data = root.dataset;
    this.status = root.querySelector('#modeler-status');
    this.results = root.querySelector('#check-results');
    this.picker = root.querySelector('#element-picker');
    this.lock = 0;
    this.dirty = false;
    this.forms = {};
    this.lintIssues = {};
  }

  // -- server ------------------------------------------------------------------------
  post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': this.data.csrf, Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async getJSON(url) {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  say(message, severity) {
    this.status.textContent = message;
    this.status.className = `fr-text--sm fr-mb-0 parcours-modeler__status${severity ? ` parcours-modeler__status--${severity}` : ''}`;
    this.status.setAttribute('role', severity === 'error' ? 'alert' : 'status');
  }

  // -- start ---------------------------------------------------------------------------
  async start() {
    let state;
    try {
      [this.config, state] = await Promise.all([
        this.getJSON(this.data.configUrl), this.getJSON(this.data.stateUrl)]);
    } catch (err) {
      this.say("L'éditeur n'a pas pu être chargé : rechargez la page.", 'error');
      return;
    }
    this.lock = state.lock;
    this.forms = state.forms || {};
    this.modeler = new Modeler({
      container: this.root.querySelector('#canvas'),
      propertiesPanel: {
        parent: this.root.querySelector('#properties'),
        layout: { groups: Object.fromEntries(OPEN_GROUPS.map((id) => [id, { open: true }])) },
      },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, parcoursModule, lintModule,
        translateModule],
      moddleExtensions: { spiffworkflow: extensions.moddle },
      linting: { active: true, bpmnlint: lintConfig },
      parcours: { config: this.config, formKeys: () => this.formKeys() },
    });
    this.modeler.on('commandStack.changed', () => this.changed());
    this.modeler.on('linting.completed', ({ issues }) => { this.lintIssues = issues; });
    this.modeler.on('propertiesPanel.updated', ({ element }) => this.keepPanelOnSelection(element));
    this.modeler.on(['import.done', 'elements.changed'], () => this.schedulePicker());
    if (!(await this.importXML(state.xml))) return;
    this.formsEditor = new FormsEditor(this.root, {
      forms: this.forms,
      formKeys: this.config.formKeys,
      usedKeys: () => this.usedFormKeys(),
      previewUrl: this.data.previewUrl,
      formUrl: this.data.formUrl,
      post: (url, body) => this.post(url, body),
      onChange: () => this.changed(),
    });
    this.bindToolbar();
    this.say(state.has_draft
      ? `Brouillon${state.updated_by ? ` enregistré par ${state.updated_by}` : ''}, à partir de la version ${state.base_version}.`
      : `Version ${state.published_version} en service : vos changements deviendront un brouillon à l'enregistrement.`);
    this.dirty = false;
    this.fillPicker();
    // The properties panel follows the selection once its first render has settled (preact effects).
    await new Promise((resolve) => { requestAnimationFrame(() => setTimeout(resolve, 0)); });
    if (this.data.element) this.selectElement(this.data.element);
    this.root.dataset.ready = 'true';
  }

  async importXML(xml) {
    try {
      const { warnings } = await this.modeler.importXML(xml);
      if (warnings.length) console.warn('bpmn-js:', warnings);
      this.modeler.get('canvas').zoom('fit-viewport', 'auto');
      return true;
    } catch (err) {
      console.error(err);
      this.say("Ce fichier n'est pas un diagramme BPMN lisible : il n'a pas été chargé.", 'error');
      return false;
    }
  }

  // An edit still pending (debounced) when the selection moves on lands after it and brings the
  // panel back to the edited element (bpmn-js-properties-panel#332): show the selection again.
  keepPanelOnSelection(shown) {
    const selected = this.modeler.get('selection').get();
    if (selected.length === 1 && !Array.isArray(shown) && shown !== selected[0]) {
      setTimeout(() => this.modeler.get('eventBus').fire('selection.changed',
        { oldSelection: [], newSelection: this.modeler.get('selection').get() }));
    }
  }

  formKeys() {
    return [...new Set([...(this.config.formKeys || []), ...Object.keys(this.forms)])];
  }

  usedFormKeys() {
    const registry = this.modeler.get('elementRegistry');
    return registry.filter((element) => is(element, 'bpmn:UserTask'))
      .map((element) => readProperties(element.businessObject)[extensions.properties.userTask.formKey])
      .filter(Boolean);
  }

  changed() {
    this.dirty = true;
    this.say('Modifications non enregistrées.');
  }

  // -- toolbar -------------------------------------------------------------------------
  bindToolbar() {
    const on = (action, handler) => {
      const button = this.root.querySelector(`[data-action=${action}]`);
      button.disabled = false;
      button.addEventListener('click', handler);
    };
    on('save', () => this.save());
    on('check', () => this.check());
    on('export', () => this.export());
    this.root.querySelector('[data-action=publish]').addEventListener('click', (event) => {
      if (this.dirty) {
        event.preventDefault();
        this.say('Enregistrez le brouillon avant de le publier.', 'error');
      }
    });
    this.root.querySelector('#import-bpmn').addEventListener('change', (event) => this.importFile(event.target));
    this.picker.addEventListener('change', () => { if (this.picker.value) this.selectElement(this.picker.value); });
    window.addEventListener('beforeunload', (event) => {
      if (this.dirty) { event.preventDefault(); event.returnValue = ''; }
    });
  }

  async save() {
    const { xml } = await this.modeler.saveXML({ format: true });
    this.say('Enregistrement…');
    const response = await this.post(this.data.saveUrl, { xml, forms: this.forms, lock: this.lock });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      this.say((body.error && body.error.message) || "Le brouillon n'a pas pu être enregistré.", 'error');
      return false;
    }
    this.lock = body.lock;
    this.dirty = false;
    this.say('Brouillon enregistré.', 'success');
    return true;
  }

  async check() {
    const { xml } = await this.modeler.saveXML({ format: true });
    this.results.replaceChildren(text('p', 'Vérification en cours…'));
    const response = await this.post(this.data.checkUrl, { xml, forms: this.forms });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      this.results.replaceChildren(text('p', (body.error && body.error.message) || 'La vérification a échoué.'));
      return;
    }
    this.showProblems(body.problems, body.errors);
  }

  showProblems(problems, errors) {
    const parts = [];
    const summary = document.createElement('div');
    summary.className = `fr-alert fr-alert--sm fr-alert--${errors ? 'error' : 'success'} fr-mb-2w`;
    summary.append(text('p', errors
      ? `${errors} erreur${errors > 1 ? 's' : ''} : le brouillon ne peut pas être publié en l'état.`
      : 'Aucune erreur : le brouillon peut être publié (enregistrez-le d\'abord).'));
    parts.push(summary);
    if (problems.length) parts.push(this.problemList(problems));
    const advice = this.lintAdvice();
    if (advice.length) {
      parts.push(text('h3', 'Conseils de modélisation (bpmnlint)', 'fr-h6 fr-mt-2w'));
      parts.push(text('p', 'Ces conseils n\'empêchent pas de publier.', 'fr-text--sm'));
      parts.push(this.problemList(advice));
    }
    this.results.replaceChildren(...parts);
  }

  lintAdvice() {
    const registry = this.modeler.get('elementRegistry');
    return Object.entries(this.lintIssues).flatMap(([id, issues]) => issues.map((issue) => {
      const element = registry.get(id);
      const name = element && element.businessObject && element.businessObject.name;
      return { element_id: id, element_name: name || id, message: translate(issue.message), severity: 'warning' };
    }));
  }

  problemList(problems) {
    const list = document.createElement('ul');
    list.className = 'parcours-problems';
    problems.forEach((problem) => {
      const item = document.createElement('li');
      item.className = `parcours-problems__item parcours-problems__item--${problem.severity}`;
      const badge = text('p', problem.severity === 'error' ? 'Erreur' : 'Avertissement',
        `fr-badge fr-badge--sm ${problem.severity === 'error' ? 'fr-badge--error' : 'fr-badge--warning'}`);
      const line = document.createElement('p');
      line.className = 'fr-mb-0';
      if (problem.element_id && this.modeler.get('elementRegistry').get(problem.element_id)) {
        const button = text('button', problem.element_name || problem.element_id, 'fr-link parcours-link-button');
        button.type = 'button';
        button.addEventListener('click', () => this.selectElement(problem.element_id));
        line.append(button, ` : ${problem.message}`);
      } else {
        line.append(problem.element_name ? `${problem.element_name} : ${problem.message}` : problem.message);
      }
      item.append(badge, line);
      list.append(item);
    });
    return list;
  }

  selectElement(id) {
    const element = this.modeler.get('elementRegistry').get(id);
    if (!element) return;
    this.modeler.get('selection').select(element);
    this.modeler.get('canvas').scrollToElement(element);
    this.picker.value = id;
    const panel = this.root.querySelector('#properties');
    panel.scrollIntoView({ block: 'nearest' });
  }

  async export() {
    const { xml } = await this.modeler.saveXML({ format: true });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
    link.download = `${this.data.processKey}-brouillon.bpmn`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  importFile(input) {
    const file = input.files && input.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = async () => {
      if (await this.importXML(String(reader.result))) {
        this.changed();
        this.say(`Fichier « ${file.name} » chargé : enregistrez le brouillon pour le garder.`);
      }
      input.value = '';
    };
    reader.readAsText(file);
  }

  // -- element picker (keyboard access to every element's properties) --------------------
  schedulePicker() {
    clearTimeout(this.pickerTimer);
    this.pickerTimer = setTimeout(() => this.fillPicker(), 200);
  }

  fillPicker() {
    const registry = this.modeler.get('elementRegistry');
    const chosen = this.picker.value;
    const elements = registry.filter((element) => element.businessObject && element.businessObject.id
      && !element.labelTarget && element.type !== 'label' && element.parent);
    const options = [new Option('Choisir un élément', '')];
    elements
      .map((element) => {
        const type = translate(element.type.replace('bpmn:', '').replace(/([a-z])([A-Z])/g, '$1 $2'));
        const name = element.businessObject.name || '(sans nom)';
        return [`${name} — ${type} (${element.id})`, element.id];
      })
      .sort((a, b) => a[0].localeCompare(b[0], 'fr'))
      .forEach(([label, id]) => options.push(new Option(label, id)));
    this.picker.replaceChildren(...options);
    this.picker.value = chosen;
  }
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

const root = document.getElementById('modeler');
if (root) {
  const page = new ModelerPage(root);
  window.parcoursModeler = page;  // for tests and the browser console
  page.start();
}
