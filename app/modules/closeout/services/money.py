"""The rounding rules of close-out, in one place (docs/CLOSEOUT.md, "Figures").

Every figure is computed in Decimal from the stored inputs; an amount is rounded half up to
cents (`cents`) when it is stored, a margin percentage to two places (`percent`), and totals are
sums of the stored (rounded) line amounts, so the page, the stored row and a hand computation
agree to the cent."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
CNY = "CNY"


def cents(value: Decimal) -> Decimal:
    """An amount rounded half up to cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole x 100, rounded half up to two places; None when whole is zero."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def unit(amount: Decimal, quantity: Decimal) -> Decimal | None:
    """A unit cost rounded half up to four places (the product cost column); None for 0."""
    if not quantity:
        return None
    return (amount / quantity).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
