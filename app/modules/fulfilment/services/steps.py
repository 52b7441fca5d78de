"""Milestone steps (工序节点) of an order line: the product's own, else the default list of the
`PROGRESS_STEPS` setting. Each step has an equal share of the line's hours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from flask import current_app

from app.extensions import db
from app.i18n import current_locale
from app.modules.fulfilment.models import ProgressStep
from app.modules.orders.models import OrderLine


@dataclass(frozen=True)
class Step:
    """One milestone step: its key, names, and share of the line's hours."""

    key: str
    name: str
    name_zh: str
    share: Fraction

    @property
    def label(self) -> str:
        """The step's name in the reader's language."""
        return self.name_zh if current_locale().startswith("zh") else self.name


def _equal(rows: list[tuple[str, str, str]]) -> list[Step]:
    share = Fraction(1, len(rows)) if rows else Fraction(0)
    return [Step(key, name, name_zh, share) for key, name, name_zh in rows]


def default_steps() -> list[Step]:
    """The default list (`PROGRESS_STEPS`: key, English, Chinese)."""
    return _equal([tuple(row) for row in current_app.config["PROGRESS_STEPS"]])


def product_steps(product_ids: Iterable[int]) -> dict[int, list[Step]]:
    """The products' own steps, in order, by product id (one statement for all of them)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(ProgressStep)
        .where(ProgressStep.product_id.in_(ids))
        .order_by(ProgressStep.product_id, ProgressStep.position, ProgressStep.id)
    )
    found: dict[int, list[tuple[str, str, str]]] = {}
    for row in rows:
        found.setdefault(row.product_id, []).append((row.key, row.name, row.name_zh))
    return {product_id: _equal(items) for product_id, items in found.items()}


def steps_by_line(lines: Iterable[OrderLine]) -> dict[int, list[Step]]:
    """Each order line's steps: its product's own (a described item: its standard product's, if
    any), else the default list."""
    lines = list(lines)
    products = {line.product_id or line.standard_product_id for line in lines} - {None}
    own = product_steps(products)
    default = default_steps()
    return {
        line.id: own.get(line.product_id or line.standard_product_id) or default for line in lines
    }


def set_product_steps(product_id: int, rows: list[tuple[str, str, str]]) -> None:
    """Replace a product's own steps with `rows` (key, English, Chinese), in order; no rows: the
    product uses the default list again. The caller checks permission and input."""
    db.session.execute(db.delete(ProgressStep).where(ProgressStep.product_id == product_id))
    db.session.add_all(
        ProgressStep(product_id=product_id, position=n, key=key, name=name, name_zh=name_zh)
        for n, (key, name, name_zh) in enumerate(rows, start=1)
    )
