"""What an inbox page asks for, parsed from its query string and checked value by value.

A bad value (an unknown sort column, a page size out of range, a search longer than the bound)
never fails the page: it is replaced by the default and reported in `errors`, in the reader's
language, so the page says what it ignored. The parsed query writes itself back as a query
string (`to_args`), which is also what a saved view stores.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from flask_babel import gettext as _

from app import limits

SORTS = (
    "reference",
    "customer",
    "step",
    "amount",
    "promised",
    "priority",
    "waiting",
    "due",
    "claimed",
)
DUE = ("", "overdue", "today", "week")
CLAIMED = ("anyone", "me", "nobody")
# What the viewer may act on; what waits for the department head; what waits for someone else
# (a co-signer's opinion or a delegate's answer, docs/TASK_ACTIONS.md).
GROUPS = ("act", "head", "waiting")
PAGE_SIZES = (10, 200)  # inclusive range; 50 by default
DEFAULT_SIZE = 50
MAX_PAGE = 100_000
MAX_WAITING_DAYS = 3650
MAX_CUSTOMER = 200
_STEP = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,199}")
_DEPT = re.compile(r"[a-z0-9_]{1,40}")


@dataclass(frozen=True)
class InboxQuery:
    """One inbox page's filters, sort and page; `errors` lists what was ignored and why."""

    dept: str = ""  # department key; "" = the viewer's own (or all, for a user with none)
    q: str = ""
    step: str = ""  # the step's id (spec name)
    customer: str = ""
    due: str = ""
    claimed: str = "anyone"
    waiting: int | None = None  # waiting at least this many days
    sort: str = "due"
    desc: bool = False
    page: int = 1
    size: int = DEFAULT_SIZE
    group: str = "act"
    errors: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self, **changes) -> dict[str, str]:
        """The query string of this query (with changes), without the defaults."""
        query = replace(self, **changes) if changes else self
        args = {
            "dept": query.dept,
            "q": query.q,
            "step": query.step,
            "customer": query.customer,
            "due": query.due,
            "claimed": "" if query.claimed == "anyone" else query.claimed,
            "waiting": "" if query.waiting is None else str(query.waiting),
            "sort": "" if query.sort == "due" else query.sort,
            "dir": "desc" if query.desc else "",
            "page": "" if query.page == 1 else str(query.page),
            "size": "" if query.size == DEFAULT_SIZE else str(query.size),
            "group": "" if query.group == "act" else query.group,
        }
        return {key: value for key, value in args.items() if value}

    def query_string(self, **changes) -> str:
        """`to_args` encoded for a link."""
        return urlencode(self.to_args(**changes))

    def sorted_by(self, column: str) -> dict[str, str]:
        """The arguments of a column header's link: sort by it, flipping the direction."""
        desc = not self.desc if column == self.sort else False
        return self.to_args(sort=column, desc=desc, page=1)


def _number(text: str | None, low: int, high: int) -> int | None:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 7:
        return None
    value = int(text)
    return value if low <= value <= high else None


def _choice(args: Mapping, key: str, choices: tuple[str, ...], errors: list[str]):
    value = (args.get(key) or "").strip()
    if value and value not in choices:
        errors.append(_unknown(key, value[:40]))
        return None
    return value or None


def _unknown(key: str, value: str) -> str:
    """A whole sentence per parameter (word order differs between the languages)."""
    if key == "due":
        return _("Unknown due filter “%(value)s”: ignored.", value=value)
    if key == "claimed":
        return _("Unknown claim filter “%(value)s”: ignored.", value=value)
    if key == "group":
        return _("Unknown task group “%(value)s”: ignored.", value=value)
    if key == "sort":
        return _("Unknown sort column “%(value)s”: ignored.", value=value)
    return _("Unknown sort direction “%(value)s”: ignored.", value=value)


def _legacy(args: Mapping) -> dict[str, str]:
    """The old checkboxes (mine, unassigned, overdue), kept so old links still filter."""
    found = {}
    if args.get("mine") == "1":
        found["claimed"] = "me"
    elif args.get("unassigned") == "1":
        found["claimed"] = "nobody"
    if args.get("overdue") == "1":
        found["due"] = "overdue"
    return found


def parse(args: Mapping, may_sort_amount: bool = True) -> InboxQuery:
    """Read an inbox query string; every bad value falls back to its default with a message."""
    args = {**_legacy(args), **{k: v for k, v in args.items() if v not in (None, "")}}
    errors: list[str] = []
    values: dict = {}

    dept = (args.get("dept") or "").strip()
    if dept and not _DEPT.fullmatch(dept):
        errors.append(_("Unknown department: ignored."))
        dept = ""
    values["dept"] = dept

    text_errors: dict[str, str] = {}
    q = limits.check_text(args.get("q") or "", "search", text_errors, "q")
    if text_errors:
        errors.append(_("Search for at most %(n)s characters.", n=int(limits.get("search"))))
        q = ""
    values["q"] = q
    customer = limits.check_text(args.get("customer") or "", MAX_CUSTOMER, text_errors, "c")
    if "c" in text_errors:
        errors.append(_("A customer name has at most %(n)s characters.", n=MAX_CUSTOMER))
        customer = ""
    values["customer"] = customer

    step = (args.get("step") or "").strip()
    if step and not _STEP.fullmatch(step):
        errors.append(_("Unknown step: ignored."))
        step = ""
    values["step"] = step

    values["due"] = _choice(args, "due", DUE[1:], errors) or ""
    values["claimed"] = _choice(args, "claimed", CLAIMED, errors) or "anyone"
    values["group"] = _choice(args, "group", GROUPS, errors) or "act"

    sort = _choice(args, "sort", SORTS, errors) or "due"
    if sort == "amount" and not may_sort_amount:
        errors.append(_("Amounts are not shown to your department: sorted by due date."))
        sort = "due"
    values["sort"] = sort
    direction = _choice(args, "dir", ("asc", "desc"), errors) or "asc"
    values["desc"] = direction == "desc"

    if args.get("waiting"):
        waiting = _number(args.get("waiting"), 0, MAX_WAITING_DAYS)
        if waiting is None:
            errors.append(
                _("Waiting days must be a whole number from 0 to %(n)s.", n=MAX_WAITING_DAYS)
            )
        values["waiting"] = waiting
    if args.get("page"):
        page = _number(args.get("page"), 1, MAX_PAGE)
        if page is None:
            errors.append(_("Page must be a whole number from 1 to %(n)s.", n=MAX_PAGE))
        values["page"] = page or 1
    if args.get("size"):
        size = _number(args.get("size"), *PAGE_SIZES)
        if size is None:
            errors.append(
                _(
                    "Rows per page must be a whole number from %(low)s to %(high)s.",
                    low=PAGE_SIZES[0],
                    high=PAGE_SIZES[1],
                )
            )
        values["size"] = size or DEFAULT_SIZE
    return InboxQuery(**values, errors=tuple(errors))
