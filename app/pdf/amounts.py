"""Amounts in Chinese capital numerals (大写金额), as printed on Chinese commercial documents."""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ((3, "仟"), (2, "佰"), (1, "拾"), (0, ""))
WAN, YI = 10**4, 10**8
# Amounts below ten thousand 亿 (10^16): a 亿 count of up to eight digits. Order totals are
# bounded far below (app/limits.py); beyond this the words would need units nobody prints.
LIMIT = YI * YI


class AmountOutOfRange(ValueError):
    """The amount cannot be written in capital numerals (not finite, or 10^16 and more)."""


def rmb_in_words(amount: Decimal) -> str:
    """Yuan, jiao and fen in capital numerals: 73897 -> 柒万叁仟捌佰玖拾柒元整."""
    if not Decimal(amount).is_finite() or abs(amount) >= LIMIT:
        raise AmountOutOfRange(f"{amount} is outside what capital numerals are written for")
    cents = int((abs(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan >= LIMIT:  # 9999999999999999.995 rounds up to 10^16
        raise AmountOutOfRange(f"{amount} is outside what capital numerals are written for")
    sign = "负" if amount < 0 and cents else ""
    if not jiao and not fen:
        return f"{sign}{_integer(yuan)}元整"
    words = f"{_integer(yuan)}元" if yuan else ""
    if jiao:
        words += f"{DIGITS[jiao]}角"
    elif yuan:
        words += "零"  # 1.05 is 壹元零伍分
    if fen:
        words += f"{DIGITS[fen]}分"
    return sign + words


def _integer(number: int) -> str:
    """A whole number below 10^16 in capital numerals, with 零 wherever digits are skipped."""
    if number == 0:
        return DIGITS[0]
    return _split(number, YI, "亿", _wan)


def _wan(number: int) -> str:
    """A number below 10^8 (at least 1): 万 groups."""
    return _split(number, WAN, "万", _group)


def _split(number: int, base: int, unit: str, part) -> str:
    """`high` units and `low`, with 零 when `low` does not fill its place (1,0050 壹万零伍拾)."""
    high, low = divmod(number, base)
    words = part(high) + unit if high else ""
    if low:
        if high and low < base // 10:
            words += DIGITS[0]
        words += part(low)
    return words


def _group(group: int) -> str:
    """One group of up to four digits (1..9999) without leading 零."""
    words, skipped = "", False
    for power, unit in PLACES:
        digit = group // 10**power % 10
        if digit == 0:
            skipped = skipped or bool(words)
            continue
        if skipped:
            words += DIGITS[0]
            skipped = False
        words += DIGITS[digit] + unit
    return words
