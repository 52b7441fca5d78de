// Entry for app/static/dist/modeler.{js,css}: mounts a bpmn-js Modeler on every
// <div data-bpmn-modeler data-xml-url="..."> element. Load it with <script defer>; no inline
// script is needed (CSP). The bpmn.io watermark stays visible: bpmn-js's licence requires it.
import Modeler from 'bpmn-js/lib/Modeler';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import './ordergate.css';

import { onContent, showError } from './mount.js';

/** Create a modeler in `el` and import the diagram named by data-xml-url (or a blank one). */
async function mountModeler(el) {
  const modeler = new Modeler({ container: el });
  // Later code (the modeler issue) finds the instance here rather than in a global.
  el.bpmnModeler = modeler;
  try {
    const url = el.dataset.xmlUrl;
    if (url) {
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
      await modeler.importXML(await response.text());
    } else {
      await modeler.createDiagram();
    }
    modeler.get('canvas').zoom('fit-viewport');
    el.dispatchEvent(new CustomEvent('og:modeler-ready', { bubbles: true, detail: { modeler } }));
  } catch (err) {
    showError(el, err);
  }
}

onContent('[data-bpmn-modeler]', mountModeler);
