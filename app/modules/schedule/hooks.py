"""How the schedule plugs into the core: the factory calendar's form lives on its page."""

from app.core.tasks import registry


def register() -> None:
    """Say where a calendar date, once saved, is shown."""
    registry.register_submitted_page("calendar_day", "schedule.index", anchor="#calendar")
