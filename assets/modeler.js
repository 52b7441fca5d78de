// Entry for app/static/dist/modeler.{js,css}: the BPMN modeler of process owners (bpmn-js with
// the properties panel, OrderGate's own properties and live bpmnlint checks). Load it with
// <script defer>; no inline script is needed (CSP). The page:
//
//   <div class="og-modeler" data-bpmn-modeler
//        data-xml-url="/processes/P/modeler.bpmn"      GET, the BPMN XML to edit
//        data-open-url="/processes/P/import"            POST multipart {"file", "token"} ->
//                                                       {"url"} (the modeler on the converted
//                                                       draft) or {"error"}
//        data-file-name="P"                             downloads are named P.bpmn, P.svg, P.png
//        data-save-url="/processes/P/draft"             POST {"xml", "token", "removed"} -> {"saved", ...}
//        data-publish-url="/processes/P/publish">       POST {"xml", "token", "removed"} -> {"published", "version",
//                                                       "url"} or 422 {"problems": [...]}
//     <script type="application/json" class="og-modeler-config">{"departments": [{key, name}],
//       "forms": [...], "owners": [...], "csrf_token": "...", "locale": "zh-CN",
//       "messages": {...}}</script>
//     <div class="og-modeler-toolbar">
//       <button type="button" data-action="save">…</button>
//       <button type="button" data-action="publish">…</button>
//       <span class="og-modeler-status" role="status"></span>
//       <span class="og-lint-summary"></span>
//       <button type="button" data-action="open">…</button>  (and <input type="file"> in it)
//       <button type="button" data-action="export" data-format="bpmn|svg|png">…</button>
//     </div>
//     <section class="og-modeler-notes" hidden>  import warnings and what saving would drop
//     <button data-select-element="ID">           anywhere inside: selects that element
//     <form data-report-answer>                   a report answer: asks first if unsaved
//     <div class="og-modeler-canvas"></div>
//     <div class="og-modeler-panel"></div>
//     <ul class="og-modeler-problems"></ul>
//   </div>
//
// A .bpmn file dropped on the canvas is opened like one chosen with the Open button.
// State for tests and styles, on the container: data-modeler-ready="1" once the diagram is
// imported; data-import-warnings and data-dropped (counts) after the import; data-lint-errors / data-lint-warnings after every lint run; data-dirty="1" while
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
import { bpmnBlob, download, dropped, fileName, inventory, pngBlob, svgBlob } from './modeler/files.js';
import { KeepVariableRefsModule } from './modeler/keep-variable-refs.js';
import { OrderGatePropertiesModule } from './modeler/properties.js';
import { zhTemplate } from './modeler/translations_zh.js';
import spiffworkflowModdle from './modeler/spiffworkflow-moddle.json';
import { onContent, onFileDrop, showError } from './mount.js';

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
  import_warnings: 'The modeler could not read everything in this diagram:',
  dropped: 'Saving will remove what the modeler could not read:',
  drop_confirm: 'Saving removes %(n)s elements the modeler could not read:\n%(list)s\n\nSave anyway?',
  open_replaces: 'Opening a file replaces the diagram and its unsaved changes. Continue?',
  open_failed: 'The file could not be opened',
  export_failed: 'The download could not be made',
  answer_replaces: 'The answer is written into the saved draft, which then reloads: unsaved changes are lost. Continue?',
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
async function postXml(url, xml, csrfToken, token, removed) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(csrfToken ? { 'X-CSRFToken': csrfToken } : {}),
    },
    body: JSON.stringify({ xml, removed, ...(token ? { token } : {}) }),
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
  // What the modeler could not read from the diagram it opened: saving would drop it. The
  // owner is asked once before the first save or publish; afterwards it is gone from the draft.
  let lost = [];
  // What the owner removed on the canvas since the last save: deleted shapes and connections,
  // replaced elements and old ids. Every save sends it with what the owner agreed to lose;
  // the server refuses a save that drops anything else (app/core/processes/drops.py).
  const removedIds = new Set();
  const removalCommands = {
    'shape.delete': (context) => context.shape,
    'connection.delete': (context) => context.connection,
    'shape.replace': (context) => context.oldShape,
  };
  for (const [command, removedOf] of Object.entries(removalCommands)) {
    eventBus.on(`commandStack.${command}.executed`, (event) => {
      const element = removedOf(event.context);
      if (element && element.id) removedIds.add(element.id);
    });
  }
  eventBus.on('element.updateId', (event) => {
    if (event.element && event.element.id) removedIds.add(event.element.id);
  });

  /** The ids sent as removed knowingly: canvas removals and the confirmed losses. */
  function removedList() {
    const ids = new Set(removedIds);
    for (const element of lost) ids.add(element.ref ? `${element.id}@${element.ref}` : element.id);
    return [...ids];
  }

  function elementLabel(element) {
    const name = element.name ? ` “${element.name}”` : '';
    const of = element.of ? ` → ${element.of}` : '';
    const ref = element.ref ? ` (${element.ref})` : '';
    return `${element.kind} ${element.id}${name}${of}${ref}`;
  }

  function noteList(title, items, kind) {
    const section = document.createElement('div');
    section.className = `og-modeler-note og-modeler-note-${kind}`;
    const heading = document.createElement('p');
    heading.textContent = title;
    const list = document.createElement('ul');
    const registry = modeler.get('elementRegistry');
    for (const { label, id } of items) {
      const item = document.createElement('li');
      const element = id ? registry.get(id) : null;
      if (element) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'og-modeler-problem-link';
        button.dataset.selectElement = id;
        button.textContent = label;
        item.append(button);
      } else {
        item.textContent = label;
      }
      list.append(item);
    }
    section.append(heading, list);
    return section;
  }

  /** Show bpmn-js's import warnings and what saving would drop, above the canvas. */
  function showNotes(warnings) {
    const notesEl = part(el, 'og-modeler-notes', 'section');
    notesEl.replaceChildren();
    el.dataset.importWarnings = String(warnings.length);
    el.dataset.dropped = String(lost.length);
    if (warnings.length) {
      const items = warnings.map((warning) => ({
        label: String(warning.message || warning),
        id: warning.element && warning.element.id,
      }));
      notesEl.append(noteList(messages.import_warnings, items, 'warnings'));
    }
    if (lost.length) {
      const items = lost.map((element) => ({ label: elementLabel(element), id: null }));
      notesEl.append(noteList(messages.dropped, items, 'dropped'));
    }
    notesEl.hidden = !warnings.length && !lost.length;
  }

  /** Whether the owner agrees to lose what the modeler could not read (true when nothing is). */
  function agreeToLoss() {
    if (!lost.length) return true;
    const list = lost.map((element) => `• ${elementLabel(element)}`).join('\n');
    return window.confirm(text('drop_confirm', { n: lost.length, list }));
  }

  async function send(kind) {
    if (busy) return;
    const url = kind === 'save' ? el.dataset.saveUrl : el.dataset.publishUrl;
    if (!url) return;
    if (kind === 'publish' && lintErrors !== 0) {
      setStatus('blocked', messages.publish_blocked);
      updateButtons();
      return;
    }
    if (!agreeToLoss()) return;
    busy = true;
    updateButtons();
    setStatus(kind === 'save' ? 'saving' : 'publishing', '…');
    const changesSent = changes;
    const removedSent = removedList();
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const { status, ok, body } = await postXml(url, xml, config.csrf_token, editToken, removedSent);
      if (body && body.token) editToken = body.token;
      if (ok) {
        lost = []; // the stored draft no longer holds what was lost
        for (const id of removedSent) removedIds.delete(id);
      }
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

  const MAKERS = { bpmn: bpmnBlob, svg: svgBlob, png: pngBlob };
  for (const button of el.querySelectorAll('[data-action="export"]')) {
    button.addEventListener('click', async () => {
      const format = button.dataset.format;
      if (!MAKERS[format]) return;
      try {
        download(await MAKERS[format](modeler), fileName(el.dataset.fileName, format));
      } catch (err) {
        console.error(err);
        setStatus('error', messages.export_failed);
      }
    });
  }

  async function openFile(file) {
    const url = el.dataset.openUrl;
    if (!url || !file || busy) return;
    if (isDirty() && !window.confirm(messages.open_replaces)) return;
    busy = true;
    updateButtons();
    setStatus('saving', '…');
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      if (editToken) form.append('token', editToken);
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          Accept: 'application/json',
          ...(config.csrf_token ? { 'X-CSRFToken': config.csrf_token } : {}),
        },
        body: form,
      });
      let body = {};
      try {
        body = (await response.json()) || {};
      } catch {
        body = {};
      }
      if (response.ok && body.url) {
        markSaved(changes); // the file replaced the diagram on the server: nothing to warn about
        window.location.assign(body.url);
        return;
      }
      const why = body.error || `${response.status}`;
      setStatus('error', `${messages.open_failed}: ${why}`);
    } catch (err) {
      console.error(err);
      setStatus('error', messages.open_failed);
    } finally {
      busy = false;
      updateButtons();
    }
  }

  const fileInput = el.querySelector('input[type="file"]');
  const openButton = el.querySelector('[data-action="open"]');
  if (openButton && fileInput) {
    openButton.addEventListener('click', () => fileInput.click());
    fileInput.addEventListener('change', () => {
      const [file] = fileInput.files;
      fileInput.value = ''; // choosing the same file again opens it again
      openFile(file);
    });
  }
  if (el.dataset.openUrl) onFileDrop(canvasEl, (files) => openFile(files[0]));

  // An answer to the conversion report is written into the saved draft and the page reloads:
  // ask before unsaved changes are lost, and send the edit token of the last save.
  el.addEventListener('submit', (event) => {
    const form = event.target.closest('[data-report-answer]');
    if (!form) return;
    if (busy || (isDirty() && !window.confirm(messages.answer_replaces))) {
      event.preventDefault();
      return;
    }
    if (form.elements.token && editToken) form.elements.token.value = editToken;
    markSaved(changes); // leaving for the answered draft must not ask about unsaved changes
  });

  // Buttons that name an element (conversion report, import notes) select it on the canvas.
  el.addEventListener('click', (event) => {
    const button = event.target.closest('[data-select-element]');
    if (!button || !el.contains(button)) return;
    const element = modeler.get('elementRegistry').get(button.dataset.selectElement);
    if (element) focusElement(element);
  });

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
      const source = await response.text();
      const { warnings } = await modeler.importXML(source);
      const { xml: first } = await modeler.saveXML();
      lost = dropped(inventory(source), first);
      showNotes(warnings);
    } else {
      await modeler.createDiagram();
    }
    modeler.get('canvas').zoom('fit-viewport');
    // The import itself is not an edit; start counting from here.
    changes = 0;
    markSaved(0);
    // A link from the conversion report (…/edit?select=ID) opens with that element selected.
    const wanted = new URLSearchParams(window.location.search).get('select');
    const element = wanted ? modeler.get('elementRegistry').get(wanted) : null;
    if (element) focusElement(element);
    el.dataset.modelerReady = '1';
    el.dispatchEvent(new CustomEvent('og:modeler-ready', { bubbles: true, detail: { modeler } }));
  } catch (err) {
    showError(el, err);
  }
}

onContent('[data-bpmn-modeler]', mountModeler);
