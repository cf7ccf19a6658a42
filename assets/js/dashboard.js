// Draws the supervision dashboard's charts (/pilotage) with Chart.js. Each chart is a
//   <canvas data-chart='{"type": "bar", "labels": [...], "series": [{"label", "data"}]}'>
// inside an aria-hidden wrapper: the table that follows it gives the same numbers to
// everyone, so the charts add nothing a screen reader would miss. Bundled by
// scripts/build-assets.mjs; no inline script (CSP).
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip);

// DSFR palette: blue France, red Marianne, and two illustrative colours.
const COLOURS = ['#000091', '#e1000f', '#009081', '#b34000'];

function draw(canvas) {
  if (canvas.dataset.chartDrawn) return;
  let spec;
  try {
    spec = JSON.parse(canvas.dataset.chart);
  } catch (err) {
    console.error('dashboard: unreadable chart data', err);
    return;
  }
  canvas.dataset.chartDrawn = 'true';
  const line = spec.type === 'line';
  const chart = new Chart(canvas, {
    type: line ? 'line' : 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((series, index) => ({
        label: series.label,
        data: series.data,
        backgroundColor: COLOURS[index % COLOURS.length],
        borderColor: COLOURS[index % COLOURS.length],
        tension: 0.2,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      // Long task titles read better as horizontal bars.
      indexAxis: !line && spec.labels.some((l) => String(l).length > 24) ? 'y' : 'x',
      plugins: { legend: { display: spec.series.length > 1 } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      locale: 'fr-FR',
    },
  });
  canvas.chart = chart; // for tests and other scripts
}

function drawAll() {
  document.querySelectorAll('canvas[data-chart]').forEach(draw);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', drawAll);
} else {
  drawAll();
}
