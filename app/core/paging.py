"""Numbered pages of a list (which page to show of how many, and where it starts) and the text
a list's search box looks for."""

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select

from app.extensions import db


@dataclass(frozen=True)
class PageWindow:
    page: int  # 1-based, within 1..pages
    pages: int  # at least 1, so an empty list is "page 1 of 1"
    offset: int  # rows before the page


def window(total: int, size: int, asked: int | None) -> PageWindow:
    """The page asked for (none: the first; past the last: the last) of `total` rows."""
    pages = max(1, math.ceil(total / size))
    page = min(asked or 1, pages)
    return PageWindow(page, pages, (page - 1) * size)


def contains(text: str) -> str:
    """A LIKE pattern for `text` anywhere, its own % and _ taken literally (escape "\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


T = TypeVar("T")


@dataclass(frozen=True)
class Listed(Generic[T]):
    """One page of a list's rows, with where it is among the pages."""

    rows: list[T]
    total: int  # rows matching the list's filters, on every page
    page: int
    pages: int


def numbered(count: Select, rows: Select, size: int, asked: int | None) -> Listed:
    """The page asked for of a list: `count` counts the matching rows, `rows` (ordered) selects
    them; the page is `size` of them at the offset the page number gives."""
    total = db.session.scalar(count) or 0
    shown = window(total, size, asked)
    found = db.session.scalars(rows.offset(shown.offset).limit(size))
    return Listed(list(found), total, shown.page, shown.pages)


def newest(entity, where: list, size: int, asked: int | None, *options) -> Listed:
    """The page asked for of `entity`'s rows matching `where`, newest (highest id) first, with
    `options` (what each row shows, loaded with the page) and how many match."""
    return numbered(
        db.select(db.func.count(entity.id)).where(*where),
        db.select(entity).where(*where).options(*options).order_by(entity.id.desc()),
        size,
        asked,
    )
