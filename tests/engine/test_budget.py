"""The memory and time budget of expressions and scripts: each attack is refused before it
builds what it asks for (tracemalloc's peak stays far below the size requested)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator

import pytest
from builders import diagram, fixture_bytes, linear, script_task

from app.engine import budget, runner
from app.engine.errors import EngineError
from app.engine.expressions import RestrictedEnvironment, _run
from app.engine.specs import load_definition

ENV = RestrictedEnvironment()
MB = 1024 * 1024
BIG = "s = 'a' * 10**6\n"  # 1 MB of text, allowed by itself


def refused(call: Callable[[], object]) -> tuple[EngineError, int]:
    """The EngineError call raises, and the peak memory traced while it ran."""
    tracemalloc.start()
    try:
        with pytest.raises(EngineError) as info:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return info.value, peak


# (script, the most memory it may take before it is refused)
ATTACKS = {
    "aliased rows": ("x = [[0] * 10**6] * 10**6", 9 * MB),  # only the inner 8 MB row is built
    "aliased small rows": ("x = [[0] * 1000] * 10**6", MB),
    "1,000 strings of 1 MB": ("x = []\nfor i in range(1000):\n    x.append('a' * 10**6)", 36 * MB),
    "doubling concatenation": ("x = [[0] * 1000]\nfor i in range(40):\n    x = x + x", MB),
    "doubling extend": ("x = [[0] * 1000]\nfor i in range(40):\n    x.extend(x)", MB),
    "repeated then joined": (BIG + "t = ''.join([s] * 100)", 2 * MB),
    "joined from a generator": (BIG + "t = '-'.join(s for i in range(100))", 2 * MB),
    "container in an f-string": ("y = [[0] * 1000] * 3000\nt = f'{y}'", MB),
    "container in %": ("y = [[0] * 1000] * 3000\nt = '%s' % str(y)", MB),
    "container to str()": ("y = [[0] * 1000] * 3000\nt = str(y)", MB),
    "comprehension of aliases": (BIG + "x = [s for i in range(100)]", 2 * MB),
    "comprehension of copies": (BIG + "x = [s.upper() for i in range(100)]", 36 * MB),
    "dict growth": (BIG + "d = {}\nfor i in range(1000):\n    d[i] = s", 2 * MB),
    "dict update": (BIG + "d = {}\nd.update((i, s) for i in range(100))", 2 * MB),
    "set of big tuples": ("y = tuple([0] * 10**5)\nz = {(i, y) for i in range(1000)}", 3 * MB),
    "padding": ("t = 'a'.ljust(10**7)", MB),
    "replace": (BIG + "t = s.replace('a', 'aa')", 2 * MB),
    "split into pieces": ("s = 'a ' * 500000\nt = s.split()", 2 * MB),
    "copies kept by name": (
        "x = [0] * 10**6\n" + "y = x[:]\nz = list(x)\nw = sorted(x)\n",
        33 * MB,
    ),
    "comparison of aliases": ("x = [[0] * 1000] * 1000\ny = [x] * 1000\nz = y == y[:]", MB),
    "range": ("x = list(range(10**8))", MB),
}


@pytest.mark.parametrize("script", ATTACKS.values(), ids=ATTACKS.keys())
def test_attacks_are_refused_without_building_them(script: tuple[str, int]) -> None:
    source, most = script
    error, peak = refused(lambda: ENV.execute(source, {}))
    assert error.kind == "budget"
    assert peak < most, f"{peak / MB:.1f} MB traced"


def test_the_budget_counts_every_byte_built_across_operations() -> None:
    error, _ = refused(
        lambda: ENV.execute("x = []\nfor i in range(100):\n    x.append('a' * 10**6)", {})
    )
    assert "more than 32 MB of data" in error.message
    # Below the budget the same kind of code runs, and the data is kept.
    data: dict = {}
    ENV.execute("x = []\nfor i in range(10):\n    x.append(str(i).ljust(3, '-'))", data)
    assert data["x"][:2] == ["0--", "1--"]


def test_plain_scripts_still_run() -> None:
    data = {"lines": [{"qty": 2, "sku": "A"}, {"qty": 5, "sku": "B"}]}
    script = (
        "skus = sorted({l['sku'] for l in lines}, key=lambda s: s.lower())\n"
        "total = sum(l['qty'] for l in lines)\n"
        "by_sku = dict(zip(skus, [l['qty'] for l in lines]))\n"
        "ok = isinstance(lines, list) and isinstance(total, (int, float))\n"
        "label = f\"{total:>5}|{'-'.join(skus)}|\" + 'x'.center(3) + '%d' % total\n"
        "extra = {**by_sku, 'C': 0}\n"
        "lines2 = [*lines, {'qty': 1, 'sku': 'C'}]\n"
        "lines2[0] = dict(lines2[0], qty=3)\n"
        "lines2.insert(0, {'qty': 0})\n"
        "seen = set()\nseen.add('A')\nseen |= {'B'}\nleft = list({'A', 'B'} - seen)\ndel seen\n"
        "n = 10\nn -= 3"
    )
    ENV.execute(script, data)
    assert data["skus"] == ["A", "B"] and data["total"] == 7 and data["ok"] is True
    assert data["by_sku"] == {"A": 2, "B": 5} and data["extra"] == {"A": 2, "B": 5, "C": 0}
    assert data["label"] == "    7|A-B| x 7"
    assert data["lines2"][1] == {"qty": 3, "sku": "A"} and len(data["lines2"]) == 4
    assert data["left"] == [] and data["n"] == 7


def test_methods_outside_the_list_are_refused() -> None:
    for source in ["(1).to_bytes(10**9, 'big')", "{}.fromkeys(range(10), 1)", "'a'.format()"]:
        with pytest.raises(EngineError) as info:
            ENV.evaluate(source, {})
        assert info.value.kind == "forbidden", source


def test_a_stored_value_is_measured_without_writing_it_out() -> None:
    error, peak = refused(lambda: ENV.execute("x = [[0] * 1000] * 2000", {}))
    assert error.message == "The script stored more than 1 MB of data." and peak < MB
    nested = "x = []\nfor i in range(200):\n    x = [x]"
    error, _ = refused(lambda: ENV.execute(nested, {}))
    assert "nested more than 100 deep" in error.message


@pytest.fixture
def short_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Evaluations get 50 ms instead of 2 s."""
    monkeypatch.setattr(budget, "MAX_SECONDS", 0.05)
    yield


