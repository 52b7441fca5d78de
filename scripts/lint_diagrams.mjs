// Lints BPMN files with the modeler's own bpmnlint configuration (assets/lint), outside the
// browser, for the lint/publish parity test (tests/web/test_lint_parity.py).
//
//   node scripts/lint_diagrams.mjs < request.json
//
// request: {"departments": [...], "forms": [...], "files": ["path.bpmn", ...]}
// prints:  {"path.bpmn": [{"id": ..., "rule": ..., "category": "error"|"warn", "message": ...}]}
// The configuration is bundled with esbuild first, as `npm run build` bundles it for the page,
// so bpmnlint's rule modules resolve exactly as they do in the modeler.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { BpmnModdle } from 'bpmn-moddle';
import bpmnlint from 'bpmnlint';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function lintConfiguration() {
  const bundled = await build({
    entryPoints: [path.join(ROOT, 'assets/lint/index.js')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const source = bundled.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
}

async function main() {
  const request = JSON.parse(readFileSync(0, 'utf8'));
  const { linterConfig, setLintContext } = await lintConfiguration();
  setLintContext({ departments: request.departments, forms: request.forms });
  const spiff = JSON.parse(readFileSync(path.join(ROOT, 'assets/modeler/spiffworkflow-moddle.json'), 'utf8'));
  const verdicts = {};
  for (const file of request.files) {
    // A linter per file: bpmnlint rules keep state between the elements of one lint run.
    const linter = new bpmnlint.Linter(linterConfig);
    const moddle = new BpmnModdle({ spiffworkflow: spiff });
    let reports = [];
    try {
      const { rootElement } = await moddle.fromXML(readFileSync(file, 'utf8'));
      const results = await linter.lint(rootElement);
      for (const [rule, found] of Object.entries(results)) {
        for (const report of found) {
          reports.push({ id: report.id || null, rule, category: report.category, message: report.message });
        }
      }
    } catch (error) {
      reports = [{ id: null, rule: 'import', category: 'error', message: String(error.message || error) }];
    }
    verdicts[file] = reports;
  }
  process.stdout.write(JSON.stringify(verdicts));
}

await main();
