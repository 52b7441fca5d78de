// ordergate/user-task-lane: every user (and manual) task sits in a lane whose name is a
// department key. The engine maps a lane to its department by the lane's name; a task outside
// any lane has nobody to do it.
import { aliasOf, lintContext, message } from '../context.js';
import { is, isAny } from '../util.js';

const HUMAN_TASKS = ['bpmn:UserTask', 'bpmn:ManualTask'];

/** Flow node id -> name of the innermost lane listing it, over all lanes of the definitions. */
function laneNames(definitions) {
  const lanes = new Map();
  const visitLaneSet = (laneSet) => {
    for (const lane of (laneSet && laneSet.lanes) || []) {
      for (const node of lane.flowNodeRef || []) lanes.set(node.id, lane.name || '');
      visitLaneSet(lane.childLaneSet); // nested lanes come later and win: the innermost one
    }
  };
  const visitContainer = (container) => {
    for (const laneSet of container.laneSets || []) visitLaneSet(laneSet);
    for (const element of container.flowElements || []) {
      if (is(element, 'bpmn:SubProcess')) visitContainer(element);
    }
  };
  for (const root of definitions.rootElements || []) {
    if (is(root, 'bpmn:Process')) visitContainer(root);
  }
  return lanes;
}

export default function userTaskLane() {
  let lanes = new Map();

  function check(node, reporter) {
    if (is(node, 'bpmn:Definitions')) {
      lanes = laneNames(node);
      return;
    }
    if (!isAny(node, HUMAN_TASKS)) return;
    const { departments, aliases } = lintContext();
    if (!lanes.has(node.id)) {
      reporter.report(
        node.id,
        message('lint_no_lane', 'Task is not in a lane: put it in the lane of its department'),
      );
      return;
    }
    const lane = lanes.get(node.id);
    // The server maps a lane to its department by key, English or Chinese name (any case).
    if (departments && !(aliases || new Map()).has(aliasOf(lane))) {
      reporter.report(
        node.id,
        message(
          'lint_bad_lane',
          "Lane '%(lane)s' is not a department key (%(known)s)",
          { lane, known: [...departments].sort().join(', ') || '—' },
        ),
      );
    }
  }

  return { check };
}
