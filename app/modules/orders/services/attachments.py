"""Files attached to orders: checked for size and type, stored under the storage directory."""

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.users import permissions
from app.core.users.models import User
from app.errors import NotFound
from app.extensions import db
from app.modules.orders.models import Attachment, Order
from app.modules.orders.services import access
from app.modules.orders.services import subject as order_subject

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
# Extension -> (content type, magic prefixes or None when the format has no reliable signature).
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".dwg": ("application/acad", (b"AC10",)),
    ".dxf": ("image/vnd.dxf", None),
    ".step": ("application/step", (b"ISO-10303-21",)),
    ".stp": ("application/step", (b"ISO-10303-21",)),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".txt": ("text/plain", None),
}
SCAN_TYPES = (".pdf", ".png", ".jpg", ".jpeg")


@dataclass
class Upload:
    """A checked upload, held in memory until the order exists."""

    file_name: str
    content_type: str
    content: bytes


def _storage_dir() -> Path:
    path = Path(current_app.config["STORAGE_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


# Attachment.file_name holds this many characters: a longer name is refused, never cut.
NAME_LENGTH = 255


def human_size(size: int) -> str:
    """A byte count as people read it: 10 MB, 512 KB."""
    if size >= 2**20:
        return f"{size / 2**20:g} MB"
    return f"{max(1, round(size / 1024))} KB"


def check_upload(file, errors: dict[str, str], key: str, allowed=tuple(ALLOWED)) -> Upload | None:
    """Read one uploaded file and check its name, size and type; errors go under `key`."""
    name = Path((file.filename or "").replace("\\", "/")).name.strip()
    suffix = Path(name).suffix.lower()
    if not name:
        return None
    if len(name) > NAME_LENGTH:
        errors[key] = _(
            "The file name “%(name)s…” is longer than %(n)s characters; rename the file.",
            name=name[:40],
            n=NAME_LENGTH,
        )
        return None
    if suffix not in allowed:
        errors[key] = _(
            "“%(name)s” is not an allowed file type. Allowed: %(types)s.",
            name=name,
            types=", ".join(sorted(allowed)),
        )
        return None
    limit = current_app.config.get("ATTACHMENT_MAX_BYTES", MAX_BYTES)
    content = file.stream.read(limit + 1)
    if len(content) > limit:
        errors[key] = _(
            "“%(name)s” is larger than the limit of %(limit)s.", name=name, limit=human_size(limit)
        )
        return None
    if not content:
        errors[key] = _("“%(name)s” is empty.", name=name)
        return None
    content_type, magic = ALLOWED[suffix]
    if magic and not content.startswith(magic):
        errors[key] = _("“%(name)s” does not look like a %(ext)s file.", name=name, ext=suffix)
        return None
    return Upload(name, content_type, content)


def check_uploads(files, errors: dict[str, str]) -> list[Upload]:
    """Check every file of a multi-file field named `attachments`."""
    files = [f for f in files if f and f.filename]
    if len(files) > MAX_FILES:
        errors["attachments"] = _("Attach at most %(n)s files at once.", n=MAX_FILES)
        return []
    uploads = [check_upload(f, errors, "attachments") for f in files]
    return [u for u in uploads if u is not None]


def store(order: Order, upload: Upload, actor: User | None, kind: str = "document") -> Attachment:
    """Write the file under a random name and record it on the order."""
    stored_name = secrets.token_hex(16) + Path(upload.file_name).suffix.lower()
    (_storage_dir() / stored_name).write_bytes(upload.content)
    attachment = Attachment(
        order=order,
        kind=kind,
        file_name=upload.file_name,
        stored_name=stored_name,
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        actor,
        "attachment.add",
        "attachment",
        attachment.id,
        subject=order_subject.ref(order),
        data={"file": upload.file_name, "size": attachment.size, "kind": kind},
    )
    return attachment


def get_attachment(
    order_id: int, attachment_id: int, viewer: User, ip: str | None = None
) -> tuple[Attachment, Path]:
    """An order's attachment and the path of its file; a priced one only for price readers."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.order_id != order_id:
        raise NotFound(_("This file does not exist."))
    if attachment.kind in permissions.PRICED_ATTACHMENT_KINDS:
        access.require_prices(viewer, attachment.order, "attachment_read", ip)
    path = _storage_dir() / attachment.stored_name
    if not path.is_file():
        raise NotFound(_("The file is missing from the storage directory."))
    return attachment, path


def attach(
    order: Order, uploads: list[Upload], actor: User, ip: str | None = None
) -> list[Attachment]:
    """Sales attaches more files (drawings, specs) to an order; anyone else is refused."""
    access.require_sales(actor, order, "attachment_add", ip)
    return [store(order, upload, actor) for upload in uploads]
