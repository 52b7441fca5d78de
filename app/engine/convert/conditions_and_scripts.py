"""Conditions and scripts: JUEL and FEEL made Python, spiff-arena's dotted data access made
dictionary access, and what cannot be translated left to the owner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ..bpmn_tree import local
from ..expressions import check_expression
from ..foreign_expressions import (
    NotTranslated,
    dict_access,
    foreign_body,
    script_to_python,
    to_python,
    translate,
)
from .namespaces import ZEEBE_NS, bpmn
from .report import tell
from .spiff_writes import drop_language, set_script

if TYPE_CHECKING:
    from .converter import Converter


def condition(conv: Converter, process: etree._Element, flow: etree._Element) -> None:
    """A sequence flow's condition in Python: JUEL or FEEL translated, dotted data access
    rewritten; a choosing gateway's flow without one (and not its default) asks the owner."""
    expression = flow.find(bpmn("conditionExpression"))
    text = (expression.text or "").strip() if expression is not None else ""
    if not text:
        source = conv.by_id(flow.get("sourceRef"))
        gateway = local(source) if source is not None else None
        if gateway in ("exclusiveGateway", "inclusiveGateway") and source.get(
            "default"
        ) != flow.get("id"):
            if conv.outgoing(process, source.get("id")) > 1:
                conv.add("owner", flow, tell("condition_missing", flow), field="condition")
        return
    found = foreign_body(text)
    if found is not None:
        language = "FEEL" if found[1] else "JUEL"
        try:
            python = to_python(*found)
        except NotTranslated as why:
            reason = tell("condition_untranslated", flow, before=text, why=str(why))
            conv.add("owner", flow, reason, field="condition")
            return
        expression.text = python
        drop_language(expression)
        conv.changed = True
        reason = tell("condition_mapped", flow, language=language, before=text, after=python)
        conv.add("mapped", flow, reason, field="condition", value=python)
    elif check_expression(text):
        reason = tell("condition_untranslated", flow, before=text, why="not an expression")
        conv.add("owner", flow, reason, field="condition")
    else:
        rewritten = dict_access(text, "eval")
        if rewritten and not check_expression(rewritten):
            expression.text = rewritten
            conv.changed = True
            reason = tell("dict_access", flow, before=text, after=rewritten)
            conv.add("mapped", flow, reason, field="condition", value=rewritten)


def script(conv: Converter, task: etree._Element) -> None:
    """A script task's script in Python: another language's translated, spiff-arena's dotted
    data access rewritten, Camunda 8's FEEL script made one; else the owner writes it."""
    body = task.find(bpmn("script"))
    language = task.get("scriptFormat") or ""
    zeebe = task.find(f"{bpmn('extensionElements')}/{{{ZEEBE_NS}}}script")
    if zeebe is not None and (body is None or not (body.text or "").strip()):
        _zeebe_script(conv, task, zeebe)
        return
    if body is None or not (body.text or "").strip():
        conv.add("owner", task, tell("script_missing", task), field="script")
        return
    if not language or "python" in language.lower():
        original = body.text
        rewritten = dict_access(original, "exec")
        if rewritten:
            body.text = rewritten
            conv.changed = True
            reason = tell("dict_access", task, before=original.strip(), after=rewritten)
            conv.add("mapped", task, reason, field="script", value=rewritten)
        return
    try:
        python = script_to_python(body.text)
    except NotTranslated as why:
        reason = tell("script_untranslated", task, language=language, why=str(why))
        conv.add("owner", task, reason, field="script")
        return
    _write_script(conv, task, language, python)


def _zeebe_script(conv: Converter, task: etree._Element, zeebe: etree._Element) -> None:
    """Camunda 8's script task: a FEEL expression whose value goes into a result variable."""
    conv.use(zeebe, zeebe.tag)
    expression, result = zeebe.get("expression") or "", zeebe.get("resultVariable") or ""
    try:
        python = f"{result} = {translate(expression)}"
        if not result.isidentifier():
            raise NotTranslated("no result variable")
    except NotTranslated as why:
        reason = tell("script_untranslated", task, language="FEEL", why=str(why))
        conv.add("owner", task, reason, field="script")
        return
    _write_script(conv, task, "FEEL", python)


def _write_script(conv: Converter, task: etree._Element, language: str, python: str) -> None:
    set_script(task, python)
    conv.changed = True
    conv.add(
        "mapped",
        task,
        tell("script_mapped", task, language=language, after=python),
        field="script",
        value=python,
    )
