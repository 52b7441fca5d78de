"""Configuration read from the environment, with an embedded SQLite default."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _int(name: str, default: int, minimum: int = 1) -> int:
    """A whole-number setting from the environment; a wrong value stops the start with its name."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise RuntimeError(f"{name} must be a whole number of at least {minimum}, not {raw!r}.")
    return int(raw)


def _rates(name: str) -> dict[str, str]:
    """Exchange rates from the environment, e.g. "USD=7.1,EUR=7.8" (CNY per unit); a wrong entry
    stops the start with its name rather than leaving a currency silently without a rate."""
    rates: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in os.environ.get(name, "").split(","))):
        code, _, value = entry.partition("=")
        code, value = code.strip().upper(), value.strip()
        try:
            valid = len(code) == 3 and code.isalpha() and 0 < float(value) < 1e6
        except ValueError:
            valid = False
        if not valid:
            raise RuntimeError(f"{name} takes CODE=rate pairs such as USD=7.1, not {entry!r}.")
        rates[code] = value
    return rates


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


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
    # Office hours in the factory's zone: due dates and timers on user tasks count working time
    # inside them, on the factory's working days (docs/DEADLINES.md).
    OFFICE_HOURS = os.environ.get("ORDERGATE_OFFICE_HOURS", "08:00-12:00,13:00-17:30")
    # Endpoints a service task's `http` connector may call, by name (JSON: {"erp": "https://..."}),
    # and its timeout in seconds (docs/ENGINE_CONTRACT.md, "Connectors").
    HTTP_ENDPOINTS = os.environ.get("ORDERGATE_HTTP_ENDPOINTS", "{}")
    HTTP_TIMEOUT = float(os.environ.get("ORDERGATE_HTTP_TIMEOUT", "5"))
    LANGUAGES = ("zh_CN", "en")
    STORAGE_DIR = Path(os.environ.get("ORDERGATE_STORAGE_DIR", INSTANCE_DIR / "uploads"))
    WORKFLOWS_DIR = Path(os.environ.get("ORDERGATE_WORKFLOWS_DIR", BASE_DIR / "workflows"))
    FORMS_DIR = Path(os.environ.get("ORDERGATE_FORMS_DIR", BASE_DIR / "forms"))
    MAX_CONTENT_LENGTH = 110 * 1024 * 1024  # a whole request: up to 10 attachments
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ORDERGATE_ATTACHMENT_MAX_MB", "10")) * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    # "production" refuses to start without SECRET_KEY; anything else is a development run.
    ENVIRONMENT = os.environ.get("ORDERGATE_ENV", "development").strip().lower()
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Behind HTTPS, browsers must send the cookies over HTTPS only.
    SESSION_COOKIE_SECURE = _flag("ORDERGATE_SECURE_COOKIES")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted.
    PROXY_HOPS = _int("ORDERGATE_PROXY_HOPS", 0, minimum=0)
    # A signed-in browser unused this long must log in again.
    SESSION_IDLE_DAYS = _int("ORDERGATE_SESSION_IDLE_DAYS", 30)
    # Failed log-ins: per account name and per client address, counted in the database.
    LOGIN_WINDOW_MINUTES = _int("ORDERGATE_LOGIN_WINDOW_MINUTES", 15)
    LOGIN_LOCKOUT_MINUTES = _int("ORDERGATE_LOGIN_LOCKOUT_MINUTES", 15)
    LOGIN_ACCOUNT_FAILURES = _int("ORDERGATE_LOGIN_ACCOUNT_FAILURES", 5)
    LOGIN_ADDRESS_FAILURES = _int("ORDERGATE_LOGIN_ADDRESS_FAILURES", 30)
    START_WORKER = os.environ.get("ORDERGATE_WORKER", "1") == "1"
    # Production progress (docs/FULFILMENT.md): the default milestone steps of an order line
    # (key, English, Chinese), for products without steps of their own; each has an equal share
    # of the line's hours. An order finishing within LATE_RISK_DAYS working days of its promised
    # date is "at risk".
    PROGRESS_STEPS = (
        ("material", "Material ready", "备料完成"),
        ("cutting", "Cutting", "下料"),
        ("assembly", "Assembly", "装配"),
        ("inspection", "Inspection", "检验"),
        ("packing", "Packing", "包装"),
    )
    LATE_RISK_DAYS = _int("ORDERGATE_LATE_RISK_DAYS", 2, minimum=0)
    # CNY per unit of a foreign currency, captured on an order when its customer confirms it
    # (close-out revenue, the return limit in CNY). A currency without a rate is entered by hand.
    EXCHANGE_RATES = _rates("ORDERGATE_EXCHANGE_RATES")
    # Quotations (docs/QUOTATIONS.md): a line is flagged below this margin (% of its price), or
    # more than QUOTATION_BELOW_PAST_PCT % below the median of the customer's last five prices
    # for the product; a flagged quotation needs approval before it is sent.
    QUOTATION_MIN_MARGIN_PCT = _int("ORDERGATE_QUOTATION_MIN_MARGIN_PCT", 15, minimum=0)
    QUOTATION_BELOW_PAST_PCT = _int("ORDERGATE_QUOTATION_BELOW_PAST_PCT", 15, minimum=0)
    # The key that seals the audit chain; never stored in the database. Unset: a key file
    # instance/audit_hmac_key (mode 0600) is made on first use. Several hosts: set it here.
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY") or None

    # Notification mail (app/core/notifications/mail/, docs/NOTIFICATIONS.md). No MAIL_HOST:
    # no mail is queued or sent (the bell still works).
    MAIL_HOST = os.environ.get("MAIL_HOST", "").strip()
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_TLS = _flag("MAIL_TLS")  # SMTPS from the first byte (usually port 465)
    MAIL_STARTTLS = _flag("MAIL_STARTTLS")  # plain connection upgraded (usually port 587)
    MAIL_USER = os.environ.get("MAIL_USER", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "OrderGate <ordergate@localhost>")
    MAIL_BASE_URL = os.environ.get("MAIL_BASE_URL", "")  # e.g. https://ordergate.example.com
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 20)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_SECONDS = _int("MAIL_RETRY_SECONDS", 60)  # first back-off; it doubles per failure
    MAIL_DIGEST_HOUR = _int("MAIL_DIGEST_HOUR", 8, minimum=0)  # in TIMEZONE, 0-23
    if MAIL_DIGEST_HOUR > 23:
        raise RuntimeError(f"MAIL_DIGEST_HOUR must be 0 to 23, not {MAIL_DIGEST_HOUR}.")
