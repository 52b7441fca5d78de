// SpiffWorkflow writes a multi-instance task's collections as variable names:
//   <bpmn:loopDataInputRef>nonstandard_lines</bpmn:loopDataInputRef>
// bpmn-moddle reads these as references to elements with that id, finds none ("unresolved
// reference") and would drop them, so saving would silently break the task. This module puts
// a detached placeholder with that id in their place right after parsing: it is never drawn nor
// written itself, and the reference is written back as its id, unchanged.
const VARIABLE_REFS = new Set(['bpmn:loopDataInputRef', 'bpmn:loopDataOutputRef']);

function KeepVariableRefs(eventBus, moddle) {
  eventBus.on('import.parse.complete', (event) => {
    const { elementsById, references, warnings } = event;
    if (!references) return; // parse error: nothing to repair
    const repaired = new Set();
    for (const ref of references) {
      if (!VARIABLE_REFS.has(ref.property) || elementsById[ref.id]) continue;
      ref.element.set(ref.property, moddle.create('bpmn:ItemAwareElement', { id: ref.id }));
      repaired.add(ref.id);
    }
    if (warnings && repaired.size) {
      for (let i = warnings.length - 1; i >= 0; i--) {
        const w = warnings[i];
        if (VARIABLE_REFS.has(w.property) && repaired.has(w.value)) warnings.splice(i, 1);
      }
    }
  });
}

KeepVariableRefs.$inject = ['eventBus', 'moddle'];

export const KeepVariableRefsModule = {
  __init__: ['ordergateKeepVariableRefs'],
  ordergateKeepVariableRefs: ['type', KeepVariableRefs],
};
