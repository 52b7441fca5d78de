"""Open -> convert -> validate -> run over the foreign-diagram corpus, with shares per style.

    .venv/bin/python -m tests.bpmn_corpus.harness            # with the conversion
    .venv/bin/python -m tests.bpmn_corpus.harness --before   # conversion = identity

Every verdict is computed live from the current code (validation, the engine, the conversion);
nothing here hard-codes which diagram passes. The catalog is the demo departments and the form
library shipped in forms/, i.e. what a fresh OrderGate offers.

- opens:     the file parses as BPMN 2.0 with a process (what the modeler needs), no traceback
- validates: after conversion, `validate_bpmn` finds no problem (what publishing requires)
- runs:      the validated process, started with RUN_DATA, reaches its end when every ready
             task is completed with RUN_DATA, every waiting message is delivered and the clock
             is moved past every waiting timer
- answered:  the same two after the owner answers every question of the report that offers
             choices (simulated by taking the first choice: the best-ranked department, form or
             due time); what still fails needs the owner to draw or write something
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from app.core.processes.versions import DEMO_DEPARTMENTS, demo_catalog
from app.engine import runner, timers
from app.engine.documents import BPMN_NS, DocumentRejected, parse_bpmn
from app.engine.errors import EngineError, MessageNotWaiting
from app.engine.problems import Catalog, Problem
from app.engine.specs import load_definition
from app.engine.validation import validate_bpmn
from tests.bpmn_corpus.generate import STYLES
from tests.bpmn_corpus.scenarios import RUN_DATA

CORPUS = Path(__file__).parent
ROOT = CORPUS.parents[1]
MAX_STEPS = 80

# A conversion takes the file's bytes and gives the converted bytes and its report items.
Converter = Callable[[bytes], tuple[bytes, list]]
Answerer = Callable[[bytes, list], bytes]


def identity(data: bytes) -> tuple[bytes, list]:
    """The 'before' conversion: the file as it is."""
    return data, []


def form_library() -> list[str]:
    """The forms a fresh OrderGate has (forms/*.json)."""
    return sorted(p.stem for p in (ROOT / "forms").glob("*.json"))


def catalog() -> Catalog:
    return demo_catalog(set(form_library()))


def departments() -> list[tuple[str, str, str]]:
    return [(key, en, zh) for key, (en, zh) in DEMO_DEPARTMENTS.items()]


def corpus_files() -> list[Path]:
    return sorted(p for style in STYLES for p in (CORPUS / style).glob("*.bpmn"))


@dataclass
class Outcome:
    """What happened to one diagram at each stage."""

    path: Path
    opened: bool = False
    open_error: str = ""
    report: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    validated: bool = False
    ran: bool = False
    run_error: str = ""
    answered_problems: list[Problem] = field(default_factory=list)
    answered_validated: bool = False
    answered_ran: bool = False
    traceback: str = ""  # any stage that raised instead of answering

    @property
    def style(self) -> str:
        return self.path.parent.name


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _message_names(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    return [m.get("name") for m in root.iter(f"{{{BPMN_NS}}}message") if m.get("name")]


def run_to_end(data: bytes) -> str:
    """'' if the process runs to its end, else why not."""
    clock = _Clock()
    timers.set_clock(clock)
    try:
        definition = load_definition(data)
        result = runner.start(definition, dict(RUN_DATA))
        messages = _message_names(data)
        for _ in range(MAX_STEPS):
            if result.error:
                return f"engine error: {result.error}"
            if result.completed:
                return ""
            if result.ready:
                task = result.ready[0]
                result = runner.complete(definition, result.state, task.task_id, dict(RUN_DATA))
                continue
            delivered = None
            for name in messages:
                try:
                    delivered = runner.send_message(definition, result.state, name, {})
                    break
                except MessageNotWaiting:
                    continue
            if delivered is not None:
                result = delivered
                continue
            if result.next_timer is not None:
                clock.now = max(clock.now, result.next_timer) + timedelta(minutes=1)
                result = runner.fire_due_timers(definition, result.state)
                continue
            return "stuck: no ready task, waiting message or timer"
        return "did not end within the step limit"
    except EngineError as exc:
        return f"engine error: {exc}"
    finally:
        timers.set_clock(None)


def check(
    path: Path,
    convert: Converter = identity,
    with_catalog: Catalog | None = None,
    answers: Answerer | None = None,
) -> Outcome:
    """Open, convert, validate and run one file (and again after answers); never raises."""
    outcome = Outcome(path)
    data = path.read_bytes()
    try:
        root = parse_bpmn(data)
        if root.find(f"{{{BPMN_NS}}}process") is None:
            outcome.open_error = "no process"
            return outcome
        outcome.opened = True
        converted, outcome.report = convert(data)
        outcome.problems = validate_bpmn(converted, with_catalog or catalog())
        outcome.validated = not outcome.problems
        if outcome.validated:
            outcome.run_error = run_to_end(converted)
            outcome.ran = not outcome.run_error
        answered = answers(converted, outcome.report) if answers else converted
        outcome.answered_problems = validate_bpmn(answered, with_catalog or catalog())
        outcome.answered_validated = not outcome.answered_problems
        if outcome.answered_validated:
            outcome.answered_ran = not run_to_end(answered)
    except DocumentRejected as exc:
        outcome.open_error = exc.message
    except Exception:  # noqa: BLE001 - the harness reports tracebacks, the tests fail on them
        outcome.traceback = traceback.format_exc()
    return outcome


def check_all(convert: Converter = identity, answers: Answerer | None = None) -> list[Outcome]:
    cat = catalog()
    return [check(path, convert, cat, answers) for path in corpus_files()]


def shares(outcomes: list[Outcome]) -> dict[str, tuple[int, ...]]:
    """style -> (diagrams, opened, validated, ran, validated and ran after the answers); key
    'all' for the whole corpus."""
    table: dict[str, tuple[int, ...]] = {}
    for style in [*STYLES, "all"]:
        mine = [o for o in outcomes if style in ("all", o.style)]
        table[style] = (
            len(mine),
            sum(o.opened for o in mine),
            sum(o.validated for o in mine),
            sum(o.ran for o in mine),
            sum(o.answered_validated for o in mine),
            sum(o.answered_ran for o in mine),
        )
    return table


def markdown(table: dict[str, tuple[int, ...]], answered: bool = True) -> str:
    head = "| style | diagrams | open | validate | run |"
    if answered:
        head += " validate after answers | run after answers |"
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for style, (n, *counts) in table.items():
        shown = counts if answered else counts[:3]
        lines.append(f"| {style} | {n} | " + " | ".join(f"{c}/{n}" for c in shown) + " |")
    return "\n".join(lines)


def real_conversion() -> Converter:
    """The project's conversion with the demo departments and the form library."""
    from app.engine.convert import convert

    deps, forms = departments(), form_library()

    def converting(data: bytes) -> tuple[bytes, list]:
        result = convert(data, deps, forms)
        return result.xml, result.items

    return converting


def first_choices(xml: bytes, items: list) -> bytes:
    """The owner's answers simulated: the first choice of every question that offers some."""
    from app.engine.convert import Answer, answer

    picks = [
        Answer(i.element_id, i.field, i.choices[0])
        for i in items
        if i.status == "owner" and i.choices and i.element_id
    ]
    return answer(xml, picks, departments()) if picks else xml


def main(argv: list[str]) -> int:
    before = "--before" in argv
    if before:
        outcomes = check_all(identity)
    else:
        outcomes = check_all(real_conversion(), first_choices)
    print(markdown(shares(outcomes), answered=not before))
    if "-v" in argv:
        for o in outcomes:
            problems = o.problems if before else o.answered_problems
            first = problems[0].message if problems else o.run_error or o.open_error
            print(f"{o.style}/{o.path.name}: {len(problems)} problems; {first[:160]}")
    return 1 if any(o.traceback for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
