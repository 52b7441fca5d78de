"""Input bounds, in one place: what a number or text a user types may be before it is stored.

Defaults follow issue 9's decisions; an installation overrides any of them with the app config
key `LIMITS` (e.g. `{"order_lines": 300}`). Services check their input with the helpers below;
templates read the same figures for `maxlength`/`min`/`max`/`step` through `bounds()`.
A value out of bounds is refused with the bound in the message: never clipped, never rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app, has_app_context
from flask_babel import format_decimal
from flask_babel import gettext as _

from app.errors import InvalidInput


@dataclass(frozen=True)
class NumberBound:
    """A decimal range (inclusive) and the most decimal places a value may have."""

    low: Decimal
    high: Decimal
    places: int

    @property
    def step(self) -> str:
        """The HTML `step` attribute that allows exactly `places` decimals."""
        return f"{Decimal(1).scaleb(-self.places):f}" if self.places else "1"


DEFAULTS: dict[str, object] = {
    "order_lines": 200,
    "quantity": NumberBound(Decimal("0.001"), Decimal("1000000"), 3),
    "price": NumberBound(Decimal("0"), Decimal("100000000"), 2),
    "cost": NumberBound(Decimal("0"), Decimal("100000000"), 2),
    "order_total": Decimal("1000000000000"),  # exclusive: a total must stay below it
    "rate": NumberBound(Decimal("0.0001"), Decimal("1000"), 4),
    "capacity": NumberBound(Decimal("0.5"), Decimal("24"), 2),
    "notes": 4000,
    "name": 200,
    "search": 100,
}


def bounds() -> dict[str, object]:
    """The bounds in force: the defaults with the app's `LIMITS` config laid over them."""
    if not has_app_context():
        return dict(DEFAULTS)
    return {**DEFAULTS, **current_app.config.get("LIMITS", {})}


def get(name: str):
    """One bound by name (see DEFAULTS)."""
    return bounds()[name]


def _shown(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.####")


def parse_number(text: str, bound: NumberBound | str, errors: dict, key: str) -> Decimal | None:
    """The typed number if it is a plain finite decimal within `bound`; else an error under `key`.

    Thousands separators (",") are accepted; NaN, infinity and more decimals than the bound
    allows are refused (a value is never rounded to fit a column).
    """
    bound = get(bound) if isinstance(bound, str) else bound
    cleaned = (text or "").strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or len(cleaned) > 60:
        errors[key] = _(
            "Enter a number between %(low)s and %(high)s.",
            low=_shown(bound.low),
            high=_shown(bound.high),
        )
        return None
    if not bound.low <= value <= bound.high:
        errors[key] = _(
            "Enter a number between %(low)s and %(high)s.",
            low=_shown(bound.low),
            high=_shown(bound.high),
        )
        return None
    if value != value.quantize(Decimal(1).scaleb(-bound.places)):
        errors[key] = _("Use at most %(n)s decimal places.", n=bound.places)
        return None
    value = value.quantize(Decimal(1).scaleb(-bound.places))
    return abs(value) if value == 0 else value  # "-0" is zero


def check_text(text: str, limit: int | str, errors: dict, key: str, strip: bool = True) -> str:
    """The text (stripped) if it has at most `limit` characters; else an error under `key`."""
    limit = int(get(limit)) if isinstance(limit, str) else limit
    value = (text or "").replace("\r\n", "\n")
    value = value.strip() if strip else value
    if len(value) > limit:
        errors[key] = _(
            "At most %(n)s characters (this has %(count)s).",
            n=format_decimal(limit),
            count=format_decimal(len(value)),
        )
    return value


def column_length(column) -> int:
    """The length of a String column (what a text field may hold), else the notes bound."""
    length = getattr(getattr(column, "type", None), "length", None)
    return int(length) if length else int(get("notes"))


def check_total(total: Decimal, errors: dict, key: str = "lines") -> None:
    """Refuse an order whose total reaches the bound (amounts in words stop there)."""
    high = get("order_total")
    if total >= high:
        errors[key] = _("The order total must stay below %(high)s.", high=_shown(high))


def search_text(text: str | None) -> str:
    """A search box's text, stripped; longer than the search bound is refused, never cut."""
    errors: dict[str, str] = {}
    value = check_text(text or "", "search", errors, "q")
    if errors:
        raise InvalidInput(_("Search for at most %(n)s characters.", n=int(get("search"))))
    return value


# Ids and numbers that name a row are database integers: a larger one names nothing.
MAX_ID = 2**31 - 1


def record_id(text: str | None) -> int | None:
    """A row id or number as typed (form, query): ASCII digits within MAX_ID, else None."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
