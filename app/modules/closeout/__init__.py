"""Order close-out (订单结案): actual cost against price and plan, approvals, cost history."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the close-out pages, its process kind, listeners and step hooks."""
    from app.modules.closeout import cli, hooks, models, views  # noqa: F401  (models: tables)

    app.register_blueprint(views.bp)
    if "closeout" not in app.cli.commands:
        app.cli.add_command(cli.group)
    hooks.register()
