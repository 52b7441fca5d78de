"""Language and time-zone selection, and date formatting helpers for templates."""

from datetime import UTC, datetime
from decimal import Decimal

from flask import current_app, has_request_context, session
from flask_babel import format_currency, format_datetime, format_percent, get_locale
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


def money(value: Decimal | int | float | None, currency: str, signed: bool = False) -> str:
    """An amount with its currency code, in the reader's number format ("CNY 25,500.00");
    `signed` writes a plus before a gain. The currency's own decimals (JPY none)."""
    if value is None:
        return ""
    pattern = "¤¤\u00a0+#,##0.00;¤¤\u00a0-#,##0.00" if signed else "¤¤\u00a0#,##0.00"
    return format_currency(value, currency, format=pattern, currency_digits=True)


def percent(value: Decimal | float | None, signed: bool = False) -> str:
    """A percentage given in percent, in the reader's number format: signed with one decimal
    ("+20.0%"), else with the decimals it has (10 -> "10%", 12.5 -> "12.5%")."""
    if value is None:
        return ""
    pattern = "+#,##0.0%;-#,##0.0%" if signed else "#,##0.##%"
    return format_percent(Decimal(str(value)) / 100, format=pattern)
