// Renders BPMN diagrams read-only on any page that holds
//   <div data-bpmn-url="/processes/x.bpmn"
//        data-current-elements="Task_a,Task_b" data-done-elements="Start_1"></div>
// and marks where a case stands. Bundled by scripts/build-assets.mjs.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

function ids(value) {
  return (value || '').split(',').map((s) => s.trim()).filter(Boolean);
}

function showError(container, message) {
  const p = document.createElement('p');
  p.className = 'fr-error-text';
  p.textContent = message;
  container.replaceChildren(p);
}

async function render(container) {
  if (container.dataset.bpmnRendered) return;
  container.dataset.bpmnRendered = 'pending';
  if (!container.style.height) container.style.height = container.dataset.height || '420px';
  const viewer = new NavigatedViewer({ container });
  try {
    const response = await fetch(container.dataset.bpmnUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { warnings } = await viewer.importXML(await response.text());
    if (warnings.length) console.warn('bpmn-js:', warnings);
  } catch (err) {
    console.error(err);
    showError(container, "Le diagramme n'a pas pu être affiché.");
    container.dataset.bpmnRendered = 'error';
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const mark = (list, cls) => ids(list).forEach((id) => {
    // An id the diagram does not know (e.g. after a version change) is skipped, not fatal.
    if (registry.get(id)) canvas.addMarker(id, cls);
  });
  mark(container.dataset.doneElements, 'parcours-done');
  mark(container.dataset.currentElements, 'parcours-current');
  canvas.zoom('fit-viewport', 'auto');
  container.dataset.bpmnRendered = 'done';
  container.bpmnViewer = viewer;  // for tests and other scripts
  container.dispatchEvent(new CustomEvent('parcours:diagram-rendered', { bubbles: true }));
}

function renderAll(root) {
  const scope = root && root.querySelectorAll ? root : document;
  const found = Array.from(scope.querySelectorAll('[data-bpmn-url]'));
  if (scope.matches && scope.matches('[data-bpmn-url]')) found.push(scope);
  found.forEach(render);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => renderAll(document));
} else {
  renderAll(document);
}
// Content swapped in by htmx gets its diagrams too.
document.addEventListener('htmx:afterSettle', (event) => renderAll(event.target));

window.ParcoursDiagram = { renderAll };
