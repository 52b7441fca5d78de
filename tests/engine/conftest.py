"""Fixtures of the engine tests (no Flask app: the engine is plain Python)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from builders import make_catalog
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator

from app.engine import migration, runner, state, walk
from app.engine.validation import Catalog


@pytest.fixture(autouse=True)
def _app_context() -> Iterator[None]:
    """Overrides the root autouse fixture: engine tests need no app, database or context."""
    yield


def stock_document(workflow: BpmnWorkflow) -> dict:
    """The workflow as SpiffWorkflow's own (spec-less) dict, as JSON would give it back (the
    deleted keys of each data delta sorted)."""
    serializer = state._serializer()
    dct = json.loads(json.dumps(serializer.to_dict(workflow)))
    dct[serializer.VERSION_KEY] = serializer.VERSION
    for wf in (dct, *dct["subprocesses"].values()):
        for task in wf["tasks"].values():
            # Deleted keys are listed in the order of the data's keys, which a restore (of
            # either format: data is rebuilt from the parent's) does not keep; a set of keys.
            task["delta"].get("deletions", []).sort()
    return dct


def task_ids(document: dict) -> list[str]:
    """Every task id of a stock document, top-level tasks first, then each subprocess's."""
    workflows = [document, *document["subprocesses"].values()]
    return [key for workflow in workflows for key in workflow["tasks"]]


def assert_stored_exactly(workflow: BpmnWorkflow, stored: bytes, finished: bool) -> None:
    """The stored bytes restore a workflow whose stock dict is exactly the original's (a
    finished one: with new task ids in the same places)."""
    want = stock_document(workflow)
    got = stock_document(state.restore(workflow.spec, workflow.subprocess_specs, stored))
    if finished:
        text = json.dumps(got)
        for new, old in zip(task_ids(got), task_ids(want), strict=True):
            text = text.replace(new, old)
        got = json.loads(text)
    assert got == want


@pytest.fixture(autouse=True)
def _every_state_read_back_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every state an engine test stores (each process in workflows/ has its own tests, which
    run every step from the stored state) is checked to read back as exactly what was stored."""
    dump = state.dump_state

    def checked(workflow: BpmnWorkflow, finished: bool = False) -> bytes:
        stored = dump(workflow, finished)
        assert_stored_exactly(workflow, stored, finished)
        return stored

    monkeypatch.setattr(runner, "dump_state", checked)
    monkeypatch.setattr(migration, "dump_state", checked)


@pytest.fixture(autouse=True)
def _every_walk_as_spiffworkflows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every task walk the engine tests make (walk.py) is shadowed by SpiffWorkflow's own
    iterator, started on the same task with the same arguments and advanced in step: each must
    give the same task, both stop together, on a tree that may change while they walk."""
    start, step = walk.TaskWalk.__init__, walk.TaskWalk.__next__

    def shadowed_init(self, task, subprocesses=True, **kwargs) -> None:  # noqa: ANN001
        start(self, task, subprocesses, **kwargs)
        stock = BpmnTaskIterator if subprocesses else TaskIterator
        self.shadow = stock(task, task_filter=self.task_filter, **_walk_args(kwargs))

    def shadowed_next(self):  # noqa: ANN001, ANN202
        try:
            task = step(self)
        except StopIteration:
            assert next(self.shadow, None) is None
            raise
        assert next(self.shadow) is task
        return task

    monkeypatch.setattr(walk.TaskWalk, "__init__", shadowed_init)
    monkeypatch.setattr(walk.TaskWalk, "__next__", shadowed_next)


def _walk_args(kwargs: dict) -> dict:
    names = ("end_at_spec", "max_depth", "skip_subprocesses")
    return {k: v for k, v in kwargs.items() if k in names}


@pytest.fixture
def catalog() -> Catalog:
    """The departments, forms and roles the test diagrams may use."""
    return make_catalog()
