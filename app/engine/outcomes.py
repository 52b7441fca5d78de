"""Turning a workflow after a step into plain results: ready tasks, errors, the depth guard."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from .errors import EngineError
from .multi import instance_key
from .specs import ProcessDefinition, UserTaskInfo

# What an expression or script can raise by itself (as opposed to a bug in the engine).
EXPRESSION_ERRORS = (
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    AssertionError,
    NameError,
    AttributeError,
    RecursionError,
)

# SpiffWorkflow's TaskIterator stops descending at depth 1000; anything deeper is invisible to
# it (ready tasks vanish, the instance may look complete). Flag instances well before that.
DEPTH_LIMIT = 900


@dataclass
class ReadyTask:
    """A human task waiting for input, with what the inbox shows about it."""

    task_id: str
    spec_name: str
    name: str
    lane: str | None
    form: str | None
    due: str | None
    role: str | None
    data: dict
    # Multi-instance tasks: this instance's item keyed by its data name ({"line": {...}}, also
    # in data) and its position (or key) in the collection; None for other tasks.
    item: dict | None = None
    loop_index: int | str | None = None
    name_zh: str | None = None


def all_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """Every task of the instance, subprocesses included, without TaskIterator's depth limit."""
    tasks = list(workflow.tasks.values())
    for subprocess in workflow.subprocesses.values():
        tasks.extend(subprocess.tasks.values())
    return tasks


def _item(task: Task, info: UserTaskInfo | None) -> dict | None:
    if info is None or info.loop_item is None:
        return None
    return {info.loop_item: task.data.get(info.loop_item)}


def ready_tasks(defn: ProcessDefinition, workflow: BpmnWorkflow) -> list[ReadyTask]:
    """The ready human (user and manual) tasks, in creation order."""
    result = []
    for task in all_tasks(workflow):
        if task.state != TaskState.READY or not task.task_spec.manual:
            continue
        spec_name = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
        info = defn.user_tasks.get(spec_name)
        result.append(
            ReadyTask(
                task_id=str(task.id),
                spec_name=spec_name,
                name=info.name if info else spec_name,
                lane=info.lane if info else task.task_spec.lane,
                form=info.form if info else None,
                due=info.due if info else None,
                role=info.role if info else None,
                data=task.data,
                item=_item(task, info),
                loop_index=instance_key(task),
                name_zh=info.name_zh if info else None,
            )
        )
    return result


def find_ready_task(workflow: BpmnWorkflow, task_id: str) -> Task | None:
    """The ready human task with this id, or None."""
    try:
        task = workflow.get_task_from_id(UUID(str(task_id)))
    except (ValueError, SpiffWorkflowException):
        return None
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        return None
    return task


def _depth(task: Task, memo: dict[UUID, int]) -> int:
    # Depth as TaskIterator counts it: subprocess trees hang below their calling task.
    chain, node = [], task
    while node is not None and node.id not in memo:
        chain.append(node)
        parent = node.parent
        if parent is None and node.workflow.parent_task_id is not None:
            parent = node.workflow.top_workflow.get_task_from_id(node.workflow.parent_task_id)
        node = parent
    depth = memo[node.id] if node is not None else -1
    for item in reversed(chain):
        depth += 1
        memo[item.id] = depth
    return memo[task.id]


def depth_error(workflow: BpmnWorkflow) -> EngineError | None:
    """kind "depth" when unfinished work is too deep for SpiffWorkflow to see reliably."""
    tasks = all_tasks(workflow)
    if len(tasks) <= DEPTH_LIMIT and not workflow.completed:
        return None  # a chain of tasks is no longer than the tasks there are
    memo: dict[UUID, int] = {}
    deepest, where = -1, None
    for task in tasks:
        if task.has_state(TaskState.NOT_FINISHED_MASK):
            depth = _depth(task, memo)
            if depth > deepest:
                deepest, where = depth, task
    if deepest < DEPTH_LIMIT and not (workflow.completed and where is not None):
        return None
    return EngineError(
        "depth",
        "This instance has gone around its loops too many times to be run safely "
        f"({deepest} steps deep, the limit is {DEPTH_LIMIT}). Cancel it and start a new one; "
        "then ask the process owner to limit the rework loop.",
        element_id=getattr(where.task_spec, "bpmn_id", None) if where else None,
        detail=f"task tree depth {deepest}",
    )


def unfinished(workflow: BpmnWorkflow) -> bool:
    """True while any task of the instance is not finished (checked without depth limit)."""
    return any(t.has_state(TaskState.NOT_FINISHED_MASK) for t in all_tasks(workflow))


def _chain(exc: BaseException) -> list[BaseException]:
    """exc and what caused it, outermost first (SpiffWorkflow re-raises without 'from')."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 20:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _label(task: Task | None) -> str:
    if task is None:
        return "A step"
    spec = task.task_spec
    return f"'{getattr(spec, 'bpmn_name', None) or spec.name}'"


def _text(exc: BaseException) -> str:
    # SpiffWorkflow appends its notes to str(); the first argument is the message itself.
    return str(exc.args[0]) if exc.args else type(exc).__name__


def to_engine_error(exc: BaseException, task: Task | None = None) -> EngineError:
    """Explain any exception raised while running a step as an EngineError."""
    task = getattr(exc, "task", None) or task
    element_id = getattr(task.task_spec, "bpmn_id", None) if task is not None else None
    chain = _chain(exc)
    detail = " <- ".join(f"{type(e).__name__}: {e}" for e in chain)[:2000]
    inner = next((e for e in chain if isinstance(e, EngineError)), None)
    if inner is not None:
        inner.element_id = inner.element_id or element_id
        inner.detail = inner.detail or detail
        return inner
    origin = chain[-1]
    if isinstance(origin, SpiffWorkflowException):
        # SpiffWorkflow refused to go on, e.g. no condition of a gateway was true.
        message = f"{_label(task)} could not run: {_text(origin)}. Fix the data or the diagram."
        return EngineError("expression", message, element_id, detail)
    kind = "expression" if isinstance(origin, EXPRESSION_ERRORS) else "internal"
    message = (
        f"{_label(task)} failed with {type(origin).__name__}: {_text(origin)}. "
        "Fix the data or the diagram, then retry."
    )
    return EngineError(kind, message, element_id, detail)


def failed_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """Tasks SpiffWorkflow marked as ERROR during the last step."""
    return [t for t in all_tasks(workflow) if t.state == TaskState.ERROR]
