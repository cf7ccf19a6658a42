// The form specs edited next to the diagram: choose a form key, edit its YAML, see the form
// rendered by the server (formspec + render_spec_form) with the same validation, live.
// Edited texts live in `forms` ({form_key: yaml}) and are saved with the draft.
const FORM_KEY = /^[a-z0-9][a-z0-9_.-]*$/;
const TEMPLATE = `title: Titre du formulaire
description: Ce que la personne doit faire.
fields:
  - name: decision
    type: choice
    widget: radio
    required: true
    label: Que souhaitez-vous faire ?
    choices:
      accept: Accepter
      refuse: Refuser
`;

export default class FormsEditor {
  constructor(root, { forms, formKeys, usedKeys, previewUrl, formUrl, post, onChange }) {
    this.forms = forms;
    this.formKeys = formKeys;
    this.usedKeys = usedKeys;
    this.previewUrl = previewUrl;
    this.formUrl = formUrl;
    this.post = post;
    this.onChange = onChange;
    this.select = root.querySelector('#form-key');
    this.textarea = root.querySelector('#form-yaml');
    this.preview = root.querySelector('#form-preview');
    this.newKey = root.querySelector('#new-form-key');
    this.current = '';
    this.timer = null;
    this.select.addEventListener('change', () => this.open(this.select.value));
    this.textarea.addEventListener('input', () => this.edited());
    root.querySelector('[data-action=new-form]').addEventListener('click', () => this.create());
    this.refreshOptions();
  }

  keys() {
    return [...new Set([...this.formKeys, ...Object.keys(this.forms)])].sort();
  }

  refreshOptions() {
    const used = new Set(this.usedKeys());
    const chosen = this.select.value;
    const options = [new Option('Choisir un formulaire', '')];
    this.keys().forEach((key) => {
      const marks = [used.has(key) ? 'utilisé par le diagramme' : '', key in this.forms ? 'modifié' : '']
        .filter(Boolean).join(', ');
      options.push(new Option(marks ? `${key} (${marks})` : key, key));
    });
    this.select.replaceChildren(...options);
    this.select.value = chosen;
  }

  async open(key) {
    this.current = key;
    if (!key) {
      this.textarea.value = '';
      this.textarea.disabled = true;
      this.preview.replaceChildren(paragraph('Choisissez un formulaire pour le voir.'));
      return;
    }
    let text = this.forms[key];
    if (text === undefined) {
      const response = await fetch(this.formUrl.replace('__KEY__', encodeURIComponent(key)),
        { credentials: 'same-origin' });
      text = response.ok ? await response.text() : '';
    }
    if (this.current !== key) return;  // another form was chosen meanwhile
    this.textarea.value = text;
    this.textarea.disabled = false;
    this.renderPreview();
  }

  create() {
    const key = this.newKey.value.trim();
    if (!FORM_KEY.test(key)) {
      this.preview.replaceChildren(alert('Clé invalide : lettres minuscules, chiffres et _ seulement.'));
      this.newKey.focus();
      return;
    }
    if (!(key in this.forms) && !this.formKeys.includes(key)) {
      this.forms[key] = TEMPLATE;
      this.onChange();
    }
    this.newKey.value = '';
    this.refreshOptions();
    this.select.value = key;
    this.open(key);
  }

  edited() {
    if (!this.current) return;
    this.forms[this.current] = this.textarea.value;
    this.onChange();
    this.refreshOptions();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.renderPreview(), 400);
  }

  async renderPreview() {
    const key = this.current;
    const response = await this.post(this.previewUrl, { form_key: key, yaml: this.textarea.value });
    if (key !== this.current) return;
    const html = await response.text();
    if (!response.ok) {
      this.preview.replaceChildren(alert("L'aperçu n'a pas pu être affiché."));
      return;
    }
    // Server-rendered by Jinja (escaped): the same markup as the task page.
    this.preview.innerHTML = html;
  }
}

function paragraph(text) {
  const p = document.createElement('p');
  p.className = 'fr-text--sm';
  p.textContent = text;
  return p;
}

function alert(text) {
  const div = document.createElement('div');
  div.className = 'fr-alert fr-alert--error fr-alert--sm';
  div.setAttribute('role', 'alert');
  div.append(paragraph(text));
  return div;
}
