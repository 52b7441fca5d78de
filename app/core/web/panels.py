"""Panels on a page: what domains contribute (app/core/tasks/registry.py `Panel`), rendered."""

from flask import render_template
from markupsafe import Markup

from app.core.tasks.registry import Panel


def shown(panel: Panel) -> dict:
    """A domain's panel, rendered: its template with its context, or its text."""
    html = Markup(render_template(panel.template, **panel.context)) if panel.template else ""
    return {"html": html, "text": panel.text}


def assets(panels: list[Panel]) -> dict:
    """The `styles` and `scripts` (app/static/dist files) these panels need, each once."""
    return {
        "styles": list(dict.fromkeys(name for panel in panels for name in panel.styles)),
        "scripts": list(dict.fromkeys(name for panel in panels for name in panel.scripts)),
    }


def page_context(found: dict[str, list[Panel]]) -> dict:
    """What a page's template needs to show these panels: `panels` (rendered, by slot) and the
    `styles` and `scripts` they need."""
    return {
        "panels": {slot: [shown(panel) for panel in panels] for slot, panels in found.items()},
        **assets([panel for slot in found.values() for panel in slot]),
    }
