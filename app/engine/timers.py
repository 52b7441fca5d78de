"""ISO 8601 timer values: validation, and quoting bare values so SpiffWorkflow can evaluate them."""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent

from .dates import set_clock as set_dates_clock
from .dates import timer_text
from .documents import BPMN_NS
from .errors import EngineError
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


# --- Running timers: the clock, working time, and what fired ------------------------------------
#
# SpiffWorkflow's timers read the wall clock and count calendar time. OrderGate's read the clock
# the app hands over (`set_clock`: tests move it), and a duration timer on the boundary of a
# user task counts working time when the app hands over a calendar (`set_working_time`). Every
# timer that fires during an engine step is noted, so the service layer can act on it (remind,
# escalate) after the step: `collect_fired`.

Clock = Callable[[], datetime]
WorkingTime = Callable[[datetime, str], "datetime | None"]

_clock: Clock = lambda: datetime.now(UTC)  # noqa: E731 - replaced by set_clock
_working_time: WorkingTime | None = None
_zone: Callable[[], tzinfo] = lambda: UTC  # noqa: E731 - replaced by set_working_time
_fired = threading.local()

# A boundary timer's spiffworkflow property telling the service layer what to do when it fires.
ESCALATE_PROPERTY = "escalate"
ESCALATE_VALUES = ("remind", "head", "manager")


def set_clock(clock: Clock | None) -> None:
    """Let timers read `clock()` (an aware datetime) instead of the wall clock."""
    global _clock
    _clock = clock or (lambda: datetime.now(UTC))
    set_dates_clock(clock)  # datetime.now() in expressions reads the same clock


def set_working_time(
    working_time: WorkingTime | None, zone: Callable[[], tzinfo] | None = None
) -> None:
    """`working_time(start, duration)` gives the end of a working-time duration (None: use
    calendar time); `zone()` is where a date written without an offset is read."""
    global _working_time, _zone
    _working_time = working_time
    _zone = zone or (lambda: UTC)


def now() -> datetime:
    """The timers' current time (aware, UTC)."""
    return _clock().astimezone(UTC)


@dataclass(frozen=True)
class FiredTimer:
    """A timer that fired in an engine step: its event, and the task it is attached to."""

    event_id: str
    name: str
    properties: dict = field(default_factory=dict)
    attached_to: str | None = None  # BPMN id of the activity of a boundary timer
    attached_task_id: str | None = None  # engine id of that activity's task
    interrupting: bool = False
    count: int = 1  # the how-many-th firing of this timer on this task (a cycle fires again)


def escalation_levels(value: str | None) -> list[str]:
    """The `escalate` property as a list: 'head,manager' escalates to the head at a cycle's
    first firing and to the general manager at its second (the last repeats)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def escalation_level(timer: FiredTimer) -> str | None:
    """What the service layer does for this firing: remind, head, manager, or None."""
    levels = escalation_levels(timer.properties.get(ESCALATE_PROPERTY))
    if not levels:
        return None
    return levels[min(timer.count, len(levels)) - 1]


@contextmanager
def collect_fired() -> Iterator[list[FiredTimer]]:
    """Collect the timers that fire inside the block (per thread)."""
    previous = getattr(_fired, "items", None)
    _fired.items = items = []
    try:
        yield items
    finally:
        _fired.items = previous


def _note_fired(my_task) -> None:
    items = getattr(_fired, "items", None)
    if items is None:
        return
    spec = my_task.task_spec
    attached, interrupting = None, False
    if isinstance(spec, BoundaryEvent) and my_task.parent is not None:
        interrupting = bool(spec.cancel_activity)
        attached = next(
            (t for t in my_task.parent.children if not isinstance(t.task_spec, BoundaryEvent)),
            None,
        )
    properties = getattr(spec, "extensions", {}).get("properties", {})
    count = my_task.internal_data.get("fired_count", 0) + 1
    my_task.internal_data["fired_count"] = count
    items.append(
        FiredTimer(
            event_id=spec.bpmn_id or spec.name,
            name=spec.bpmn_name or spec.bpmn_id or spec.name,
            properties=dict(properties),
            attached_to=attached.task_spec.bpmn_id if attached is not None else None,
            attached_task_id=str(attached.id) if attached is not None else None,
            interrupting=interrupting,
            count=count,
        )
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_zone())


def _moment(text: str) -> datetime:
    """An ISO 8601 date (a week date too); without an offset it is the factory's local time."""
    if "W" in text.upper() and not text.upper().startswith("P"):
        return TimerEventDefinition.parse_iso_week(text)
    return _aware(datetime.fromisoformat(text)).astimezone(UTC)


