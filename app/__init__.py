"""OrderGate: order approval for made-to-order factories."""

import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Config
from app.extensions import babel, csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app: config, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_path=str(Config.INSTANCE_DIR))
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    _check_environment(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if app.config["PROXY_HOPS"]:
        # Behind a reverse proxy: the client's address and scheme come from its headers.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app import core, i18n, modules  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    core.setup(app)
    modules.setup(app)

    from app.cli import register_cli

    register_cli(app)
    return app


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


MIN_SECRET_LENGTH = 32


def _check_environment(config: dict) -> None:
    """Refuse a production start without a real SECRET_KEY from the environment.

    A development run (the default, `make run`) generates a key into instance/ instead.
    """
    environment = config.get("ENVIRONMENT", "development")
    if environment not in ("development", "production"):
        raise ConfigError(
            f"ORDERGATE_ENV must be 'development' or 'production', not {environment!r}."
        )
    if environment != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(
            "ORDERGATE_ENV=production needs SECRET_KEY in the environment: a random string of at "
            f"least {MIN_SECRET_LENGTH} characters, the same for every web process "
            "(e.g. python -c 'import secrets; print(secrets.token_hex(32))'). "
            + ("SECRET_KEY is too short." if key else "SECRET_KEY is not set.")
        )


def _instance_secret(instance_dir: Path) -> str:
    """Read or create a per-installation secret so sessions survive restarts without setup."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
