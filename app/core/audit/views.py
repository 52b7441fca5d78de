"""The admin's audit page (/admin/audit): filters, paging and a streamed CSV export."""

import csv
import io
from collections.abc import Iterator
from functools import wraps
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import limits
from app.core.audit import listing
from app.core.audit import services as audit
from app.core.users import permissions
from app.core.web import commit
from app.errors import PermissionDenied

bp = Blueprint("audit", __name__, url_prefix="/admin/audit", template_folder="templates")

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def audit_reader_required(view):
    """Only those `permissions.may_read_audit` allows; anyone else gets 403, recorded."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not permissions.may_read_audit(current_user):
            audit.record(current_user, "denied.audit", "page", request.path, ip=request.remote_addr)
            raise PermissionDenied(_("Only administrators read the audit trail."))
        return view(*args, **kwargs)

    return wrapper


@bp.get("")
@audit_reader_required
def index():
    """The audit trail, newest first, filtered by the query string."""
    flt = listing.parse_filter(request.args)
    before = limits.record_id(request.args.get("before"))
    found = listing.page(flt, before)
    return render_template(
        "audit/index.html",
        flt=flt,
        rows=found.rows,
        next_before=found.next_before,
        paged=before is not None,
        users=listing.users(),
        hints=listing.ACTION_HINTS,
        no_user=listing.NO_USER,
    ), (400 if flt.errors else 200)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_lines(
    rows: Iterator[listing.AuditRow], labels: list[str], yes_no: tuple[str, str], zone: ZoneInfo
) -> Iterator[str]:
    """The CSV text, line by line. Runs after the view returned: everything that needs the
    signed-in user (labels in their language) is worked out before."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(v) for v in values])
        return buffer.getvalue()

    # The byte-order mark makes spreadsheet programs read the Chinese text as UTF-8.
    yield "\ufeff" + line(labels)
    for row in rows:
        yield line(
            [
                row.id,
                row.at.isoformat(),
                row.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                row.username,
                row.user_name,
                row.action,
                row.object_type,
                row.object_id,
                row.subject_type,
                row.subject_key,
                row.reference,
                row.instance_id,
                row.ip,
                row.data,
                yes_no[0] if row.sealed else yes_no[1],
            ]
        )


def _export_rows(app: Flask, flt: listing.AuditFilter) -> Iterator[listing.AuditRow]:
    """The filtered rows, EXPORT_BATCH at a time. The body is sent after the view returned, when
    the request's context (and database session) is gone: each batch is read in a short app
    context of its own, closed again before its rows are handed on."""
    before = None
    while True:
        with app.app_context():
            chunk = listing.page(flt, before, listing.EXPORT_BATCH)
        yield from chunk.rows
        if chunk.next_before is None:
            return
        before = chunk.next_before


def _labels() -> list[str]:
    return [
        _("Id"),
        _("Time (UTC)"),
        _("Local time"),
        _("User name"),
        _("Name"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Subject type"),
        _("Subject id"),
        _("Reference"),
        _("Process instance"),
        _("Address"),
        _("Data"),
        _("Sealed"),
    ]


@bp.get("/export.csv")
@audit_reader_required
def export():
    """Every row the filters select, as CSV, streamed in batches (no cap, little memory)."""
    flt = listing.parse_filter(request.args)
    if flt.errors:
        return index()
    audit.record(
        current_user,
        "audit.export",
        "audit_event",
        None,
        data=flt.query_args(),
        ip=request.remote_addr,
    )
    commit()  # the export itself is audited before the first byte goes out
    return Response(
        _csv_lines(
            _export_rows(current_app._get_current_object(), flt),
            _labels(),
            (_("yes"), _("no")),
            ZoneInfo(current_app.config["TIMEZONE"]),
        ),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
