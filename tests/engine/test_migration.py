"""Moving instances to a new version: what may move, why not, and that moved instances run on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from builders import diagram, flow, linear, multi_instance, parallel_script_process, user_task
from SpiffWorkflow.util.task import TaskState

from app.engine import migration, runner
from app.engine.errors import MessageNotWaiting
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from app.engine.state import load_state

# --- diagrams ------------------------------------------------------------------------------


def review(*, add_branch: bool = False, engineering_form: str = "work",
           production_form: str = "work", check_after_production: bool = False,
           ) -> bytes:  # fmt: skip
    """dispatch -> split -> (engineering review | production review) -> join -> consolidate."""
    nodes = [
        '<bpmn:startEvent id="start" name="Start" />',
        user_task("dispatch"),
        '<bpmn:parallelGateway id="split" name="Start reviews" />',
        user_task("review_engineering", engineering_form).replace(
            'name="Review Engineering"', 'name="Engineering review"'
        ),
        user_task("review_production", production_form).replace(
            'name="Review Production"', 'name="Production review"'
        ),
        '<bpmn:parallelGateway id="join" name="All reviews in" />',
        user_task("consolidate"),
        '<bpmn:endEvent id="end" name="End" />',
        flow("f0", "start", "dispatch"),
        flow("f1", "dispatch", "split"),
        flow("f2", "split", "review_engineering"),
        flow("f3", "split", "review_production"),
        flow("f4", "review_engineering", "join"),
        flow("f6", "join", "consolidate"),
        flow("f7", "consolidate", "end"),
    ]
    lane = ["dispatch", "review_engineering", "review_production", "consolidate"]
    if check_after_production:
        nodes += [
            user_task("double_check"),
            flow("f5", "review_production", "double_check"),
            flow("f5b", "double_check", "join"),
        ]
        lane.append("double_check")
    else:
        nodes.append(flow("f5", "review_production", "join"))
    if add_branch:
        nodes += [
            user_task("review_quality"),
            flow("f8", "split", "review_quality"),
            flow("f9", "review_quality", "join"),
        ]
        lane.append("review_quality")
    return diagram("".join(nodes), lane_nodes=lane)


def two_steps(*, enter_form: str = "work", then: tuple[str, ...] = ("approve",)) -> bytes:
    """start -> enter -> each of `then` -> end."""
    ids = ["enter", *then]
    tasks = [user_task("enter", enter_form), *(user_task(i) for i in then)]
    return diagram(linear(*tasks, ids=ids), lane_nodes=ids)


TIMER = (
    '<bpmn:intermediateCatchEvent id="cool_down" name="Let the parts cool">'
    '<bpmn:timerEventDefinition id="cool_timer">{definition}</bpmn:timerEventDefinition>'
    "</bpmn:intermediateCatchEvent>"
)
PT4H = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT4H</bpmn:timeDuration>'


def timer_wait(definition: str = PT4H, inspect_name: str = "Inspect") -> bytes:
    """start -> a timer catch event -> inspect -> end."""
    inspect = user_task("inspect", "check").replace('name="Inspect"', f'name="{inspect_name}"')
    body = linear(TIMER.format(definition=definition), inspect, ids=["cool_down", "inspect"])
    return diagram(body, lane_nodes=["inspect"])


MESSAGE_TOP = (
    '<bpmn:collaboration id="collab"><bpmn:participant id="p1" name="Confirmation" '
    'processRef="proc" /><bpmn:correlationKey name="order"><bpmn:correlationPropertyRef>'
    "order_id</bpmn:correlationPropertyRef></bpmn:correlationKey></bpmn:collaboration>"
    '<bpmn:message id="msg_signed" name="customer_signed" />'
    '<bpmn:correlationProperty id="order_id" name="Order id">'
    '<bpmn:correlationPropertyRetrievalExpression messageRef="msg_signed">'
    "<bpmn:formalExpression>order_id</bpmn:formalExpression>"
    "</bpmn:correlationPropertyRetrievalExpression></bpmn:correlationProperty>"
)
MESSAGE_CATCH = (
    '<bpmn:intermediateCatchEvent id="customer_signed" name="Customer signed">'
    '<bpmn:messageEventDefinition id="signed_def" messageRef="msg_signed" />'
    "</bpmn:intermediateCatchEvent>"
)


def message_wait(file_form: str = "check") -> bytes:
    """send -> wait for the customer's signature (correlated by order_id) -> file it."""
    ids = ["send", "customer_signed", "file"]
    tasks = [user_task("send"), MESSAGE_CATCH, user_task("file", file_form)]
    return diagram(linear(*tasks, ids=ids), lane_nodes=["send", "file"], top=MESSAGE_TOP)


