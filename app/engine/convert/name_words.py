"""Comparing names by their words: a lane or candidate group with a department, a tool's form key
with a library form ("purchaseRequestForm" and "purchase_request" share "purch" and "reque")."""

from __future__ import annotations

import re


def tokens(text: str) -> list[str]:
    """The words of text, lower case, camelCase split; Chinese runs stay whole."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text or "")
    return [t for t in re.split(r"[^0-9a-z\u4e00-\u9fff]+", text.casefold()) if t]


def stem(token: str) -> str:
    """What two words must share to count as the same (plural and tense endings aside)."""
    return token[:5]
