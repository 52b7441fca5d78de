"""Which rule of a decision table matched: evaluated as the engine evaluates DMN cells."""

from pathlib import Path

import pytest

from app.engine import decisions
from app.engine.errors import EngineError

CHANGE_RULES = (Path(__file__).parents[2] / "workflows" / "change_rules.dmn").read_bytes()


def explain(value_pct, days, dmn=CHANGE_RULES):
    data = {"change": {"value_delta_pct": value_pct, "date_shift_days": days}}
    return decisions.explain([dmn], "change_approval_level", data)


def test_a_value_change_above_10_percent_fires_the_value_rule_alone():
    fired = explain(20.0, 0)
    assert fired.rule_id == "rule_value_over_limit" and fired.outputs == {"needs_gm": True}
    # Only the inputs the rule tests are its reasons ('-' ignores the date).
    assert [(c.expression, c.test, c.value) for c in fired.conditions] == [
        ("change['value_delta_pct']", "> 10", 20.0)
    ]
    assert fired.conditions[0].label == "Order value change (%)"
    assert fired.description.startswith("The order value changes by more than 10 %")


def test_the_boundaries_of_the_shipped_table():
    assert explain(10.0, 7).rule_id == "rule_within_manager_authority"
    assert explain(10.0, 7).outputs == {"needs_gm": False}
    assert explain(10.01, 0).rule_id == "rule_value_over_limit"
    assert explain(0, 8).rule_id == "rule_date_over_limit"


def test_a_changed_table_gives_the_changed_answer():
    raised = CHANGE_RULES.replace(b"&gt; 10<", b"&gt; 25<").replace(b"&lt;= 10<", b"&lt;= 25<")
    assert explain(20.0, 0, raised).rule_id == "rule_within_manager_authority"
    assert explain(30.0, 0, raised).conditions[0].test == "> 25"


def test_no_matching_row_and_unreadable_data():
    narrow = CHANGE_RULES.replace(b"&lt;= 7<", b"&lt;= 3<")
    assert explain(5.0, 5, narrow) is None  # 5 days: neither > 7 nor <= 3
    with pytest.raises(EngineError):
        decisions.explain([CHANGE_RULES], "change_approval_level", {"change": {}})
    with pytest.raises(EngineError):
        decisions.explain([CHANGE_RULES], "no_such_decision", {})
