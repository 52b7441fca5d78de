"""Moving running instances to a newer version: a dry run or the migration, its batch, a revert."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.processes import modeling
from app.core.processes.views.processes.blueprint import bp, migration_service, owner_only
from app.core.web import commit
from app.i18n import current_locale


@bp.post("/<process_id>/migrations")
@login_required
def migrate(process_id: str):
    """A dry run (default) or the real migration of running instances to the newest version."""
    latest = modeling.versions(process_id)[0][0]
    raw = request.form.get("to_version_id", "").strip()
    # No choice means the newest version; a choice that names no version is refused (404).
    target = (limits.record_id(raw) or 0) if raw else latest.id
    if request.form.get("mode") == "apply":
        batch = migration_service().apply(current_user, process_id, target)
        message = _(
            "%(m)s instances migrated, %(r)s stayed on their version.",
            m=batch.migrated,
            r=batch.refused,
        )
    else:
        batch = migration_service().dry_run(current_user, process_id, target)
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
    owner_only("view", process_id)
    found = migration_service().get_batch(batch_id)
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
    item = migration_service().revert(current_user, migration_id)
    commit()
    flash(_("The instance is back on version %(n)s.", n=item.from_version.number), "success")
    return redirect(
        url_for("processes.batch", process_id=item.batch.process_id, batch_id=item.batch_id)
    )
