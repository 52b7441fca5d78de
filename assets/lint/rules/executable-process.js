// ordergate/executable-process: the server publishes only a diagram with a process marked
// isExecutable="true" (app/engine/validation.py, "not_executable"); say so in the modeler too.
import { message } from '../context.js';
import { is } from '../util.js';

export default function executableProcess() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:Definitions')) return;
    const processes = (node.rootElements || []).filter((e) => is(e, 'bpmn:Process'));
    if (processes.some((p) => p.isExecutable)) return;
    const where = processes.length ? processes[0].id : node.id;
    reporter.report(
      where,
      message('lint_not_executable', 'No process is executable: tick "Executable" on the process OrderGate should run.'),
    );
  }
  return { check };
}
