"""Fixtures of the engine tests (no Flask app: the engine is plain Python)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from builders import make_catalog

from app.engine.validation import Catalog


@pytest.fixture(autouse=True)
def _app_context() -> Iterator[None]:
    """Overrides the root autouse fixture: engine tests need no app, database or context."""
    yield


@pytest.fixture
def catalog() -> Catalog:
    """The departments, forms and roles the test diagrams may use."""
    return make_catalog()
