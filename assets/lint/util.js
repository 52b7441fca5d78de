// Small helpers shared by the OrderGate lint rules and the properties panel.

/** True if the moddle element is an instance of one of the given types. */
export function isAny(node, types) {
  return Boolean(node && node.$instanceOf) && types.some((type) => node.$instanceOf(type));
}

export function is(node, type) {
  return isAny(node, [type]);
}

/** The spiffworkflow:property values under the element's extensionElements, by name. */
export function spiffProperties(bo) {
  const result = {};
  const values = (bo && bo.extensionElements && bo.extensionElements.values) || [];
  for (const ext of values) {
    if (!is(ext, 'spiffworkflow:Properties')) continue;
    for (const prop of ext.values || []) {
      // The last one wins, as in the engine (a dict built in document order).
      if (prop.name) result[prop.name] = prop.value || '';
    }
  }
  return result;
}
