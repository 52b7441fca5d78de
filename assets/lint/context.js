// What the OrderGate lint rules need to know about this installation: the department keys and
// form names. The modeler calls setLintContext() with the page's config before it creates the
// Modeler (bpmnlint rules are plain functions with no access to the page). Until it is called
// (null lists) the rules skip the "is it a known department/form" half of their checks.

const context = {
  departments: null, // Set of department keys, or null when not configured
  aliases: null, // Map of every accepted lane name (trimmed, lower-cased) -> department key
  forms: null, // Set of form names, or null
  messages: {}, // optional translated lint messages (lint_* keys), see message()
};

/**
 * @param {{departments?: Array<{key: string}|string>, forms?: string[], messages?: object}} config
 */
export function setLintContext(config = {}) {
  const keys = (config.departments || []).map((d) => (typeof d === 'string' ? d : d.key));
  context.departments = config.departments ? new Set(keys) : null;
  context.aliases = config.departments ? departmentAliases(config.departments) : null;
  context.forms = config.forms ? new Set(config.forms) : null;
  context.messages = config.messages || {};
}

/** A lane name as the server reads it (versions.department_aliases): trimmed, lower-cased. */
export function aliasOf(name) {
  return String(name || '').trim().toLowerCase();
}

/** Lane name -> department key for every name the server accepts: key, English, Chinese. */
export function departmentAliases(departments) {
  const found = new Map();
  for (const d of departments) {
    const key = typeof d === 'string' ? d : d.key;
    for (const name of [key, ...((d && d.aliases) || [])]) {
      if (name) found.set(aliasOf(name), key);
    }
  }
  return found;
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
