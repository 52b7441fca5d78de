// Entry for app/static/dist/viewer.{js,css}: shows a process diagram with its progress.
//   <div data-bpmn-viewer data-xml-url="/processes/7/xml" data-done="a,b" data-current="c"></div>
// Elements listed in data-done get the marker `og-done`, those in data-current `og-current`.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './ordergate.css';

import { onContent, showError } from './mount.js';

/** Split a comma-separated id list from a data attribute. */
function ids(value) {
  return (value || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Add `marker` to each listed element that exists in the diagram (unknown ids are ignored). */
function mark(viewer, list, marker) {
  const registry = viewer.get('elementRegistry');
  const canvas = viewer.get('canvas');
  for (const id of list) {
    if (registry.get(id)) canvas.addMarker(id, marker);
  }
}

/** Create a viewer in `el`, import its XML and highlight done and current steps. */
async function mountViewer(el) {
  const viewer = new NavigatedViewer({ container: el });
  el.bpmnViewer = viewer;
  try {
    const url = el.dataset.xmlUrl;
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    await viewer.importXML(await response.text());
    viewer.get('canvas').zoom('fit-viewport');
    mark(viewer, ids(el.dataset.done), 'og-done');
    mark(viewer, ids(el.dataset.current), 'og-current');
    el.classList.add('og-bpmn-ready');
    el.dispatchEvent(new CustomEvent('og:viewer-ready', { bubbles: true, detail: { viewer } }));
  } catch (err) {
    showError(el, err);
  }
}

onContent('[data-bpmn-viewer]', mountViewer);
