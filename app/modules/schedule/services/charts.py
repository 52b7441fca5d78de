"""The schedule as the pages draw it: Gantt bars, the window the chart opens on, and the weekly
load window."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from app.planning import Schedule, ScheduledJob
from app.planning.windows import ChartWindow, chart_window

# How many weeks of line load the schedule page and the rush preview show.
LOAD_WEEKS = 6
# The views a chart offers (assets/gantt.js): the user widens or narrows the window with them.
VIEW_MODES = ("Day", "Week", "Month")
# The schedule page opens on today to the last order's finish, but on no more than this many
# days of it (late orders are shown whatever their date).
SCHEDULE_WINDOW_DAYS = 91


def gantt_bars(sched: Schedule, marks: dict[int, list[str]]) -> list[dict]:
    """The schedule as Gantt bars; `marks` adds CSS classes per order (late ones are marked).

    An order its material date holds gets a bar of its own before it (`og-waiting`, "waiting
    for material"): from the plan's start to the day before it starts.
    """
    return gantt_bars_of(sched.jobs, marks, sched.start)


def gantt_bars_of(
    jobs: Iterable[ScheduledJob], marks: dict[int, list[str]], start: date
) -> list[dict]:
    """Some jobs of a schedule starting on `start` as Gantt bars (a page of the schedule shows
    its own)."""
    tasks = []
    for job in jobs:
        if job.waits:
            tasks.append(
                {
                    "id": f"w{job.order_id}",
                    "name": f"{job.line} · {job.order_number}",
                    "start": start.isoformat(),
                    "end": (job.start - timedelta(days=1)).isoformat(),
                    "classes": ["og-waiting"],
                }
            )
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


def schedule_window(sched: Schedule, today: date) -> ChartWindow:
    """The days the schedule page's chart opens on: today to the last order's finish (at most
    SCHEDULE_WINDOW_DAYS ahead), and every late order whatever its finish."""
    return jobs_window(sched.jobs, today)


def jobs_window(jobs: Sequence[ScheduledJob], today: date) -> ChartWindow:
    """`schedule_window` of some of a schedule's jobs (the ones a page of it shows)."""
    return chart_window(
        today,
        ((job.start, job.finish) for job in jobs),
        keep=((job.start, job.finish) for job in jobs if job.late),
        bound=today + timedelta(days=SCHEDULE_WINDOW_DAYS),
    )


def chart(tasks, window: ChartWindow) -> dict:
    """A chart's data block for assets/gantt.js (the template adds the language and labels)."""
    return {"tasks": list(tasks), "view_modes": list(VIEW_MODES), "window": window.as_json()}
