// ordergate/user-task-due: every user task has a due time (spiffworkflow property "due") that is
// an ISO 8601 duration such as PT8H or P2D. A manual task needs none, but one it has must be valid.
import { message } from '../context.js';
import { isIsoDuration } from '../duration.js';
import { is, isAny, spiffProperties } from '../util.js';

export default function userTaskDue() {
  function check(node, reporter) {
    if (!isAny(node, ['bpmn:UserTask', 'bpmn:ManualTask'])) return;
    const { due } = spiffProperties(node);
    if (!due) {
      if (is(node, 'bpmn:UserTask')) {
        reporter.report(
          node.id,
          message('lint_no_due', 'User task has no due time (ISO 8601 duration, e.g. PT8H)'),
        );
      }
    } else if (!isIsoDuration(due)) {
      reporter.report(
        node.id,
        message(
          'lint_bad_due',
          "Due time '%(due)s' is not an ISO 8601 duration (e.g. PT8H, P2D, P1DT4H)",
          { due },
        ),
      );
    }
  }

  return { check };
}
