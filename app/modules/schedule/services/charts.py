"""The schedule as the pages draw it: Gantt bars and the weekly load window."""

from __future__ import annotations

from app.planning import Schedule

# How many weeks of line load the schedule page and the rush preview show.
LOAD_WEEKS = 6


def gantt_bars(sched: Schedule, marks: dict[int, list[str]]) -> list[dict]:
    """The schedule as Gantt bars; `marks` adds CSS classes per order (late ones are marked)."""
    tasks = []
    for job in sched.jobs:
        classes = list(marks.get(job.order_id, []))
        if job.late:
            classes.append("og-late")
        tasks.append(
            {
                "id": f"o{job.order_id}",
                "name": f"{job.line} · {job.order_number}",
                "start": job.start.isoformat(),
                "end": job.finish.isoformat(),
                "classes": classes,
            }
        )
    return tasks


def gantt_tasks(sched: Schedule) -> list[dict]:
    """The schedule as Gantt bars (late ones marked), for assets/gantt.js."""
    return gantt_bars(sched, {})
