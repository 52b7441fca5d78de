"""The sealing key: configured, or a file in the instance folder made on first use."""

import hashlib
import os
from pathlib import Path

from flask import current_app

KEY_FILE = "audit_hmac_key"
MIN_KEY_LENGTH = 32


class KeyProblem(RuntimeError):
    """The configured key is unusable; the message says what to set."""


def key() -> bytes:
    """The sealing key: config AUDIT_HMAC_KEY, else instance/audit_hmac_key (made on first use).

    The file is created with mode 0600 and never copied into the database. Every worker and the
    `flask audit` commands must see the same key: on several hosts, set AUDIT_HMAC_KEY.
    """
    configured = current_app.config.get("AUDIT_HMAC_KEY")
    if configured:
        text = configured if isinstance(configured, str) else configured.decode()
        if len(text) < MIN_KEY_LENGTH:
            raise KeyProblem(
                f"AUDIT_HMAC_KEY must be at least {MIN_KEY_LENGTH} characters "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        return text.encode()
    return _instance_key(Path(current_app.instance_path) / KEY_FILE)


def _instance_key(path: Path) -> bytes:
    """Read the key file, or create it (0600, exclusively: two processes agree on one key)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(os.urandom(32).hex())
    text = path.read_text().strip()
    if len(text) < MIN_KEY_LENGTH:
        raise KeyProblem(f"{path} holds no usable key; restore it from the backup of the key.")
    return text.encode()


def key_id(secret: bytes) -> str:
    """A short name of the key (a digest, from which the key cannot be found)."""
    return hashlib.sha256(b"ordergate-audit-key:" + secret).hexdigest()[:16]