def per_line(line_form: str = "check", wrap_form: str = "work") -> bytes:
    """prepare -> check_line once per item of `lines` -> wrap."""
    ids = ["prepare", "check_line", "wrap"]
    lines = multi_instance().replace('value="check"', f'value="{line_form}"')
    tasks = [user_task("prepare"), lines, user_task("wrap", wrap_form)]
    return diagram(linear(*tasks, ids=ids), lane_nodes=ids)


def with_call(sub_steps: tuple[str, ...] = ("sub_a",), called: bool = True) -> bytes:
    """first -> call activity running `subproc` (its own user tasks) -> last."""
    sub = linear(*(user_task(i) for i in sub_steps), ids=list(sub_steps))
    for old, new in (('"start"', '"sub_start"'), ('"end"', '"sub_end"'), ('id="f', 'id="sf')):
        sub = sub.replace(old, new)
    top = f'<bpmn:process id="subproc" name="Sub" isExecutable="true">{sub}</bpmn:process>'
    if not called:
        return diagram(linear(user_task("first"), user_task("last"), ids=["first", "last"]),
                       lane_nodes=["first", "last"])  # fmt: skip
    call = '<bpmn:callActivity id="call" name="Run the sub-process" calledElement="subproc" />'
    body = linear(user_task("first"), call, user_task("last"), ids=["first", "call", "last"])
    return diagram(body, lane_nodes=["first", "last"], top=top)


# --- helpers -------------------------------------------------------------------------------


def done(defn: ProcessDefinition, result: StepResult, spec_name: str, data=None) -> StepResult:
    """Complete the (first) ready task of that step."""
    task = next(t for t in result.ready if t.spec_name == spec_name)
    return runner.complete(defn, result.state, task.task_id, {spec_name: data or {"ok": True}})


def run_to_end(defn: ProcessDefinition, result: StepResult) -> tuple[StepResult, list[str]]:
    """Complete ready tasks one by one until the instance completes; the steps in order."""
    steps = []
    while result.ready:
        step = result.ready[0].spec_name
        result = done(defn, result, step, {"by": step})
        assert result.error is None
        steps.append(step)
    return result, steps


def states(defn: ProcessDefinition, state: bytes) -> dict[str, list[str]]:
    """The engine state of every task of the stored workflow, by step."""
    found: dict[str, list[str]] = {}
    for task in load_state(defn, state).tasks.values():
        found.setdefault(task.task_spec.name, []).append(TaskState.get_name(task.state))
    return found


def mid_review() -> tuple[ProcessDefinition, StepResult]:
    """The review process with the engineering branch done, production still open."""
    old = load_definition(review())
    result = done(old, runner.start(old, {}), "dispatch")
    result = done(old, result, "review_engineering", {"decision": "approve"})
    assert [t.spec_name for t in result.ready] == ["review_production"]
    return old, result


# --- the rule ------------------------------------------------------------------------------