def test_time_is_checked_at_every_loop_item(short_clock: None) -> None:
    slow = "x = [0] * 10**6\nn = 0\nfor i in range(10000):\n    n += -1 in x"
    error, _ = refused(lambda: ENV.execute(slow, {}))
    assert error.kind == "budget" and "seconds" in error.message


def test_one_engine_call_shares_one_clock() -> None:
    with budget.run_limit(0.0):
        with pytest.raises(EngineError) as info:
            ENV.evaluate("sum(i for i in range(10))", {})
    assert info.value.kind == "budget" and "seconds" in info.value.message
    assert ENV.evaluate("sum(i for i in range(10))", {}) == 45


def test_memory_error_is_a_budget_error() -> None:
    with pytest.raises(EngineError) as info:
        _run(compile("raise MemoryError", "<test>", "exec"), {}, "exec")
    assert info.value.kind == "budget" and "out of memory" in info.value.message


def test_a_script_task_over_budget_stops_the_step_with_its_id() -> None:
    defn = load_definition(diagram(linear(script_task(ATTACKS["aliased rows"][0]), ids=["calc"])))
    result, peak = None, 0
    tracemalloc.start()
    try:
        result = runner.start(defn, {})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.error.kind == "budget" and result.error.element_id == "calc"
    assert "32 MB" in result.error.message and not result.completed
    assert peak < 12 * MB


def test_decision_table_cells_and_timers_share_the_budget() -> None:
    attack = "len([[0] * 1000] * 10**6)"
    dmn = fixture_bytes("route.dmn").replace(
        b"<text>quantity</text>", f"<text>{attack}</text>".encode()
    )
    defn = load_definition(fixture_bytes("route_decision.bpmn"), [dmn])
    result = runner.start(defn, {"quantity": 50})
    assert result.error.kind == "budget" and result.error.element_id == "choose_route"

    timer = fixture_bytes("timer_wait.bpmn").replace(
        b">PT4H<", f">'PT' + str({attack}) + 'H'<".encode()
    )
    result = runner.start(load_definition(timer), {})
    assert result.error.kind == "budget"
