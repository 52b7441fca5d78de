// The "OrderGate" group of the properties panel (bpmn-js-properties-panel provider):
//   lane       Department: a select of config.departments; choosing one renames the lane to the
//              department key (the engine maps lanes to departments by name)
//   user task  Form (config.forms), Due (ISO 8601 duration), Role (none / head), Chinese name
//   process    Owner (config.owners) and Chinese name, on the root process or on a
//              participant's process
//   any other flow element (event, gateway, task, flow)  Chinese name
// Task and process values are spiffworkflow:property entries (see spiff-properties.js).
// The page's config reaches the provider as the Modeler option `ordergate`
// ({departments, forms, owners, messages}).
import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { h } from '@bpmn-io/properties-panel/preact';
import { useService } from 'bpmn-js-properties-panel';

import { aliasOf, departmentAliases } from '../lint/context.js';
import { isIsoDuration } from '../lint/duration.js';
import { is } from '../lint/util.js';
import { setSpiffProperty, spiffProperties } from './spiff-properties.js';

const LOW_PRIORITY = 500;

const FALLBACK_MESSAGES = {
  ordergate: 'OrderGate',
  department: 'Department',
  form: 'Form',
  due: 'Due (ISO 8601 duration)',
  role: 'Role',
  role_none: 'Anyone in the department',
  role_head: 'Department head only',
  name_zh: 'Chinese name',
  owner: 'Process owner',
  bad_due: 'Not an ISO 8601 duration: write e.g. PT8H, P2D or P1DT4H',
  none: '—',
  unknown: '%(value)s (unknown)',
};

function useOrderGate() {
  const config = useService('config').ordergate || {};
  const messages = { ...FALLBACK_MESSAGES, ...(config.messages || {}) };
  const text = (key, values = {}) =>
    messages[key].replace(/%\((\w+)\)s/g, (all, name) => (name in values ? String(values[name]) : all));
  return { config, text };
}

/** Select options; a current value that is not among them is kept as an extra option. */
function withCurrent(options, current, text) {
  if (current && !options.some((o) => o.value === current)) {
    return [...options, { value: current, label: text('unknown', { value: current }) }];
  }
  return options;
}

// The business object whose spiffworkflow properties an entry edits: the element's own, or for
// a participant the process it stands for.
function targetOf(element) {
  const bo = element.businessObject;
  return is(bo, 'bpmn:Participant') ? bo.processRef : bo;
}

function SpiffSelect(props) {
  const { element, id, name, label, options } = props;
  const injector = useService('injector');
  const { text } = useOrderGate();
  const bo = targetOf(element);
  const getValue = () => spiffProperties(bo)[name] || '';
  const setValue = (value) => setSpiffProperty(injector, element, bo, name, value || undefined);
  const getOptions = () => withCurrent(options, getValue(), text);
  return h(SelectEntry, { element, id, label, getValue, setValue, getOptions });
}

function SpiffText(props) {
  const { element, id, name, label, validate } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  const bo = targetOf(element);
  const getValue = () => spiffProperties(bo)[name] || '';
  // Stored as typed, even when it does not validate: the panel shows the error, the linter too.
  const setValue = (value) => setSpiffProperty(injector, element, bo, name, value || undefined);
  return h(TextFieldEntry, { element, id, label, getValue, setValue, debounce, validate });
}

function FormEntry({ element, id }) {
  const { config, text } = useOrderGate();
  const options = [{ value: '', label: text('none') }, ...(config.forms || []).map((f) => ({ value: f, label: f }))];
  return h(SpiffSelect, { element, id, name: 'form', label: text('form'), options });
}

function DueEntry({ element, id }) {
  const { text } = useOrderGate();
  const validate = (value) => (value && !isIsoDuration(value) ? text('bad_due') : null);
  return h(SpiffText, { element, id, name: 'due', label: text('due'), validate });
}

