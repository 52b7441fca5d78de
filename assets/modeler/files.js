// The modeler and files: downloads of the diagram (.bpmn, SVG, PNG, all made in the browser
// from what bpmn-js draws) and the inventory that tells what the modeler would drop on saving.
//
// bpmn-js reads a file into its own model and writes that model back: whatever it could not
// read (a data object whose id is not an XML name, an element type it does not know, a reference
// to a message that is not defined, ...) is silently missing from what it writes. `inventory`
// lists what a file holds; comparing the file as opened with the modeler's first export shows
// what saving would remove, before the owner saves.

const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
const DI_NS = 'http://www.omg.org/spec/BPMN/20100524/DI';

/** Offer `blob` as a download named `name`. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the blob once the click is handled; free it a moment later.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The diagram as the .bpmn file the modeler would save. */
export async function bpmnBlob(modeler) {
  const { xml } = await modeler.saveXML({ format: true });
  return new Blob([xml], { type: 'application/xml' });
}

/** The diagram as drawn, as an SVG image. */
export async function svgBlob(modeler) {
  const { svg } = await modeler.saveSVG();
  return new Blob([svg], { type: 'image/svg+xml' });
}

/** The size an SVG document declares (bpmn-js writes width, height and a viewBox). */
function svgSize(svg) {
  const root = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
  const width = parseFloat(root.getAttribute('width'));
  const height = parseFloat(root.getAttribute('height'));
  return {
    width: Number.isFinite(width) && width > 0 ? width : 800,
    height: Number.isFinite(height) && height > 0 ? height : 600,
  };
}

// A PNG is drawn at twice the diagram's size (sharp when zoomed or printed) unless that would
// pass what browsers allow a canvas (about 16 000 px a side, 268 million pixels).
const PNG_SCALE = 2;
const MAX_SIDE = 16000;
const MAX_PIXELS = 100e6;

/** The diagram as drawn, as a PNG image on a white background. */
export async function pngBlob(modeler) {
  const { svg } = await modeler.saveSVG();
  const { width, height } = svgSize(svg);
  const scale = Math.min(
    PNG_SCALE,
    MAX_SIDE / width,
    MAX_SIDE / height,
    Math.sqrt(MAX_PIXELS / (width * height)),
  );
  const image = new Image();
  // A data: URL, not a blob: one: the pages' Content-Security-Policy lets images come from
  // 'self' and data: only.
  const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await new Promise((resolve, reject) => {
    image.onload = resolve;
    image.onerror = () => reject(new Error('the SVG could not be drawn'));
    image.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no PNG'))), 'image/png');
  });
}

/** A file name for the diagram: the process id (letters, digits, - and _) plus `extension`. */
export function fileName(processId, extension) {
  const base = String(processId || 'diagram').replace(/[^\w-]+/g, '_') || 'diagram';
  return `${base}.${extension}`;
}

function describe(node) {
  const name = node.getAttribute('name');
  const of = node.getAttribute('bpmnElement'); // a DI shape or edge: the element it draws
  return { kind: node.localName, id: node.getAttribute('id'), name: name || '', of: of || '' };
}

/**
 * What a BPMN document holds, keyed: every BPMN or BPMN-DI element with an id, and every
 * reference attribute (`...Ref`) of one (a message event's messageRef, a data reference's
 * dataObjectRef, ...). Returns a Map key -> {kind, id, name, ref?}. An unparseable text gives
 * an empty map (bpmn-js reports that itself).
 */
export function inventory(xml) {
  const found = new Map();
  let doc;
  try {
    doc = new DOMParser().parseFromString(String(xml || ''), 'application/xml');
  } catch {
    return found;
  }
  if (doc.getElementsByTagName('parsererror').length) return found;
  for (const node of doc.getElementsByTagName('*')) {
    if (node.namespaceURI !== BPMN_NS && node.namespaceURI !== DI_NS) continue;
    const id = node.getAttribute('id');
    if (!id) continue;
    const element = describe(node);
    found.set(`${node.namespaceURI === DI_NS ? 'di' : 'bpmn'}:${id}`, element);
    for (const attr of node.attributes) {
      if (attr.namespaceURI || !/Ref$/.test(attr.localName) || !attr.value) continue;
      found.set(`ref:${id}@${attr.localName}=${attr.value}`, { ...element, ref: attr.localName });
    }
  }
  return found;
}

/**
 * What `before` holds that `after` (a text) lacks: the elements and references the modeler
 * would drop. Drawing information (DI) of a dropped element is not listed twice.
 */
export function dropped(before, afterXml) {
  const after = inventory(afterXml);
  const lost = [];
  const lostIds = new Set();
  for (const [key, element] of before) {
    if (after.has(key) || !key.startsWith('bpmn:')) continue;
    lost.push(element);
    lostIds.add(element.id);
  }
  for (const [key, element] of before) {
    if (after.has(key) || key.startsWith('bpmn:')) continue;
    if (key.startsWith('ref:') && !lostIds.has(element.id)) lost.push(element);
    else if (key.startsWith('di:') && !lostIds.has(element.of)) lost.push(element);
  }
  return lost;
}
