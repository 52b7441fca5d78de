// Reading and writing <spiffworkflow:property name="…" value="…"/> under an element's
// <bpmn:extensionElements><spiffworkflow:properties>. Writes go through the command stack as one
// command (bpmn-js-properties-panel's multi-command executor), so a change is one undo step.
import { is } from '../lint/util.js';

export { spiffProperties } from '../lint/util.js';

/** [container, property] pairs of every spiffworkflow:property called `name`, in order. */
function findProperties(bo, name) {
  const found = [];
  const ext = bo.get('extensionElements');
  for (const container of (ext && ext.get('values')) || []) {
    if (!is(container, 'spiffworkflow:Properties')) continue;
    for (const prop of container.get('values')) {
      if (prop.name === name) found.push([container, prop]);
    }
  }
  return found;
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

/**
 * Set the spiffworkflow property `name` of the business object `bo` (shown as the diagram
 * element `element`) to `value`; an empty value removes it. Creates extensionElements and
 * spiffworkflow:properties when needed and drops them again when they end up empty.
 */
export function setSpiffProperty(injector, element, bo, name, value) {
  const bpmnFactory = injector.get('bpmnFactory');
  const commandStack = injector.get('commandStack');
  const empty = value === undefined || value === null || value === '';
  const found = findProperties(bo, name);
  const commands = [];

  // Remove every property called `name` except the one that will hold the new value (the last
  // one: the engine lets the last one win), container by container.
  const keep = empty ? null : (found[found.length - 1] || [])[1];
  const containers = new Map();
  for (const [container, prop] of found) {
    if (prop === keep) continue;
    if (!containers.has(container)) containers.set(container, new Set());
    containers.get(container).add(prop);
  }
  let ext = bo.get('extensionElements');
  let extValues = ext ? [...ext.get('values')] : [];
  for (const [container, removed] of containers) {
    const rest = container.get('values').filter((prop) => !removed.has(prop));
    if (rest.length) {
      commands.push(update(element, container, { values: rest }));
    } else {
      extValues = extValues.filter((v) => v !== container);
    }
  }

  if (keep) {
    if (keep.value !== value) commands.push(update(element, keep, { value }));
  } else if (!empty) {
    if (!ext) {
      ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      commands.push(update(element, bo, { extensionElements: ext }));
      extValues = [];
    }
    let container = extValues.find((v) => is(v, 'spiffworkflow:Properties'));
    if (!container) {
      container = bpmnFactory.create('spiffworkflow:Properties', { values: [] });
      container.$parent = ext;
      extValues = [...extValues, container];
    }
    const prop = bpmnFactory.create('spiffworkflow:Property', { name, value });
    prop.$parent = container;
    const values = container.get('values');
    if (extValues.includes(container) && ext.get('values').includes(container)) {
      commands.push(update(element, container, { values: [...values, prop] }));
    } else {
      container.get('values').push(prop); // a new container: fill it before it is attached
    }
  }

  if (ext && (extValues.length !== ext.get('values').length ||
      extValues.some((v, i) => v !== ext.get('values')[i]))) {
    if (extValues.length) {
      commands.push(update(element, ext, { values: extValues }));
    } else {
      commands.push(update(element, bo, { extensionElements: undefined }));
    }
  }

  if (commands.length) commandStack.execute('properties-panel.multi-command-executor', commands);
}