def test_an_instance_waiting_at_its_first_task_migrates():
    old = load_definition(two_steps())
    new = load_definition(two_steps(enter_form="check", then=("approve", "ship")))
    started = runner.start(old, {"order_id": 7})

    verdict = migration.check(old, started.state, new)
    assert verdict.eligible and verdict.reasons == []
    assert verdict.changed == ["Approve (approve)", "End (end)", "Enter (enter)"]
    assert verdict.added == ["Ship (ship)"] and verdict.removed == []

    moved = migration.migrate(old, started.state, new)
    assert moved.error is None and not moved.completed
    # The same task, now with the new version's form; the data it carried is kept.
    [task] = moved.ready
    assert task.task_id == started.ready[0].task_id
    assert (task.spec_name, task.form) == ("enter", "check")
    assert task.data == {"order_id": 7}
    finished, steps = run_to_end(new, moved)
    assert steps == ["enter", "approve", "ship"] and finished.completed
    assert finished.data["ship"] == {"by": "ship"}


def test_an_instance_mid_parallel_review_is_refused_when_a_branch_is_added():
    old, mid = mid_review()
    new = load_definition(review(add_branch=True))

    verdict = migration.check(old, mid.state, new)
    assert not verdict.eligible
    assert verdict.reasons == [
        "Step 'Start reviews' (split) is completed and was changed in the new version "
        "(its outgoing flows)"
    ]
    assert verdict.added == ["Review Quality (review_quality)"]
    assert verdict.changed == ["All reviews in (join)", "Start reviews (split)"]
    with pytest.raises(migration.MigrationRefused) as refused:
        migration.migrate(old, mid.state, new)
    assert refused.value.reasons == verdict.reasons
    # Before the split nothing has happened in parallel yet: that instance may move.
    waiting = runner.start(old, {})
    assert migration.check(old, waiting.state, new).eligible


def test_a_completed_review_that_changed_is_named_in_the_refusal():
    old, mid = mid_review()
    new = load_definition(review(engineering_form="check"))
    verdict = migration.check(old, mid.state, new)
    assert verdict.reasons == [
        "Step 'Engineering review' (review_engineering) is completed and was changed in the new "
        "version (its properties, such as form, due time or role)"
    ]


def test_the_open_branch_may_change_and_the_join_still_waits_for_both():
    old, mid = mid_review()
    for new_xml in (review(production_form="check"), review(check_after_production=True)):
        new = load_definition(new_xml)
        assert migration.check(old, mid.state, new).eligible
        moved = migration.migrate(old, mid.state, new)
        [task] = moved.ready
        assert task.task_id == mid.ready[0].task_id and task.spec_name == "review_production"
        assert "WAITING" in states(new, moved.state)["join"]  # the engineering branch's
        finished, steps = run_to_end(new, moved)
        assert steps[0] == "review_production" and steps[-1] == "consolidate"
        assert finished.completed
        # The engineering branch's decision made it through the join.
        assert finished.data["review_engineering"] == {"decision": "approve"}
    assert steps == ["review_production", "double_check", "consolidate"]


def test_flows_listed_in_another_order_are_no_change():
    old = load_definition(review())
    xml = review().decode()
    first, second = (
        flow("f2", "split", "review_engineering"),
        flow("f3", "split", "review_production"),
    )
    reordered = load_definition(xml.replace(first + second, second + first).encode())
    _, mid = mid_review()
    verdict = migration.check(old, mid.state, reordered)
    assert verdict.eligible and verdict.changed == []


def test_the_same_version_is_eligible_and_changes_nothing():
    old, mid = mid_review()
    verdict = migration.check(old, mid.state, old)
    assert verdict.eligible and (verdict.changed, verdict.added, verdict.removed) == ([], [], [])
    moved = migration.migrate(old, mid.state, old)
    assert [t.task_id for t in moved.ready] == [t.task_id for t in mid.ready]


# --- what waits keeps waiting --------------------------------------------------------------


