// Builds app/static/dist/ (gitignored) from node_modules and assets/js.
// Run by `make assets`; layout:
//   dist/dsfr/         DSFR css/js with the fonts/, icons/ and utility/ paths its css expects
//   dist/htmx.min.js
//   dist/bpmn-js/      diagram-js.css, bpmn-js.css, bpmn-font/{css,font}
//   dist/<name>.js     one esbuild bundle per assets/js/<name>.js (e.g. diagram-viewer.js)
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const out = join(root, 'app', 'static', 'dist');

function copy(from, to, filter) {
  const src = join(modules, from);
  if (!existsSync(src)) throw new Error(`missing ${src}: run npm ci`);
  mkdirSync(dirname(join(out, to)), { recursive: true });
  // Source maps double the size and are not served to users.
  cpSync(src, join(out, to), { recursive: true, filter: filter || ((p) => !p.endsWith('.map')) });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// DSFR: dsfr.min.css refers to fonts/ and icons/ next to it; utility css to ../icons.
const dsfr = '@gouvfr/dsfr/dist';
for (const f of ['dsfr.min.css', 'dsfr.module.min.js', 'dsfr.nomodule.min.js',
  'utility/utility.min.css', 'utility/icons/icons.min.css']) {
  copy(`${dsfr}/${f}`, `dsfr/${f}`);
}
for (const d of ['fonts', 'icons', 'favicon']) copy(`${dsfr}/${d}`, `dsfr/${d}`);

copy('htmx.org/dist/htmx.min.js', 'htmx.min.js');

const bpmn = 'bpmn-js/dist/assets';
copy(`${bpmn}/diagram-js.css`, 'bpmn-js/diagram-js.css');
copy(`${bpmn}/bpmn-js.css`, 'bpmn-js/bpmn-js.css');
copy(`${bpmn}/bpmn-font/css/bpmn.css`, 'bpmn-js/bpmn-font/css/bpmn.css');
copy(`${bpmn}/bpmn-font/font`, 'bpmn-js/bpmn-font/font');

// Every top-level assets/js/*.js is an entry point (a modeler page can add its own file).
const entries = readdirSync(join(root, 'assets', 'js'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => join(root, 'assets', 'js', f));
await build({
  entryPoints: entries,
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  sourcemap: false,
  logLevel: 'warning',
});

console.log(`assets built in ${out}`);
