// What the OrderGate lint rules need to know about this installation: the department keys and
// form names. The modeler calls setLintContext() with the page's config before it creates the
// Modeler (bpmnlint rules are plain functions with no access to the page). Until it is called
// (null lists) the rules skip the "is it a known department/form" half of their checks.

const context = {
  departments: null, // Set of department keys, or null when not configured
  forms: null, // Set of form names, or null
  messages: {}, // optional translated lint messages (lint_* keys), see message()
};

/**
 * @param {{departments?: Array<{key: string}|string>, forms?: string[], messages?: object}} config
 */
export function setLintContext(config = {}) {
  const keys = (config.departments || []).map((d) => (typeof d === 'string' ? d : d.key));
  context.departments = config.departments ? new Set(keys) : null;
  context.forms = config.forms ? new Set(config.forms) : null;
  context.messages = config.messages || {};
}

export function lintContext() {
  return context;
}

/**
 * The message `key` from the page's config (translated), else `fallback`; `%(name)s`
 * placeholders are filled from `values` (the Python %-format the server's catalogue uses).
 */
export function message(key, fallback, values = {}) {
  const template = (context.messages && context.messages[key]) || fallback;
  return template.replace(/%\((\w+)\)s/g, (all, name) => (name in values ? String(values[name]) : all));
}
