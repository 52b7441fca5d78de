"""Configuration read from the environment, with an embedded SQLite default."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class Config:
    """Settings for a normal run; every value can be overridden by an environment variable."""

    INSTANCE_DIR = Path(os.environ.get("ORDERGATE_INSTANCE_DIR", BASE_DIR / "instance"))
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{INSTANCE_DIR / 'ordergate.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    TIMEZONE = os.environ.get("ORDERGATE_TIMEZONE", "Asia/Shanghai")
    BABEL_DEFAULT_LOCALE = os.environ.get("ORDERGATE_DEFAULT_LOCALE", "zh_CN")
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("zh_CN", "en")
    STORAGE_DIR = Path(os.environ.get("ORDERGATE_STORAGE_DIR", INSTANCE_DIR / "uploads"))
    WORKFLOWS_DIR = Path(os.environ.get("ORDERGATE_WORKFLOWS_DIR", BASE_DIR / "workflows"))
    FORMS_DIR = Path(os.environ.get("ORDERGATE_FORMS_DIR", BASE_DIR / "forms"))
    MAX_CONTENT_LENGTH = 110 * 1024 * 1024  # a whole request: up to 10 attachments
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ORDERGATE_ATTACHMENT_MAX_MB", "10")) * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    START_WORKER = os.environ.get("ORDERGATE_WORKER", "1") == "1"
