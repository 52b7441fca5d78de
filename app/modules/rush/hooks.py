"""How rush requests plug into the core: the rush process's kind, the decision steps (the
impact is recomputed under the plan lock on "approve"), the task-page panels with the live
impact, and where a rush form's result is shown."""

from app.core.tasks import registry
from app.core.tasks.models import HumanTask
from app.core.tasks.registry import Panel, TaskPage
from app.modules.rush.services import rush


def _task_panels(task: HumanTask, page: TaskPage) -> list[Panel]:
    found = rush.for_instance(task.instance_id)
    if found is None:
        return []
    live = rush.live(found)
    context = {"r": found, "preview": live.preview, "problem": live.problem}
    assets = {"styles": ("gantt.css",), "scripts": ("gantt.js",)}
    return [
        Panel("before_form", "rush/_task_panel.html", context, 30, **assets),
        Panel("in_form", "rush/_task_form.html", {"preview": live.preview}, 10),
    ]


def register() -> None:
    """Plug rush requests into the core."""
    registry.register(rush.KIND, on_outcome=rush.on_outcome, on_cancel=rush.on_cancelled)
    registry.register_step(
        tuple(rush.DECISION_STEPS),
        check=rush.check_decision,
        apply=lambda task, data, extra, actor: rush.record_preview(task, extra),
    )
    registry.register_task_panels(_task_panels)
    registry.register_submitted_page("rush_request", "rush.detail", "rush_id")
