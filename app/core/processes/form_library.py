"""The library of forms process owners edit: their versions, who uses them, checking a draft."""

import json
import re
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import and_, func
from sqlalchemy.orm import selectinload

from app.core.processes import forms
from app.core.processes.models import FormVersion, ProcessVersion
from app.extensions import db

NAME = re.compile(r"[a-z][a-z0-9_]{1,59}")
MAX_FORM_BYTES = 256 * 1024
STARTER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "New form",
    "type": "object",
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": ["approve", "reject"]},
        "comments": {"type": "string", "maxLength": 4000},
    },
    "x-ui": {
        "title": {"en": "New form", "zh_CN": "新表单"},
        "order": ["decision", "comments"],
        "fields": {
            "decision": {
                "label": {"en": "Decision", "zh_CN": "结论"},
                "widget": "radio",
                "enum_labels": {
                    "approve": {"en": "Approve", "zh_CN": "通过"},
                    "reject": {"en": "Reject", "zh_CN": "不通过"},
                },
            },
            "comments": {"label": {"en": "Comments", "zh_CN": "意见"}, "widget": "textarea"},
        },
    },
}


def form_versions(name: str) -> list[FormVersion]:
    """Every version of the form, newest first."""
    return list(
        db.session.scalars(
            db.select(FormVersion)
            .where(FormVersion.name == name)
            .order_by(FormVersion.number.desc())
        )
    )


def used_by(name: str) -> list[tuple[ProcessVersion, FormVersion]]:
    """The newest version of each process that names this form, with the version it pins.

    Two statements however many processes there are (it read each process's newest version in
    turn, one statement per process)."""
    return _users_by_form(_newest_process_versions()).get(name, [])


def library_rows() -> list[tuple[FormVersion, list[tuple[ProcessVersion, FormVersion]]]]:
    """Each form's newest version, by name, with the processes that use it (as `used_by`).

    Three statements whatever the number of forms: asked form by form, the page sent one
    newest-version read per form and one per process for each of them (341 statements)."""
    newest = (
        db.select(FormVersion.name, func.max(FormVersion.number).label("number"))
        .group_by(FormVersion.name)
        .subquery()
    )
    forms_ = db.session.scalars(
        db.select(FormVersion)
        .join(
            newest, and_(FormVersion.name == newest.c.name, FormVersion.number == newest.c.number)
        )
        .order_by(FormVersion.name)
    ).all()
    users = _users_by_form(_newest_process_versions())
    return [(form, users.get(form.name, [])) for form in forms_]


def _users_by_form(
    versions: list[ProcessVersion],
) -> dict[str, list[tuple[ProcessVersion, FormVersion]]]:
    """Form name -> the given process versions that pin it, in order, each with its first pin."""
    users: dict[str, list[tuple[ProcessVersion, FormVersion]]] = defaultdict(list)
    for version in versions:
        named: set[str] = set()
        for pinned in version.forms:
            if pinned.name not in named:
                named.add(pinned.name)
                users[pinned.name].append((version, pinned))
    return users


def _newest_process_versions() -> list[ProcessVersion]:
    """The newest version of every process, by process id, with the forms it pins."""
    newest = (
        db.select(ProcessVersion.process_id, func.max(ProcessVersion.number).label("number"))
        .group_by(ProcessVersion.process_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            db.select(ProcessVersion)
            .join(
                newest,
                and_(
                    ProcessVersion.process_id == newest.c.process_id,
                    ProcessVersion.number == newest.c.number,
                ),
            )
            .options(selectinload(ProcessVersion.forms))
            .order_by(ProcessVersion.process_id)
        )
    )


def check_text(text: str) -> tuple[dict | None, list[str]]:
    """The parsed document and its problems (empty when it can be published)."""
    if len(text.encode("utf-8")) > MAX_FORM_BYTES:
        return None, [_("The form is larger than %(n)s KB.", n=MAX_FORM_BYTES // 1024)]
    try:
        doc = json.loads(text)
    except ValueError as exc:
        return None, [_("This is not valid JSON: %(error)s", error=str(exc))]
    return doc, forms.check_form_document(doc)


def form_names() -> list[str]:
    """The name of every form that has a version, sorted."""
    return sorted(set(db.session.scalars(db.select(FormVersion.name).distinct())))


def starter_text() -> str:
    """The starter schema a new form begins with, as the editor shows it."""
    return json.dumps(STARTER, ensure_ascii=False, indent=2)
