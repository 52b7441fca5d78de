"""Cookie and start-up settings: secure cookies behind HTTPS, no production run without a key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import ConfigError, create_app

ROOT = Path(__file__).resolve().parents[2]
LONG_KEY = "k" * 40


def run_app(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Build the app in a fresh interpreter with exactly these ORDERGATE settings."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ORDERGATE_") and k not in ("SECRET_KEY", "DATABASE_URL")
    }
    clean |= {"ORDERGATE_INSTANCE_DIR": str(tmp_path), **env}
    code = (
        "from app import create_app; a = create_app(); "
        "print(a.config['SESSION_COOKIE_SECURE'], a.config['REMEMBER_COOKIE_SECURE'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_a_development_run_needs_nothing_and_secure_cookies_are_a_setting(tmp_path):
    plain = run_app(tmp_path / "dev")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split() == ["False", "False"]
    assert (tmp_path / "dev" / "secret_key").exists()  # generated for the development run
    secure = run_app(tmp_path / "https", ORDERGATE_SECURE_COOKIES="1")
    assert secure.returncode == 0, secure.stderr
    assert secure.stdout.split() == ["True", "True"]


def test_production_refuses_to_start_without_secret_key_in_the_environment(tmp_path):
    refused = run_app(tmp_path / "a", ORDERGATE_ENV="production")
    assert refused.returncode != 0
    assert "ORDERGATE_ENV=production needs SECRET_KEY" in refused.stderr
    assert not (tmp_path / "a" / "secret_key").exists()


def test_production_starts_with_a_long_enough_key():
    started = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "ENVIRONMENT": "production",
            "SECRET_KEY": LONG_KEY,
        }
    )
    assert started.config["SECRET_KEY"] == LONG_KEY


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ENVIRONMENT": "production", "SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"ENVIRONMENT": "production", "SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"ENVIRONMENT": "staging"}, "ORDERGATE_ENV must be"),
    ],
)
def test_unsafe_settings_stop_the_start_with_a_clear_error(settings, message):
    with pytest.raises(ConfigError, match=message):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})


def test_secure_cookies_are_sent_with_the_secure_flag(app, client, make_user, password):
    user = make_user("sales")
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = client.post(
            "/login",
            data={"username": user.username, "password": password},
            base_url="https://localhost",
        )
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert response.status_code == 302
    header = response.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_the_security_headers_stay(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_behind_a_proxy_the_forwarded_address_and_scheme_are_used(app):
    proxied = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": False,
            "START_WORKER": False,
            "PROXY_HOPS": 1,
        }
    )
    seen = {}

    @proxied.get("/_whoami")
    def whoami():
        from flask import request

        seen["addr"], seen["scheme"] = request.remote_addr, request.scheme
        return ""

    proxied.test_client().get(
        "/_whoami", headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    )
    assert seen == {"addr": "198.51.100.7", "scheme": "https"}
