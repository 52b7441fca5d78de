"""Task walks (app/engine/walk.py): the same tasks, in the same order, as SpiffWorkflow's own
iterators, on every workflow the engine makes or restores. (Every walk of every engine test is
also shadowed by SpiffWorkflow's iterator: tests/engine/conftest.py.)"""

from __future__ import annotations

import zlib

from builders import order_review_bytes
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskIterator, TaskState
from test_call_published import callee, caller

from app.engine import runner, state
from app.engine.specs import load_definition
from app.engine.walk import EngineSubWorkflow, EngineWorkflow, TaskWalk

FILTERS = [
    {},
    {"state": TaskState.READY},
    {"state": TaskState.WAITING},
    {"state": TaskState.NOT_FINISHED_MASK},
    {"state": TaskState.READY, "manual": True},
    {"spec_name": "assess"},
    {"end_at_spec": "call_check"},
    {"skip_subprocesses": True},
    {"max_depth": 2},
]


def _at_the_callee() -> tuple:
    """An instance waiting in its called process (a subprocess), restored from its state."""
    defn = load_definition(caller(), called=[callee()])
    result = runner.start(defn, {"amount": 50})
    task = result.ready[0]
    result = runner.complete(defn, result.state, task.task_id, {"prepare": {"ok": True}})
    assert [t.spec_name for t in result.ready] == ["assess"]
    return defn, state.load_state(defn, result.state)


def test_every_workflow_is_one_that_walks_with_taskwalk() -> None:
    defn, restored = _at_the_callee()
    assert type(restored) is EngineWorkflow
    assert [type(sp) for sp in restored.subprocesses.values()] == [EngineSubWorkflow]
    assert type(state.new_workflow(defn)) is EngineWorkflow
    # Format 1 (the stock dict, stored before issue 14) restores to the same classes.
    old = zlib.compress(state._serializer().serialize_json(restored).encode())
    from_old = state.load_state(defn, old)
    assert type(from_old) is EngineWorkflow
    assert [type(sp) for sp in from_old.subprocesses.values()] == [EngineSubWorkflow]
    # A subprocess started by a step is ours too.
    fresh = runner.start(defn, {"amount": 1})
    task = fresh.ready[0]
    step = runner.complete(defn, fresh.state, task.task_id, {"prepare": {}})
    subs = state.load_state(defn, step.state).subprocesses.values()
    assert [type(sp) for sp in subs] == [EngineSubWorkflow]


def test_a_walk_lists_what_spiffworkflows_iterators_list() -> None:
    _defn, workflow = _at_the_callee()
    sub = next(iter(workflow.subprocesses.values()))
    for start in (workflow.task_tree, sub.task_tree, workflow.last_task):
        for args in FILTERS:
            stock = list(BpmnTaskIterator(start, **args))
            assert list(TaskWalk(start, **args)) == stock, args
            if "skip_subprocesses" not in args:  # TaskIterator knows no subprocesses
                plain = list(TaskIterator(start, **args))
                assert list(TaskWalk(start, subprocesses=False, **args)) == plain, args
    ids = [t.id for t in workflow.get_tasks()]
    assert sub.task_tree.id in ids  # it went into the subprocess
    assert len(ids) == len(workflow.tasks) + len(sub.tasks)


def test_a_walk_sees_the_tree_change_under_it_as_spiffworkflow_does() -> None:
    defn = load_definition(order_review_bytes())
    result = runner.start(defn, {"order_id": 1})
    runs = []
    for walker in (BpmnTaskIterator, TaskWalk):
        workflow = state.load_state(defn, result.state)
        tasks = list(workflow.tasks.values())
        seen = []
        for task in walker(workflow.task_tree):
            seen.append(task.task_spec.name)
            if len(seen) == 2:  # a new child under a task not reached yet, one task dropped
                later = tasks[-1]
                Task(workflow, later.task_spec, parent=later, state=TaskState.FUTURE)
                workflow._remove_task(tasks[-2].id)
        runs.append((seen, len(workflow.tasks)))
    assert runs[0] == runs[1]
    seen, count = runs[1]
    assert len(seen) == count  # the new task was reached, the dropped one not
