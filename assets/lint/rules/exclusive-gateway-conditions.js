// ordergate/exclusive-gateway-conditions: an exclusive (or inclusive) gateway that splits (more
// than one outgoing flow) needs a condition on every outgoing flow except its default flow. bpmnlint's
// conditional-flows only looks at gateways where some flow already has a condition; this one
// also catches a split with no condition and no default at all (SpiffWorkflow would stop there).
import { message } from '../context.js';
import { is } from '../util.js';

function hasCondition(flow) {
  const condition = flow.conditionExpression;
  return Boolean(condition && String(condition.body || '').trim());
}

export default function exclusiveGatewayConditions() {
  function check(node, reporter) {
    // The server refuses the same for inclusive gateways (app/engine/check_structure.py).
    if (!is(node, 'bpmn:ExclusiveGateway') && !is(node, 'bpmn:InclusiveGateway')) return;
    const outgoing = node.outgoing || [];
    if (outgoing.length < 2) return;
    const missing = outgoing.filter((flow) => flow !== node.default && !hasCondition(flow));
    if (missing.length) {
      reporter.report(
        node.id,
        message(
          'lint_gateway_conditions',
          'Outgoing flows without condition: %(flows)s (add conditions or make one the default flow)',
          { flows: missing.map((flow) => flow.name || flow.id).join(', ') },
        ),
      );
    }
  }

  return { check };
}