function RoleEntry({ element, id }) {
  const { text } = useOrderGate();
  const options = [
    { value: '', label: text('role_none') },
    { value: 'head', label: text('role_head') },
  ];
  return h(SpiffSelect, { element, id, name: 'role', label: text('role'), options });
}

function NameZhEntry({ element, id }) {
  const { text } = useOrderGate();
  return h(SpiffText, { element, id, name: 'name_zh', label: text('name_zh') });
}

function OwnerEntry({ element, id }) {
  const { config, text } = useOrderGate();
  const options = [{ value: '', label: text('none') }, ...(config.owners || []).map((o) => ({ value: o, label: o }))];
  return h(SpiffSelect, { element, id, name: 'owner', label: text('owner'), options });
}

function DepartmentEntry({ element, id }) {
  const modeling = useService('modeling');
  const { config, text } = useOrderGate();
  const departments = config.departments || [];
  // A lane named by a department's English or Chinese name (as converted diagrams are) shows
  // that department, as the server reads it.
  const aliases = departmentAliases(departments);
  const getValue = () => {
    const name = element.businessObject.name || '';
    return aliases.get(aliasOf(name)) || name;
  };
  const setValue = (value) => {
    if (value && value !== getValue()) modeling.updateProperties(element, { name: value });
  };
  const getOptions = () => {
    const options = departments.map((d) => ({ value: d.key, label: `${d.key} — ${d.name}` }));
    const current = getValue();
    if (!current) return [{ value: '', label: text('none') }, ...options];
    return withCurrent(options, current, text);
  };
  return h(SelectEntry, { element, id, label: text('department'), getValue, setValue, getOptions });
}

/** The diagram element standing for the single process of a collaboration, if there is one. */
function processElementOf(element) {
  const bo = element.businessObject;
  if (is(bo, 'bpmn:Process')) return element;
  if (is(bo, 'bpmn:Participant') && bo.processRef) return element;
  return null;
}

function entry(id, component, isEdited) {
  return { id, component, isEdited };
}

function groupEntries(element) {
  const bo = element.businessObject;
  if (is(bo, 'bpmn:Lane')) {
    return [entry('ordergate-department', DepartmentEntry, isSelectEntryEdited)];
  }
  if (is(bo, 'bpmn:UserTask')) {
    return [
      entry('ordergate-form', FormEntry, isSelectEntryEdited),
      entry('ordergate-due', DueEntry, isTextFieldEntryEdited),
      entry('ordergate-role', RoleEntry, isSelectEntryEdited),
      entry('ordergate-name-zh', NameZhEntry, isTextFieldEntryEdited),
    ];
  }
  if (processElementOf(element)) {
    return [
      entry('ordergate-owner', OwnerEntry, isSelectEntryEdited),
      // The process's Chinese name, shown instead of its BPMN name in the Chinese interface.
      entry('ordergate-process-name-zh', NameZhEntry, isTextFieldEntryEdited),
    ];
  }
  // Events, gateways, other tasks and flows: their Chinese label on the read-only diagrams.
  if (is(bo, 'bpmn:FlowElement')) {
    return [entry('ordergate-name-zh', NameZhEntry, isTextFieldEntryEdited)];
  }
  return [];
}

export default function OrderGatePropertiesProvider(propertiesPanel, config) {
  const messages = { ...FALLBACK_MESSAGES, ...((config && config.messages) || {}) };

  this.getGroups = (element) => (groups) => {
    const entries = groupEntries(element);
    if (!entries.length) return groups;
    const group = { id: 'ordergate', label: messages.ordergate, entries };
    // Right after "General" (name and id), where it is seen first.
    const general = groups.findIndex((g) => g.id === 'general');
    groups.splice(general + 1, 0, group);
    return groups;
  };

  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

OrderGatePropertiesProvider.$inject = ['propertiesPanel', 'config.ordergate'];

export const OrderGatePropertiesModule = {
  __init__: ['ordergatePropertiesProvider'],
  ordergatePropertiesProvider: ['type', OrderGatePropertiesProvider],
};
