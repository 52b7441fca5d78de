"""Form files (forms/NAME.json): the public API, and parsing + validating a submission.

Pure functions: no database, no ``flask.request``. The format is defined in docs/FORMS.md.
Meta-validation lives in ``form_checks`` and view models in ``form_views``; both are re-exported.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from jsonschema.exceptions import ValidationError, best_match
from werkzeug.datastructures import MultiDict

from app import limits
from app.core.processes.form_checks import BULK_DEFAULT, check_form_document
from app.core.processes.form_patterns import FormValidator, format_checker
from app.core.processes.form_views import (
    FALSY,
    FieldView,
    FormData,
    Option,
    display_value,
    field_views,
    form_title,
)

__all__ = [
    "BULK_DEFAULT",
    "FORM_ERROR",
    "FieldView",
    "FormData",
    "Option",
    "check_form_document",
    "display_value",
    "field_views",
    "form_title",
    "bulk_formdata",
    "parse_submission",
]

FORM_ERROR = "__form__"  # errors key for a schema error that names no single field
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
# HTML datetime-local sends wall-clock time without an offset; an offset is allowed too.
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def _is_datetime(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    return bool(_DATETIME.fullmatch(instance) and datetime.fromisoformat(instance))


# A private copy (regex checked by RE2): adding "date-time" must not change jsonschema's own.
_FORMATS = format_checker()
_FORMATS.checks("date-time", raises=ValueError)(_is_datetime)


# --- parsing a submission -------------------------------------------------------------------


def _scalar(kind: Any, text: str) -> tuple[Any, str | None]:
    """Convert one stripped, non-empty HTML string to the schema type, or give an error."""
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            return None, _("Enter a whole number.")
        try:
            return int(text), None
        except ValueError:  # more digits than Python converts
            return None, _("Enter a whole number.")
    if kind == "number":
        if not _NUMBER.fullmatch(text):
            return None, _("Enter a number.")
        number = float(text)
        if not math.isfinite(number):
            return None, _("Enter a number.")
        return (int(text) if _INTEGER.fullmatch(text) else number), None
    if kind == "boolean":
        return text.lower() not in FALSY, None
    return text, None


def _clean_strings(values: list[Any]) -> list[str]:
    # Browsers send textarea newlines as CRLF; maxLength should count what the user saw.
    cleaned = (str(value).replace("\r\n", "\n").strip() for value in values)
    return [value for value in cleaned if value]


def _coerce(prop: Mapping, formdata: FormData, name: str) -> tuple[Any, str | None]:
    """Return one field's typed value and error; ``(None, None)`` means empty: dropped."""
    kind = prop.get("type")
    raw = formdata.getlist(name)
    if kind == "boolean":  # an unticked checkbox is simply absent from the form
        return bool(raw) and str(raw[-1]).strip().lower() not in FALSY, None
    texts = _clean_strings(raw)
    if kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), Mapping) else {}
        values = [_scalar(items.get("type", "string"), text) for text in texts]
        errors = [error for _value, error in values if error]
        return (None, errors[0]) if errors else ([v for v, _e in values] or None, None)
    return _scalar(kind, texts[0]) if texts else (None, None)  # first, like MultiDict.get


_MESSAGES: dict[str, Callable[[Any], str]] = {
    "required": lambda v: _("This field is required."),
    "dependentRequired": lambda v: _("This field is required."),
    "maxLength": lambda v: _("At most %(n)s characters.", n=v),
    "minLength": lambda v: _("At least %(n)s characters.", n=v),
    "minimum": lambda v: _("Must be at least %(n)s.", n=v),
    "maximum": lambda v: _("Must be at most %(n)s.", n=v),
    "exclusiveMinimum": lambda v: _("Must be greater than %(n)s.", n=v),
    "exclusiveMaximum": lambda v: _("Must be less than %(n)s.", n=v),
    "multipleOf": lambda v: _("Must be a multiple of %(n)s.", n=v),
    "enum": lambda v: _("Select a valid choice."),
    "const": lambda v: _("This box must be checked.") if v is True else _("Select a valid choice."),
    "pattern": lambda v: _("Enter a value in the required format."),
    "minItems": lambda v: _("Select at least %(n)s.", n=v),
    "maxItems": lambda v: _("Select at most %(n)s.", n=v),
    "uniqueItems": lambda v: _("Each choice can be selected only once."),
    "format": lambda v: {
        "date": _("Enter a valid date."),
        "date-time": _("Enter a valid date and time."),
    }.get(v, _("Enter a valid value.")),
    "type": lambda v: {"integer": _("Enter a whole number."), "number": _("Enter a number.")}.get(
        v, _("Enter a valid value.")
    ),
}


def _error_fields(error: ValidationError, props: Mapping) -> list[str]:
    """Return the field(s) an error belongs to: a missing required field, else its path."""
    instance, rule = error.instance, error.validator_value
    if error.validator == "required" and not error.path and isinstance(instance, Mapping):
        return [name for name in rule if name not in instance] or [FORM_ERROR]
    if error.validator == "dependentRequired" and not error.path and isinstance(instance, Mapping):
        wanted = [n for key, names in rule.items() if key in instance for n in names]
        return [name for name in wanted if name not in instance] or [FORM_ERROR]
    path = list(error.absolute_path)
    return [path[0]] if path and path[0] in props else [FORM_ERROR]


def _too_long(prop: Mapping, value: Any) -> str | None:
    """Apply the notes bound to a text field whose schema sets no maxLength of its own."""
    items = prop.get("items") if isinstance(prop.get("items"), Mapping) else {}
    if prop.get("type") == "array" and "maxLength" not in items:
        texts = [v for v in value or () if isinstance(v, str)]
    elif "maxLength" not in prop and isinstance(value, str):
        texts = [value]
    else:
        return None
    errors: dict[str, str] = {}
    for text in texts:
        limits.check_text(text, "notes", errors, "text", strip=False)
    return errors.get("text")


def parse_submission(doc: Mapping, formdata: FormData) -> tuple[dict, dict[str, str]]:
    """Coerce and validate posted form data: ``(clean data, {field: message})``, empty = valid."""
    props = doc.get("properties") if isinstance(doc.get("properties"), Mapping) else {}
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, prop in props.items():  # only declared fields: anything else is dropped
        prop = prop if isinstance(prop, Mapping) else {}
        value, error = _coerce(prop, formdata, name)
        error = error or _too_long(prop, value)
        if error:
            errors[name] = error
        elif value is not None:
            data[name] = value
    # RE2 runs the patterns: a catastrophic one cannot stall the request (form_patterns).
    validator = FormValidator(doc, format_checker=_FORMATS)
    for error in validator.iter_errors(data):
        if error.context and not error.path:  # anyOf / oneOf: report the most relevant branch
            error = best_match(error.context)
        message = _MESSAGES.get(str(error.validator), lambda v: _("Enter a valid value."))
        for name in _error_fields(error, props):
            errors.setdefault(name, message(error.validator_value))
    return data, errors


def bulk_formdata(doc: Mapping | None) -> MultiDict | None:
    """The form's `x-bulk-default` as posted form data (what bulk approve submits for each
    task, through the same parsing as a person's submission), or None if it declares none."""
    default = doc.get(BULK_DEFAULT) if isinstance(doc, Mapping) else None
    if not isinstance(default, Mapping) or not default:
        return None
    posted: list[tuple[str, str]] = []
    for name, value in default.items():
        if value is True:
            posted.append((name, "on"))
        elif isinstance(value, list):
            posted += [(name, str(item)) for item in value]
        elif value is not False and value is not None:
            posted.append((name, str(value)))
    return MultiDict(posted)
