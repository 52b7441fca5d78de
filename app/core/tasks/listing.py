"""Inbox listings: one page of open tasks for a parsed query, its totals, and the tab counts.

Reads `human_task` joined to the `subject` cards (reference, customer, amount, promised date,
priority) and the assignee: no workflow is deserialised and no domain table is read. Every
column sorts (nulls last, ties by id so pages never overlap); paging is by offset over all
matching rows, with their total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import aliased

from app.core import clock
from app.core.subjects.models import Subject
from app.core.tasks.inbox_query import InboxQuery
from app.core.tasks.models import OPEN_STATES, HumanTask
from app.core.users import permissions
from app.core.users.models import User
from app.extensions import db

# The priorities a subject card may carry, most pressing first; anything else sorts after them.
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


@dataclass(frozen=True)
class TabCount:
    """Open and overdue tasks of one department."""

    open: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class StepChoice:
    """A step that has open tasks in the listed department, for the step filter."""

    spec_name: str
    name: str
    name_zh: str | None

    def display_name(self, locale: str) -> str:
        """The step's name in the reader's language."""
        return self.name_zh if locale.startswith("zh") and self.name_zh else self.name


@dataclass(frozen=True)
class InboxPage:
    """One page of an inbox: its rows, where it is, and the totals of both groups."""

    rows: list[HumanTask]
    query: InboxQuery
    total: int  # rows matching the query in the shown group
    page: int
    pages: int
    act_total: int  # what the viewer may act on
    head_total: int  # head-only tasks waiting for the department head
    waiting_total: int = 0  # tasks waiting for a co-signer or a delegate

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based; 0 when empty)."""
        return (self.page - 1) * self.query.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The position of the last row shown."""
        return self.first + len(self.rows) - 1 if self.rows else 0


def tab_counts_select():
    """SQL: department_id, open and overdue tasks per department, grouped over open tasks (the
    layout joins it to the departments: app/core/web)."""
    overdue = db.func.sum(db.case((HumanTask.due_at < clock.utcnow(), 1), else_=0))
    return (
        db.select(
            HumanTask.department_id,
            db.func.count().label("open"),
            overdue.label("overdue"),
        )
        .where(HumanTask.state == "ready", HumanTask.department_id.is_not(None))
        .group_by(HumanTask.department_id)
    )


def tab_counts() -> dict[int, TabCount]:
    """Open and overdue tasks per department id, in one grouped query over open tasks."""
    rows = db.session.execute(tab_counts_select())
    return {dept: TabCount(count, int(late or 0)) for dept, count, late in rows}


def _waits_for_head(viewer: User):
    """SQL for `permissions.waits_for_head`: a head-only task the viewer may not act on."""
    head_only = db.func.coalesce(HumanTask.role, "") == "head"
    if permissions.is_head(viewer) and viewer.department_id is not None:
        return db.and_(
            head_only,
            db.func.coalesce(HumanTask.department_id, 0) != viewer.department_id,
        )
    return head_only


def _someone_elses(viewer: User):
    """SQL: a co-sign or delegation task (made by the tasks core for one person) that is not the
    viewer's: nobody else acts on it, so it is in no one else's list (docs/TASK_ACTIONS.md)."""
    return db.and_(
        HumanTask.parent_id.is_not(None),
        db.func.coalesce(HumanTask.assignee_id, 0) != viewer.id,
    )


def _local_midnight(day) -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time(), tzinfo=zone)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(viewer: User, query: InboxQuery, department_id: int | None) -> list:
    """The where-clauses of the query (the group aside)."""
    now = clock.utcnow()
    where = [HumanTask.state.in_(OPEN_STATES)]
    if department_id is not None:
        where.append(HumanTask.department_id == department_id)
    if query.q:
        like = _like(query.q)
        # Both languages, whatever the reader's: 确认 finds the step an English reader sees
        # as "Confirm order details".
        where.append(
            db.or_(
                Subject.reference.ilike(like, escape="\\"),
                Subject.customer.ilike(like, escape="\\"),
                HumanTask.name.ilike(like, escape="\\"),
                HumanTask.name_zh.ilike(like, escape="\\"),
            )
        )
    if query.step:
        where.append(HumanTask.spec_name == query.step)
    if query.customer:
        where.append(Subject.customer.ilike(_like(query.customer), escape="\\"))
    if query.due == "overdue":
        where.append(HumanTask.due_at < now)
    elif query.due in ("today", "week"):
        today = clock.today()
        days = 1 if query.due == "today" else 7 - today.weekday()  # to the end of Sunday
        start = _local_midnight(today)
        where.append(HumanTask.due_at < start + timedelta(days=days))
    if query.claimed == "me":
        where.append(HumanTask.assignee_id == viewer.id)
    elif query.claimed == "nobody":
        where.append(HumanTask.assignee_id.is_(None))
    if query.waiting is not None:
        where.append(HumanTask.created_at <= now - timedelta(days=query.waiting))
    return where


def _sort_key(query: InboxQuery, locale: str, assignee):
    """The column expression a sort name stands for."""
    if query.sort == "step":
        if locale.startswith("zh"):
            return db.func.coalesce(HumanTask.name_zh, HumanTask.name)
        return HumanTask.name
    if query.sort == "priority":
        return db.case(PRIORITY_RANK, value=Subject.priority, else_=len(PRIORITY_RANK))
    return {
        "reference": Subject.reference,
        "customer": Subject.customer,
        "amount": Subject.amount,
        "promised": Subject.promised_on,
        # Waiting longest first is the descending order of how long a task has waited.
        "waiting": HumanTask.created_at.desc() if not query.desc else HumanTask.created_at,
        "due": HumanTask.due_at,
        "claimed": assignee.display_name,
    }[query.sort]


def _order_by(query: InboxQuery, locale: str, assignee) -> list:
    key = _sort_key(query, locale, assignee)
    if query.sort == "waiting":
        return [key, HumanTask.id]
    nulls_last = key.is_(None)
    ordered = key.desc() if query.desc else key.asc()
    return [nulls_last, ordered, HumanTask.id.desc() if query.desc else HumanTask.id]


def list_page(viewer: User, query: InboxQuery, department_id: int | None, locale: str) -> InboxPage:
    """One page of open tasks matching the query, with totals per group; never capped."""
    assignee = aliased(User)
    subject_join = db.and_(
        Subject.type == HumanTask.subject_type, Subject.key == HumanTask.subject_key
    )
    where = _filters(viewer, query, department_id)
    waits = _waits_for_head(viewer)
    group = db.case(
        (_someone_elses(viewer), "other"),
        (waits, "head"),
        (HumanTask.state == "waiting", "waiting"),
        else_="act",
    )
    # Both groups' totals at once; grouped over a subquery, because PostgreSQL would see the
    # CASE in GROUP BY (its own bound parameters) as another expression than the selected one.
    grouped = (
        db.select(group.label("grp"))
        .select_from(HumanTask)
        .outerjoin(Subject, subject_join)
        .where(*where)
        .subquery()
    )
    totals = dict(
        db.session.execute(db.select(grouped.c.grp, db.func.count()).group_by(grouped.c.grp)).all()
    )
    total = totals.get(query.group, 0)
    pages = max(1, math.ceil(total / query.size))
    page = min(query.page, pages)
    stmt = (
        db.select(HumanTask)
        .outerjoin(Subject, subject_join)
        .outerjoin(assignee, assignee.id == HumanTask.assignee_id)
        .where(*where, group == query.group)
        .options(
            db.contains_eager(HumanTask.subject),
            db.joinedload(HumanTask.assignee),
            db.joinedload(HumanTask.department),
        )
        .order_by(*_order_by(query, locale, assignee))
        .offset((page - 1) * query.size)
        .limit(query.size)
    )
    return InboxPage(
        rows=list(db.session.scalars(stmt).unique()),
        query=query,
        total=total,
        page=page,
        pages=pages,
        act_total=totals.get("act", 0),
        head_total=totals.get("head", 0),
        waiting_total=totals.get("waiting", 0),
    )


def step_choices(department_id: int | None) -> list[StepChoice]:
    """The steps with open tasks (in the department), for the step filter."""
    stmt = db.select(HumanTask.spec_name, HumanTask.name, HumanTask.name_zh).where(
        HumanTask.state == "ready"
    )
    if department_id is not None:
        stmt = stmt.where(HumanTask.department_id == department_id)
    seen: dict[str, StepChoice] = {}
    for spec_name, name, name_zh in db.session.execute(stmt.distinct()):
        seen.setdefault(spec_name, StepChoice(spec_name, name, name_zh))
    return sorted(seen.values(), key=lambda choice: choice.name)
