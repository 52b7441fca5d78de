// The bpmnlint configuration of the OrderGate modeler: bpmnlint's `recommended` rules plus the
// local plugin `ordergate` (rules/ beside this file), as the { config, resolver } pair that
// bpmn-js-bpmnlint expects (`linting: { bpmnlint: linterConfig }`).
//
// bpmnlint normally packs such a configuration with bpmnlint-pack-config (a rollup plugin). Here
// the resolver is written out by hand instead: every rule module is imported explicitly, so
// esbuild bundles them statically and nothing needs eval, new Function or dynamic require (CSP
// `script-src 'self'`). A rule that `recommended` enables but that is missing below makes the
// linter report a `rule-error`, which the modeler counts as an error: add the import then.
import recommended from 'bpmnlint/config/recommended';

import adHocSubProcess from 'bpmnlint/rules/ad-hoc-sub-process';
import conditionalFlows from 'bpmnlint/rules/conditional-flows';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import eventBasedGateway from 'bpmnlint/rules/event-based-gateway';
import eventSubProcessTypedStartEvent from 'bpmnlint/rules/event-sub-process-typed-start-event';
import fakeJoin from 'bpmnlint/rules/fake-join';
import global from 'bpmnlint/rules/global';
import labelRequired from 'bpmnlint/rules/label-required';
import linkEvent from 'bpmnlint/rules/link-event';
import noBpmndi from 'bpmnlint/rules/no-bpmndi';
import noComplexGateway from 'bpmnlint/rules/no-complex-gateway';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import noGatewayJoinFork from 'bpmnlint/rules/no-gateway-join-fork';
import noImplicitEnd from 'bpmnlint/rules/no-implicit-end';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import noImplicitStart from 'bpmnlint/rules/no-implicit-start';
import noInclusiveGateway from 'bpmnlint/rules/no-inclusive-gateway';
import noOverlappingElements from 'bpmnlint/rules/no-overlapping-elements';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event';
import singleEventDefinition from 'bpmnlint/rules/single-event-definition';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import subProcessBlankStartEvent from 'bpmnlint/rules/sub-process-blank-start-event';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway';
import superfluousLabel from 'bpmnlint/rules/superfluous-label';
import superfluousTermination from 'bpmnlint/rules/superfluous-termination';

import exclusiveGatewayConditions from './rules/exclusive-gateway-conditions.js';
import executableProcess from './rules/executable-process.js';
import noUnreachable from './rules/no-unreachable.js';
import supportedElements from './rules/supported-elements.js';
import userTaskDue from './rules/user-task-due.js';
import userTaskForm from './rules/user-task-form.js';
import userTaskLane from './rules/user-task-lane.js';

import { is, spiffProperties } from './util.js';

export { setLintContext } from './context.js';

const PLUGIN = 'bpmnlint-plugin-ordergate';

/**
 * A boundary timer that carries an `escalate` property (remind / head / manager) does its work in
 * the tasks core when it fires (docs/DEADLINES.md): it has nowhere to flow, so `recommended`'s
 * "not connected" and "implicit end" do not apply to it. Every other element is checked as before.
 */
function exceptDeadlineTimers(rule) {
  return function deadlineAwareRule() {
    const inner = rule();
    return {
      check(node, reporter) {
        if (is(node, 'bpmn:BoundaryEvent') && spiffProperties(node).escalate) return;
        return inner.check(node, reporter);
      },
    };
  };
}

/** The local plugin's own configuration, `plugin:ordergate/recommended`. */
const ordergateRecommended = {
  rules: {
    'user-task-lane': 'error',
    'user-task-form': 'error',
    'user-task-due': 'error',
    'exclusive-gateway-conditions': 'error',
    'no-unreachable': 'error',
    'executable-process': 'error',
    'supported-elements': 'error',
  },
};

const cache = {
  'config:bpmnlint/recommended': recommended,
  [`config:${PLUGIN}/recommended`]: ordergateRecommended,

  'rule:bpmnlint/ad-hoc-sub-process': adHocSubProcess,
  'rule:bpmnlint/conditional-flows': conditionalFlows,
  'rule:bpmnlint/end-event-required': endEventRequired,
  'rule:bpmnlint/event-based-gateway': eventBasedGateway,
  'rule:bpmnlint/event-sub-process-typed-start-event': eventSubProcessTypedStartEvent,
  'rule:bpmnlint/fake-join': fakeJoin,
  'rule:bpmnlint/global': global,
  'rule:bpmnlint/label-required': labelRequired,
  'rule:bpmnlint/link-event': linkEvent,
  'rule:bpmnlint/no-bpmndi': noBpmndi,
  'rule:bpmnlint/no-complex-gateway': noComplexGateway,
  'rule:bpmnlint/no-disconnected': exceptDeadlineTimers(noDisconnected),
  'rule:bpmnlint/no-duplicate-sequence-flows': noDuplicateSequenceFlows,
  'rule:bpmnlint/no-gateway-join-fork': noGatewayJoinFork,
  'rule:bpmnlint/no-implicit-end': exceptDeadlineTimers(noImplicitEnd),
  'rule:bpmnlint/no-implicit-split': noImplicitSplit,
  'rule:bpmnlint/no-implicit-start': noImplicitStart,
  'rule:bpmnlint/no-inclusive-gateway': noInclusiveGateway,
  'rule:bpmnlint/no-overlapping-elements': noOverlappingElements,
  'rule:bpmnlint/single-blank-start-event': singleBlankStartEvent,
  'rule:bpmnlint/single-event-definition': singleEventDefinition,
  'rule:bpmnlint/start-event-required': startEventRequired,
  'rule:bpmnlint/sub-process-blank-start-event': subProcessBlankStartEvent,
  'rule:bpmnlint/superfluous-gateway': superfluousGateway,
  'rule:bpmnlint/superfluous-label': superfluousLabel,
  'rule:bpmnlint/superfluous-termination': superfluousTermination,

  [`rule:${PLUGIN}/user-task-lane`]: userTaskLane,
  [`rule:${PLUGIN}/user-task-form`]: userTaskForm,
  [`rule:${PLUGIN}/user-task-due`]: userTaskDue,
  [`rule:${PLUGIN}/exclusive-gateway-conditions`]: exclusiveGatewayConditions,
  [`rule:${PLUGIN}/no-unreachable`]: noUnreachable,
  [`rule:${PLUGIN}/executable-process`]: executableProcess,
  [`rule:${PLUGIN}/supported-elements`]: supportedElements,
};

/** bpmnlint's resolver interface over the static table above (same as its StaticResolver). */
const resolver = {
  resolveRule(pkg, ruleName) {
    return lookup('rule', pkg, ruleName);
  },
  resolveConfig(pkg, configName) {
    return lookup('config', pkg, configName);
  },
};

function lookup(type, pkg, name) {
  const found = cache[`${type}:${pkg}/${name}`];
  if (!found) throw new Error(`unknown ${type} <${pkg}/${name}>: not bundled (assets/lint/index.js)`);
  return found;
}

export const config = {
  extends: ['bpmnlint:recommended', 'plugin:ordergate/recommended'],
  // An error blocks publishing in the modeler, so only what the server refuses is an error
  // (tests/web/test_lint_parity.py holds both to the same verdicts): a missing label, a missing
  // diagram (DI) and the layout advice of `recommended` are warnings.
  rules: {
    'label-required': 'warn',
    'no-bpmndi': 'warn',
  },
};

export const linterConfig = { config, resolver };