def test_a_waiting_timer_keeps_its_due_time_and_fires_after_the_move(fake_clock):
    old = load_definition(timer_wait())
    new = load_definition(timer_wait(inspect_name="Inspect the cooled parts"))
    started = runner.start(old, {})
    assert started.next_timer is not None

    moved = migration.migrate(old, started.state, new)
    assert moved.ready == [] and moved.next_timer == started.next_timer  # not started again
    assert runner.next_timer_due(new, moved.state) == started.next_timer

    fake_clock.advance(hours=5)
    fired = runner.fire_due_timers(new, moved.state)
    assert [(t.spec_name, t.name) for t in fired.ready] == [("inspect", "Inspect the cooled parts")]


def test_a_changed_timer_starts_again_and_one_already_due_fires_at_once():
    old = load_definition(timer_wait())
    started = runner.start(old, {})
    shorter = load_definition(
        timer_wait(PT4H.replace("PT4H", "PT2H"))
    )  # waits two hours from the move
    moved = migration.migrate(old, started.state, shorter)
    assert moved.next_timer is not None and moved.next_timer < started.next_timer
    assert moved.next_timer > datetime.now(UTC) + timedelta(hours=1, minutes=59)

    past = (
        '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">"2020-01-01T00:00:00+00:00"'
        "</bpmn:timeDate>"
    )
    overdue = load_definition(timer_wait(past))
    fired = migration.migrate(old, started.state, overdue)
    assert [t.spec_name for t in fired.ready] == ["inspect"] and fired.next_timer is None
    # A stopped instance is only moved: nothing runs until a retry.
    held = migration.migrate(old, started.state, overdue, advance=False)
    assert held.ready == []


def test_a_waiting_message_catch_still_catches_its_own_order_only():
    old = load_definition(message_wait())
    new = load_definition(message_wait(file_form="work"))
    waiting = done(old, runner.start(old, {"order_id": 42}), "send")
    assert waiting.ready == []
    assert migration.check(old, waiting.state, new).changed == ["File (file)"]

    moved = migration.migrate(old, waiting.state, new)
    with pytest.raises(MessageNotWaiting):
        runner.send_message(new, moved.state, "customer_signed", {}, {"order_id": 43})
    caught = runner.send_message(
        new, moved.state, "customer_signed", {"by": "Ann"}, {"order_id": 42}
    )
    assert [(t.spec_name, t.form) for t in caught.ready] == [("file", "work")]
    assert caught.ready[0].data["customer_signed"] == {"by": "Ann", "order_id": 42}


# --- multi-instance tasks and subprocesses -------------------------------------------------


def test_open_per_item_tasks_keep_their_item_and_position():
    old = load_definition(per_line())
    started = runner.start(old, {"lines": [{"n": 1}, {"n": 2}, {"n": 3}]})
    prepared = done(old, started, "prepare")
    half = runner.complete(old, prepared.state, prepared.ready[1].task_id, {"check_line": {"a": 1}})
    before = [(t.task_id, t.item, t.loop_index) for t in half.ready]
    assert [b[2] for b in before] == [0, 2]

    later_changed = load_definition(per_line(wrap_form="check"))
    moved = migration.migrate(old, half.state, later_changed)
    assert [(t.task_id, t.item, t.loop_index) for t in moved.ready] == before
    finished, steps = run_to_end(later_changed, moved)
    assert steps == ["check_line", "check_line", "wrap"] and finished.completed

    # An item was already checked with the old form: the changed step is refused.
    verdict = migration.check(old, half.state, load_definition(per_line(line_form="work")))
    assert verdict.reasons == [
        "Step 'Check Line' (check_line) is completed and was changed in the new version "
        "(its properties, such as form, due time or role)"
    ]
    # Before any item was checked, the per-item step itself may change.
    moved = migration.migrate(old, prepared.state, load_definition(per_line(line_form="work")))
    assert [(t.item, t.loop_index, t.form) for t in moved.ready] == [
        ({"line": {"n": 1}}, 0, "work"),
        ({"line": {"n": 2}}, 1, "work"),
        ({"line": {"n": 3}}, 2, "work"),
    ]


