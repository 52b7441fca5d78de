"""The purchasing blueprint and what its pages share."""

from flask import Blueprint
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from app.core.users import permissions
from app.errors import PermissionDenied

bp = Blueprint("purchasing", __name__, url_prefix="/purchasing", template_folder="../templates")


def require_department() -> None:
    """Purchasing pages are for department members (and admins)."""
    if not (permissions.has_department(current_user) or permissions.is_admin(current_user)):
        raise PermissionDenied(_("Only members of a department see purchasing."))


@bp.app_template_filter("pu_qty")
def pu_qty(value) -> str:
    """A quantity in the reader's number format, with the places it has."""
    return "" if value is None else format_decimal(value, format="#,##0.###")
