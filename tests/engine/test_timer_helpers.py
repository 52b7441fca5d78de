"""Timer expressions with the date and duration helpers process owners expect (issue 15):
`timedelta`, `datetime` and `date` in the sandbox, on the timers' clock, without a way out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from builders import diagram, linear, user_task

from app.engine import runner
from app.engine.errors import EngineError
from app.engine.expressions import RestrictedEnvironment
from app.engine.specs import load_definition
from app.engine.validation import Catalog, validate_bpmn


def _waiting(kind: str, expression: str) -> bytes:
    wait = (
        '<bpmn:intermediateCatchEvent id="wait" name="Wait"><bpmn:timerEventDefinition>'
        f"<bpmn:{kind}>{expression}</bpmn:{kind}></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )
    return diagram(
        linear(wait, user_task("inspect"), ids=["wait", "inspect"]), lane_nodes=["inspect"]
    )


@pytest.mark.parametrize(
    ("kind", "expression", "after"),
    [
        ("timeDuration", "timedelta(days=2, hours=3)", timedelta(days=2, hours=3)),
        ("timeDuration", "timedelta(minutes=hold)", timedelta(minutes=90)),
        ("timeDate", "datetime.now() + timedelta(hours=5)", timedelta(hours=5)),
        ("timeDate", "datetime.fromisoformat(promised) - timedelta(days=1)", timedelta(days=2)),
        ("timeDate", "datetime.combine(date.today(), datetime(2026, 1, 1, 9).time())", None),
        ("timeDuration", "'PT30M'", timedelta(minutes=30)),
    ],
)
def test_timer_expressions_with_date_helpers_wait_as_written(
    fake_clock, catalog: Catalog, kind: str, expression: str, after: timedelta | None
) -> None:
    start = fake_clock.set(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))  # a Monday morning
    data = _waiting(kind, expression)
    assert validate_bpmn(data, catalog) == []
    defn = load_definition(data)
    promised = (start + timedelta(days=3)).isoformat()
    started = runner.start(defn, {"hold": 90, "promised": promised})
    assert started.error is None and started.ready == []
    expected = start + after if after is not None else datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert started.next_timer == expected
    fake_clock.set(expected)
    fired = runner.fire_due_timers(defn, started.state)
    assert [t.spec_name for t in fired.ready] == ["inspect"]


def test_now_and_today_read_the_timers_clock(fake_clock) -> None:
    fake_clock.set(datetime(2030, 5, 6, 7, 8, tzinfo=UTC))
    env = RestrictedEnvironment()
    assert env.evaluate("datetime.now()", {}) == datetime(2030, 5, 6, 7, 8, tzinfo=UTC)
    assert env.evaluate("date.today().isoformat()", {}) == "2030-05-06"
    assert env.evaluate("isinstance(datetime(2030, 1, 1), datetime)", {}) is True


@pytest.mark.parametrize(
    "escape",
    [
        "datetime.__class__",
        "datetime.now.__self__",
        "timedelta.max",
        "timedelta.__subclasses__()",
        "datetime.kind",
        "date.today().__class__.__bases__",
        "datetime.now.__func__",
        "[h for h in (datetime, date)][0].kind",
    ],
)
def test_the_helpers_lead_nowhere_else(escape: str) -> None:
    with pytest.raises(EngineError) as info:
        RestrictedEnvironment().evaluate(escape, {})
    assert info.value.kind == "forbidden"


def test_a_script_cannot_keep_a_helper_in_task_data() -> None:
    context: dict = {}
    RestrictedEnvironment().execute("helper = datetime\nwhen = datetime(2026, 1, 1)", context)
    assert context == {"when": datetime(2026, 1, 1)}


def test_a_negative_duration_stops_the_step_with_an_error(fake_clock, catalog: Catalog) -> None:
    fake_clock.set(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
    data = _waiting("timeDuration", "timedelta(days=-1)")
    assert validate_bpmn(data, catalog) == []
    started = runner.start(load_definition(data), {})
    assert started.error is not None and started.error.element_id == "wait"
    assert "negative" in started.error.detail or "negative" in started.error.message
