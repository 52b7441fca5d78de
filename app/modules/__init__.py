"""The business domains, one package each (models, services, hooks, views, templates).

A domain registers its pages, process kinds and step hooks with the core in its `setup(app)`.
docs/ARCHITECTURE.md says how to add one.
"""

from importlib import import_module

from flask import Flask

DOMAINS = (
    "orders",
    "confirmations",
    "changes",
    "schedule",
    "rush",
    "fulfilment",
    "shipping",
    "closeout",
    "returns",
    "purchasing",
    "quotations",
)


def setup(app: Flask) -> None:
    """Set up every domain, in dependency order."""
    for name in DOMAINS:
        import_module(f"app.modules.{name}").setup(app)
