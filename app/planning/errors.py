"""Errors raised by the planning package: bad inputs, each explained in plain words."""

from __future__ import annotations


class PlanningError(ValueError):
    """Base of every planning error; the message says what is wrong and how to fix it."""


class InvalidCapacity(PlanningError):
    """A line's daily capacity is missing, zero, negative or not a finite number."""


class InvalidHours(PlanningError):
    """A job's hours on a line are zero, negative or not a finite number."""


class DuplicateLine(PlanningError):
    """Two lines share a code."""


class DuplicateOrder(PlanningError):
    """Two jobs share an order id, or an order is listed twice in the sequences."""


class UnknownLine(PlanningError):
    """A sequence, an assignment or a rush request names a line that is not among the lines."""


class UnknownOrder(PlanningError):
    """A sequence or an assignment names an order that is not among the jobs."""


class NoCapableLine(PlanningError):
    """No given line can make the job (its hours name none of them)."""


class NotCapable(PlanningError):
    """A job is put on a line that cannot make it."""


class ConflictingPlacement(PlanningError):
    """The sequences and the assignment put one order on two different lines."""


class CalendarError(PlanningError):
    """The working calendar is inconsistent or has no working day in reach."""


class BeyondHorizon(PlanningError):
    """A rush job would finish after the planning horizon on every line it may go on."""
