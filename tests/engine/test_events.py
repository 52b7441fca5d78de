"""Waiting for time and for messages: bare ISO timers, and messages correlated to the order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from builders import diagram, fixture_bytes, flow, user_task

from app.engine import runner, timers
from app.engine.errors import MessageNotWaiting
from app.engine.runner import StepResult
from app.engine.specs import ProcessDefinition, load_definition
from tests.clocks import SHANGHAI


def test_bare_pt4h_timer_waits_four_hours_then_fires(fake_clock) -> None:
    # Not on a user task: calendar time, so a Saturday night counts like any other time.
    before = fake_clock.set(datetime(2026, 3, 7, 22, 0, tzinfo=UTC))
    defn = load_definition(fixture_bytes("timer_wait.bpmn"))
    started = runner.start(defn, {})
    assert started.error is None and started.ready == [] and not started.completed
    due = runner.next_timer_due(defn, started.state)
    assert started.next_timer == due == before + timedelta(hours=4)

    fake_clock.advance(hours=3, minutes=59)
    early = runner.fire_due_timers(defn, started.state)
    assert early.ready == [] and early.error is None and early.fired_timers == []

    fake_clock.advance(minutes=1)
    fired = runner.fire_due_timers(defn, early.state)
    assert [t.event_id for t in fired.fired_timers] == ["cool_down"]
    assert fired.error is None
    assert [t.spec_name for t in fired.ready] == ["inspect"]
    assert fired.next_timer is None and runner.next_timer_due(defn, fired.state) is None


def _waiting_for_signature(order_id: int) -> tuple[ProcessDefinition, StepResult]:
    defn = load_definition(fixture_bytes("message_wait.bpmn"))
    started = runner.start(defn, {"order_id": order_id})
    sent = runner.complete(defn, started.state, started.ready[0].task_id, {"send_confirmation": {}})
    assert sent.ready == [] and not sent.completed
    return defn, sent


def test_message_reaches_the_waiting_catch_event() -> None:
    defn, waiting = _waiting_for_signature(42)
    payload = {"signed_by": "Ms Li", "signed_on": "2030-03-01"}
    result = runner.send_message(defn, waiting.state, "customer_signed", payload, {"order_id": 42})
    assert result.error is None
    assert [t.spec_name for t in result.ready] == ["file_confirmation"]
    # Payload kept under the catch event's id, like user task data under the task's id.
    assert result.ready[0].data["customer_signed"] == {**payload, "order_id": 42}


def test_message_for_another_order_is_not_caught() -> None:
    defn, waiting = _waiting_for_signature(42)
    with pytest.raises(MessageNotWaiting) as info:
        runner.send_message(defn, waiting.state, "customer_signed", {}, {"order_id": 43})
    assert info.value.kind == "not_waiting"
    # Without explicit correlation, the payload's order_id is used (retrieval expression).
    with pytest.raises(MessageNotWaiting):
        runner.send_message(defn, waiting.state, "customer_signed", {"order_id": 43})
    caught = runner.send_message(defn, waiting.state, "customer_signed", {"order_id": 42})
    assert [t.spec_name for t in caught.ready] == ["file_confirmation"]


def test_unknown_or_early_messages_are_refused() -> None:
    defn = load_definition(fixture_bytes("message_wait.bpmn"))
    started = runner.start(defn, {"order_id": 42})
    with pytest.raises(MessageNotWaiting):  # not waiting yet: send_confirmation is open
        runner.send_message(defn, started.state, "customer_signed", {}, {"order_id": 42})
    _, waiting = _waiting_for_signature(42)
    with pytest.raises(MessageNotWaiting):
        runner.send_message(defn, waiting.state, "payment_received", {}, None)


def test_boundary_timer_escalates_a_late_task(fake_clock, monkeypatch) -> None:
    late = (
        '<bpmn:boundaryEvent id="late" name="Review is late" attachedToRef="review" '
        'cancelActivity="false"><bpmn:timerEventDefinition id="late_timer">'
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT8H</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )
    body = "\n".join(
        [
            '<bpmn:startEvent id="start" name="Start" />',
            user_task("review"),
            late,
            user_task("chase"),
            '<bpmn:endEvent id="done" name="Done" />',
            '<bpmn:endEvent id="chased" name="Chased" />',
            flow("f0", "start", "review"),
            flow("f1", "review", "done"),
            flow("f2", "late", "chase"),
            flow("f3", "chase", "chased"),
        ]
    )
    defn = load_definition(diagram(body, lane_nodes=["review", "chase"]))
    # A timer on a user task counts working time: the engine asks the app's calendar (here a
    # stand-in that ends the eight hours the next morning at 08:30).
    asked = []

    def working_time(start: datetime, duration: str) -> datetime:
        asked.append((start, duration))
        return datetime(2026, 3, 3, 8, 30, tzinfo=SHANGHAI)

    monkeypatch.setattr(timers, "_working_time", working_time)
    start = fake_clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    started = runner.start(defn, {})
    assert [t.spec_name for t in started.ready] == ["review"]
    assert asked == [(start, "PT8H")]
    assert started.next_timer == datetime(2026, 3, 3, 8, 30, tzinfo=SHANGHAI)

    fake_clock.set(datetime(2026, 3, 3, 8, 29, tzinfo=SHANGHAI))
    assert runner.fire_due_timers(defn, started.state).fired_timers == []
    fake_clock.set(datetime(2026, 3, 3, 8, 30, tzinfo=SHANGHAI))
    fired = runner.fire_due_timers(defn, started.state)
    (late,) = fired.fired_timers
    assert (late.event_id, late.attached_to, late.interrupting) == ("late", "review", False)
    assert late.attached_task_id == started.ready[0].task_id
    assert [t.spec_name for t in fired.ready] == ["review", "chase"]
