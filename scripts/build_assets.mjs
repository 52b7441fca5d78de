// Bundles the front-end into app/static/dist/ (git-ignored build output; nothing from a CDN):
//   modeler.js + modeler.css  bpmn-js Modeler, properties panel (+ OrderGate's own entries),
//                             bpmnlint (recommended + assets/lint/) and their styles, bpmn font
//   viewer.js  + viewer.css   bpmn-js NavigatedViewer with progress markers
//   gantt.js   + gantt.css    frappe-gantt read-only Gantt chart (schedule, rush impact preview)
//   order_lines.js            add / remove rows of the order form (entry, revision, change)
//   ui.js                     every page: confirm before a destructive submit, copy buttons
//   htmx.min.js               copied from the htmx.org package
//   fonts/                    font files referenced by the CSS
// Usage: node scripts/build_assets.mjs [--dev]   (--dev: no minification, with source maps)
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'app', 'static', 'dist');
const dev = process.argv.includes('--dev');
const require = createRequire(import.meta.url);

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

await esbuild.build({
  absWorkingDir: root,
  entryPoints: {
    modeler: 'assets/modeler.js',
    viewer: 'assets/viewer.js',
    gantt: 'assets/gantt.js',
    order_lines: 'assets/order_lines.js',
    ui: 'assets/ui.js',
  },
  outdir,
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  minify: !dev,
  sourcemap: dev,
  legalComments: 'linked',
  logLevel: 'info',
  // Fonts (the svg one too) become files next to the bundle; png images inline as data: URLs.
  loader: {
    '.eot': 'file',
    '.woff': 'file',
    '.woff2': 'file',
    '.ttf': 'file',
    '.svg': 'file',
    '.png': 'dataurl',
  },
  assetNames: 'fonts/[name]-[hash]',
});

await copyFile(require.resolve('htmx.org/dist/htmx.min.js'), path.join(outdir, 'htmx.min.js'));

// The pages send `script-src 'self'` without 'unsafe-eval': code that compiles strings (eval,
// new Function, Function("…")) would fail in the browser, so refuse to ship it. (This is why
// the bpmnlint rules are imported one by one in assets/lint/index.js instead of being packed.)
const EVAL = /(?<![\w$.])(?:eval|(?:new\s+)?Function)\s*\(/;
for (const name of ['modeler.js', 'viewer.js', 'gantt.js', 'order_lines.js', 'ui.js']) {
  const code = await readFile(path.join(outdir, name), 'utf8');
  const found = EVAL.exec(code);
  if (found) {
    const around = code.slice(Math.max(0, found.index - 60), found.index + 60);
    throw new Error(`${name} compiles code at run time (CSP forbids it): …${around}…`);
  }
}
console.log(`assets written to ${path.relative(root, outdir)}/`);
