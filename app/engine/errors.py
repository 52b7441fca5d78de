"""Errors raised or reported by the workflow engine layer."""

from __future__ import annotations

KINDS = frozenset(
    {
        "expression",  # an expression or script raised
        "budget",  # an expression blew its step, size or time budget
        "forbidden",  # the restricted compiler or a guard refused the code at run time
        "dmn_no_match",  # a decision table had no matching row
        "depth",  # the task tree grew close to SpiffWorkflow's iteration limit
        "not_ready",  # the task to complete is not a ready human task
        "not_waiting",  # no catch event is waiting for the message sent
        "internal",  # anything else
    }
)


class EngineError(Exception):
    """A workflow failure explained in plain words, with technical detail kept apart."""

    def __init__(
        self,
        kind: str,
        message: str,
        element_id: str | None = None,
        detail: str = "",
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown EngineError kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.element_id = element_id
        self.detail = detail

    def __repr__(self) -> str:
        return f"EngineError(kind={self.kind!r}, element_id={self.element_id!r}, {self.message!r})"


class TaskNotReady(EngineError):
    """The task cannot be completed: unknown, already completed, or not a human task."""

    def __init__(self, task_id: str, detail: str = "") -> None:
        super().__init__(
            "not_ready",
            f"Task {task_id} is not waiting for input any more; reload the task list.",
            detail=detail,
        )


class MessageNotWaiting(EngineError):
    """No catch event of the instance is waiting for the message (or its correlation differs)."""

    def __init__(self, message_name: str, detail: str = "") -> None:
        super().__init__(
            "not_waiting",
            f"This process is not waiting for the message '{message_name}' "
            "(or the message belongs to another order).",
            detail=detail,
        )
