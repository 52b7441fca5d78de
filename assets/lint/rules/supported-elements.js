// ordergate/supported-elements: the elements and event definitions the server refuses to run
// (app/engine/check_structure.py: SUPPORTED and EVENT_DEFINITIONS, docs/ENGINE_CONTRACT.md
// "Supported elements"), reported where the modeler shows them. Only processes that can run are
// checked: executable ones and those their call activities call (as the server does).
import { message } from '../context.js';
import { is } from '../util.js';

// A service task runs when it names a connector (app/engine/connectors.py: notify, http).
const CONNECTORS = ['notify', 'http'];
const REFUSED = [
  'bpmn:ComplexGateway', 'bpmn:Transaction', 'bpmn:AdHocSubProcess',
  'bpmn:DataStoreReference',
];
const CAUGHT = ['Message', 'Timer', 'Signal'];
const EVENT_DEFINITIONS = {
  'bpmn:StartEvent': ['Message', 'Timer'],
  'bpmn:EndEvent': ['Message', 'Escalation', 'Error', 'Terminate'],
  'bpmn:IntermediateCatchEvent': CAUGHT,
  'bpmn:IntermediateThrowEvent': ['Message', 'Signal', 'Escalation'],
  'bpmn:BoundaryEvent': [...CAUGHT, 'Error', 'Escalation'],
};

function kindOf(definition) {
  return definition.$type.replace(/^bpmn:/, '').replace(/EventDefinition$/, '');
}

function connector(element) {
  const values = (element.extensionElements && element.extensionElements.values) || [];
  const operator = values.find((v) => is(v, 'spiffworkflow:ServiceTaskOperator'));
  return operator ? operator.id : null;
}

function refused(element) {
  if (is(element, 'bpmn:ServiceTask') && !CONNECTORS.includes(connector(element))) {
    return 'ServiceTask without a connector';
  }
  if (REFUSED.some((type) => element.$type === type)) return element.$type.replace(/^bpmn:/, '');
  if (is(element, 'bpmn:SubProcess') && element.triggeredByEvent) return 'event sub-process';
  if (is(element, 'bpmn:Activity') && is(element.loopCharacteristics, 'bpmn:StandardLoopCharacteristics')) {
    return 'loop marker';
  }
  // A repeating start timer would add a path at every cycle of one instance that never ends.
  if (is(element, 'bpmn:StartEvent') && (element.eventDefinitions || []).some((d) => d.timeCycle)) {
    return 'repeating timer StartEvent; wait with a timer boundary or intermediate event';
  }
  const allowed = EVENT_DEFINITIONS[element.$type];
  if (!allowed) return null;
  const wrong = (element.eventDefinitions || []).map(kindOf).find((k) => !allowed.includes(k));
  return wrong ? `${wrong} ${element.$type.replace(/^bpmn:/, '')}` : null;
}

function runningProcesses(definitions) {
  const processes = (definitions.rootElements || []).filter((e) => is(e, 'bpmn:Process'));
  const byId = new Map(processes.map((p) => [p.id, p]));
  let queue = processes.filter((p) => p.isExecutable);
  if (!queue.length) queue = processes; // none executable: all are checked (as the server does)
  const running = new Set();
  while (queue.length) {
    const process = queue.pop();
    if (running.has(process)) continue;
    running.add(process);
    const visit = (container) => {
      for (const element of container.flowElements || []) {
        if (is(element, 'bpmn:CallActivity') && byId.has(element.calledElement)) {
          queue.push(byId.get(element.calledElement));
        }
        if (is(element, 'bpmn:SubProcess')) visit(element);
      }
    };
    visit(process);
  }
  return running;
}

export default function supportedElements() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:Definitions')) return;
    const visit = (container) => {
      for (const element of container.flowElements || []) {
        const what = refused(element);
        if (what) {
          reporter.report(
            element.id,
            message('lint_unsupported', 'OrderGate does not run this element (%(what)s); replace it with a supported one.', { what }),
          );
          continue; // its content is not reported again, as on the server
        }
        if (is(element, 'bpmn:SubProcess')) visit(element);
      }
    };
    for (const process of runningProcesses(node)) visit(process);
  }
  return { check };
}
