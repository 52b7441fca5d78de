"""Completing a human task: validate the form, step the engine, update the inbox, all at once."""

import json
from functools import cache, lru_cache

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.processes import forms
from app.core.processes import versions as processes
from app.core.processes.models import FormVersion
from app.core.subjects import services as subjects
from app.core.tasks import cosign, instances, registry
from app.core.tasks.inbox import deny, ensure_open, get_task, may_act
from app.core.tasks.models import HumanTask
from app.core.users.models import User
from app.engine import runner
from app.engine.errors import TaskNotReady
from app.errors import Conflict, InvalidInput
from app.extensions import db


@lru_cache(maxsize=256)
def _parsed_form(form_version_id: int, content: str) -> dict:
    return json.loads(content)


def form_document(task: HumanTask) -> dict | None:
    """The form (JSON Schema + UI hints) pinned for this task, parsed once per version."""
    if task.form_version_id is None:
        return None
    version = db.session.get(FormVersion, task.form_version_id)
    return _parsed_form(version.id, version.content)


def form_documents(tasks: list[HumanTask]) -> dict[int, dict]:
    """The forms pinned for these tasks by form version id, read in one statement (a page of
    inbox rows read one per step, issue 14)."""
    ids = {task.form_version_id for task in tasks if task.form_version_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(FormVersion.id, FormVersion.content).where(FormVersion.id.in_(ids))
    )
    return {version_id: _parsed_form(version_id, content) for version_id, content in rows}


def submitted_data(task: HumanTask) -> dict:
    """What was submitted when the task was completed."""
    return json.loads(task.data) if task.data else {}


def complete_task(task_id: int, actor: User, formdata, ip: str | None = None) -> HumanTask:
    """Validate the submission, then complete the task and run the process to its next wait."""
    task, pinned, after_asked = _with_form_and_cosigns(task_id)
    if task.parent_id is not None:  # a co-sign or delegation task is answered, not completed
        raise Conflict(_("Answer this task with its opinion form; it has no step of its own."))
    if not may_act(actor, task):
        raise deny(actor, task, "complete", ip)
    waiting = cosign.waiting_reason(task)  # a co-sign before, a delegate, a held completion
    if waiting:
        raise Conflict(waiting)
    ensure_open(task)
    if task.assignee_id not in (None, actor.id):
        raise Conflict(_("%(name)s has claimed this task.", name=task.assignee.display_name))
    doc = form_document(task)  # `pinned` holds its version in the session: no query
    data, errors = forms.parse_submission(doc, formdata) if doc else ({}, {})
    extra = registry.check_step(task, data, formdata, errors)
    if errors:
        raise InvalidInput(errors=errors)
    if cosign.hold_for_after(task, actor, formdata, after_asked):  # co-signers after me first
        return task

    instance = instances.lock_instance(task.instance_id)
    if instance.status != "running":
        raise Conflict(_("This process is not running (status: %(s)s).", s=instance.status))
    written = {
        "state": "completed",
        "completed_at": utcnow(),
        "completed_by_id": actor.id,
        "assignee_id": actor.id,
        "data": json.dumps(data, ensure_ascii=False, default=str),
    }
    params = {"task": task.id, **{f"new_{key}": value for key, value in written.items()}}
    won = db.session.execute(_complete_if_ready(), params).rowcount
    if won:
        _now_stored(task, written)
    else:
        db.session.refresh(task)
        ensure_open(task)
    defn = processes.definition_for(instance.version)
    payload = {task.spec_name: data}
    payload.update(registry.step_process_data(task))  # e.g. the order as sales revised it
    payload.update(extra.get("process_data", {}))  # figures a check recomputed (rush impact)
    try:
        result = runner.complete(defn, instance.state, task.task_id, payload)
    except TaskNotReady as exc:
        raise Conflict(_("This task is no longer open.")) from exc
    audit.record(
        actor,
        "task.complete",
        "human_task",
        task.id,
        data={"step": task.name, "form": task.form_name, "submitted": data},
        subject=subjects.ref_of(task),
        instance_id=instance.id,
        ip=ip,
    )
    registry.apply_step(task, data, extra, actor)
    instances.apply_result(instance, result, actor)
    subjects.refresh(subjects.ref_of(task))  # what the step changed shows in every inbox
    return task


def _with_form_and_cosigns(task_id: int) -> tuple[HumanTask, FormVersion | None, bool]:
    """The task, its pinned form version and whether co-signers after it are pending, in one
    query instead of three (docs/PERFORMANCE.md); NotFound as get_task says it."""
    row = db.session.execute(_task_with_form(), {"task": task_id}).first()
    if row is None:
        return get_task(task_id), None, True  # raises NotFound
    task, version, after_asked = row
    return task, version, bool(after_asked)


# The completion's statements are built once per process: composing a statement and its cache
# key cost about as much CPU as running it (docs/PERFORMANCE.md, "round three").
@cache
def _task_with_form():
    return (
        db.select(HumanTask, FormVersion, cosign.after_pending(HumanTask.id))
        .outerjoin(FormVersion, FormVersion.id == HumanTask.form_version_id)
        .where(HumanTask.id == db.bindparam("task"))
    )


@cache
def _complete_if_ready():
    """Exactly one of two concurrent completions gets the row; the other sees 0 rows updated.
    (A bound parameter may not share its name with a column it sets: hence `new_`.)"""
    names = ("state", "completed_at", "completed_by_id", "assignee_id", "data")
    return (
        db.update(HumanTask)
        .where(HumanTask.id == db.bindparam("task"), HumanTask.state == "ready")
        .values({name: db.bindparam(f"new_{name}") for name in names})
        .execution_options(synchronize_session=False)
    )


def _now_stored(task: HumanTask, written: dict) -> None:
    """Set on the loaded task what the UPDATE just wrote, as the database now holds it, instead
    of reading the row back (one SELECT less a completion)."""
    for key, value in written.items():
        set_committed_value(task, key, value)
    db.session.expire(task, ["assignee", "completed_by"])  # read again if asked for


def open_after(task: HumanTask) -> list[HumanTask]:
    """The steps of the task's process still open once it was completed (parallel branches
    included), so that whoever completed it hears what the process now waits for."""
    params = {"instance": task.instance_id, "task": task.id}
    return list(db.session.scalars(_open_in_instance(), params))


@cache
def _open_in_instance():
    return (
        db.select(HumanTask)
        .where(
            HumanTask.instance_id == db.bindparam("instance"),
            HumanTask.state.in_(("ready", "waiting")),
            HumanTask.parent_id.is_(None),
            HumanTask.id != db.bindparam("task"),
        )
        .options(db.joinedload(HumanTask.department))  # named with each step
        .order_by(HumanTask.id)
    )
