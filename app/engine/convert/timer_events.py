"""Timers: a FEEL call or a quoted value made the plain ISO 8601 value OrderGate reads, and start
events that would repeat inside one instance."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from .namespaces import bpmn
from .report import tell

if TYPE_CHECKING:
    from .converter import Converter

_TIMER_CALL = re.compile(
    r"""^=\s*(?:duration|date and time|date|cycle)?\s*\(?\s*"([^"]+)"\s*\)?\s*$"""
)


def timer_value(text: str) -> str | None:
    """The plain ISO 8601 value of a timer written as a FEEL call or a quoted string; the text
    itself when it is already plain; None when it cannot be read."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    cycle = re.match(r"""^=\s*cycle\(\s*duration\(\s*"([^"]+)"\s*\)\s*\)$""", text)
    if cycle:
        return f"R/{cycle.group(1)}"
    call = _TIMER_CALL.match(text)
    if call:
        return call.group(1)
    if text.startswith(("=", "${", "#{")):
        return None
    return text


def timer(conv: Converter, node: etree._Element) -> None:
    """A timer's date, duration or cycle as plain ISO 8601; an empty one, or an expression that
    cannot be read, asks the owner."""
    text = (node.text or "").strip()
    event = node.getparent().getparent() if node.getparent() is not None else node
    if not text:
        conv.add("owner", event, tell("timer_empty", event), field="timer")
        return
    value = timer_value(text)
    if value is None:
        if text.startswith(("=", "${", "#{")):
            reason = tell("timer_untranslated", event, before=text)
            conv.add("owner", event, reason, field="timer")
        return
    if value != text:
        node.text = value
        conv.changed = True
        reason = tell("timer_mapped", event, before=text, after=value)
        conv.add("mapped", event, reason, field="timer", value=value)


def cycle_start(conv: Converter, event: etree._Element) -> None:
    """A start event that repeats: the owner removes its timer (an answer of "none")."""
    cycle = event.find(f"{bpmn('timerEventDefinition')}/{bpmn('timeCycle')}")
    if cycle is not None and (cycle.text or "").strip():
        shown = timer_value(cycle.text) or cycle.text.strip()  # a quoted cycle unquoted
        reason = tell("cycle_start", event, before=shown)
        conv.add("owner", event, reason, field="timer", choices=("none",))