def _after(start: datetime, duration: str, working: bool) -> datetime:
    if working and _working_time is not None:
        end = _working_time(start, duration)
        if end is not None:
            return end.astimezone(UTC)
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)


def _fire_once(my_task, due: datetime) -> bool:
    fired_before = my_task._get_internal_data("event_fired", False)
    if not fired_before and due <= now():
        my_task._set_internal_data(event_fired=True)
        _note_fired(my_task)
        return True
    return fired_before


def _timer_value(my_task, expression: str) -> str:
    """The timer's expression evaluated on the task's data, as ISO 8601 text (a datetime or a
    timedelta from the date helpers is written out); a value no timer can take is this
    event's error."""
    value = my_task.workflow.script_engine.evaluate(my_task, expression)
    try:
        return timer_text(value)
    except ValueError as exc:
        raise EngineError(
            "expression", f"The timer gave {value!r}: {exc}.", element_id=my_task.task_spec.bpmn_id
        ) from exc


class DateTimer(TimeDateEventDefinition):
    """A timeDate timer on the app's clock; a date without an offset is factory time."""

    def has_fired(self, my_task) -> bool:
        """Fired once the clock passed the date."""
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = _moment(_timer_value(my_task, self.expression)).isoformat()
            my_task._set_internal_data(event_value=event_value)
        return _fire_once(my_task, _moment(event_value))


class DurationTimer(DurationTimerEventDefinition):
    """A timeDuration timer on the app's clock; in working time on a user task's boundary."""

    working_time = False

    def has_fired(self, my_task) -> bool:
        """Fired once the duration, counted from when the timer was armed, has passed."""
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = _timer_value(my_task, self.expression)
            event_value = _after(now(), value, self.working_time).isoformat()
            my_task._set_internal_data(event_value=event_value)
        return _fire_once(my_task, _moment(event_value))


class CycleTimer(CycleTimerEventDefinition):
    """A timeCycle timer (R3/PT1H, R/2026-10-08T09:00/P1D) on the app's clock; the interval
    counts working time on a user task's boundary."""

    working_time = False

    def _start(self, my_task) -> dict:
        expression = _timer_value(my_task, self.expression)
        parts = expression.upper().replace("--", "/").split("/")
        cycles = int(parts[0][1:]) if parts[0][1:] else -1
        if len(parts) == 3 and not parts[2].startswith("P"):  # R/duration/end
            end = _moment(parts[2])
            parsed = TimerEventDefinition.parse_iso_duration(parts[1])
            interval = parts[1]
            start = end - TimerEventDefinition.get_timedelta_from_end(parsed, end)
        elif len(parts) == 3:  # R/start/duration
            start, interval = _moment(parts[1]), parts[2]
        else:  # R/duration: the first after one interval
            interval = parts[1]
            start = _after(now(), interval, self.working_time)
        return {"cycles": cycles, "next": start.isoformat(), "interval": interval}

    def cycle_complete(self, my_task) -> bool:
        """True when the next cycle is due (and counts it); fired for good after the last."""
        event_value = my_task._get_internal_data("event_value") or self._start(my_task)
        ready = False
        if event_value["cycles"] != 0:
            due = datetime.fromisoformat(event_value["next"])
            if due <= now():
                following = _after(due, event_value["interval"], self.working_time)
                event_value["next"] = following.isoformat()
                event_value["cycles"] -= 1
                ready = True
                _note_fired(my_task)
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        my_task._set_internal_data(event_value=event_value)
        return ready


_OURS = {
    TimeDateEventDefinition: DateTimer,
    DurationTimerEventDefinition: DurationTimer,
    CycleTimerEventDefinition: CycleTimer,
}


def _on_user_task(spec, task_spec) -> bool:
    """Whether a timer is on the boundary of a user or manual task (a multi-instance one too)."""
    if not isinstance(task_spec, BoundaryEvent):
        return False
    for split in task_spec.inputs:
        for sibling in split.outputs:
            if isinstance(sibling, BoundaryEvent):
                continue
            inner = getattr(sibling, "task_spec", None)
            if isinstance(inner, str):  # a multi-instance task names the spec of its items
                inner = spec.task_specs.get(inner)
            if getattr(sibling, "manual", False) or getattr(inner, "manual", False):
                return True
    return False


def install_timers(specs) -> None:
    """Replace SpiffWorkflow's timer definitions in the built specs by OrderGate's."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            ours = _OURS.get(type(definition))
            if ours is None:
                continue
            timer = ours(definition.name, definition.expression, description=definition.description)
            timer.working_time = _on_user_task(spec, task_spec)
            task_spec.event_definition = timer
