"""Process owners' pages: processes, the modeler, versions, diffs and instance migrations."""

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app import limits
from app.core.processes import (
    conversion,
    diagram_files,
    diagram_problems,
    diagrams,
    modeling,
    runs,
    version_diff,
)
from app.core.processes import versions as processes
from app.core.submissions import uniqueness
from app.core.users.models import User
from app.core.web import audit_denial, commit
from app.errors import DomainError
from app.extensions import db
from app.i18n import current_locale

bp = Blueprint("processes", __name__, url_prefix="/processes", template_folder="../templates")


def _migrations():
    # Imported when used: the migration service pulls in the engine's migration utilities.
    from app.core.processes import migrations

    return migrations


def _owner_only(action: str, target: str) -> None:
    modeling.ensure_modeler(current_user, action, target)


@bp.get("")
@login_required
def index():
    """Every process: newest version, draft, running instances (and how many on old versions)."""
    _owner_only("list", "processes")
    locale = current_locale()
    new = [(d, modeling.draft_name(d, locale)) for d in modeling.new_drafts()]
    return render_template("processes/index.html", rows=modeling.summaries(), new=new)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _opened(opened: diagram_files.Opened):
    """Answer a file opened into a draft: the modeler on it (JSON for the modeler's fetch)."""
    commit()
    url = url_for("processes.edit", process_id=opened.draft.process_id)
    if _wants_json():
        return jsonify({"url": url, "process": opened.draft.process_id})
    flash(_("The file was opened as a draft; the conversion report says what to check."), "success")
    return redirect(url)


def _not_opened(exc: DomainError, back: str):
    if _wants_json():
        return _json_error(exc)
    if exc.status == 403:
        raise exc
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(back)


