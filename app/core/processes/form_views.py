"""View models for form files: FieldView lists for templates, titles and read-only values.

Pure functions: no database, no ``flask.request``. ``app.core.processes.forms`` re-exports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from flask_babel import gettext as _

from app.core.processes.form_checks import default_widget

MULTI_WIDGETS = frozenset({"multiselect", "checkboxes"})
FALSY = frozenset({"", "0", "false", "off", "no"})  # posted strings that mean an unticked box
_INPUT_TYPES = {"integer": "number", "number": "number", "date": "date", "hidden": "hidden"}
_INPUT_TYPES["datetime-local"] = "datetime-local"


class FormData(Protocol):
    """What parse_submission needs from werkzeug's MultiDict."""

    def get(self, key: str, default: Any = None) -> Any: ...  # noqa: D102

    def getlist(self, key: str) -> list[Any]: ...  # noqa: D102


class Option(NamedTuple):
    """One choice of an enum field: the submitted value and its label."""

    value: str
    label: str


@dataclass
class FieldView:
    """Everything a template needs to render one field."""

    name: str
    label: str
    help: str
    widget: str
    required: bool
    options: list[Option]
    value: str | bool | list[str]
    error: str
    constraints: dict[str, str]
    display: str = ""

    @property
    def id(self) -> str:
        """Return the HTML id of the input (options append ``-0``, ``-1`` …)."""
        return f"field-{self.name}"

    @property
    def help_id(self) -> str:
        """Return the HTML id of the help paragraph."""
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        """Return the HTML id of the error paragraph."""
        return f"{self.id}-error"

    @property
    def described_by(self) -> str:
        """Return the aria-describedby value: help and error ids, space separated."""
        ids = [self.help_id] if self.help else []
        return " ".join([*ids, self.error_id] if self.error else ids)

    @property
    def input_type(self) -> str:
        """Return the ``type`` attribute for widgets rendered as ``<input>``."""
        return _INPUT_TYPES.get(self.widget, "text")

    def is_selected(self, option_value: str) -> bool:
        """Tell whether an option is chosen (select, radio, multiselect, checkboxes)."""
        if isinstance(self.value, list):
            return option_value in self.value
        return option_value == self.value


# --- bilingual text -------------------------------------------------------------------------


def _text(value: Any, locale: str, fallback: str = "") -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        return fallback
    wanted = "zh_CN" if str(locale).lower().startswith("zh") else "en"
    for key in (locale, wanted, "en", "zh_CN"):
        if isinstance(value.get(key), str) and value[key]:
            return value[key]
    return fallback


def _ui(doc: Mapping) -> Mapping:
    ui = doc.get("x-ui")
    return ui if isinstance(ui, Mapping) else {}


def _hint(doc: Mapping, name: str) -> Mapping:
    fields = _ui(doc).get("fields")
    hint = fields.get(name) if isinstance(fields, Mapping) else None
    return hint if isinstance(hint, Mapping) else {}


def _properties(doc: Mapping) -> Mapping:
    props = doc.get("properties")
    return props if isinstance(props, Mapping) else {}


def field_label(doc: Mapping | None, name: str, locale: str) -> str:
    """A field's label in the reader's language (its name when the form gives none)."""
    return _text(_hint(doc, name).get("label"), locale, name) if isinstance(doc, Mapping) else name


def form_title(doc: Mapping, locale: str) -> str:
    """Return the form's title in ``locale``: x-ui.title, else the schema's ``title``."""
    return _text(_ui(doc).get("title"), locale, str(doc.get("title", "")))


def _widget(doc: Mapping, name: str) -> str:
    return _hint(doc, name).get("widget") or default_widget(_properties(doc).get(name, {}))


def _field_order(doc: Mapping) -> list[str]:
    props = _properties(doc)
    order = _ui(doc).get("order")
    names = order if isinstance(order, list) and order else list(props)
    return [name for name in names if name in props]


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _options(prop: Mapping, hint: Mapping, locale: str) -> list[Option]:
    items = prop.get("items") if prop.get("type") == "array" else prop
    choices = items.get("enum", []) if isinstance(items, Mapping) else []
    labels = hint.get("enum_labels") if isinstance(hint.get("enum_labels"), Mapping) else {}
    return [Option(_plain(c), _text(labels.get(_plain(c)), locale, _plain(c))) for c in choices]


def _constraints(prop: Mapping, widget: str) -> dict[str, str]:
    """HTML attributes mirroring the schema, so the browser catches mistakes early."""
    found: dict[str, str] = {}
    if widget in ("text", "textarea"):
        attrs = {"maxLength": "maxlength", "minLength": "minlength"}
        found = {attr: _plain(prop[key]) for key, attr in attrs.items() if key in prop}
    elif widget in ("number", "integer") and prop.get("type") in ("number", "integer"):
        # min/max are inclusive in HTML: an exclusive bound is still a useful browser hint.
        bounds = (("exclusiveMinimum", "min"), ("minimum", "min"))
        bounds += (("exclusiveMaximum", "max"), ("maximum", "max"))
        found = {attr: _plain(prop[key]) for key, attr in bounds if key in prop}
        whole = prop.get("type") == "integer"
        found["step"] = "1" if whole else _plain(prop.get("multipleOf", "any"))
    return found


def _view_value(widget: str, name: str, values: Any) -> str | bool | list[str]:
    """Show posted form data as typed, and stored data (a plain dict) as its string form."""
    posted = hasattr(values, "getlist")
    if widget in MULTI_WIDGETS:
        raw = values.getlist(name) if posted else values.get(name)
        return [_plain(v) for v in raw] if isinstance(raw, list) else []
    if widget == "checkbox":
        raw = values.getlist(name) if posted else [values.get(name)]
        return bool(raw) and raw[-1] is not False and _plain(raw[-1]).lower() not in FALSY
    return _plain(values.get(name))


def field_views(
    doc: Mapping,
    locale: str,
    values: Mapping | FormData | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[FieldView]:
    """Return one FieldView per field in x-ui order; ``values`` is posted or stored data."""
    props, errors = _properties(doc), errors or {}
    required = set(doc.get("required", []))
    views = []
    for name in _field_order(doc):
        prop, hint, widget = props[name], _hint(doc, name), _widget(doc, name)
        shown = values if values is not None else {name: prop.get("default")}
        stored = values is not None and not hasattr(values, "getlist")
        views.append(
            FieldView(
                name=name,
                label=_text(hint.get("label"), locale, name),
                help=_text(hint.get("help"), locale),
                widget=widget,
                required=name in required,
                options=_options(prop, hint, locale),
                value=_view_value(widget, name, shown),
                error=errors.get(name, ""),
                constraints=_constraints(prop, widget),
                display=display_value(doc, name, values.get(name), locale) if stored else "",
            )
        )
    return views


def display_value(doc: Mapping, field: str, value: Any, locale: str) -> str:
    """Return a stored value as a reader sees it: enum labels, Yes/No, lists joined."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    labels = _hint(doc, field).get("enum_labels")
    labels = labels if isinstance(labels, Mapping) else {}

    def one(item: Any) -> str:
        return _text(labels.get(_plain(item)), locale, _plain(item))

    if isinstance(value, list):
        # TRANSLATORS: separator between the chosen items of a multiple-choice answer.
        return _(", ").join(one(item) for item in value)
    prop = _properties(doc).get(field, {})
    if isinstance(prop, Mapping) and prop.get("format") == "date-time" and isinstance(value, str):
        return value.replace("T", " ")
    return one(value)
