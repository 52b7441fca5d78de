"""The foreign-diagram corpus (tests/bpmn_corpus/, see its README): at least ten diagrams in the
style of each main modeler; every one opens and is checked without a traceback. The shares that
validate and run are measured live by the harness (docs/FOREIGN_DIAGRAMS.md), not asserted here
diagram by diagram, because they change as the engine learns more elements."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.validation import Problem
from tests.bpmn_corpus import harness
from tests.bpmn_corpus.generate import STYLES, render
from tests.bpmn_corpus.scenarios import SCENARIOS

FILES = harness.corpus_files()


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_the_corpus_has_ten_diagrams_per_style() -> None:
    assert len(FILES) >= 60
    for style in STYLES:
        assert len([p for p in FILES if p.parent.name == style]) >= 10, style


def test_the_committed_files_are_what_the_generator_writes() -> None:
    # The corpus is reviewed as files; the generator is how it was written and stays in step.
    for style in STYLES:
        for index, scenario in enumerate(SCENARIOS):
            path = harness.CORPUS / style / f"{scenario.key}.bpmn"
            assert path.read_bytes() == render(style, index), path


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_each_diagram_opens_and_is_checked_without_a_traceback(path: Path) -> None:
    outcome = harness.check(path)
    assert outcome.traceback == "", outcome.traceback
    assert outcome.opened, outcome.open_error
    assert all(isinstance(p, Problem) for p in outcome.problems)
    assert not any("could not be checked" in p.message for p in outcome.problems)
    if outcome.validated:  # whatever validates must run to its end
        assert outcome.ran, outcome.run_error


def test_the_harness_counts_each_stage() -> None:
    outcomes = harness.check_all()
    table = harness.shares(outcomes)
    assert table["all"][0] == len(FILES)
    for style in STYLES:
        n, opened, validated, ran = table[style]
        assert n >= opened >= validated >= ran
    assert table["all"][1] == len(FILES)  # every diagram opens
