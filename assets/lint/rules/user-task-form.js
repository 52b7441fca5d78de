// ordergate/user-task-form: every user task names a form (spiffworkflow property "form") that
// exists in this installation.
import { lintContext, message } from '../context.js';
import { is, spiffProperties } from '../util.js';

export default function userTaskForm() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) return;
    const { form } = spiffProperties(node);
    const { forms } = lintContext();
    if (!form) {
      reporter.report(
        node.id,
        message('lint_no_form', 'User task has no form'),
      );
    } else if (forms && !forms.has(form)) {
      reporter.report(
        node.id,
        message('lint_bad_form', "Unknown form '%(form)s'", { form }),
      );
    }
  }

  return { check };
}
