"""The modeler: its page and diagram, saving the draft, publishing a version, discarding."""

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app.core.processes import diagram_files, diagram_problems, modeling
from app.core.processes import versions as processes
from app.core.processes.views.processes.blueprint import (
    bp,
    json_error,
    owner_only,
    page_name,
    report_helpers,
)
from app.core.web import commit
from app.errors import DomainError
from app.i18n import current_locale


@bp.get("/<process_id>/edit")
@login_required
def edit(process_id: str):
    """The modeler: bpmn-js with this product's properties panel group and live lint."""
    owner_only("edit", process_id)
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
        name=page_name(latest, draft),
        latest=latest,
        draft=draft,
        config=config,
        report=diagram_files.grouped(diagram_files.report_of(draft)),
        **report_helpers(process_id),
    )


@bp.get("/<process_id>/modeler.bpmn")
@login_required
def modeler_xml(process_id: str):
    """The diagram the modeler opens: the draft, else the newest version."""
    owner_only("edit", process_id)
    return Response(modeling.modeler_xml(process_id), mimetype="application/xml")


def _json_body() -> tuple[object, object, object]:
    """The diagram, the edit token and what the owner removed knowingly, as the modeler posted
    them; no list means nothing was removed (the server compares every save)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, None, []
    removed = body.get("removed")
    return body.get("xml"), body.get("token"), [] if removed is None else removed


@bp.post("/<process_id>/draft")
@login_required
def save_draft(process_id: str):
    """Save the modeler's diagram as the draft, as it is (errors included)."""
    try:
        draft = modeling.save_draft(current_user, process_id, *_json_body())
    except DomainError as exc:
        return json_error(exc)
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
        return json_error(exc)
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
