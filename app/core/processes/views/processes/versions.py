"""Processes and their published versions: the list, a process, a version and its BPMN, the diff
of two versions, and trial runs of the newest one."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.processes import diagrams, modeling, runs, version_diff
from app.core.processes import versions as processes
from app.core.processes.views.processes.blueprint import bp, migration_service, owner_only
from app.core.submissions import uniqueness
from app.core.users.models import User
from app.core.web import commit
from app.extensions import db
from app.i18n import current_locale


@bp.get("")
@login_required
def index():
    """Every process: newest version, draft, running instances (and how many on old versions)."""
    owner_only("list", "processes")
    locale = current_locale()
    new = [(d, modeling.draft_name(d, locale)) for d in modeling.new_drafts()]
    return render_template("processes/index.html", rows=modeling.summaries(), new=new)


@bp.get("/<process_id>")
@login_required
def detail(process_id: str):
    """A process's versions (who published each, when), its draft and its migrations."""
    owner_only("view", process_id)
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
        older=migration_service().running_on_older_versions(process_id),
        batches=migration_service().batches(process_id),
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


@bp.get("/<process_id>/versions/<int:number>")
@login_required
def version_view(process_id: str, number: int):
    """A published version, read-only in the viewer."""
    owner_only("view", process_id)
    found = modeling.version(process_id, number)
    return render_template("processes/version.html", process_id=process_id, version=found)


@bp.get("/<process_id>/versions/<int:number>.bpmn")
@login_required
def version_xml(process_id: str, number: int):
    """The stored BPMN of a version; with ?labels=reader, as the viewer shows it (names in the
    reader's language, lanes as departments)."""
    owner_only("view", process_id)
    found = modeling.version(process_id, number)
    if request.args.get("labels") == "reader":
        return Response(diagrams.reader_xml(found, current_locale()), mimetype="application/xml")
    return Response(found.xml, mimetype="application/xml")


@bp.get("/<process_id>/diff")
@login_required
def diff(process_id: str):
    """The elements added, removed and changed between two versions."""
    owner_only("view", process_id)
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
