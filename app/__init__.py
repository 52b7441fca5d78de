"""OrderGate: order approval for made-to-order factories."""

import secrets
from pathlib import Path

from flask import Flask

from app.config import Config
from app.extensions import babel, csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Flask app: config, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_path=str(Config.INSTANCE_DIR))
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app import i18n, models  # noqa: F401  (models register their tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    # The services that start processes register their kinds' handlers when imported.
    from app.services import changes, orders, rush  # noqa: F401
    from app.web import register_web

    register_web(app)

    from app.cli import register_cli

    register_cli(app)
    return app


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
