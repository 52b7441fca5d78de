// ordergate/no-unreachable: every flow node can be reached from a start event of its process or
// sub-process, following sequence flows. Boundary events are reached through the activity they
// are attached to, link catch events through link throw events of the same name, and an event
// sub-process counts as reached (its start event is a start of its own). Each (sub-)process is
// checked on its own; one without start events is left to bpmnlint's start-event-required.
import { message } from '../context.js';
import { is, isAny } from '../util.js';

function linkName(event) {
  const definition = (event.eventDefinitions || []).find((d) => is(d, 'bpmn:LinkEventDefinition'));
  return definition ? definition.name || '' : null;
}

function isEventSubProcess(node) {
  return is(node, 'bpmn:SubProcess') && Boolean(node.triggeredByEvent);
}

/** Flow nodes of `container` that no start event reaches; null when it has no start event. */
export function unreachableNodes(container) {
  const nodes = (container.flowElements || []).filter((e) => is(e, 'bpmn:FlowNode'));
  const starts = nodes.filter((n) => is(n, 'bpmn:StartEvent'));
  if (!starts.length) return null;

  const boundaries = new Map(); // activity -> its boundary events
  const linkCatches = new Map(); // link name -> catch events
  for (const node of nodes) {
    if (is(node, 'bpmn:BoundaryEvent') && node.attachedToRef) {
      const list = boundaries.get(node.attachedToRef) || [];
      list.push(node);
      boundaries.set(node.attachedToRef, list);
    }
    if (is(node, 'bpmn:IntermediateCatchEvent') && linkName(node) !== null) {
      const list = linkCatches.get(linkName(node)) || [];
      list.push(node);
      linkCatches.set(linkName(node), list);
    }
  }

  const reached = new Set();
  const queue = [...starts, ...nodes.filter(isEventSubProcess)];
  // Compensation handlers are started by a compensation event, not by a sequence flow.
  queue.push(...nodes.filter((n) => n.isForCompensation));
  while (queue.length) {
    const node = queue.pop();
    if (!node || reached.has(node)) continue;
    reached.add(node);
    for (const flow of node.outgoing || []) {
      if (is(flow, 'bpmn:SequenceFlow')) queue.push(flow.targetRef);
    }
    queue.push(...(boundaries.get(node) || []));
    if (is(node, 'bpmn:IntermediateThrowEvent') && linkName(node) !== null) {
      queue.push(...(linkCatches.get(linkName(node)) || []));
    }
  }
  return nodes.filter((n) => !reached.has(n));
}

export default function noUnreachable() {
  function check(node, reporter) {
    if (!isAny(node, ['bpmn:Process', 'bpmn:SubProcess'])) return;
    if (is(node, 'bpmn:AdHocSubProcess')) return; // its activities need no sequence flows
    for (const unreachable of unreachableNodes(node) || []) {
      reporter.report(
        unreachable.id,
        message('lint_unreachable', 'Element cannot be reached from a start event'),
      );
    }
  }

  return { check };
}
