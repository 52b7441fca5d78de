"""Meta-validation of form files (forms/NAME.json) for the deploy / validate CLI.

Messages are plain English for the people who write form files. The format is in docs/FORMS.md;
``app.core.processes.forms`` re-exports ``check_form_document``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from app.core.processes.form_patterns import pattern_problems, schema_format_checker

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
LOCALES = ("en", "zh_CN")
WIDGETS = frozenset(
    {
        "text",
        "textarea",
        "number",
        "integer",
        "date",
        "datetime-local",
        "select",
        "radio",
        "checkbox",
        "multiselect",
        "checkboxes",
        "hidden",
    }
)
ENUM_WIDGETS = frozenset({"select", "radio", "multiselect", "checkboxes"})
_WIDGET_TYPES = {
    "text": {"string"},
    "textarea": {"string"},
    "number": {"number", "integer"},
    "integer": {"integer"},
    "date": {"string"},
    "datetime-local": {"string"},
    "select": {"string", "integer", "number"},
    "radio": {"string", "integer", "number"},
    "checkbox": {"boolean"},
    "multiselect": {"array"},
    "checkboxes": {"array"},
    "hidden": {"string", "integer", "number", "boolean"},
}
_WIDGET_FORMATS = {"date": "date", "datetime-local": "date-time"}
_HINT_KEYS = frozenset({"label", "help", "widget", "enum_labels"})
# Field names become HTML ids and keys that gateway expressions read (task['field']).
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def default_widget(prop: Any) -> str:
    """Return the widget a property gets when x-ui names none."""
    prop = prop if isinstance(prop, Mapping) else {}
    kind = prop.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind == "array":
        return "checkboxes"
    if "enum" in prop:
        return "select"
    if kind in ("integer", "number"):
        return kind
    return {"date": "date", "date-time": "datetime-local"}.get(prop.get("format"), "text")


def _bilingual(value: Any, where: str, required: bool = True) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, Mapping):
        return [f"{where} must be an object with 'en' and 'zh_CN' texts."]
    return [
        f"{where} has no '{locale}' text."
        for locale in LOCALES
        if not (isinstance(value.get(locale), str) and value[locale].strip())
    ]


def _choices(prop: Mapping) -> list | None:
    source = prop.get("items") if prop.get("type") == "array" else prop
    choices = source.get("enum") if isinstance(source, Mapping) else None
    return choices if isinstance(choices, list) else None


def _check_property(name: str, prop: Any) -> list[str]:
    if not _NAME.fullmatch(str(name)):
        return [f"Field '{name}': names must be lower_snake_case (a-z, 0-9, _), max 63 chars."]
    if not isinstance(prop, Mapping):
        return [f"Field '{name}': the property must be an object."]
    kind = prop.get("type")
    if kind not in ("string", "integer", "number", "boolean", "array"):
        return [f"Field '{name}': type must be one of string, integer, number, boolean, array."]
    items = prop.get("items")
    if kind == "array" and not (
        isinstance(items, Mapping) and items.get("type") in ("string", "integer") and _choices(prop)
    ):
        return [f"Field '{name}': an array needs items with a type (string/integer) and an enum."]
    return []


def _check_hint(name: str, prop: Mapping, hint: Any) -> list[str]:
    where = f"x-ui.fields.{name}"
    if not isinstance(hint, Mapping):
        return [f"{where} is missing: every field needs a label in en and zh_CN."]
    problems = [f"{where}: unknown key '{key}'." for key in hint if key not in _HINT_KEYS]
    problems += _bilingual(hint.get("label"), f"{where}.label")
    problems += _bilingual(hint.get("help"), f"{where}.help", required=False)
    widget = hint.get("widget", default_widget(prop))
    if widget not in WIDGETS:
        return [
            *problems,
            f"{where}: unknown widget '{widget}' (known: {', '.join(sorted(WIDGETS))}).",
        ]
    if prop.get("type") not in _WIDGET_TYPES[widget]:
        problems.append(f"{where}: widget '{widget}' does not fit type '{prop.get('type')}'.")
    wanted_format = _WIDGET_FORMATS.get(widget)
    if wanted_format and prop.get("format") != wanted_format:
        problems.append(f'{where}: widget \'{widget}\' needs "format": "{wanted_format}".')
    choices = _choices(prop)
    if widget in ENUM_WIDGETS and not choices:
        problems.append(f"{where}: widget '{widget}' needs an enum.")
    if choices and widget != "hidden":
        problems += _check_enum_labels(where, choices, hint.get("enum_labels"))
    return problems


def _check_enum_labels(where: str, choices: list, labels: Any) -> list[str]:
    if not isinstance(labels, Mapping):
        return [f"{where}.enum_labels must label every choice in en and zh_CN."]
    keys = [str(choice).lower() if isinstance(choice, bool) else str(choice) for choice in choices]
    problems = [
        f"{where}.enum_labels: '{key}' is not a choice." for key in labels if key not in keys
    ]
    for key in keys:
        problems += _bilingual(labels.get(key), f"{where}.enum_labels.{key}")
    return problems


def _subschemas(schema: Any) -> Iterator[Mapping]:
    """Schemas that apply to the whole object: if/then/else, allOf, anyOf, oneOf, not."""
    if not isinstance(schema, Mapping):
        return
    for key in ("if", "then", "else", "not"):
        if isinstance(schema.get(key), Mapping):
            yield schema[key]
            yield from _subschemas(schema[key])
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            if isinstance(sub, Mapping):
                yield sub
                yield from _subschemas(sub)


def _check_names(doc: Mapping, props: Mapping) -> list[str]:
    """Every field named by required / conditions must exist: a typo would never match."""
    problems = []
    for where, schema in [("top level", doc)] + [("a condition", s) for s in _subschemas(doc)]:
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        named = schema.get("properties") if where != "top level" else {}
        for name in [*required, *(named if isinstance(named, Mapping) else {})]:
            if name not in props:
                problems.append(f"Field '{name}' (in {where}) is not in properties.")
    return problems


def _check_conditions(doc: Mapping) -> list[str]:
    """Flag an ``if`` testing a field it does not require: it also matches an empty field."""
    problems = []
    for schema in [doc, *_subschemas(doc)]:
        test = schema.get("if")
        if not isinstance(test, Mapping) or not isinstance(test.get("properties"), Mapping):
            continue
        required = test.get("required") if isinstance(test.get("required"), list) else []
        problems += [
            f"An \"if\" tests '{name}' without requiring it, so it also matches when '{name}' "
            f'is empty: add "required": ["{name}"] to that "if".'
            for name in test["properties"]
            if name not in required
        ]
    return problems


def _check_order(order: Any, props: Mapping) -> list[str]:
    if not isinstance(order, list):
        return ["x-ui.order must list every field once, in display order."]
    problems = [
        f"x-ui.order: '{name}' is not in properties." for name in order if name not in props
    ]
    problems += [
        f"x-ui.order: '{name}' is listed twice." for name in props if order.count(name) > 1
    ]
    problems += [f"x-ui.order: field '{name}' is missing." for name in props if name not in order]
    return problems


BULK_DEFAULT = "x-bulk-default"


def _check_bulk_default(doc: Mapping, props: Mapping) -> list[str]:
    """`x-bulk-default`, when present: the answer bulk approve submits for every selected task,
    so it must be a complete, valid submission of this very form."""
    if BULK_DEFAULT not in doc:
        return []
    default = doc[BULK_DEFAULT]
    if not isinstance(default, Mapping) or not default:
        return [f'"{BULK_DEFAULT}" must be an object with the answers bulk approve submits.']
    problems = [
        f"\"{BULK_DEFAULT}\": '{name}' is not in properties."
        for name in default
        if name not in props
    ]
    validator = Draft202012Validator(doc, format_checker=schema_format_checker())
    try:
        errors = sorted(validator.iter_errors(dict(default)), key=lambda e: list(e.path))
    except SchemaError:
        return problems  # the schema itself is reported above
    for error in errors:
        where = "/".join(str(part) for part in error.path) or "the object"
        problems.append(
            f'"{BULK_DEFAULT}" does not pass the form\'s own schema at {where}: {error.message}'
        )
    return problems


def check_form_document(doc: Any) -> list[str]:
    """Problems with a form file, as plain English sentences; an empty list means it is usable."""
    if not isinstance(doc, Mapping):
        return ["A form file must be a JSON object."]
    problems = []
    if doc.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
        problems.append(f'"$schema" must be "{DRAFT_2020_12}" (or left out).')
    try:
        Draft202012Validator.check_schema(doc, format_checker=schema_format_checker())
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.path) or "top level"
        problems.append(f"Not a valid JSON Schema (draft 2020-12) at {where}: {exc.message}")
    problems += pattern_problems(doc)  # RE2 runs them: no backreferences or lookarounds
    if doc.get("type") != "object":
        problems.append('The top-level "type" must be "object".')
    props = doc.get("properties")
    if not isinstance(props, Mapping) or not props:
        return [*problems, '"properties" must be an object with at least one field.']
    broken = set()
    for name, prop in props.items():
        found = _check_property(name, prop)
        problems += found
        broken.update([name] if found else [])
    problems += _check_names(doc, props) + _check_conditions(doc)
    problems += _check_bulk_default(doc, props)
    ui = doc.get("x-ui")
    if not isinstance(ui, Mapping):
        return [*problems, '"x-ui" must be an object with "title", "order" and "fields".']
    problems += _bilingual(ui.get("title"), "x-ui.title")
    problems += _check_order(ui.get("order"), props)
    fields = ui.get("fields") if isinstance(ui.get("fields"), Mapping) else {}
    problems += [
        f"x-ui.fields: '{name}' is not in properties." for name in fields if name not in props
    ]
    for name, prop in props.items():
        if name not in broken:  # a broken property would only add noise here
            problems += _check_hint(name, prop, fields.get(name))
    return problems