@bp.get("/new")
@login_required
def new():
    """Open a .bpmn file from another tool as a new process (file picker or drag and drop)."""
    _owner_only("open_file", "new")
    return render_template("processes/new.html", max_mb=diagram_files.MAX_FILE_BYTES // 2**20)


@bp.post("/new")
@login_required
def create_from_file():
    """Convert an uploaded file into a new process's draft and open it in the modeler."""
    _owner_only("open_file", "new")
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
    _owner_only("open_file", process_id)
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
    _owner_only("answer", process_id)
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
    _owner_only("view", process_id)
    latest, draft = modeling.editing(process_id)
    return render_template(
        "processes/report.html",
        process_id=process_id,
        name=_name(latest, draft),
        draft=draft,
        report=diagram_files.grouped(diagram_files.report_of(draft)),
        **_report_helpers(process_id),
    )


def _report_helpers(process_id: str) -> dict:
    """What the report's templates need besides the report: its sentences and choice labels."""
    names = {d["key"]: d["name"] for d in modeling.modeler_config(current_locale())["departments"]}
    kinds = {
        "userTask": _("User task"),
        "manualTask": _("Manual task"),
        "notify": _("Connector: send a notification"),
        "http": _("Connector: call an HTTP endpoint"),
        "none": _("A plain start (no timer)"),
    }
    return {
        "report_text": diagram_files.item_text,
        "answerable": diagram_files.answerable,
        "choice_label": lambda field, value: (
            names.get(value, value) if field == "department" else kinds.get(value, value)
        ),
        "edit_token": modeling.edit_token(process_id),
    }


def _name(latest, draft) -> str:
    if latest is not None:
        return processes.display_name(latest, current_locale())
    return modeling.draft_name(draft, current_locale())


@bp.get("/<process_id>")
@login_required
def detail(process_id: str):
    """A process's versions (who published each, when), its draft and its migrations."""
    _owner_only("view", process_id)
    if processes.latest_version(process_id) is None and modeling.draft_of(process_id):
        # A new process opened from a file: nothing published yet, the modeler is all there is.
        return redirect(url_for("processes.edit", process_id=process_id))
    found = modeling.versions(process_id)
    return render_template(
        "processes/detail.html",
        process_id=process_id,
        versions=found,
        latest=found[0][0],
        draft=modeling.draft_of(process_id),
        older=_migrations().running_on_older_versions(process_id),
        batches=_migrations().batches(process_id),
        form_token=uniqueness.new_form_token(),
    )


@bp.post("/<process_id>/instances")
@login_required
def start_instance(process_id: str):
    """Start an instance of the newest published version (a trial run of the model)."""
    instance = runs.start(current_user, process_id, request.form.get("form_token", ""))
    commit()
    flash(_("An instance of version %(n)s was started.", n=instance.version.number), "success")
    return redirect(url_for("processes.instance", instance_id=instance.id), 303)


@bp.get("/instances/<int:instance_id>")
@login_required
def instance(instance_id: int):
    """One instance: its version, state, and the tasks it created with whom they wait for."""
    found = runs.instance(current_user, instance_id)
    starter = db.session.get(User, found.started_by_id) if found.started_by_id else None
    return render_template(
        "processes/instance.html", instance=found, starter=starter, tasks=runs.tasks(found)
    )


@bp.get("/<process_id>/edit")
@login_required
def edit(process_id: str):
    """The modeler: bpmn-js with this product's properties panel group and live lint."""
    _owner_only("edit", process_id)
    latest, draft = modeling.editing(process_id)
    config = {
        **modeling.modeler_config(current_locale()),
        "csrf_token": generate_csrf(),
        "token": modeling.edit_token(process_id),
        # bpmn-js's own words (palette, menus, panel groups) follow the page's language.
        "locale": "zh-CN" if current_locale().startswith("zh") else "en",
    }
    return render_template(
        "processes/edit.html",
        process_id=process_id,
        name=_name(latest, draft),
        latest=latest,
        draft=draft,
        config=config,
        report=diagram_files.grouped(diagram_files.report_of(draft)),
        **_report_helpers(process_id),
    )


@bp.get("/<process_id>/modeler.bpmn")
@login_required
def modeler_xml(process_id: str):
    """The diagram the modeler opens: the draft, else the newest version."""
    _owner_only("edit", process_id)
    return Response(modeling.modeler_xml(process_id), mimetype="application/xml")


def _json_body() -> tuple[object, object, object]:
    """The diagram, the edit token and what the owner removed knowingly, as the modeler posted
    them; no list means nothing was removed (the server compares every save)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, None, []
    removed = body.get("removed")
    return body.get("xml"), body.get("token"), [] if removed is None else removed


def _json_error(exc: DomainError):
    if exc.status == 403:
        audit_denial(exc.message)
        db.session.commit()  # keep the audited denial; the service changed nothing else
    else:
        db.session.rollback()
    return jsonify({"error": exc.message}), exc.status


@bp.post("/<process_id>/draft")
@login_required
def save_draft(process_id: str):
    """Save the modeler's diagram as the draft, as it is (errors included)."""
    try:
        draft = modeling.save_draft(current_user, process_id, *_json_body())
    except DomainError as exc:
        return _json_error(exc)
    commit()
    return jsonify(
        {
            "saved": True,
            "saved_at": draft.updated_at.isoformat(),
            "token": modeling.edit_token(process_id),
        }
    )


@bp.post("/<process_id>/publish")
@login_required
def publish(process_id: str):
    """Validate on the server and store a new immutable version (the draft is kept on refusal)."""
    try:
        result = modeling.publish(current_user, process_id, *_json_body())
    except DomainError as exc:
        return _json_error(exc)
    commit()  # the draft is saved even when publishing is refused
    if result.version is None:
        problems = [diagram_problems.said(p) for p in result.problems]
        body = {"published": False, "problems": problems, "token": modeling.edit_token(process_id)}
        return jsonify(body), 422
    if result.created:
        flash(_("Version %(n)s was published.", n=result.version.number), "success")
    else:
        flash(
            _("Nothing changed: version %(n)s already has this content.", n=result.version.number),
            "success",
        )
    return jsonify(
        {
            "published": True,
            "created": result.created,
            "version": result.version.number,
            "url": url_for("processes.detail", process_id=process_id),
        }
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
        return _json_error(exc)
    return jsonify(conversion.report(result))


@bp.post("/<process_id>/draft/discard")
@login_required
def discard_draft(process_id: str):
    """Throw the draft away."""
    if modeling.discard_draft(current_user, process_id):
        flash(_("The draft was discarded."), "success")
    commit()
    if processes.latest_version(process_id) is None:  # a new process's draft: nothing is left
        return redirect(url_for("processes.index"))
    return redirect(url_for("processes.detail", process_id=process_id))


@bp.get("/<process_id>/versions/<int:number>")
@login_required
def version_view(process_id: str, number: int):
    """A published version, read-only in the viewer."""
    _owner_only("view", process_id)
    found = modeling.version(process_id, number)
    return render_template("processes/version.html", process_id=process_id, version=found)


@bp.get("/<process_id>/versions/<int:number>.bpmn")
@login_required
def version_xml(process_id: str, number: int):
    """The stored BPMN of a version; with ?labels=reader, as the viewer shows it (names in the
    reader's language, lanes as departments)."""
    _owner_only("view", process_id)
    found = modeling.version(process_id, number)
    if request.args.get("labels") == "reader":
        return Response(diagrams.reader_xml(found, current_locale()), mimetype="application/xml")
    return Response(found.xml, mimetype="application/xml")


@bp.get("/<process_id>/diff")
@login_required
def diff(process_id: str):
    """The elements added, removed and changed between two versions."""
    _owner_only("view", process_id)
    found = modeling.versions(process_id)
    numbers = [v.number for v, _n in found]
    a = limits.record_id(request.args.get("a")) or (numbers[1] if len(numbers) > 1 else numbers[0])
    b = limits.record_id(request.args.get("b")) or numbers[0]
    old, new = modeling.version(process_id, a), modeling.version(process_id, b)
    return render_template(
        "processes/diff.html",
        process_id=process_id,
        numbers=numbers,
        old=old,
        new=new,
        changes=version_diff.present(version_diff.diff_versions(old, new), current_locale()),
    )


@bp.post("/<process_id>/migrations")
@login_required
def migrate(process_id: str):
    """A dry run (default) or the real migration of running instances to the newest version."""
    latest = modeling.versions(process_id)[0][0]
    raw = request.form.get("to_version_id", "").strip()
    # No choice means the newest version; a choice that names no version is refused (404).
    target = (limits.record_id(raw) or 0) if raw else latest.id
    if request.form.get("mode") == "apply":
        batch = _migrations().apply(current_user, process_id, target)
        message = _(
            "%(m)s instances migrated, %(r)s stayed on their version.",
            m=batch.migrated,
            r=batch.refused,
        )
    else:
        batch = _migrations().dry_run(current_user, process_id, target)
        message = _(
            "Dry run: %(m)s instances can migrate, %(r)s cannot. Nothing was changed.",
            m=batch.migrated,
            r=batch.refused,
        )
    commit()
    flash(message, "success")
    return redirect(url_for("processes.batch", process_id=process_id, batch_id=batch.id))


@bp.get("/<process_id>/migrations/<int:batch_id>")
@login_required
def batch(process_id: str, batch_id: int):
    """One migration run: each instance, migrated or why not, with revert buttons."""
    _owner_only("view", process_id)
    found = _migrations().get_batch(batch_id)
    from app.core.processes import migration_reasons  # the engine's migration, as above

    return render_template(
        "processes/batch.html",
        process_id=process_id,
        batch=found,
        reasons=lambda text: migration_reasons.sentences(text, current_locale()),
    )


@bp.post("/migrations/<int:migration_id>/revert")
@login_required
def revert(migration_id: int):
    """Put one migrated instance back on its old version and state."""
    item = _migrations().revert(current_user, migration_id)
    commit()
    flash(_("The instance is back on version %(n)s.", n=item.from_version.number), "success")
    return redirect(
        url_for("processes.batch", process_id=item.batch.process_id, batch_id=item.batch_id)
    )
