"""Process owners view and edit the forms' JSON Schemas, preview them and publish versions."""

import json
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.processes import forms, modeling
from app.core.processes import versions as processes
from app.core.processes.models import FormVersion, ProcessVersion
from app.core.web import commit
from app.errors import NotFound
from app.extensions import db
from app.i18n import current_locale

bp = Blueprint("forms_admin", __name__, url_prefix="/forms", template_folder="../templates")

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


def _versions(name: str) -> list[FormVersion]:
    return list(
        db.session.scalars(
            db.select(FormVersion)
            .where(FormVersion.name == name)
            .order_by(FormVersion.number.desc())
        )
    )


def _used_by(name: str) -> list[ProcessVersion]:
    """The newest version of each process that names this form."""
    users = []
    for pid in sorted(db.session.scalars(db.select(ProcessVersion.process_id).distinct())):
        latest = processes.latest_version(pid)
        pinned = next((f for f in latest.forms if f.name == name), None)
        if pinned is not None:
            users.append((latest, pinned))
    return users


def _check(text: str) -> tuple[dict | None, list[str]]:
    """The parsed document and its problems (empty when it can be published)."""
    if len(text.encode("utf-8")) > MAX_FORM_BYTES:
        return None, [_("The form is larger than %(n)s KB.", n=MAX_FORM_BYTES // 1024)]
    try:
        doc = json.loads(text)
    except ValueError as exc:
        return None, [_("This is not valid JSON: %(error)s", error=str(exc))]
    return doc, forms.check_form_document(doc)


@bp.get("")
@login_required
def index():
    """Every form with its newest version and the processes that use it."""
    modeling.ensure_modeler(current_user, "list", "forms")
    names = sorted(set(db.session.scalars(db.select(FormVersion.name).distinct())))
    rows = [(processes.latest_form(name), _used_by(name)) for name in names]
    return render_template("forms_admin/index.html", rows=rows)


@bp.get("/new")
@login_required
def new():
    """Start a new form from a starter schema under the given name."""
    modeling.ensure_modeler(current_user, "create", "form")
    name = request.args.get("name", "").strip()
    if not NAME.fullmatch(name):
        message = _("Use 2-60 lower-case letters, digits or underscores, starting with a letter.")
        flash(message, "error")
        return redirect(url_for("forms_admin.index"))
    return redirect(url_for("forms_admin.edit", name=name))


@bp.route("/<name>", methods=["GET", "POST"])
@login_required
def edit(name: str):
    """The schema as text, its rendered preview, and publishing it as a new version."""
    modeling.ensure_modeler(current_user, "edit", f"form {name}")
    versions = _versions(name)
    if not versions and not NAME.fullmatch(name):
        raise NotFound(_("This form does not exist."))
    if request.method == "POST":
        text = request.form.get("content", "")
    elif versions:
        text = versions[0].content
    else:
        text = json.dumps(STARTER, ensure_ascii=False, indent=2)
    doc, problems = _check(text)
    if request.method == "POST" and request.form.get("action") == "publish" and not problems:
        version, created = processes.deploy_form(name, text.encode("utf-8"), current_user)
        commit()
        if created:
            flash(
                _(
                    "Form %(name)s version %(n)s was published. Processes use it from their next "
                    "published version; running orders keep the form they started with.",
                    name=name,
                    n=version.number,
                ),
                "success",
            )
        else:
            message = _("Nothing changed: version %(n)s has this content.", n=version.number)
            flash(message, "success")
        return redirect(url_for("forms_admin.edit", name=name))
    preview = forms.field_views(doc, current_locale()) if doc is not None and not problems else []
    title = forms.form_title(doc, current_locale()) if preview else name
    status = 400 if request.method == "POST" and problems else 200
    return render_template(
        "forms_admin/edit.html",
        name=name,
        text=text,
        problems=problems,
        preview=preview,
        title=title,
        versions=versions,
        used_by=_used_by(name) if versions else [],
    ), status
