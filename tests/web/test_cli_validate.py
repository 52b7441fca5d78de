"""`flask workflows validate` on the broken-diagram corpus and on other tools' diagrams: exit code
1, one `FILE:LINE: message` line per problem with the specific message, never a traceback.

The app's catalog (departments and forms in the database) is used here, not the engine tests'
one; the corpus only names departments and forms both know.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from tests.engine.test_validation_corpus import CASES, Case
from tests.engine.test_validation_foreign import EXPECTED, FOREIGN

ROOT = Path(__file__).resolve().parents[2]


def validate(app: Flask, *paths: str | Path) -> Result:
    """Run the command in-process, as `flask --app wsgi workflows validate PATH...` would."""
    return app.test_cli_runner().invoke(args=["workflows", "validate", *map(str, paths)])


def problem_lines(result: Result, path: Path) -> list[tuple[int, str]]:
    """(line, message) of each problem reported for path; every output line has the format."""
    found = []
    for line in result.output.splitlines():
        match = re.fullmatch(rf"{re.escape(str(path))}:(\d+): (.+)", line)
        assert match, f"not FILE:LINE: message: {line!r}"
        found.append((int(match[1]), match[2]))
    return found


def assert_clean(result: Result) -> None:
    """No traceback, no crash inside the command, nothing read from /etc/passwd."""
    assert "Traceback" not in result.output
    assert "root:" not in result.output
    assert "could not be checked" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def write_case(case: Case, folder: Path) -> Path:
    """The case's diagram as a file (with its DMN files beside it, where the command finds them)."""
    path = folder / "diagram.bpmn"
    path.write_bytes(case.data)
    for index, dmn in enumerate(case.decisions):
        (folder / f"decision_{index}.dmn").write_bytes(dmn)
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_broken_diagram_is_refused_with_its_message(app, tmp_path, case):
    path = write_case(case, tmp_path)
    result = validate(app, path)
    assert_clean(result)
    assert result.exit_code == 1, result.output
    problems = problem_lines(result, path)
    assert problems, result.output
    assert any(
        line == case.expected_line() and case.expected in message for line, message in problems
    ), result.output


def test_the_whole_corpus_at_once(app, tmp_path):
    paths = []
    for index, case in enumerate(CASES):
        folder = tmp_path / f"case_{index}"
        folder.mkdir()
        paths.append(write_case(case, folder))
    shipped = ROOT / "workflows" / "order_review.bpmn"
    result = validate(app, *paths, shipped)
    assert_clean(result)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{shipped}: valid" in lines
    for path, case in zip(paths, CASES, strict=True):
        assert f"{path}: valid" not in lines, case.name
        assert any(line.startswith(f"{path}:") and case.expected in line for line in lines), (
            case.name
        )


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_other_tools_diagrams(app, name):
    path = FOREIGN / name
    result = validate(app, path)
    assert_clean(result)
    expected = EXPECTED[name]
    if not expected:
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [f"{path}: valid"]
        return
    assert result.exit_code == 1, result.output
    problems = problem_lines(result, path)
    assert len(problems) == len(expected), result.output
    for _element_id, fragment in expected:
        assert any(fragment in message and line > 0 for line, message in problems), fragment


def test_the_shipped_workflows_are_valid(app):
    files = sorted((ROOT / "workflows").glob("*.bpmn")) + sorted((ROOT / "workflows").glob("*.dmn"))
    result = validate(app, *files)
    assert_clean(result)
    assert result.exit_code == 0, result.output
    bpmn = [f for f in files if f.suffix == ".bpmn"]
    assert result.output.splitlines() == [f"{f}: valid" for f in bpmn]


def test_a_missing_file_is_reported_not_raised(app, tmp_path):
    missing = tmp_path / "nowhere.bpmn"
    result = validate(app, missing)
    assert_clean(result)
    assert result.exit_code == 1
    assert result.output.startswith(f"{missing}:1: cannot read the file")


def test_usage_errors_exit_2(app, tmp_path):
    for args in ([], [str(tmp_path)]):
        result = app.test_cli_runner().invoke(args=["workflows", "validate", *args])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
