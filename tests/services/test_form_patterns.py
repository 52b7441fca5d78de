"""Form patterns run by RE2: a catastrophic pattern cannot stall a submission, and patterns RE2
cannot run are refused when the form is published, naming the field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema._keywords
import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from app.core.processes import form_patterns
from app.core.processes import versions as processes
from app.core.processes.form_patterns import FormValidator, format_checker
from app.core.processes.forms import check_form_document, parse_submission


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages' English words; Chinese is the default (issue 16)."""
    with force_locale("en"):
        yield


FORM = json.loads(
    (Path(__file__).resolve().parents[2] / "forms" / "standardise_item.json").read_text("utf-8")
)
CATASTROPHIC = "^(a+)+$"


def with_pattern(pattern: str) -> dict:
    """The standardise_item form with `code` checked by pattern."""
    doc = copy.deepcopy(FORM)
    doc["properties"]["code"]["pattern"] = pattern
    return doc


@pytest.fixture
def no_python_re(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make jsonschema's own (backtracking) pattern matching fail the test if it is reached."""

    class Refuse:
        def search(self, *args: object) -> None:
            raise AssertionError("Python's re ran a form pattern")

    monkeypatch.setattr(jsonschema._keywords, "re", Refuse())


def submit(doc: dict, code: str) -> dict[str, str]:
    """The errors of a submission making `code` standard."""
    answers = {"make_standard": "on", "code": code, "name": "Bracket", "standard_cost": "2"}
    return parse_submission(doc, MultiDict(answers))[1]


def test_the_catastrophic_pattern_checks_a_long_input_with_re2(no_python_re: None) -> None:
    # 3,999 characters: within the 4,000 a string field without maxLength may hold; with
    # backtracking, 27 already took 10 s.
    doc = with_pattern(CATASTROPHIC)
    form_patterns.compile_pattern.cache_clear()
    assert list(submit(doc, "a" * 3_998 + "!")) == ["code"]
    assert submit(doc, "a" * 3_999) == {}
    info = form_patterns.compile_pattern.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # one RE2 program, reused for the second input


def test_pattern_properties_and_format_regex_use_re2(no_python_re: None) -> None:
    schema = {
        "type": "object",
        "patternProperties": {CATASTROPHIC: {"type": "integer"}},
        "properties": {"rule": {"type": "string", "format": "regex"}},
    }
    validator = FormValidator(schema, format_checker=format_checker())
    key = "a" * 10_000
    assert [e.validator for e in validator.iter_errors({key: "x"})] == ["type"]
    assert list(validator.iter_errors({key + "!": "x"})) == []
    assert [e.validator for e in validator.iter_errors({"rule": r"(a)\1"})] == ["format"]
    assert list(validator.iter_errors({"rule": "^[a-z]+$"})) == []


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^(\w)\1$", r"invalid escape sequence: \1"),
        ("^(?=.*[0-9]).+$", "invalid perl operator: (?="),
        ("^(?!x).+$", "invalid perl operator: (?!"),
        ("^(?<=a)b$", "invalid perl operator: (?<"),
    ],
)
def test_patterns_re2_cannot_run_are_refused_naming_the_field(pattern: str, reason: str) -> None:
    problems = check_form_document(with_pattern(pattern))
    assert len(problems) == 1
    assert problems[0].startswith(f"Field 'code': the pattern {pattern!r} cannot be used")
    assert reason in problems[0] and "backreferences" in problems[0]


def test_patterns_anywhere_in_the_schema_are_checked() -> None:
    doc = copy.deepcopy(FORM)
    doc["allOf"][0]["then"]["properties"] = {"name": {"pattern": "(?=a)"}}
    doc["patternProperties"] = {r"(x)\1": {}}
    problems = check_form_document(doc)
    assert sorted(p.split(":")[0] for p in problems) == [
        "At /",
        "At allOf/0/then/properties/name",
    ]
    assert check_form_document(with_pattern("^[A-Z0-9-]{3,20}$")) == []


def test_a_chinese_reader_gets_the_refusal_in_chinese() -> None:
    with force_locale("zh_CN"):
        problems = check_form_document(with_pattern(r"(a)\1"))
    assert problems[0].startswith("字段 'code'：无法使用 pattern '(a)\\\\1'"), problems


def test_publishing_refuses_the_form_and_stores_nothing() -> None:
    content = json.dumps(with_pattern(r"(a)\1")).encode()
    with pytest.raises(ValueError, match="Field 'code': the pattern"):
        processes.deploy_form("standardise_item_v2", content, None)
    assert processes.latest_form("standardise_item_v2") is None


def test_the_deploy_command_reports_the_field(tmp_path: Path) -> None:
    forms_dir, workflows_dir = tmp_path / "forms", tmp_path / "workflows"
    forms_dir.mkdir()
    workflows_dir.mkdir()
    (forms_dir / "lookahead.json").write_text(json.dumps(with_pattern("(?!x)")), "utf-8")
    report = processes.deploy_directories(workflows_dir, forms_dir, None)
    assert report.created == [] and len(report.problems) == 1
    assert (
        "lookahead.json:1: Field 'code': the pattern '(?!x)' cannot be used" in (report.problems[0])
    )
