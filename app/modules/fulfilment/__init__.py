"""Order fulfilment (订单履行): production progress, the fulfilment process, late orders."""

from flask import Flask


def setup(app: Flask) -> None:
    """Register the fulfilment pages, the process kind and the order-page panels."""
    from app.modules.fulfilment import cli, hooks, models, views  # noqa: F401  (models: tables)

    app.register_blueprint(views.bp)
    if "fulfilment" not in app.cli.commands:
        app.cli.add_command(cli.group)
    hooks.register()
