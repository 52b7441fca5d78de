"""Human tasks: placed in their department's lane, a plain task made a user or manual task, and a
user task's form (from the library, matched to its tool's form) and due time (from its tool's due
date)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from ..bpmn_tree import local
from ..documents import spiff_properties
from ..durations import working_problem
from ..timers import duration_problem
from .departments import place_unlaned
from .name_words import stem, tokens
from .namespaces import ATTRIBUTE_TOOLS, CAMUNDA_NS, ZEEBE_NS, bpmn
from .report import tell
from .spiff_writes import set_property

if TYPE_CHECKING:
    from .converter import Converter

DUE_CHOICES = ("P1D", "PT8H", "P2D", "P3D")
_STOPWORDS = {"the", "a", "an", "of", "for", "to", "and", "form", "task"}


def human_task(conv: Converter, process: etree._Element, task: etree._Element) -> None:
    """A user, manual or plain task: its lane, its kind, and a user task's form and due time."""
    place_unlaned(conv, process, task)
    if local(task) == "task":
        conv.add(
            "owner",
            task,
            tell("plain_task", task),
            field="kind",
            choices=("manualTask", "userTask"),
        )
    if local(task) == "userTask":
        form(conv, task)
        due(conv, task)


def form_hint(conv: Converter, task: etree._Element) -> str:
    """The form the task's tool set (its key or id; "camunda:formData" for a generated form)."""
    for ns in ATTRIBUTE_TOOLS:
        for attribute in ("formKey", "formRef"):
            if task.get(f"{{{ns}}}{attribute}"):
                conv.use(task, f"{{{ns}}}{attribute}")
                return task.get(f"{{{ns}}}{attribute}")
    extensions = task.find(bpmn("extensionElements"))
    if extensions is None:
        return ""
    zeebe = extensions.find(f"{{{ZEEBE_NS}}}formDefinition")
    if zeebe is not None:
        conv.use(zeebe, zeebe.tag)
        return zeebe.get("formId") or zeebe.get("formKey") or zeebe.get("externalReference") or ""
    data = extensions.find(f"{{{CAMUNDA_NS}}}formData")
    if data is not None:
        conv.use(data, data.tag)
        return "camunda:formData"
    props = spiff_properties(task)
    return props.get("formJsonSchemaFilename", "")


def ranked_forms(forms: list[str], texts: list[str]) -> list[tuple[float, str]]:
    """Every library form with how well its words match the best of texts (0 to 1)."""
    wanted = [
        {stem(t) for t in tokens(_form_words(text)) if t not in _STOPWORDS}
        for text in texts
        if text
    ]
    scored = []
    for name in forms:
        mine = {stem(t) for t in tokens(name)}
        best = max((len(w & mine) / len(w | mine) for w in wanted if w | mine), default=0.0)
        scored.append((best, name))
    return sorted(scored, key=lambda s: (-s[0], s[1]))


def form(conv: Converter, task: etree._Element) -> None:
    """A library form for a user task without one: the one its tool's form clearly matches (to
    check), else the owner picks."""
    props = spiff_properties(task)
    hint = form_hint(conv, task)
    if props.get("form"):
        return
    ranked = ranked_forms(conv.forms, [hint, task.get("name") or ""])
    best = ranked[0] if ranked else (0.0, "")
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    choices = [f for _score, f in ranked]
    if hint and best[0] >= 0.5 and best[0] > runner_up:
        set_property(task, "form", best[1])
        conv.changed = True
        reason = tell("form_suggested", task, before=hint, after=best[1])
        conv.add("check", task, reason, field="form", value=best[1], choices=choices)
    else:
        conv.add(
            "owner", task, tell("form_needed", task, before=hint), field="form", choices=choices
        )


def due_hint(conv: Converter, task: etree._Element) -> str:
    """The due date the task's tool set, as written."""
    for ns in ATTRIBUTE_TOOLS:
        if task.get(f"{{{ns}}}dueDate"):
            conv.use(task, f"{{{ns}}}dueDate")
            return task.get(f"{{{ns}}}dueDate")
    schedule = task.find(f"{bpmn('extensionElements')}/{{{ZEEBE_NS}}}taskSchedule")
    if schedule is not None:
        conv.use(schedule, schedule.tag)
        return schedule.get("dueDate") or ""
    return ""


def due(conv: Converter, task: etree._Element) -> None:
    """A due time for a user task without one: its tool's due date when it converts, else the
    owner sets one."""
    hint = due_hint(conv, task)
    if spiff_properties(task).get("due"):
        return
    duration = due_duration(hint) if hint else None
    if duration:
        set_property(task, "due", duration)
        conv.changed = True
        reason = tell("due_mapped", task, before=hint, after=duration)
        conv.add("mapped", task, reason, field="due", value=duration)
    else:
        conv.add(
            "owner",
            task,
            tell("due_needed", task, before=hint),
            field="due",
            choices=DUE_CHOICES,
        )


def _form_words(text: str) -> str:
    text = re.sub(r"^(embedded:|camunda-forms:|deployment:|app:)+", "", (text or "").strip())
    text = text.rsplit("/", 1)[-1]
    text = re.sub(r"\.(html|form|jsf|json|xhtml)$", "", text)
    return re.sub(r"[-_]?(ui)?schema$", "", text)


_ISO = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
_PLUS = re.compile(r"\.plus(Years|Months|Weeks|Days|Hours|Minutes|Seconds)\((\d+)\)")
_JUEL_DUE = re.compile(r"^\$\{\s*dateTime\(\)((?:\.plus\w+\(\d+\))+)\.toDate\(\)\s*\}$")
_FEEL_DUE = re.compile(r"""^=\s*(?:now|today)\(\)\s*\+\s*duration\(\s*"([^"]+)"\s*\)\s*$""")


def _valid_due(text: str) -> str | None:
    return (
        text
        if _ISO.match(text) and not duration_problem(text) and not working_problem(text)
        else None
    )


def due_duration(text: str) -> str | None:
    """An ISO 8601 duration for another tool's due date relative to now, else None."""
    text = (text or "").strip()
    if _ISO.match(text):
        return _valid_due(text)
    feel = _FEEL_DUE.match(text)
    if feel:
        return _valid_due(feel.group(1))
    juel = _JUEL_DUE.match(text)
    if not juel:
        return None
    units = {u: 0 for u in ("Years", "Months", "Weeks", "Days", "Hours", "Minutes", "Seconds")}
    for unit, number in _PLUS.findall(juel.group(1)):
        units[unit] += int(number)
    date = "".join(f"{units[u]}{u[0]}" for u in ("Years", "Months", "Weeks", "Days") if units[u])
    time = "".join(f"{units[u]}{u[0]}" for u in ("Hours", "Minutes", "Seconds") if units[u])
    return _valid_due("P" + date + (f"T{time}" if time else "")) if date or time else None
