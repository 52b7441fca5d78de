"""Presenting a version diff in the reader's language: element kinds (用户任务), property names
(期限), durations (16 小时 / 16 h) and lanes as department names, each raw value kept for the
page's title attribute."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from app.core.processes.version_diff.comparing import PROPERTY, ElementChange
from app.core.users.models import Department
from app.engine import durations
from app.extensions import db

KIND_WORDS = {
    "task": _l("Task"),
    "userTask": _l("User task"),
    "manualTask": _l("Manual task"),
    "scriptTask": _l("Script task"),
    "serviceTask": _l("Service task"),
    "sendTask": _l("Send task"),
    "receiveTask": _l("Receive task"),
    "businessRuleTask": _l("Business rule task"),
    "callActivity": _l("Call activity"),
    "subProcess": _l("Sub-process"),
    "transaction": _l("Transaction"),
    "startEvent": _l("Start event"),
    "endEvent": _l("End event"),
    "intermediateCatchEvent": _l("Intermediate catch event"),
    "intermediateThrowEvent": _l("Intermediate throw event"),
    "boundaryEvent": _l("Boundary event"),
    "exclusiveGateway": _l("Exclusive gateway"),
    "parallelGateway": _l("Parallel gateway"),
    "inclusiveGateway": _l("Inclusive gateway"),
    "eventBasedGateway": _l("Event-based gateway"),
    "complexGateway": _l("Complex gateway"),
    "sequenceFlow": _l("Sequence flow"),
    "timerEventDefinition": _l("Timer"),
    "messageEventDefinition": _l("Message"),
    "signalEventDefinition": _l("Signal"),
    "errorEventDefinition": _l("Error"),
    "escalationEventDefinition": _l("Escalation"),
    "terminateEventDefinition": _l("Terminate"),
    "conditionalEventDefinition": _l("Condition"),
    "multiInstanceLoopCharacteristics": _l("Multi-instance settings"),
    "standardLoopCharacteristics": _l("Loop settings"),
    "dataObject": _l("Data object"),
    "dataObjectReference": _l("Data object reference"),
    "dataStoreReference": _l("Data store reference"),
    "textAnnotation": _l("Text annotation"),
    "association": _l("Association"),
}
ASPECT_WORDS = {
    "type": _l("Type"),
    "lane": _l("Lane (department)"),
    "source": _l("Comes from"),
    "target": _l("Leads to"),
    "default": _l("Default flow"),
    "attached": _l("Attached to"),
    "condition": _l("Condition"),
    "script": _l("Script"),
    "events": _l("Event"),
    "loop": _l("Loop settings"),
    f"{PROPERTY}form": _l("Form"),
    f"{PROPERTY}due": _l("Time limit"),
    f"{PROPERTY}role": _l("Role"),
    f"{PROPERTY}name_zh": _l("Chinese name"),
    f"{PROPERTY}owner": _l("Process owner"),
    f"{PROPERTY}escalate": _l("On expiry"),
}
_UNITS = (
    ("months", lambda n: _("%(n)s mo", n=n)),
    ("weeks", lambda n: _("%(n)s wk", n=n)),
    ("days", lambda n: _("%(n)s d", n=n)),
    ("hours", lambda n: _("%(n)s h", n=n)),
    ("minutes", lambda n: _("%(n)s min", n=n)),
    ("seconds", lambda n: _("%(n)s s", n=n)),
)
_DURATION = re.compile(r"^'?(P[0-9.,YMWDTHS]+)'?$")


def _number(value: float) -> str:
    return f"{value:g}"


def humanise_duration(text: str) -> str | None:
    """An ISO 8601 duration in the reader's words (PT24H: 24 小时 / 24 h), or None if not one."""
    match = _DURATION.match((text or "").strip())
    if not match:
        return None
    try:
        parsed = durations.parse(match.group(1))
    except ValueError:
        return None
    hours, rest = divmod(parsed.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    amounts = {
        "months": parsed.months,
        "weeks": parsed.weeks,
        "days": parsed.days,
        "hours": hours,
        "minutes": minutes,
        "seconds": seconds,
    }
    words = [unit(_number(amounts[key])) for key, unit in _UNITS if amounts[key]]
    return " ".join(words) if words else _("%(n)s h", n=0)


@dataclass(frozen=True)
class Shown:
    """A value as the page shows it, and the stored value (for the title attribute)."""

    text: str
    raw: str

    @property
    def differs(self) -> bool:
        return self.text != self.raw


@dataclass(frozen=True)
class DetailRow:
    label: str
    before: Shown
    after: Shown


@dataclass(frozen=True)
class ChangeRow:
    """One row of the compare page."""

    element_id: str
    change: str
    kind: Shown
    name: str
    details: tuple[DetailRow, ...]


def _kind(kind: str) -> str:
    word = KIND_WORDS.get(kind)
    return str(word) if word is not None else kind


def _aspect(aspect: str) -> str:
    if aspect == "name":  # a thing's name (名称), not a person's (姓名)
        return pgettext("thing", "Name")
    word = ASPECT_WORDS.get(aspect)
    if word is not None:
        return str(word)
    if aspect.startswith(PROPERTY):
        return _("Property %(name)s", name=aspect[len(PROPERTY) :])
    return aspect


def _events_text(value: str) -> str:
    shown = []
    for part in value.split("; "):
        kind, _sep, rest = part.partition(":")
        words = " ".join(humanise_duration(w) or w for w in rest.split())
        shown.append(
            _("%(what)s: %(value)s", what=_kind(kind), value=words) if words else _kind(kind)
        )
    return "; ".join(shown)


def _value(aspect: str, value: str, departments: dict[str, Department], locale: str) -> str:
    if not value:
        return "—"
    if aspect == "type":
        return _kind(value)
    if aspect == "lane" and value.lower() in departments:
        return departments[value.lower()].display_name(locale)
    if aspect == f"{PROPERTY}due":
        return humanise_duration(value) or value
    if aspect == f"{PROPERTY}role" and value == "head":
        return _("Department head only")
    if aspect == "events":
        return _events_text(value)
    return value


def _departments() -> dict[str, Department]:
    found: dict[str, Department] = {}
    for dept in db.session.scalars(db.select(Department).order_by(Department.id)):
        for alias in (dept.key, dept.name_en, dept.name_zh):
            found.setdefault(alias.strip().lower(), dept)
    return found


def present(changes: list[ElementChange], locale: str) -> list[ChangeRow]:
    """The changes in the reader's language, raw values kept for the title attribute."""
    departments = _departments()
    zh = locale.startswith("zh")

    def shown(aspect: str, value: str) -> Shown:
        return Shown(_value(aspect, value, departments, locale), value or "—")

    rows = []
    for c in changes:
        details = tuple(
            DetailRow(_aspect(d.aspect), shown(d.aspect, d.before), shown(d.aspect, d.after))
            for d in c.details
        )
        name = (c.name_zh if zh and c.name_zh else c.name) or "—"
        rows.append(ChangeRow(c.element_id, c.change, Shown(_kind(c.kind), c.kind), name, details))
    return rows
