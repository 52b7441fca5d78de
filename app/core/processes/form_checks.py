"""Meta-validation of form files (forms/NAME.json) for the deploy / validate CLI.

Messages are plain English for the people who write form files. The format is in docs/FORMS.md;
``app.core.processes.forms`` re-exports ``check_form_document``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import gettext as _
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
        return [_("%(where)s must be an object with 'en' and 'zh_CN' texts.", where=where)]
    return [
        _("%(where)s has no '%(locale)s' text.", where=where, locale=locale)
        for locale in LOCALES
        if not (isinstance(value.get(locale), str) and value[locale].strip())
    ]


def _choices(prop: Mapping) -> list | None:
    source = prop.get("items") if prop.get("type") == "array" else prop
    choices = source.get("enum") if isinstance(source, Mapping) else None
    return choices if isinstance(choices, list) else None


def _check_property(name: str, prop: Any) -> list[str]:
    if not _NAME.fullmatch(str(name)):
        return [
            _(
                "Field '%(name)s': names must be lower_snake_case (a-z, 0-9, _), max 63 chars.",
                name=name,
            )
        ]
    if not isinstance(prop, Mapping):
        return [_("Field '%(name)s': the property must be an object.", name=name)]
    kind = prop.get("type")
    if kind not in ("string", "integer", "number", "boolean", "array"):
        return [
            _(
                "Field '%(name)s': type must be one of string, integer, number, boolean, array.",
                name=name,
            )
        ]
    items = prop.get("items")
    if kind == "array" and not (
        isinstance(items, Mapping) and items.get("type") in ("string", "integer") and _choices(prop)
    ):
        return [
            _(
                "Field '%(name)s': an array needs items with a type (string/integer) and an enum.",
                name=name,
            )
        ]
    return []


def _check_hint(name: str, prop: Mapping, hint: Any) -> list[str]:
    where = f"x-ui.fields.{name}"
    if not isinstance(hint, Mapping):
        return [_("%(where)s is missing: every field needs a label in en and zh_CN.", where=where)]
    problems = [
        _("%(where)s: unknown key '%(key)s'.", where=where, key=key)
        for key in hint
        if key not in _HINT_KEYS
    ]
    problems += _bilingual(hint.get("label"), f"{where}.label")
    problems += _bilingual(hint.get("help"), f"{where}.help", required=False)
    widget = hint.get("widget", default_widget(prop))
    if widget not in WIDGETS:
        return [
            *problems,
            _(
                "%(where)s: unknown widget '%(widget)s' (known: %(known)s).",
                where=where,
                widget=widget,
                known=", ".join(sorted(WIDGETS)),
            ),
        ]
    if prop.get("type") not in _WIDGET_TYPES[widget]:
        problems.append(
            _(
                "%(where)s: widget '%(widget)s' does not fit type '%(type)s'.",
                where=where,
                widget=widget,
                type=prop.get("type"),
            )
        )
    wanted_format = _WIDGET_FORMATS.get(widget)
    if wanted_format and prop.get("format") != wanted_format:
        problems.append(
            _(
                '%(where)s: widget \'%(widget)s\' needs "format": "%(format)s".',
                where=where,
                widget=widget,
                format=wanted_format,
            )
        )
    choices = _choices(prop)
    if widget in ENUM_WIDGETS and not choices:
        problems.append(
            _("%(where)s: widget '%(widget)s' needs an enum.", where=where, widget=widget)
        )
    if choices and widget != "hidden":
        problems += _check_enum_labels(where, choices, hint.get("enum_labels"))
    return problems


def _check_enum_labels(where: str, choices: list, labels: Any) -> list[str]:
    if not isinstance(labels, Mapping):
        return [_("%(where)s.enum_labels must label every choice in en and zh_CN.", where=where)]
    keys = [str(choice).lower() if isinstance(choice, bool) else str(choice) for choice in choices]
    problems = [
        _("%(where)s.enum_labels: '%(key)s' is not a choice.", where=where, key=key)
        for key in labels
        if key not in keys
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
    for top, schema in [(True, doc)] + [(False, s) for s in _subschemas(doc)]:
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        named = schema.get("properties") if not top else {}
        for name in [*required, *(named if isinstance(named, Mapping) else {})]:
            if name not in props and top:
                problems.append(
                    _("Field '%(name)s' (in the top level) is not in properties.", name=name)
                )
            elif name not in props:
                problems.append(
                    _("Field '%(name)s' (in a condition) is not in properties.", name=name)
                )
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
            _(
                "An \"if\" tests '%(name)s' without requiring it, so it also matches when "
                '\'%(name)s\' is empty: add "required": ["%(name)s"] to that "if".',
                name=name,
            )
            for name in test["properties"]
            if name not in required
        ]
    return problems


def _check_order(order: Any, props: Mapping) -> list[str]:
    if not isinstance(order, list):
        return [_("x-ui.order must list every field once, in display order.")]
    problems = [
        _("x-ui.order: '%(name)s' is not in properties.", name=name)
        for name in order
        if name not in props
    ]
    problems += [
        _("x-ui.order: '%(name)s' is listed twice.", name=name)
        for name in props
        if order.count(name) > 1
    ]
    problems += [
        _("x-ui.order: field '%(name)s' is missing.", name=name)
        for name in props
        if name not in order
    ]
    return problems


BULK_DEFAULT = "x-bulk-default"


def _check_bulk_default(doc: Mapping, props: Mapping) -> list[str]:
    """`x-bulk-default`, when present: the answer bulk approve submits for every selected task,
    so it must be a complete, valid submission of this very form."""
    if BULK_DEFAULT not in doc:
        return []
    default = doc[BULK_DEFAULT]
    if not isinstance(default, Mapping) or not default:
        return [
            _(
                '"%(key)s" must be an object with the answers bulk approve submits.',
                key=BULK_DEFAULT,
            )
        ]
    problems = [
        _("\"%(key)s\": '%(name)s' is not in properties.", key=BULK_DEFAULT, name=name)
        for name in default
        if name not in props
    ]
    validator = Draft202012Validator(doc, format_checker=schema_format_checker())
    try:
        errors = sorted(validator.iter_errors(dict(default)), key=lambda e: list(e.path))
    except SchemaError:
        return problems  # the schema itself is reported above
    for error in errors:
        where = "/".join(str(part) for part in error.path) or "/"
        problems.append(
            _(
                '"%(key)s" does not pass the form\'s own schema at %(where)s: %(detail)s',
                key=BULK_DEFAULT,
                where=where,
                detail=error.message,
            )
        )
    return problems


def check_form_document(doc: Any) -> list[str]:
    """Problems with a form file, as sentences in the reader's language (the JSON keys and the
    validator's own detail stay as written); an empty list means it is usable."""
    if not isinstance(doc, Mapping):
        return [_("A form file must be a JSON object.")]
    problems = []
    if doc.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
        problems.append(_('"$schema" must be "%(url)s" (or left out).', url=DRAFT_2020_12))
    try:
        Draft202012Validator.check_schema(doc, format_checker=schema_format_checker())
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.path) or "/"
        problems.append(
            _(
                "Not a valid JSON Schema (draft 2020-12) at %(where)s: %(detail)s",
                where=where,
                detail=exc.message,
            )
        )
    problems += pattern_problems(doc)  # RE2 runs them: no backreferences or lookarounds
    if doc.get("type") != "object":
        problems.append(_('The top-level "type" must be "object".'))
    props = doc.get("properties")
    if not isinstance(props, Mapping) or not props:
        return [*problems, _('"properties" must be an object with at least one field.')]
    broken = set()
    for name, prop in props.items():
        found = _check_property(name, prop)
        problems += found
        broken.update([name] if found else [])
    problems += _check_names(doc, props) + _check_conditions(doc)
    problems += _check_bulk_default(doc, props)
    ui = doc.get("x-ui")
    if not isinstance(ui, Mapping):
        return [*problems, _('"x-ui" must be an object with "title", "order" and "fields".')]
    problems += _bilingual(ui.get("title"), "x-ui.title")
    problems += _check_order(ui.get("order"), props)
    fields = ui.get("fields") if isinstance(ui.get("fields"), Mapping) else {}
    problems += [
        _("x-ui.fields: '%(name)s' is not in properties.", name=name)
        for name in fields
        if name not in props
    ]
    for name, prop in props.items():
        if name not in broken:  # a broken property would only add noise here
            problems += _check_hint(name, prop, fields.get(name))
    return problems
