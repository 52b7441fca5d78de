// Entry for app/static/dist/modeler.{js,css}: the BPMN modeler of process owners (bpmn-js with
// the properties panel, OrderGate's own properties and live bpmnlint checks). Load it with
// <script defer>; no inline script is needed (CSP). The page:
//
//   <div class="og-modeler" data-bpmn-modeler
//        data-xml-url="/processes/P/modeler.bpmn"      GET, the BPMN XML to edit
//        data-save-url="/processes/P/draft"             POST {"xml"} -> {"saved", "saved_at"}
//        data-publish-url="/processes/P/publish">       POST {"xml"} -> {"published", "version",
//                                                       "url"} or 422 {"problems": [...]}
//     <script type="application/json" class="og-modeler-config">{"departments": [{key, name}],
//       "forms": [...], "owners": [...], "csrf_token": "...", "locale": "zh-CN",
//       "messages": {...}}</script>
//     <div class="og-modeler-toolbar">
//       <button type="button" data-action="save">…</button>
//       <button type="button" data-action="publish">…</button>
//       <span class="og-modeler-status" role="status"></span>
//       <span class="og-lint-summary"></span>
//     </div>
//     <div class="og-modeler-canvas"></div>
//     <div class="og-modeler-panel"></div>
//     <ul class="og-modeler-problems"></ul>
//   </div>
//
// State for tests and styles, on the container: data-modeler-ready="1" once the diagram is
// imported; data-lint-errors / data-lint-warnings after every lint run; data-dirty="1" while
// there are unsaved changes. The status span gets data-state="saving|saved|publishing|
// published|blocked|error". The Publish button is disabled while the linter reports errors
// (and until the first lint run). The bpmn.io watermark stays visible: the licence requires it.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import './ordergate.css';
import './modeler.css';

import { linterConfig, setLintContext } from './lint/index.js';
import { KeepVariableRefsModule } from './modeler/keep-variable-refs.js';
import { OrderGatePropertiesModule } from './modeler/properties.js';
import { zhTemplate } from './modeler/translations_zh.js';
import spiffworkflowModdle from './modeler/spiffworkflow-moddle.json';
import { onContent, showError } from './mount.js';

const FALLBACK_MESSAGES = {
  saved: 'Draft saved',
  save_failed: 'The draft could not be saved',
  publish_failed: 'The process could not be published',
  published: 'Published version %(n)s',
  publish_blocked: 'Fix the lint errors before publishing',
  lint_errors: '%(n)s errors',
  lint_warnings: '%(n)s warnings',
  problems: 'The server refused to publish:',
  line: 'line %(n)s',
  lint_none: 'No issues',
  lint_toggle: 'Show or hide the lint markers',
};

/** Fill Python-style `%(name)s` placeholders (the server's catalogue uses them). */
function format(template, values = {}) {
  return String(template).replace(/%\((\w+)\)s/g, (all, name) =>
    name in values ? String(values[name]) : all,
  );
}

/** The page's language: the config's `locale`, else the <html lang> attribute. */
function pageLocale(config) {
  return String(config.locale || document.documentElement.lang || 'en');
}

/** The list separator of the page's language (Chinese text takes a full-width comma). */
function listSeparator(locale) {
  return locale.toLowerCase().startsWith('zh') ? '，' : ', ';
}

/**
 * diagram-js's `translate` service: bpmn-js, its properties panel and bpmnlint's button in the
 * page's language. Chinese comes from the table in modeler/translations_zh.js; the lint button
 * takes the page's own words (the server's catalogue). Anything else stays as the library wrote it.
 */
function translateModule(messages, locale) {
  const zh = locale.toLowerCase().startsWith('zh');
  const own = {
    '{errors} Errors, {warnings} Warnings': (r) =>
      format(messages.lint_errors, { n: r.errors }) +
      listSeparator(locale) +
      format(messages.lint_warnings, { n: r.warnings }),
    'No Issues': () => messages.lint_none,
    'Toggle linting overlays': () => messages.lint_toggle,
  };
  function translate(template, replacements = {}) {
    if (own[template]) return own[template](replacements);
    const words = (zh && zhTemplate(template)) || template;
    return words.replace(/{([^}]+)}/g, (all, key) => replacements[key] || `{${key}}`);
  }
  return { translate: ['value', translate] };
}

/** The parsed config block of the container ({} when there is none). */
function readConfig(el) {
  const block = el.querySelector('script.og-modeler-config[type="application/json"]');
  const config = block ? JSON.parse(block.textContent) : {};
  return { departments: [], forms: [], owners: [], ...config };
}

