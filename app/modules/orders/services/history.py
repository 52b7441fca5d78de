"""An order's history: its completed steps with what was submitted, as a reader may see it."""

from typing import Any

from app.core.processes import forms
from app.core.tasks import completion
from app.core.tasks.models import HumanTask
from app.core.users import permissions
from app.modules.orders.services.orders import order_tasks


def order_history(
    order_id: int | None, viewer: Any, locale: str, tasks: list[HumanTask] | None = None
) -> list[dict]:
    """Completed steps of the order with their submitted data, as this reader may see them;
    `tasks` are the order's tasks when the caller has read them (`order_tasks`)."""
    if order_id is None:
        return []
    tasks = order_tasks(order_id) if tasks is None else tasks
    done = [task for task in tasks if task.state == "completed"]
    documents = completion.form_documents(done)  # one read, not one per step
    steps = []
    for task in done:
        doc = documents.get(task.form_version_id)
        data = completion.submitted_data(task)
        fields = forms.field_views(doc, locale, data) if doc else []
        steps.append({"task": task, "fields": permissions.visible_fields(viewer, fields)})
    return steps
