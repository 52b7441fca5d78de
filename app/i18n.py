"""Language and time-zone selection, and date formatting helpers for templates."""

from datetime import UTC, datetime

from flask import current_app, has_request_context, session
from flask_babel import format_datetime, get_locale
from flask_login import current_user


def select_locale() -> str:
    """Pick the language: header switch, then the user's choice, then the installation default."""
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = session.get("lang")
        if chosen in languages:
            return chosen
        if current_user and current_user.is_authenticated and current_user.locale in languages:
            return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Show times in the configured time zone (stored times are UTC)."""
    return current_app.config["TIMEZONE"]


def current_locale() -> str:
    """The active locale as a string such as 'zh_CN' or 'en'."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Format an aware UTC datetime in the configured zone."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, fmt)
