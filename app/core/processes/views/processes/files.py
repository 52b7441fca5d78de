"""Files from other tools: opening one as a new process or into a draft, the conversion report
and its answers, and converting without storing (docs/FOREIGN_DIAGRAMS.md)."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.processes import conversion, diagram_files, modeling
from app.core.processes.views.processes.blueprint import (
    bp,
    json_error,
    owner_only,
    page_name,
    report_helpers,
    wants_json,
)
from app.core.web import commit
from app.errors import DomainError
from app.extensions import db


def _opened(opened: diagram_files.Opened):
    """Answer a file opened into a draft: the modeler on it (JSON for the modeler's fetch)."""
    commit()
    url = url_for("processes.edit", process_id=opened.draft.process_id)
    if wants_json():
        return jsonify({"url": url, "process": opened.draft.process_id})
    flash(_("The file was opened as a draft; the conversion report says what to check."), "success")
    return redirect(url)


def _not_opened(exc: DomainError, back: str):
    if wants_json():
        return json_error(exc)
    if exc.status == 403:
        raise exc
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(back)


@bp.get("/new")
@login_required
def new():
    """Open a .bpmn file from another tool as a new process (file picker or drag and drop)."""
    owner_only("open_file", "new")
    return render_template("processes/new.html", max_mb=diagram_files.MAX_FILE_BYTES // 2**20)


@bp.post("/new")
@login_required
def create_from_file():
    """Convert an uploaded file into a new process's draft and open it in the modeler."""
    owner_only("open_file", "new")
    upload = request.files.get("file")
    try:
        data = diagram_files.read_upload(upload)
        opened = diagram_files.new_process(current_user, upload.filename, data)
    except DomainError as exc:
        return _not_opened(exc, url_for("processes.new"))
    return _opened(opened)


@bp.post("/<process_id>/import")
@login_required
def open_file(process_id: str):
    """Convert an uploaded file into this process's draft (replacing the draft)."""
    owner_only("open_file", process_id)
    upload = request.files.get("file")
    try:
        data = diagram_files.read_upload(upload)
        token = request.form.get("token") or None
        opened = diagram_files.into_draft(current_user, process_id, upload.filename, data, token)
    except DomainError as exc:
        return _not_opened(exc, url_for("processes.edit", process_id=process_id))
    return _opened(opened)


@bp.post("/<process_id>/answer")
@login_required
def answer(process_id: str):
    """Write one of the conversion report's choices into the draft; back to the modeler."""
    owner_only("answer", process_id)
    element = request.form.get("element", "")
    back = url_for("processes.edit", process_id=process_id, select=element or None)
    try:
        diagram_files.answer(
            current_user,
            process_id,
            element,
            request.form.get("field", ""),
            request.form.get("value", ""),
            request.form.get("token") or None,
        )
    except DomainError as exc:
        return _not_opened(exc, back)
    commit()
    flash(_("The answer is written into the draft."), "success")
    return redirect(back)


@bp.get("/<process_id>/report")
@login_required
def report(process_id: str):
    """The conversion report of the file the draft was opened from."""
    owner_only("view", process_id)
    latest, draft = modeling.editing(process_id)
    return render_template(
        "processes/report.html",
        process_id=process_id,
        name=page_name(latest, draft),
        draft=draft,
        report=diagram_files.grouped(diagram_files.report_of(draft)),
        **report_helpers(process_id),
    )


@bp.post("/convert")
@login_required
def convert():
    """Convert a diagram from another tool (JSON {"xml": ...}): the converted diagram and the
    report of what was mapped, what to check, what needs the owner and what was kept. Stores
    nothing (docs/FOREIGN_DIAGRAMS.md)."""
    body = request.get_json(silent=True)
    xml = body.get("xml") if isinstance(body, dict) else None
    try:
        result = conversion.convert_file(current_user, xml)
    except DomainError as exc:
        return json_error(exc)
    return jsonify(conversion.report(result))
