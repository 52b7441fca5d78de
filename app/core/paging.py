"""Numbered pages of a list: which page to show of how many, and where it starts."""

import math
from dataclasses import dataclass


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
