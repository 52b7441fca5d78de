"""Amounts in Chinese capital numerals (大写金额), as printed on Chinese commercial documents."""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
GROUP_UNITS = ("", "万", "亿", "万亿")
PLACES = ((3, "仟"), (2, "佰"), (1, "拾"), (0, ""))


def rmb_in_words(amount: Decimal) -> str:
    """Yuan, jiao and fen in capital numerals: 73897 -> 柒万叁仟捌佰玖拾柒元整."""
    cents = int((abs(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
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
    """A whole number in capital numerals, with 零 wherever digits are skipped."""
    if number == 0:
        return DIGITS[0]
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    words, skipped = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            skipped = bool(words)
            continue
        if words and (skipped or group < 1000):
            words += DIGITS[0]
        words += _group(group) + GROUP_UNITS[index]
        skipped = False
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
