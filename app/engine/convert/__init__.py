"""Converting a diagram from another tool (Camunda 7 / 8, Flowable, Signavio, bpmn.io,
spiff-arena) into what OrderGate runs, with a report of every step (docs/FOREIGN_DIAGRAMS.md).

    convert(xml, departments, forms) -> Conversion(xml, items)

Pure: bytes in, bytes and report items out; nothing is read from the database. Each item is
  - "mapped":  converted with the same meaning (a JUEL condition now Python, a due date now a
               due time);
  - "check":   a suggestion written into the diagram that the owner should confirm (a lane
               renamed to the department its candidate group names, a form from the library);
  - "owner":   needs the owner (no department or form matches, a condition that cannot be
               translated, a service task's implementation); `field` and `choices` say what to
               pick, and `answer()` writes the picks;
  - "kept":    other tools' attributes and extension elements left as written and not read.
Nothing is removed: everything the conversion does not read is kept, and listed.

The package, by use case: converting.py (which process runs, the steps in document order, what
is kept), departments.py (lanes), user_tasks.py (lanes of tasks, forms, due times),
conditions_and_scripts.py, timer_events.py, service_tasks.py (connectors), answering.py (the
owner's picks), report.py (statuses, sentences, items); converter.py holds one conversion's
state and lookups.
"""

from .answering import answer
from .converting import convert
from .report import MESSAGES, STATUSES, Answer, Conversion, ReportItem

__all__ = ["MESSAGES", "STATUSES", "Answer", "Conversion", "ReportItem", "answer", "convert"]
