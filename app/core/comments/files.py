"""Files attached to comments: checked (count, name, size, type by extension and content),
then stored under `STORAGE_DIR/notes/` by a random name (the backup takes the whole folder)."""

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024  # per file; the app config COMMENT_FILE_MAX_BYTES overrides it
NAME_LIMIT = 255
FOLDER = "notes"
# Extension -> (content type, what the content starts with, or None for plain text).
TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK",)),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
}


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, held in memory until its note is saved."""

    file_name: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def limit_bytes() -> int:
    """The largest file a comment may carry, in bytes."""
    return int(current_app.config.get("COMMENT_FILE_MAX_BYTES", MAX_BYTES))


def shown_size(size: int) -> str:
    """A byte count as people read it."""
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{max(1, round(size / 1024))} KB"


def _check_one(upload, errors: dict[str, str]) -> CheckedFile | None:
    name = Path((upload.filename or "").replace("\\", "/")).name.strip()
    suffix = Path(name).suffix.lower()
    if len(name) > NAME_LIMIT:
        errors["files"] = _("A file name is longer than %(n)s characters.", n=NAME_LIMIT)
        return None
    if suffix not in TYPES:
        errors["files"] = _(
            "“%(name)s” is not a file type comments take. Allowed: %(types)s.",
            name=name,
            types=", ".join(sorted(TYPES)),
        )
        return None
    limit = limit_bytes()
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        errors["files"] = _(
            "“%(name)s” is larger than %(limit)s.", name=name, limit=shown_size(limit)
        )
        return None
    if not content:
        errors["files"] = _("“%(name)s” is empty.", name=name)
        return None
    content_type, starts = TYPES[suffix]
    if starts is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            starts = ()
    if starts is not None and not any(content.startswith(s) for s in starts):
        errors["files"] = _("“%(name)s” is not really a %(ext)s file.", name=name, ext=suffix)
        return None
    return CheckedFile(name, content_type, content)


def check(uploads, errors: dict[str, str]) -> list[CheckedFile]:
    """Check the files of one comment; problems go to errors["files"]."""
    chosen = [u for u in uploads if u and u.filename]
    if len(chosen) > MAX_FILES:
        errors["files"] = _("Attach at most %(n)s files to one comment.", n=MAX_FILES)
        return []
    checked = [_check_one(u, errors) for u in chosen]
    return [c for c in checked if c is not None] if "files" not in errors else []


def folder() -> Path:
    """Where comment files are kept (created on first use)."""
    path = Path(current_app.config["STORAGE_DIR"]) / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(checked: CheckedFile) -> str:
    """Write the file under a random name; returns that name."""
    stored = secrets.token_hex(16) + Path(checked.file_name).suffix.lower()
    (folder() / stored).write_bytes(checked.content)
    return stored


def path_of(stored_name: str) -> Path | None:
    """The stored file, or None if it is missing."""
    path = folder() / Path(stored_name).name
    return path if path.is_file() else None
