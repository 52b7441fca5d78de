"""The process owners' blueprint and what its pages share."""

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.core.processes import diagram_files, modeling
from app.core.processes import versions as processes
from app.core.web import audit_denial
from app.errors import DomainError
from app.extensions import db
from app.i18n import current_locale

bp = Blueprint("processes", __name__, url_prefix="/processes", template_folder="../../templates")


def migration_service():
    """The instance migration service, imported when used."""
    # The migration service pulls in the engine's migration utilities.
    from app.core.processes import migrations

    return migrations


def owner_only(action: str, target: str) -> None:
    """Refuse anyone who may not model processes (audited)."""
    modeling.ensure_modeler(current_user, action, target)


def wants_json() -> bool:
    """Whether the request came from the modeler's fetch rather than a form."""
    return request.accept_mimetypes.best == "application/json"


def json_error(exc: DomainError):
    """A refusal as the modeler's fetch reads it: {"error": message} with its status."""
    if exc.status == 403:
        audit_denial(exc.message)
        db.session.commit()  # keep the audited denial; the service changed nothing else
    else:
        db.session.rollback()
    return jsonify({"error": exc.message}), exc.status


def page_name(latest, draft) -> str:
    """The process's name in the reader's language: its newest version's, else its draft's."""
    if latest is not None:
        return processes.display_name(latest, current_locale())
    return modeling.draft_name(draft, current_locale())


def report_helpers(process_id: str) -> dict:
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
