"""An order's history: its completed steps with what was submitted, as a reader may see it."""

from typing import Any

from app.core.processes import forms
from app.core.tasks import completion
from app.core.users import permissions
from app.modules.orders.services.orders import order_tasks


def order_history(order_id: int | None, viewer: Any, locale: str) -> list[dict]:
    """Completed steps of the order with their submitted data, as this reader may see them."""
    if order_id is None:
        return []
    steps = []
    for task in order_tasks(order_id):
        if task.state != "completed":
            continue
        doc = completion.form_document(task)
        data = completion.submitted_data(task)
        fields = forms.field_views(doc, locale, data) if doc else []
        steps.append({"task": task, "fields": permissions.visible_fields(viewer, fields)})
    return steps