def test_a_running_subprocess_moves_with_its_future_steps():
    old = load_definition(with_call())
    new = load_definition(with_call(("sub_a", "sub_b")))
    inside = done(old, runner.start(old, {}), "first")
    assert [t.spec_name for t in inside.ready] == ["sub_a"]

    moved = migration.migrate(old, inside.state, new)
    assert [t.task_id for t in moved.ready] == [inside.ready[0].task_id]
    finished, steps = run_to_end(new, moved)
    assert steps == ["sub_a", "sub_b", "last"] and finished.completed

    # Once the subprocess ran, its completed steps count like any other.
    after = done(old, inside, "sub_a")
    verdict = migration.check(old, after.state, new)
    assert "Step 'Sub A' (sub_a) in subprocess 'Run the sub-process' (call) is completed and " \
        "was changed in the new version (its outgoing flows)" in verdict.reasons  # fmt: skip


def test_a_running_subprocess_whose_process_is_gone_is_refused():
    old = load_definition(with_call())
    inside = done(old, runner.start(old, {}), "first")
    verdict = migration.check(old, inside.state, load_definition(with_call(called=False)))
    assert not verdict.eligible
    assert verdict.reasons[0] == (
        "The subprocess 'subproc' called by step 'Run the sub-process' (call) is running and "
        "does not exist in the new version"
    )
    assert "Step 'Run the sub-process' (call) is in progress and does not exist in the new " \
        "version" in verdict.reasons  # fmt: skip


# --- stopped instances and failures --------------------------------------------------------


def test_a_stopped_instance_moves_to_the_fix_and_the_retry_runs_it():
    old = load_definition(parallel_script_process("total = 1 / 0"))
    failed = done(old, runner.start(old, {}), "confirm")
    assert failed.error is not None and failed.error.element_id == "calc"
    fixed = load_definition(parallel_script_process("total = 1 + 1"))

    moved = migration.migrate(old, failed.state, fixed, advance=False)
    assert moved.error is None and [t.spec_name for t in moved.ready] == ["recheck"]
    assert states(fixed, moved.state)["calc"] == ["READY"]  # the failed step waits for the retry
    retried = runner.retry(fixed, moved.state)
    assert retried.error is None and retried.data["total"] == 2

    still_broken = load_definition(parallel_script_process("total = 2 / 0"))
    verdict = migration.check(old, failed.state, still_broken)  # advance: it would run at once
    assert verdict.reasons == [
        "After the move, the new version fails at once (step calc): 'Calculate' failed with "
        "ZeroDivisionError: division by zero. Fix the data or the diagram, then retry."
    ]


def test_spiffworkflow_failures_become_reasons(monkeypatch):
    old, mid = mid_review()
    new = load_definition(review(production_form="check"))
    verdict = migration.check(old, b"not a state", new)
    assert not verdict.eligible
    assert verdict.reasons[0].startswith("The instance's state could not be read (error:")

    def broken(*args, **kwargs):
        raise KeyError("review_production")

    monkeypatch.setattr(migration, "migrate_workflow", broken)
    verdict = migration.check(old, mid.state, new)
    assert verdict.reasons == [
        "SpiffWorkflow could not move the instance (KeyError: review_production)"
    ]
    with pytest.raises(migration.MigrationRefused):
        migration.migrate(old, mid.state, new)

    monkeypatch.setattr(migration, "WorkflowDiff", broken)
    verdict = migration.check(old, mid.state, new)
    assert verdict.reasons == [
        "The instance could not be compared with the new version (KeyError: review_production)"
    ]


def test_current_describes_a_stored_state():
    old, mid = mid_review()
    described = migration.current(old, mid.state)
    assert [t.task_id for t in described.ready] == [t.task_id for t in mid.ready]
    assert described.state == mid.state and described.next_timer is None
