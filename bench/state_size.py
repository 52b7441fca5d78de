"""Stored state per finished order vs SpiffWorkflow's default serialization of the same instance.

Orders (new, NONSTANDARD_LINES described lines) go through the whole order_lifecycle on a fresh
SQLite database: intake, full review, the customer's confirmation by link
(confirmations.issue_link + confirm_with_link), send_confirmation, the review meeting and one
standardise_item per line, each step completed through the task service as the web view does.
The finished instance's ProcessInstance.state is read back as stored: spec-less JSON,
zlib-compressed. The same instance, restored, is then serialized the stock way:
`BpmnWorkflowSerializer` configured with SPIFF_CONFIG, `serialize_json`, spec embedded: what
an app storing SpiffWorkflow's default output would keep (see stock_json). The sides are
compared like for like: `ours` / `spiff_default` both zlib-compressed (level 6, as we store),
`ours_raw` / `spiff_default_raw` both plain JSON.
Two paths: straight approval, and one rejection sent back to sales and resubmitted.
"""

from __future__ import annotations

import zlib

from flask import Flask
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from werkzeug.datastructures import MultiDict

from app.core.processes import versions as processes
from app.core.processes.models import ProcessVersion
from app.core.tasks import completion as tasks
from app.core.tasks.models import ProcessInstance
from app.core.users.models import Department, User
from app.engine.state import dump_state, load_state, restore
from app.engine.walk import EngineSubWorkflow, EngineWorkflow
from app.extensions import db
from app.modules.orders.models import Order
from app.modules.orders.services import subject as order_subject
from bench.common import (
    PROCESS_ID,
    OpenTask,
    bench_app,
    confirm_by_link,
    drive_order,
    make_user,
    new_order,
)
from bench.engine_overhead import Bare

PATHS = {
    "approved": {},
    "rejected_once": {
        "review_engineering": [{"decision": "reject", "comments": "Tolerance impossible"}, {}],
        "sales_revise": [{"action": "resubmit", "changes_made": "Relaxed tolerance"}],
    },
}


def _submitter(app: Flask):  # noqa: ANN202 - a closure
    users: dict[tuple[int, bool], int] = {}

    def submit(task: OpenTask, form: dict) -> None:
        with app.app_context():
            key = (task.department_id, task.role == "head")
            if key not in users:
                dept = db.session.get(Department, task.department_id)
                users[key] = make_user(dept.key, "head" if key[1] else "member").id
            tasks.complete_task(task.id, db.session.get(User, users[key]), MultiDict(form))
            db.session.commit()

    return submit


def stock_json(stored: bytes, bare: Bare) -> bytes:
    """The stored instance as SpiffWorkflow's stock serializer writes it (spec embedded).

    The app's spec uses gateway and multi-instance subclasses and a strict DMN engine the
    stock registry does not know, so the stored instance is restored around the stock parser's
    spec of the same diagram and DMN (same task spec names), as the app restores it around its
    cached spec, and that workflow is written by the stock serializer.
    """
    serializer = bare.serializer
    # Restored workflows are of our subclasses (app/engine/walk.py: a faster task walk); the
    # stock converters write them under the names of the classes they extend.
    for ours, stock in ((EngineWorkflow, BpmnWorkflow), (EngineSubWorkflow, BpmnSubWorkflow)):
        serializer.registry.typenames[ours] = serializer.registry.typenames[stock]
    workflow = restore(bare.spec, bare.subprocess_specs, stored)
    text = serializer.serialize_json(workflow)
    if len(serializer.deserialize_json(text).tasks) != len(workflow.tasks):
        raise RuntimeError("the stock serialization does not round-trip")
    return text.encode("utf-8")


def _sizes(instance: ProcessInstance, bare: Bare) -> dict:
    """Both sides compressed the same way (zlib level 6) and both raw JSON; ratios of each."""
    stored = bytes(instance.state)
    workflow = load_state(processes.definition_for(instance.version), stored)
    stock = stock_json(stored, bare)
    ours_raw = len(zlib.decompress(stored))
    stock_compressed = len(zlib.compress(stock, 6))
    with_ids = dump_state(workflow)
    return {
        "ours": len(stored),
        "spiff_default": stock_compressed,
        "ratio": round(len(stored) / stock_compressed, 4),
        "ours_raw": ours_raw,
        "spiff_default_raw": len(stock),
        "ratio_raw": round(ours_raw / len(stock), 4),
        "ratio_ours_compressed_vs_stock_raw": round(len(stored) / len(stock), 4),
        # The same instance stored as a running one is (with its task ids, which a finished
        # instance leaves out: nothing resumes it).
        "ours_with_task_ids": len(with_ids),
        "ratio_with_task_ids": round(len(with_ids) / stock_compressed, 4),
        "tasks": len(workflow.tasks),
    }


def run() -> dict:
    """Sizes per path; the headline is the straight-approval order."""
    results = {}
    bare = Bare()
    with bench_app("sqlite") as app:
        with app.app_context():
            sales_id = make_user("sales").id
        submit = _submitter(app)
        confirm = confirm_by_link(app, sales_id)
        for name, answers in PATHS.items():
            with app.app_context():
                order_id = new_order(sales_id)
            steps = drive_order(app, order_id, submit, confirm, answers)
            with app.app_context():
                instance = db.session.scalar(
                    db.select(ProcessInstance)
                    .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
                    .where(
                        order_subject.about_order(ProcessInstance, order_id),
                        ProcessVersion.process_id == PROCESS_ID,
                    )
                )
                if instance.status != "completed" or instance.version.process_id != PROCESS_ID:
                    raise RuntimeError(
                        f"{name}: {instance.version.process_id} ended as {instance.status}"
                    )
                order_status = db.session.get(Order, order_id).status
                if order_status != "released":
                    raise RuntimeError(f"{name}: the order ended {order_status}, not released")
                results[name] = {
                    **_sizes(instance, bare),
                    "steps": len(steps),
                    "step_names": steps,
                }
    return {**results["approved"], "process": PROCESS_ID, "paths": results}


def measure(smoke: bool) -> dict:  # noqa: ARG001 - two orders either way
    """bench/run.py's entry: `state_bytes` (the sizes are exact, not timings)."""
    return {"state_bytes": run(), "sizes": {"orders": len(PATHS)}}
