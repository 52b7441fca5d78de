"""Fixtures of the engine tests (no Flask app: the engine is plain Python)."""

from __future__ import annotations

import pytest
from builders import make_catalog

from app.engine.validation import Catalog


@pytest.fixture
def catalog() -> Catalog:
    """The departments, forms and roles the test diagrams may use."""
    return make_catalog()
