// Shows, on a process diagram, where cases wait now (/pilotage): on each task, how many
// cases wait there and their median waiting time; the slowest tasks are outlined in red.
//   <div data-heatmap-url="/pilotage/application/diagramme.bpmn"
//        data-waiting='[{"element": "ut_new", "task": "...", "waiting": 12, "median_days": 4.5,
//                        "slowest": true}]'></div>
// The page's table "Où les dossiers attendent" holds the same numbers (text alternative).
// Bundled by scripts/build-assets.mjs; no inline script (CSP).
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

function days(value) {
  if (value === null || value === undefined) return '';
  const text = Number(value).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  return `${text} j`;
}

function badge(point) {
  const el = document.createElement('div');
  el.className = `parcours-heat${point.slowest ? ' parcours-heat--slowest' : ''}`;
  const count = document.createElement('strong');
  count.textContent = String(point.waiting);
  el.appendChild(count);
  const median = document.createElement('span');
  median.textContent = ` · ${days(point.median_days)}`;
  el.appendChild(median);
  el.title = `${point.task} : ${point.waiting} dossier(s) en attente, attente médiane ${days(point.median_days)}`;
  return el;
}

function showError(container, message) {
  const p = document.createElement('p');
  p.className = 'fr-error-text';
  p.textContent = message;
  container.replaceChildren(p);
}

async function render(container) {
  if (container.dataset.heatmapRendered) return;
  container.dataset.heatmapRendered = 'pending';
  container.style.height = container.dataset.height || '520px';
  let points = [];
  try {
    points = JSON.parse(container.dataset.waiting || '[]');
  } catch (err) {
    console.error('heatmap: unreadable data', err);
  }
  const viewer = new NavigatedViewer({ container });
  try {
    const response = await fetch(container.dataset.heatmapUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await viewer.importXML(await response.text());
  } catch (err) {
    console.error(err);
    showError(container, "Le diagramme n'a pas pu être affiché : les chiffres restent dans le tableau ci-dessous.");
    container.dataset.heatmapRendered = 'error';
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const overlays = viewer.get('overlays');
  points.forEach((point) => {
    // A task of an older version may be missing from the latest diagram: the table keeps it.
    if (!registry.get(point.element)) return;
    canvas.addMarker(point.element, point.slowest ? 'parcours-slowest' : 'parcours-waiting');
    overlays.add(point.element, 'parcours-heat', { position: { top: -14, right: 14 }, html: badge(point) });
  });
  canvas.zoom('fit-viewport', 'auto');
  container.dataset.heatmapRendered = 'done';
  container.bpmnViewer = viewer;
  container.dispatchEvent(new CustomEvent('parcours:heatmap-rendered', { bubbles: true }));
}

function renderAll() {
  document.querySelectorAll('[data-heatmap-url]').forEach(render);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', renderAll);
} else {
  renderAll();
}
