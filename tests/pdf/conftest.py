"""Fixtures of the PDF tests (no Flask app: app/pdf is plain Python)."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _app_context() -> Iterator[None]:
    """Overrides the root autouse fixture: PDF tests need no app, database or context."""
    yield