/** The child with class `name`, created (as a div) when the page left it out. */
function part(el, name, tag = 'div') {
  let found = el.querySelector(`.${name}`);
  if (!found) {
    found = document.createElement(tag);
    found.className = name;
    el.append(found);
  }
  return found;
}

/**
 * POST {"xml": xml, "token": token} as JSON with the CSRF token; resolves to {status, ok, body}.
 * The edit token says which save or version the diagram was opened from: the server refuses
 * (409) a save on top of another owner's newer save instead of overwriting it.
 */
async function postXml(url, xml, csrfToken, token) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(csrfToken ? { 'X-CSRFToken': csrfToken } : {}),
    },
    body: JSON.stringify(token ? { xml, token } : { xml }),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null; // not JSON (a proxy's error page, ...): the status tells enough
  }
  return { status: response.status, ok: response.ok, body: body || {} };
}

/** A time stamp from the server shown in the page's language (unchanged if unparseable). */
function localTime(value) {
  const date = new Date(value);
  if (!value || Number.isNaN(date.getTime())) return value || '';
  return date.toLocaleString(document.documentElement.lang || undefined);
}

/** Create the modeler in `el`, load its diagram and wire the toolbar. */
async function mountModeler(el) {
  let config;
  try {
    config = readConfig(el);
  } catch (err) {
    showError(el, err);
    return;
  }
  const messages = { ...FALLBACK_MESSAGES, ...(config.messages || {}) };
  const text = (key, values) => format(messages[key], values);

  const canvasEl = part(el, 'og-modeler-canvas');
  const panelEl = part(el, 'og-modeler-panel');
  const problemsEl = part(el, 'og-modeler-problems', 'ul');
  const statusEl = el.querySelector('.og-modeler-status');
  const summaryEl = el.querySelector('.og-lint-summary');
  const saveButton = el.querySelector('[data-action="save"]');
  const publishButton = el.querySelector('[data-action="publish"]');

  // The lint rules read the departments and forms from here (see assets/lint/context.js).
  setLintContext(config);

  const modeler = new Modeler({
    container: canvasEl,
    // The OrderGate group (form, due, department, owner) starts open: it is what owners edit most.
    propertiesPanel: { parent: panelEl, layout: { groups: { ordergate: { open: true } } } },
    linting: { bpmnlint: linterConfig, active: true },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      OrderGatePropertiesModule,
      KeepVariableRefsModule,
      lintModule,
      translateModule(messages, pageLocale(config)),
    ],
    moddleExtensions: { spiffworkflow: spiffworkflowModdle },
    ordergate: {
      departments: config.departments,
      forms: config.forms,
      owners: config.owners,
      messages: config.messages || {},
    },
  });
  // Tests and later code find the instance here rather than in a global.
  el.bpmnModeler = modeler;

  const eventBus = modeler.get('eventBus');
  let busy = false; // a save or publish request is on its way
  let lintErrors = null; // null until the first lint run
  let changes = 0; // command stack changes since load
  let savedChanges = 0; // `changes` at the last successful save

  function setStatus(state, message) {
    if (!statusEl) return;
    statusEl.textContent = message;
    statusEl.dataset.state = state;
  }

  function isDirty() {
    return changes !== savedChanges;
  }

  function updateButtons() {
    if (saveButton) saveButton.disabled = busy;
    if (publishButton) publishButton.disabled = busy || lintErrors === null || lintErrors > 0;
  }

  function markSaved(at) {
    savedChanges = at;
    if (isDirty()) el.dataset.dirty = '1';
    else delete el.dataset.dirty;
  }

  eventBus.on('commandStack.changed', () => {
    changes += 1;
    el.dataset.dirty = '1';
  });

  eventBus.on('linting.completed', ({ issues }) => {
    let errors = 0;
    let warnings = 0;
    for (const list of Object.values(issues || {})) {
      for (const issue of list) {
        // A rule that crashed (`rule-error`) cannot vouch for the diagram: count it as an error.
        if (issue.category === 'error' || issue.category === 'rule-error') errors += 1;
        else if (issue.category === 'warn') warnings += 1;
      }
    }
    const hadErrors = lintErrors > 0;
    lintErrors = errors;
    el.dataset.lintErrors = String(errors);
    el.dataset.lintWarnings = String(warnings);
    if (summaryEl) {
      const parts = [];
      if (errors) parts.push(text('lint_errors', { n: errors }));
      if (warnings) parts.push(text('lint_warnings', { n: warnings }));
      summaryEl.textContent = parts.join(listSeparator(pageLocale(config)));
      summaryEl.dataset.state = errors ? 'error' : warnings ? 'warning' : 'ok';
    }
    if (hadErrors && !errors && statusEl && statusEl.dataset.state === 'blocked') {
      setStatus('', '');
    }
    updateButtons();
  });

  function showProblems(problems) {
    problemsEl.replaceChildren();
    if (!problems.length) return;
    const registry = modeler.get('elementRegistry');
    let first = null;
    for (const problem of problems) {
      const item = document.createElement('li');
      const element = problem.element ? registry.get(problem.element) : null;
      let label = problem.message || '';
      if (problem.line) label += ` (${text('line', { n: problem.line })})`;
      if (element) {
        const link = document.createElement('button');
        link.type = 'button';
        link.className = 'og-modeler-problem-link';
        link.dataset.element = problem.element;
        link.textContent = label;
        link.addEventListener('click', () => focusElement(element));
        item.append(link);
        first = first || element;
      } else {
        item.textContent = label;
      }
      problemsEl.append(item);
    }
    if (first) focusElement(first);
  }

  function focusElement(element) {
    const canvas = modeler.get('canvas');
    try {
      // Padding on the left keeps it clear of the palette.
      canvas.scrollToElement(element, { top: 80, bottom: 80, left: 180, right: 80 });
    } catch {
      // an element on another plane (collapsed sub-process) cannot be scrolled to from here
    }
    modeler.get('selection').select(element);
  }

  let editToken = config.token || null;

  async function send(kind) {
    if (busy) return;
    const url = kind === 'save' ? el.dataset.saveUrl : el.dataset.publishUrl;
    if (!url) return;
    if (kind === 'publish' && lintErrors !== 0) {
      setStatus('blocked', messages.publish_blocked);
      updateButtons();
      return;
    }
    busy = true;
    updateButtons();
    setStatus(kind === 'save' ? 'saving' : 'publishing', '…');
    const changesSent = changes;
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const { status, ok, body } = await postXml(url, xml, config.csrf_token, editToken);
      if (body && body.token) editToken = body.token;
      if (kind === 'save') {
        if (ok && body.saved) {
          markSaved(changesSent);
          const at = localTime(body.saved_at);
          setStatus('saved', at ? `${messages.saved} (${at})` : messages.saved);
        } else {
          setStatus('error', body.error ? `${messages.save_failed}: ${body.error}` : `${messages.save_failed} (${status})`);
        }
      } else if (ok && body.published) {
        problemsEl.replaceChildren();
        markSaved(changes); // leaving for the published process must not ask about unsaved changes
        setStatus('published', text('published', { n: body.version }));
        if (body.url) window.location.assign(body.url);
      } else if (status === 422 && Array.isArray(body.problems)) {
        setStatus('error', messages.problems);
        showProblems(body.problems);
      } else {
        setStatus('error', body.error ? `${messages.publish_failed}: ${body.error}` : `${messages.publish_failed} (${status})`);
      }
    } catch (err) {
      console.error(err);
      const failed = kind === 'save' ? messages.save_failed : messages.publish_failed;
      setStatus('error', failed);
    } finally {
      busy = false;
      updateButtons();
    }
  }

  if (saveButton) saveButton.addEventListener('click', () => send('save'));
  if (publishButton) publishButton.addEventListener('click', () => send('publish'));
  updateButtons();

  window.addEventListener('beforeunload', (event) => {
    if (!isDirty() || !el.isConnected) return;
    event.preventDefault();
    event.returnValue = ''; // older browsers need it to show the prompt
  });

  try {
    const url = el.dataset.xmlUrl;
    if (url) {
      const response = await fetch(url, {
        credentials: 'same-origin',
        headers: { Accept: 'application/xml, text/xml' },
      });
      if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
      const { warnings } = await modeler.importXML(await response.text());
      if (warnings.length) console.warn('BPMN import warnings', warnings);
    } else {
      await modeler.createDiagram();
    }
    modeler.get('canvas').zoom('fit-viewport');
    // The import itself is not an edit; start counting from here.
    changes = 0;
    markSaved(0);
    el.dataset.modelerReady = '1';
    el.dispatchEvent(new CustomEvent('og:modeler-ready', { bubbles: true, detail: { modeler } }));
  } catch (err) {
    showError(el, err);
  }
}

onContent('[data-bpmn-modeler]', mountModeler);
