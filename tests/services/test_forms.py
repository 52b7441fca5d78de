"""Form files: meta-validation, submission parsing, view models and the form macros."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask_babel import Babel, force_locale
from jsonschema import Draft202012Validator
from werkzeug.datastructures import MultiDict

from app.core.processes.forms import (
    FORM_ERROR,
    FieldView,
    Option,
    check_form_document,
    display_value,
    field_views,
    form_title,
    parse_submission,
)

ROOT = Path(__file__).resolve().parents[2]
FORMS_DIR = ROOT / "forms"
FORM_FILES = sorted(FORMS_DIR.glob("*.json"))
REVIEWS = ["review_engineering", "review_production", "review_quality", "review_warehouse"]
MACROS = '{% from "macros/form.html" import render_form_fields, render_readonly %}'


def load(name: str) -> dict:
    """Read one form file from forms/."""
    return json.loads((FORMS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def post(*pairs: tuple[str, str], **fields: str) -> MultiDict:
    """Build posted form data, as werkzeug gives it to a view."""
    return MultiDict([*pairs, *fields.items()])


@pytest.fixture
def flask_app(tmp_path: Path) -> Flask:
    """A bare app with Babel (default zh_CN, an empty catalogue folder) and the real templates."""
    app = Flask("forms_test", root_path=str(ROOT / "app"), template_folder="templates")
    app.config.update(BABEL_DEFAULT_LOCALE="zh_CN", BABEL_TRANSLATION_DIRECTORIES=str(tmp_path))
    Babel(app)
    return app


@pytest.fixture
def ctx(flask_app: Flask):
    """Enter a request context, so gettext resolves the (zh_CN, untranslated) locale."""
    with flask_app.test_request_context():
        yield


@pytest.fixture
def zh_app(tmp_path: Path) -> Flask:
    """Build an app with a compiled zh_CN catalogue, to prove messages go through gettext."""
    catalog = Catalog(locale="zh_CN")
    for english, chinese in {
        "This field is required.": "此项为必填项。",
        "Enter a whole number.": "请输入整数。",
        "At most %(n)s characters.": "最多 %(n)s 个字符。",
        "Choose…": "请选择…",
        "Not provided": "未填写",
        "Yes": "是",
    }.items():
        catalog.add(english, chinese)
    # Babel expands zh_CN to zh_Hans_CN, and gettext looks for that folder (or "zh"), not zh_CN.
    target = tmp_path / str(Locale.parse("zh_CN")) / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    app = Flask("forms_zh_test", root_path=str(ROOT / "app"), template_folder="templates")
    app.config.update(BABEL_DEFAULT_LOCALE="zh_CN", BABEL_TRANSLATION_DIRECTORIES=str(tmp_path))
    Babel(app)
    return app


def render(app: Flask, source: str, **context) -> str:
    """Render a template string with the app's Jinja environment (macros from app/templates)."""
    return app.jinja_env.from_string(MACROS + source).render(**context)


# --- the shipped form files -----------------------------------------------------------------


