"""Milestone steps (工序节点) of an order line: the product's own, else the default list of the
`PROGRESS_STEPS` setting. Each step has an equal share of the line's hours."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from flask import current_app
from flask_babel import gettext as _

from app import limits
from app.core.audit import services as audit
from app.core.users import permissions
from app.core.users.models import User
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.i18n import current_locale
from app.modules.fulfilment.models import ProgressStep
from app.modules.orders.models import OrderLine, Product


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


MAX_STEPS = 20
_KEY = re.compile(r"[a-z0-9_]{1,40}")


def steps_text(product_id: int) -> str:
    """A product's own steps as the form shows them: "key, English, 中文" per line."""
    own = product_steps([product_id]).get(product_id, [])
    return "\n".join(f"{s.key}, {s.name}, {s.name_zh}" for s in own)


def save_product_steps(actor: User, product_id: int, text: str) -> list[Step]:
    """Replace a product's own milestone steps from the form's text (one "key, English, 中文" a
    line; empty: the default list again). Engineering, production or an admin; audited."""
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(_("This product does not exist."))
    if not permissions.may_edit_products(actor):
        audit.record(actor, "denied.progress_steps", "product", product.id)
        raise PermissionDenied(_("Only engineering or production sets a product's steps."))
    errors: dict[str, str] = {}
    text = limits.check_text(text, "notes", errors, "steps")
    rows: list[tuple[str, str, str]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 3 or not _KEY.fullmatch(parts[0]) or not all(parts[1:]):
            errors["steps"] = _(
                'Line %(n)s: write "key, English name, Chinese name"; the key in lower-case '
                "letters, digits or _ (at most 40).",
                n=number,
            )
            break
        if any(len(part) > 100 for part in parts[1:]):
            errors["steps"] = _("Line %(n)s: a name has at most 100 characters.", n=number)
            break
        if parts[0] in {row[0] for row in rows}:
            errors["steps"] = _(
                "Line %(n)s: the key %(key)s is used twice.", n=number, key=parts[0]
            )
            break
        rows.append((parts[0], parts[1], parts[2]))
    if len(rows) > MAX_STEPS and "steps" not in errors:
        errors["steps"] = _("At most %(n)s steps.", n=MAX_STEPS)
    if errors:
        raise InvalidInput(errors=errors)
    set_product_steps(product.id, rows)
    audit.record(
        actor, "progress.steps", "product", product.id, data={"steps": [r[0] for r in rows]}
    )
    db.session.flush()
    return product_steps([product.id]).get(product.id) or default_steps()
