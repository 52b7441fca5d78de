"""Fixtures of the planning tests (no Flask app: app/planning is plain Python)."""

from collections.abc import Iterator
from datetime import date

import holidays
import pytest

from app.planning import WorkCalendar

# China's make-up working days around National Day 2026 (调休), passed in explicitly.
MAKEUP_2026 = {date(2026, 9, 20), date(2026, 10, 10)}


@pytest.fixture(autouse=True)
def _app_context() -> Iterator[None]:
    """Overrides the root autouse fixture: planning tests need no app, database or context."""
    yield


@pytest.fixture(scope="session")
def cn_2026() -> WorkCalendar:
    """China's 2026 public holidays from the holidays package, and two explicit make-up days."""
    return WorkCalendar(
        holidays=set(holidays.country_holidays("CN", years=2026)), workdays=MAKEUP_2026
    )


@pytest.fixture
def plain() -> WorkCalendar:
    """Saturday and Sunday off, no holidays."""
    return WorkCalendar()
