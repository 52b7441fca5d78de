"""ISO 8601 timer values: validation, and quoting bare values so SpiffWorkflow can evaluate them."""

from __future__ import annotations

import ast
import re
from datetime import datetime

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .documents import BPMN_NS
from .expressions import check_expression

# Timer element local name -> what its value must be.
TIMER_KINDS = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}

_DURATION = re.compile(
    r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?", re.IGNORECASE
)
_LOOKS_ISO = re.compile(r"(R\d*/|P[\dT]|\d{4}-)", re.IGNORECASE)
_EXAMPLES = {
    "date": "2025-03-01T09:00:00+08:00",
    "duration": "PT4H or P2D",
    "cycle": "R3/PT1H",
}


def duration_problem(value: str) -> str | None:
    """Why value is not an ISO 8601 duration SpiffWorkflow accepts, or None."""
    if not _DURATION.fullmatch(value):
        return f"'{value}' is not an ISO 8601 duration (for example PT4H or P2D)"
    try:
        TimerEventDefinition.parse_iso_duration(value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception
        return f"'{value}' mixes weeks with other units; write the duration in days instead"
    return None


def _date_problem(value: str) -> str | None:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return f"'{value}' is not an ISO 8601 date and time (for example {_EXAMPLES['date']})"
    return None


def _cycle_problem(value: str) -> str | None:
    parts = value.split("/")
    if not re.fullmatch(r"R\d*", parts[0], re.IGNORECASE) or len(parts) not in (2, 3):
        return f"'{value}' is not an ISO 8601 cycle (for example {_EXAMPLES['cycle']})"
    for part in parts[1:]:
        problem = duration_problem(part) if part.upper().startswith("P") else _date_problem(part)
        if problem:
            return (
                f"'{value}' is not an ISO 8601 cycle (for example {_EXAMPLES['cycle']}): {problem}"
            )
    try:
        TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception
        return f"'{value}' is not a cycle SpiffWorkflow can run (for example {_EXAMPLES['cycle']})"
    return None


def iso_problem(kind: str, value: str) -> str | None:
    """Why value is not a valid ISO 8601 value of kind date/duration/cycle, or None."""
    check = {"date": _date_problem, "duration": duration_problem, "cycle": _cycle_problem}[kind]
    return check(value.strip())


def _string_literal(text: str) -> str | None:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def is_bare_iso(text: str) -> bool:
    """True when text is written as a bare ISO value (PT4H), not as a Python expression."""
    return bool(_LOOKS_ISO.match(text.strip()))


def timer_problem(kind: str, text: str | None) -> str | None:
    """Why a timer's text cannot run: bad ISO value, or an expression the checker refuses."""
    text = (text or "").strip()
    if not text:
        return f"the timer has no value; enter an ISO 8601 {kind} such as {_EXAMPLES[kind]}"
    if is_bare_iso(text):
        return iso_problem(kind, text)
    literal = _string_literal(text)
    if literal is not None:
        return iso_problem(kind, literal)
    problem = check_expression(text)
    if problem and "SyntaxError" in problem:
        return (
            f"'{text}' is neither an ISO 8601 {kind} (for example {_EXAMPLES[kind]}) "
            "nor a Python expression"
        )
    return f"the timer expression was refused: {problem.rstrip('.')}" if problem else None


def example(kind: str) -> str:
    """An example of a valid ISO 8601 value of kind date/duration/cycle."""
    return _EXAMPLES[kind]


def normalise_timers(root: etree._Element) -> None:
    """Quote bare ISO timer values in place, since SpiffWorkflow evaluates them as Python."""
    for local, _kind in TIMER_KINDS.items():
        for node in root.iter(f"{{{BPMN_NS}}}{local}"):
            if node.text and is_bare_iso(node.text):
                node.text = repr(node.text.strip())