def test_the_first_process_has_all_its_forms():
    names = {path.stem for path in FORM_FILES}
    assert names >= {
        "order_intake",
        "pmc_dispatch",
        "pmc_consolidate",
        "sales_revise",
        *REVIEWS,
    }


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda path: path.stem)
def test_every_form_file_passes_the_check(path: Path):
    assert check_form_document(json.loads(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("name", REVIEWS)
def test_reviews_share_the_decision_contract(name: str, ctx):
    doc = load(name)
    assert doc["properties"]["decision"]["enum"] == ["approve", "approve_with_conditions", "reject"]
    assert "decision" in doc["required"]
    _data, errors = parse_submission(doc, post(decision="approve_with_conditions"))
    assert errors["conditions"] == "This field is required."
    assert "comments" not in errors
    _data, errors = parse_submission(doc, post(decision="reject"))
    assert errors["comments"] == "This field is required."
    assert "conditions" not in errors
    _data, errors = parse_submission(doc, post())
    assert errors["decision"] == "This field is required."
    assert "conditions" not in errors and "comments" not in errors


def test_review_production_accepts_a_complete_review(ctx):
    form = post(
        decision="approve_with_conditions",
        conditions="需增加一道检验工序",
        hours_per_unit="1.25",  # no longer a field: the item table asks it, once
        suggested_line="SMT-2",
        capacity_ok="true",
    )
    data, errors = parse_submission(load("review_production"), form)
    assert errors == {}
    assert data == {
        "decision": "approve_with_conditions",
        "conditions": "需增加一道检验工序",
        "capacity_ok": True,
    }


def test_review_production_asks_no_free_text_estimate(ctx):
    doc = load("review_production")
    assert "hours_per_unit" not in doc["properties"]
    assert "suggested_line" not in doc["properties"]
    assert parse_submission(doc, post(decision="approve"))[1] == {}
    assert parse_submission(doc, post(decision="reject", comments="no"))[1] == {}


def test_order_intake_needs_every_confirmation(ctx):
    doc = load("order_intake")
    data, errors = parse_submission(doc, post(order_category="regular", packaging_confirmed="true"))
    assert data["packaging_confirmed"] is True and data["structure_confirmed"] is False
    assert errors == {
        "structure_confirmed": "This box must be checked.",
        "dimensions_confirmed": "This box must be checked.",
    }
    ticked = {f"{part}_confirmed": "true" for part in ("packaging", "structure", "dimensions")}
    assert parse_submission(doc, post(order_category="regular", **ticked))[1] == {}
    errors = parse_submission(doc, post(order_category="non_standard", **ticked))[1]
    assert errors == {"requirements": "This field is required."}


def test_sales_revise_requires_what_the_action_needs(ctx):
    doc = load("sales_revise")
    assert parse_submission(doc, post(action="resubmit"))[1] == {
        "changes_made": "This field is required."
    }
    assert parse_submission(doc, post(action="cancel"))[1] == {
        "cancel_reason": "This field is required."
    }
    data, errors = parse_submission(doc, post(action="cancel", cancel_reason="客户取消"))
    assert errors == {} and data == {"action": "cancel", "cancel_reason": "客户取消"}
    assert parse_submission(doc, post(action="maybe"))[1] == {"action": "Select a valid choice."}


def test_quality_and_warehouse_conditions(ctx):
    quality = load("review_quality")
    errors = parse_submission(quality, post(decision="approve", quality_requirements="AQL 1.0"))[1]
    assert errors == {"inspection_plan": "This field is required."}
    warehouse = load("review_warehouse")
    errors = parse_submission(warehouse, post(decision="approve", materials_status="partial"))[1]
    assert errors == {"material_ready_date": "This field is required."}


def test_pmc_forms(ctx):
    dispatch = load("pmc_dispatch")
    errors = parse_submission(dispatch, post(review_due="2025-06-01", priority="urgent"))[1]
    assert errors == {"priority_note": "This field is required."}
    consolidate = load("pmc_consolidate")
    assert parse_submission(consolidate, post(summary="ok"))[1] == {
        "confirmed": "This box must be checked."
    }


# --- broken documents -----------------------------------------------------------------------


def minimal() -> dict:
    """Return a small valid form: one required enum, one text, one integer."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["choice"],
        "properties": {
            "choice": {"type": "string", "enum": ["a", "b"]},
            "note": {"type": "string", "maxLength": 10},
            "count": {"type": "integer", "minimum": 1, "maximum": 5},
        },
        "x-ui": {
            "title": {"en": "Test", "zh_CN": "测试"},
            "order": ["choice", "note", "count"],
            "fields": {
                "choice": {
                    "label": {"en": "Choice", "zh_CN": "选择"},
                    "enum_labels": {
                        "a": {"en": "A", "zh_CN": "甲"},
                        "b": {"en": "B", "zh_CN": "乙"},
                    },
                },
                "note": {"label": {"en": "Note", "zh_CN": "备注"}},
                "count": {"label": {"en": "Count", "zh_CN": "数量"}},
            },
        },
    }


def broken(change, locale: str = "en") -> list[str]:
    """Apply ``change`` to a copy of the minimal form and check it, messages in ``locale``."""
    doc = copy.deepcopy(minimal())
    change(doc)
    with force_locale(locale):
        return check_form_document(doc)


def test_minimal_form_is_valid():
    assert check_form_document(minimal()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["properties"]["note"].update(type="strnig"), "Not a valid JSON Schema"),
        (lambda d: d.update(type="array"), 'top-level "type" must be "object"'),
        (lambda d: d.update({"$schema": "http://json-schema.org/draft-07/schema#"}), "$schema"),
        (lambda d: d.pop("properties"), '"properties" must be an object'),
        (lambda d: d.pop("x-ui"), '"x-ui" must be an object'),
        (lambda d: d["x-ui"]["order"].append("ghost"), "'ghost' is not in properties"),
        (lambda d: d["x-ui"]["order"].remove("count"), "field 'count' is missing"),
        (lambda d: d["x-ui"]["order"].append("note"), "'note' is listed twice"),
        (lambda d: d["x-ui"]["fields"]["note"].update(widget="slider"), "unknown widget 'slider'"),
        (lambda d: d["x-ui"]["fields"]["note"].update(widget="checkbox"), "does not fit type"),
        (lambda d: d["x-ui"]["fields"]["note"].update(widget="radio"), "needs an enum"),
        (lambda d: d["x-ui"]["fields"]["note"].update(widget="date"), '"format": "date"'),
        (lambda d: d["x-ui"]["fields"]["note"].update(colour="red"), "unknown key 'colour'"),
        (lambda d: d["x-ui"]["fields"]["note"]["label"].pop("zh_CN"), "label has no 'zh_CN'"),
        (lambda d: d["x-ui"]["fields"]["note"]["label"].update(en=" "), "label has no 'en'"),
        (lambda d: d["x-ui"]["fields"].pop("count"), "x-ui.fields.count is missing"),
        (lambda d: d["x-ui"]["fields"].update(ghost={}), "'ghost' is not in properties"),
        (lambda d: d["x-ui"]["fields"]["note"].update(help="plain"), "help must be an object"),
        (lambda d: d["x-ui"].update(title="Test"), "x-ui.title must be an object"),
        (lambda d: d["x-ui"]["fields"]["choice"].pop("enum_labels"), "enum_labels must label"),
        (
            lambda d: d["x-ui"]["fields"]["choice"]["enum_labels"]["b"].pop("en"),
            "enum_labels.b has no 'en'",
        ),
        (
            lambda d: d["x-ui"]["fields"]["choice"]["enum_labels"].update(c={"en": "C"}),
            "'c' is not a choice",
        ),
        (lambda d: d["required"].append("ghost"), "'ghost' (in the top level)"),
        (
            lambda d: d.update(
                {"if": {"properties": {"choice": {"const": "a"}}}, "then": {"required": ["nte"]}}
            ),
            "'nte' (in a condition)",
        ),
        (
            lambda d: d.update(
                allOf=[
                    {
                        "if": {"properties": {"choice": {"const": "a"}}},
                        "then": {"required": ["note"]},
                    }
                ]
            ),
            "tests 'choice' without requiring it",
        ),
        (lambda d: d["properties"].update(Bad={"type": "string"}), "lower_snake_case"),
        (lambda d: d["properties"]["note"].update(type=["string", "null"]), "type must be one of"),
        (lambda d: d["properties"]["count"].update(type="object"), "type must be one of"),
        (
            lambda d: d["properties"].update(tags={"type": "array", "items": {"type": "string"}}),
            "an array needs items",
        ),
    ],
)
def test_broken_documents_are_reported(change, expected: str):
    problems = broken(change)
    assert any(expected in problem for problem in problems), problems
    # The process owner reads them in their language too (issue 16); JSON keys stay as written.
    chinese = broken(change, "zh_CN")
    assert len(chinese) == len(problems) and chinese != problems
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(cjk.search(problem) for problem in chinese), chinese


@pytest.mark.parametrize("doc", [None, [], "form", 3])
def test_non_objects_are_reported(doc):
    with force_locale("en"):
        assert check_form_document(doc) == ["A form file must be a JSON object."]
    with force_locale("zh_CN"):
        assert check_form_document(doc) == ["表单文件必须是一个 JSON 对象。"]


def test_garbage_inside_x_ui_never_raises():
    doc = minimal()
    doc["x-ui"] = {"title": 1, "order": "choice", "fields": ["choice"]}
    with force_locale("en"):
        problems = check_form_document(doc)
    assert any("x-ui.order must list" in problem for problem in problems)
    assert any("x-ui.fields.choice is missing" in problem for problem in problems)


# --- coercion -------------------------------------------------------------------------------


def coercion_form() -> dict:
    """Return a valid form with one optional field of every supported kind."""
    doc = minimal()
    doc["required"] = []
    doc["properties"].update(
        ratio={"type": "number", "maximum": 10},
        urgent={"type": "boolean"},
        tags={
            "type": "array",
            "uniqueItems": True,
            "maxItems": 2,
            "items": {"type": "string", "enum": ["x", "y", "z"]},
        },
        levels={"type": "array", "items": {"type": "integer", "enum": [1, 2, 3]}},
        due={"type": "string", "format": "date"},
        starts={"type": "string", "format": "date-time"},
    )
    for name in ("ratio", "urgent", "tags", "levels", "due", "starts"):
        doc["x-ui"]["order"].append(name)
        doc["x-ui"]["fields"][name] = {"label": {"en": name.title(), "zh_CN": name}}
    doc["x-ui"]["fields"]["tags"]["enum_labels"] = {
        key: {"en": key.upper(), "zh_CN": key} for key in ("x", "y", "z")
    }
    doc["x-ui"]["fields"]["levels"]["enum_labels"] = {
        key: {"en": key, "zh_CN": key} for key in ("1", "2", "3")
    }
    return doc


def test_coercion_form_is_valid():
    assert check_form_document(coercion_form()) == []


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (post(count="3"), {"count": 3}),
        (post(count=" +4 "), {"count": 4}),
        (post(ratio="2.5"), {"ratio": 2.5}),
        (post(ratio="3"), {"ratio": 3}),
        (post(ratio="-.5"), {"ratio": -0.5}),
        (post(ratio="1e-3"), {"ratio": 0.001}),
        (post(urgent="true"), {"urgent": True}),
        (post(urgent="on"), {"urgent": True}),
        (post(urgent="false"), {"urgent": False}),
        (post(), {"urgent": False}),
        (post(("tags", "x"), ("tags", "z")), {"tags": ["x", "z"]}),
        (post(("levels", "1"), ("levels", "3")), {"levels": [1, 3]}),
        (post(due="2024-02-29"), {"due": "2024-02-29"}),
        (post(starts="2025-03-01T08:30"), {"starts": "2025-03-01T08:30"}),
        (post(starts="2025-03-01T08:30:15+08:00"), {"starts": "2025-03-01T08:30:15+08:00"}),
        (post(note="  hi  "), {"note": "hi"}),
        (post(note="", count="", ratio=" ", due="", choice=""), {}),
        (post(("tags", ""), ("tags", " ")), {}),
    ],
)
def test_values_are_coerced_to_schema_types(form: MultiDict, expected: dict, ctx):
    data, errors = parse_submission(coercion_form(), form)
    assert errors == {}
    assert data == {"urgent": False, **expected}


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (post(count="1.5"), "count", "Enter a whole number."),
        (post(count="abc"), "count", "Enter a whole number."),
        (post(count="1_000"), "count", "Enter a whole number."),
        (post(count="9" * 5000), "count", "Enter a whole number."),
        (post(count="0"), "count", "Must be at least 1."),
        (post(count="6"), "count", "Must be at most 5."),
        (post(ratio="two"), "ratio", "Enter a number."),
        (post(ratio="nan"), "ratio", "Enter a number."),
        (post(ratio="inf"), "ratio", "Enter a number."),
        (post(ratio="1e999"), "ratio", "Enter a number."),
        (post(ratio="10.5"), "ratio", "Must be at most 10."),
        (post(note="x" * 11), "note", "At most 10 characters."),
        (post(choice="c"), "choice", "Select a valid choice."),
        (post(("tags", "x"), ("tags", "w")), "tags", "Select a valid choice."),
        (post(("tags", "x"), ("tags", "x")), "tags", "Each choice can be selected only once."),
        (post(("tags", "x"), ("tags", "y"), ("tags", "z")), "tags", "Select at most 2."),
        (post(("levels", "1"), ("levels", "one")), "levels", "Enter a whole number."),
        (post(due="2025-02-30"), "due", "Enter a valid date."),
        (post(due="30/01/2025"), "due", "Enter a valid date."),
        (post(starts="2025-03-01 08:30"), "starts", "Enter a valid date and time."),
        (post(starts="2025-03-01T25:00"), "starts", "Enter a valid date and time."),
    ],
)
def test_bad_values_are_field_errors_not_exceptions(form, field, message, ctx):
    assert parse_submission(coercion_form(), form)[1] == {field: message}


def test_values_that_cannot_be_coerced_are_not_passed_on(ctx):
    data, errors = parse_submission(coercion_form(), post(count="x", ratio="1", choice="a"))
    assert errors == {"count": "Enter a whole number."}
    assert data == {"ratio": 1, "choice": "a", "urgent": False}


def test_textarea_newlines_count_once(ctx):
    data, errors = parse_submission(minimal(), post(choice="a", note="abcd\r\nefgh"))
    assert errors == {} and data["note"] == "abcd\nefgh"


def test_unknown_fields_are_dropped(ctx):
    data, errors = parse_submission(minimal(), post(choice="a", is_admin="1", csrf_token="t"))
    assert errors == {} and data == {"choice": "a"}


def test_coercion_error_wins_over_required(ctx):
    doc = minimal()
    doc["required"].append("count")
    assert parse_submission(doc, post(choice="a", count="x"))[1] == {
        "count": "Enter a whole number."
    }


def test_several_missing_fields_are_each_reported(ctx):
    doc = minimal()
    doc["required"] = ["choice", "note", "count"]
    errors = parse_submission(doc, post())[1]
    assert errors == dict.fromkeys(["choice", "note", "count"], "This field is required.")


def test_dependent_required_and_form_level_errors(ctx):
    doc = minimal()
    doc["dependentRequired"] = {"count": ["note"]}
    doc["not"] = {"required": ["choice", "note", "count"]}
    assert parse_submission(doc, post(choice="a", count="2"))[1] == {
        "note": "This field is required."
    }
    errors = parse_submission(doc, post(choice="a", count="2", note="n"))[1]
    assert errors == {FORM_ERROR: "Enter a valid value."}


def test_any_of_reports_the_most_relevant_field(ctx):
    doc = minimal()
    doc["anyOf"] = [{"required": ["note"]}, {"required": ["count"]}]
    errors = parse_submission(doc, post(choice="a"))[1]
    assert errors == {"note": "This field is required."}


def test_parsing_works_outside_a_request(flask_app: Flask):
    """A worker or CLI command has an app context but no request: messages still resolve."""
    with flask_app.app_context():
        assert parse_submission(minimal(), post())[1] == {"choice": "This field is required."}


def test_jsonschema_shared_format_checker_is_untouched():
    shared = Draft202012Validator.FORMAT_CHECKER.checkers.get("date-time")
    assert shared is None or shared[0].__module__.startswith("jsonschema")


# --- translation ----------------------------------------------------------------------------


def test_messages_are_english_without_a_catalogue(ctx):
    errors = parse_submission(load("review_engineering"), post(decision="approve"))[1]
    assert errors == {"technical_risk": "This field is required."}


def test_messages_go_through_gettext(zh_app: Flask):
    with zh_app.test_request_context():
        errors = parse_submission(minimal(), post(count="x", note="y" * 11))[1]
        assert errors == {
            "choice": "此项为必填项。",
            "count": "请输入整数。",
            "note": "最多 10 个字符。",
        }
        html = render(zh_app, "{{ render_form_fields(f) }}", f=field_views(minimal(), "zh_CN"))
        assert "请选择…" in html and "Choose" not in html
        html = render(zh_app, "{{ render_readonly(f) }}", f=field_views(minimal(), "zh_CN", {}))
        assert "未填写" in html
        assert display_value(coercion_form(), "urgent", True, "zh_CN") == "是"


# --- view models ----------------------------------------------------------------------------


def test_field_views_follow_x_ui_order_with_labels_from_the_file():
    doc = load("review_engineering")
    views = field_views(doc, "zh_CN")
    assert [view.name for view in views] == doc["x-ui"]["order"]
    decision = next(view for view in views if view.name == "decision")
    assert decision.label == "评审结论" and decision.widget == "radio" and decision.required
    assert decision.options == [
        Option("approve", "通过"),
        Option("approve_with_conditions", "有条件通过"),
        Option("reject", "不通过"),
    ]
    conditions = next(view for view in views if view.name == "conditions")
    assert conditions.help == "选择“有条件通过”时必填。" and not conditions.required
    english = field_views(doc, "en")
    assert [view.label for view in english][-3:] == ["Decision", "Conditions", "Comments"]


def test_field_views_widgets_and_constraints():
    views = {view.name: view for view in field_views(coercion_form(), "en")}
    assert views["choice"].widget == "select"
    assert views["note"].constraints == {"maxlength": "10"}
    assert views["count"].constraints == {"min": "1", "max": "5", "step": "1"}
    assert views["count"].input_type == "number"
    assert views["ratio"].constraints == {"max": "10", "step": "any"}
    assert views["urgent"].widget == "checkbox" and views["urgent"].value is False
    assert views["tags"].widget == "checkboxes" and views["tags"].value == []
    assert views["due"].widget == "date" and views["due"].input_type == "date"
    assert views["starts"].widget == "datetime-local"
    assert views["levels"].options == [Option("1", "1"), Option("2", "2"), Option("3", "3")]


def test_locale_falls_back_to_a_known_language():
    doc = minimal()
    assert field_views(doc, "zh_Hans_CN")[0].label == "选择"
    assert field_views(doc, "fr")[0].label == "Choice"
    assert form_title(doc, "zh_CN") == "测试" and form_title(doc, "en") == "Test"
    assert form_title({"title": "Plain"}, "zh_CN") == "Plain"


def test_values_typed_by_the_user_are_kept_on_error(ctx):
    doc = coercion_form()
    form = post(("tags", "x"), ("tags", "y"), count="abc", note="  keep me ", urgent="true")
    _data, errors = parse_submission(doc, form)
    views = {view.name: view for view in field_views(doc, "en", form, errors)}
    assert views["count"].value == "abc" and views["count"].error == "Enter a whole number."
    assert views["note"].value == "  keep me "
    assert views["tags"].value == ["x", "y"] and views["tags"].is_selected("y")
    assert views["urgent"].value is True
    assert views["choice"].value == "" and views["choice"].error == ""


def test_stored_data_and_defaults_fill_the_form():
    doc = coercion_form()
    doc["properties"]["note"]["default"] = "draft"
    assert field_views(doc, "en")[1].value == "draft"
    stored = {"count": 3, "ratio": 2.0, "urgent": True, "tags": ["z"], "choice": "b"}
    views = {view.name: view for view in field_views(doc, "zh_CN", stored)}
    assert views["count"].value == "3" and views["ratio"].value == "2"
    assert views["urgent"].value is True and views["tags"].value == ["z"]
    assert views["choice"].is_selected("b") and views["choice"].display == "乙"
    assert views["note"].value == "" and views["note"].display == ""


def test_described_by_names_help_and_error():
    view = FieldView("x", "X", "help", "text", False, [], "", "bad", {})
    assert view.id == "field-x"
    assert view.described_by == "field-x-help field-x-error"
    assert FieldView("x", "X", "", "text", False, [], "", "", {}).described_by == ""


def test_display_value_for_read_only_views(ctx):
    doc = load("review_quality")
    assert display_value(doc, "decision", "reject", "zh_CN") == "不通过"
    assert display_value(doc, "decision", "reject", "en") == "Reject"
    plan = display_value(doc, "inspection_plan", ["incoming", "final"], "zh_CN")
    assert plan == "来料检验（IQC）, 出货检验（OQC）"
    assert display_value(doc, "quality_requirements", "AQL 1.0", "en") == "AQL 1.0"
    assert display_value(doc, "comments", None, "en") == ""
    assert display_value(doc, "comments", [], "en") == ""
    assert display_value(load("review_production"), "capacity_ok", False, "en") == "No"
    assert display_value(load("standardise_item"), "standard_cost", 2.0, "en") == "2"
    assert display_value(coercion_form(), "starts", "2025-03-01T08:30", "en") == "2025-03-01 08:30"


# --- the macros -----------------------------------------------------------------------------


def test_form_macro_renders_accessible_fields(flask_app: Flask):
    doc = load("review_engineering")
    form = post(decision="approve_with_conditions", technical_notes="<script>x</script>")
    with flask_app.test_request_context():
        _data, errors = parse_submission(doc, form)
        html = render(
            flask_app, "{{ render_form_fields(f) }}", f=field_views(doc, "zh_CN", form, errors)
        )
    assert '<label for="field-technical_notes">技术要求及可行性说明</label>' in html
    assert (
        '<legend>评审结论<span class="required-mark" aria-hidden="true">*</span></legend>' in html
    )
    assert re.search(
        r'<input type="radio" id="field-decision-1" [^>]*value="approve_with_conditions" '
        r"checked required>",
        html,
    )
    assert '<label for="field-decision-1">有条件通过</label>' in html
    assert '<p class="field-error" id="field-conditions-error">This field is required.</p>' in html
    assert re.search(
        r'<textarea id="field-conditions" name="conditions" rows="4" maxlength="2000" '
        r'aria-describedby="field-conditions-help field-conditions-error" '
        r'aria-invalid="true">',
        html,
    )
    assert (
        '<input type="radio" id="field-technical_risk-0" name="technical_risk" value="low" required'
        in html
    )
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script" not in html
    assert 'value="true"' in html  # checkboxes post "true"


def test_form_macro_widgets(flask_app: Flask):
    doc = coercion_form()
    doc["required"] = ["choice", "count"]
    doc["properties"]["secret"] = {"type": "string"}
    doc["x-ui"]["order"].append("secret")
    doc["x-ui"]["fields"]["secret"] = {"label": {"en": "S", "zh_CN": "S"}, "widget": "hidden"}
    doc["x-ui"]["fields"]["levels"]["widget"] = "multiselect"
    assert check_form_document(doc) == []
    stored = {
        "choice": "b",
        "count": 2,
        "urgent": True,
        "tags": ["y"],
        "levels": [2],
        "secret": "k",
    }
    with flask_app.test_request_context():
        html = render(flask_app, "{{ render_form_fields(f) }}", f=field_views(doc, "en", stored))
    assert re.search(
        r'<select id="field-choice" name="choice" required>\s*<option value="">Choose…', html
    )
    assert '<option value="b" selected>B</option>' in html
    assert (
        '<input type="number" id="field-count" name="count" value="2" min="1" max="5" step="1" '
        "required>"
    ) in html
    assert '<input type="checkbox" id="field-urgent" name="urgent" value="true" checked>' in html
    assert '<input type="checkbox" id="field-tags-1" name="tags" value="y" checked>' in html
    assert '<select id="field-levels" name="levels" multiple>' in html
    assert '<option value="2" selected>2</option>' in html
    assert '<input type="date" id="field-due" name="due" value="">' in html
    assert '<input type="datetime-local" id="field-starts" name="starts" value="">' in html
    assert '<input type="hidden" id="field-secret" name="secret" value="k">' in html


def test_readonly_macro_lists_labels_and_values(flask_app: Flask):
    doc = load("review_warehouse")
    stored = {"materials_status": "partial", "packaging_available": True, "decision": "approve"}
    with flask_app.test_request_context():
        html = render(flask_app, "{{ render_readonly(f) }}", f=field_views(doc, "zh_CN", stored))
    assert "<dt>物料情况</dt>" in html and "<dd>部分缺料</dd>" in html
    assert "<dt>包装材料已备齐</dt>" in html and "<dd>Yes</dd>" in html
    assert "<dd>通过</dd>" in html
    assert '<span class="empty">Not provided</span>' in html


def test_macro_file_has_no_scripts_and_translates_its_strings():
    source = (ROOT / "app" / "templates" / "macros" / "form.html").read_text(encoding="utf-8")
    assert "<script" not in source and " on" + "click" not in source
    text_nodes = re.sub(r"{#.*?#}|{{.*?}}|{%.*?%}", "", source, flags=re.S)
    words = re.findall(r">\s*([^<>\s][^<>]*?)\s*<", text_nodes)
    prose = [w for w in words if re.search(r"[A-Za-z]", w) and not re.search(r'[\w-]+="', w)]
    assert prose == []
