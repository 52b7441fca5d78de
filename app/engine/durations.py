"""Turning a user task's `due` property (an ISO 8601 duration) into a timedelta."""

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def due_after(duration: str | None, start: datetime) -> datetime | None:
    """The moment a task created at `start` falls due, or None when it has no valid due duration."""
    if not duration:
        return None
    try:
        parsed = TimerEventDefinition.parse_iso_duration(duration.strip())
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    except Exception:  # SpiffWorkflow raises a bare Exception for a bad duration
        return None
