"""The restricted checker and environment: what is refused statically and guarded at run time."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.engine.errors import EngineError
from app.engine.expressions import RestrictedEnvironment, check_expression, check_script

ENV = RestrictedEnvironment()
DATA = {"review": {"decision": "reject"}, "reviews": [{"decision": "approve"}], "qty": 5}


def kind_of(call: Callable[[], object]) -> str:
    """The EngineError kind a call raises."""
    with pytest.raises(EngineError) as info:
        call()
    return info.value.kind


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("__import__('os').system('id')", '"__import__" is an invalid variable name'),
        ("().__class__.__base__.__subclasses__()", '"__class__" is an invalid attribute name'),
        ("(x for x in []).gi_frame", '"gi_frame" is a restricted name'),
        ("eval('1')", "'eval' is not available"),
        ("getattr(review, 'x')", "'getattr' is not available"),
        ("'{0.__class__}'.format(1)", "the '.format' method is not allowed"),
        ("f'{qty:>100000}'", "f-string widths above 1000 are not allowed"),
        ("qty +", "SyntaxError"),
    ],
)
def test_check_expression_refuses(source: str, expected: str) -> None:
    message = check_expression(source)
    assert message is not None and expected in message


def test_check_expression_accepts_task_data_expressions() -> None:
    for source in [
        "review['decision'] == 'reject'",
        "'reject' in [r['decision'] for r in reviews]",
        "qty * 2 > 5 and review.get('decision') != 'approve'",
        "sorted(reviews, key=lambda r: r['decision'])[0]",
    ]:
        assert check_expression(source) is None, source


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("while True: pass", "'while' loops are not allowed"),
        ("import os", "imports are not allowed"),
        ("from os import system", "imports are not allowed"),
        ("try:\n    x = 1\nexcept Exception:\n    pass", "'try' is not allowed"),
        ("class A:\n    pass", "class definitions are not allowed"),
        ("raise ValueError('x')", "'raise' is not allowed"),
        ("def gen():\n    yield 1", "generators ('yield') are not allowed"),
        ("print(qty)", "'print' is not available"),
    ],
)
def test_check_script_refuses(source: str, expected: str) -> None:
    message = check_script(source)
    assert message is not None and expected in message


def test_evaluate_reads_task_data_without_changing_it() -> None:
    data = {"review": {"decision": "reject"}, "n": 1}
    assert ENV.evaluate("review['decision'] == 'reject' and (m := n + 1) == 2", data) is True
    assert data == {"review": {"decision": "reject"}, "n": 1}


def test_execute_keeps_plain_data_only_on_success() -> None:
    data = {"qty": 3, "old": 1}
    ENV.execute("total = qty * 10\nlabels = [str(i) for i in range(qty)]\ndel old", data)
    assert data == {"qty": 3, "total": 30, "labels": ["0", "1", "2"]}
    with pytest.raises(AssertionError):
        ENV.execute("half = qty / 2\nassert qty > 10, 'too few'", data)
    assert "half" not in data  # nothing of a failed script is kept
    assert kind_of(lambda: ENV.execute("g = (i for i in [1])", data)) == "expression"


def test_runtime_refuses_escapes_even_without_validation() -> None:
    assert kind_of(lambda: ENV.evaluate("__import__('os').system('id')", {})) == "forbidden"
    assert kind_of(lambda: ENV.execute("x = ().__class__.__base__.__subclasses__()", {})) == (
        "forbidden"
    )
    assert kind_of(lambda: ENV.execute("while True:\n    pass", {})) == "forbidden"


def test_underscore_task_data_cannot_replace_the_guards() -> None:
    evil = {"_getattr_": getattr, "_getiter_": iter, "x": {"a": 1}}
    assert ENV.evaluate("x.get('a')", evil) == 1
    assert kind_of(lambda: ENV.evaluate("[].append.__self__", evil)) == "forbidden"


@pytest.mark.parametrize(
    "source",
    [
        "'a' * 10**7",
        "[0] * 10**7",
        "2 ** 10**6",
        "1 << 10**7",
        "sum(range(10**8))",
        "len([x for x in range(20000)])",
        "sum(1 for a in range(10000) for b in range(10000))",
        "''.join(['x' * 1000000] * 10000)",
        "'a'.replace('a', 'b' * 2000000)",
        "'%1000000000d' % 1",
    ],
)
def test_huge_results_and_runaway_work_hit_the_budget(source: str) -> None:
    assert kind_of(lambda: ENV.evaluate(source, {})) == "budget"


def test_scripts_hit_the_budget() -> None:
    nested = "n = 0\nfor i in range(100):\n    for j in range(100):\n        for k in range(100):\n"
    assert kind_of(lambda: ENV.execute(nested + "            n += 1", {})) == "budget"
    recursion = "def f(n):\n    return 1 if n == 0 else f(n - 1) + f(n - 1)\nz = f(40)"
    assert kind_of(lambda: ENV.execute(recursion, {})) == "budget"
    doubling = "s = 'ab'\nfor i in range(40):\n    s += s"
    assert kind_of(lambda: ENV.execute(doubling, {})) == "budget"
    extend = "items = [1]\nfor i in range(40):\n    items.extend(items)"
    assert kind_of(lambda: ENV.execute(extend, {})) == "budget"


def test_attributes_only_on_plain_data() -> None:
    assert ENV.evaluate("'abc'.upper()", {}) == "ABC"
    assert ENV.evaluate("{k: v for k, v in review.items()}", DATA) == {"decision": "reject"}
    assert kind_of(lambda: ENV.evaluate("max.x", {})) == "forbidden"
    assert kind_of(lambda: ENV.evaluate("(lambda: 1).x", {})) == "forbidden"
