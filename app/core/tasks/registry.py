"""Where domains plug into the generic core, at app start (each domain's `hooks.register()`).

The core runs processes and tasks but knows no domain. A domain registers here:
- **process kinds**: whoever starts a process names its kind (an open string: "order_lifecycle",
  "change", "rush", or the process id for anything else) and says what happens when the engine
  reports an outcome and when an admin cancels the instance. A kind nobody registered owns
  nothing beyond its own instance and inbox rows.
- **outcome listeners**: called after every engine step of every instance (the order's status
  follows `order_status` in any process's data).
- **step hooks**, keyed by the BPMN step id (stable in docs/*_CONTRACT.md): `check` adds field
  errors before anything changes and returns what `apply` needs; `apply` writes the step's effect
  in the completion's transaction; `process_data` adds the domain's current figures to what the
  step hands the engine.
- **task panels**: what a domain shows on a task page about its subject (slots: "title",
  "before_form", "in_form", "aside", "below"), built per request.
- **submitted pages**: where a create form's result lives, so a form sent twice lands there.
"""

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any


@dataclass(frozen=True)
class KindHandlers:
    """The handlers of one kind; every one is optional."""

    # (instance, engine data, acting user or None) after every engine step of the instance.
    on_outcome: Callable[[Any, dict, Any], None] | None = None
    # (instance, admin, reason) once the instance is cancelled, to close what it owns.
    on_cancel: Callable[[Any, Any, str], None] | None = None
    # (instance) once the engine stopped the instance with an error.
    on_error: Callable[[Any], None] | None = None
    # (instance, requester, reason) once the requester withdrew it (撤回) before anyone acted:
    # close the request it carries. A kind without it cannot be withdrawn
    # (app/core/tasks/withdraw.py).
    on_withdraw: Callable[[Any, Any, str], None] | None = None


_KINDS: dict[str, KindHandlers] = {}
NOTHING = KindHandlers()


def register(kind: str, **handlers: Any) -> None:
    """Register (or replace) the handlers of a kind."""
    _KINDS[kind] = KindHandlers(**handlers)


def handlers(kind: str) -> KindHandlers:
    """The handlers of a kind (none for a kind nobody registered)."""
    return _KINDS.get(kind, NOTHING)


_OUTCOME_LISTENERS: list[Callable[[Any, dict], None]] = []


def register_outcome_listener(listener: Callable[[Any, dict], None]) -> None:
    """Call `listener(instance, engine data)` after every engine step of every instance (a
    domain whose subject follows its processes' data, e.g. the order's status)."""
    if listener not in _OUTCOME_LISTENERS:
        _OUTCOME_LISTENERS.append(listener)


def outcome_listeners() -> list[Callable[[Any, dict], None]]:
    """Every registered outcome listener, in registration order."""
    return list(_OUTCOME_LISTENERS)


@dataclass(frozen=True)
class StepHooks:
    """What one domain does when a step is completed; every hook is optional.

    check(task, data, formdata, errors) -> dict | None   (what apply needs; may add errors)
    apply(task, data, extra, actor)                       (extra: the merged check results)
    process_data(task) -> dict                            (more engine data for the step)
    """

    check: Callable[[Any, dict, Any, dict], dict | None] | None = None
    apply: Callable[[Any, dict, dict, Any], None] | None = None
    process_data: Callable[[Any], dict] | None = None


_STEPS: dict[str, list[StepHooks]] = {}


def register_step(step_ids, **hooks: Any) -> None:
    """Register hooks for one step id or several; several domains may hook the same step."""
    entry = StepHooks(**hooks)
    for step_id in [step_ids] if isinstance(step_ids, str) else step_ids:
        registered = _STEPS.setdefault(step_id, [])
        if entry not in registered:  # every app the process builds registers again
            registered.append(entry)


def check_step(task: Any, data: dict, formdata: Any, errors: dict) -> dict:
    """Run the step's checks; returns what they found for `apply_step` (merged)."""
    extra: dict = {}
    for hooks in _STEPS.get(task.spec_name, ()):
        if hooks.check is not None:
            extra.update(hooks.check(task, data, formdata, errors) or {})
    return extra


def apply_step(task: Any, data: dict, extra: dict, actor: Any) -> None:
    """Write the step's effects (same transaction as the completion)."""
    for hooks in _STEPS.get(task.spec_name, ()):
        if hooks.apply is not None:
            hooks.apply(task, data, extra, actor)


def hooked_steps() -> set[str]:
    """The step ids some domain hooked (for checks that every contract step is covered)."""
    return {step for step, hooks in _STEPS.items() if hooks}


def step_process_data(task: Any) -> dict:
    """The domains' current figures for the step's engine data."""
    payload: dict = {}
    for hooks in _STEPS.get(task.spec_name, ()):
        if hooks.process_data is not None:
            payload.update(hooks.process_data(task))
    return payload


SLOTS = ("title", "before_form", "in_form", "aside", "below")


@dataclass(frozen=True)
class Panel:
    """One piece of a page a domain contributes (a task page, the order page): a template and
    its context (or a text)."""

    slot: str
    template: str | None = None
    context: dict = field(default_factory=dict)
    _: KW_ONLY  # Panel(slot, template, context, order=30): a 4th positional would be the text
    text: str = ""
    order: int = 50  # position within the slot, lowest first
    styles: tuple[str, ...] = ()  # app/static/dist files the panel needs
    scripts: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskPage:
    """What a panel builder knows about the page being built."""

    viewer: Any
    can_act: bool
    values: Any = None  # what the user typed, when the form is shown again
    errors: dict = field(default_factory=dict)


_TASK_PANELS: list[Callable[[Any, TaskPage], list[Panel]]] = []


def register_task_panels(build: Callable[[Any, TaskPage], list[Panel]]) -> None:
    """Register a builder of task-page panels: (task, page) -> panels (empty if none)."""
    if build not in _TASK_PANELS:
        _TASK_PANELS.append(build)


def task_panels(task: Any, page: TaskPage) -> dict[str, list[Panel]]:
    """Every domain's panels for this task, by slot, in order."""
    return panels_by_slot(_TASK_PANELS, SLOTS, task, page, "task page")


def panels_by_slot(
    builders: list[Callable[..., list[Panel]]],
    slots: tuple[str, ...],
    subject: Any,
    page: Any,
    where: str,
) -> dict[str, list[Panel]]:
    """What the builders return for a page about `subject`, by slot, each slot in order.

    A page with panels of its own (the task page here, a domain's page built the same way)
    names its slots; a panel for a slot it does not have is a programming error."""
    found: dict[str, list[Panel]] = {slot: [] for slot in slots}
    for build in builders:
        for panel in build(subject, page):
            if panel.slot not in found:
                raise ValueError(f"unknown {where} slot {panel.slot!r}")
            found[panel.slot].append(panel)
    for panels in found.values():
        panels.sort(key=lambda panel: panel.order)
    return found


@dataclass(frozen=True)
class SubmittedPage:
    """Where the result of a create form is shown: endpoint, its id argument, an anchor."""

    endpoint: str
    argument: str | None = None
    anchor: str = ""


_SUBMITTED: dict[str, SubmittedPage] = {}


def register_submitted_page(kind: str, endpoint: str, argument: str | None = None, anchor=""):
    """Say where a once-only form of `kind` shows what it saved."""
    _SUBMITTED[kind] = SubmittedPage(endpoint, argument, anchor)


def submitted_page(kind: str) -> SubmittedPage:
    """Where a once-only form of `kind` shows what it saved."""
    return _SUBMITTED[kind]
