"""The plan as computed, and the stored copy every process shares (docs/PLANNING.md).

`PlanState` is what pages and writers get from `plan.current()`. Its `orders` are the planned
orders' ids with the Order rows loaded only when asked for (`PlanOrders.load` for a page's
window, one statement), so a page that shows 20 rows of a plan of 2,000 orders loads 20.

A computed plan is kept as a `Snapshot` (no database rows in it: ids, jobs, the schedule,
the reasons and material statuses), stored compressed in `plan_snapshot` under its key
(input generation and version, start day, language: the reasons are in the reader's language)
and memoised in this process. Storing runs in a transaction of its own, since a page's own
transaction is never committed; a second process storing the same key changes nothing.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from app.core.clock import utcnow
from app.extensions import db
from app.modules.orders.models import Order, ProductionLine
from app.modules.schedule.models import PlanSnapshot
from app.modules.schedule.services import inputs
from app.modules.schedule.services import materials as material_dates
from app.planning import Job, Line, Schedule, WorkCalendar

Key = tuple[str, int, date, str]  # input generation, input version, start day, locale


@dataclass(frozen=True)
class Unplanned:
    """An order that should be planned but cannot be, and why (shown to PMC)."""

    order_id: int
    number: str
    message: str


class PlanOrders(Mapping[int, Order]):
    """The planned orders by id, in id order; an Order row is read only when asked for."""

    def __init__(self, ids: Iterable[int], loaded: Mapping[int, Order] | None = None) -> None:
        self._ids = sorted(ids)
        self._members = set(self._ids)
        self._loaded: dict[int, Order] = dict(loaded or {})

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._members

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, order_id: int) -> Order:
        if order_id not in self._members:
            raise KeyError(order_id)
        if order_id not in self._loaded:
            self.load([order_id])
        return self._loaded[order_id]

    def load(self, order_ids: Iterable[int]) -> None:
        """Read the rows of these planned orders (with their customers) in one statement."""
        wanted = sorted(i for i in set(order_ids) if i in self._members and i not in self._loaded)
        for part in material_dates.chunks(wanted):
            self._loaded.update(
                (order.id, order)
                for order in db.session.scalars(
                    db.select(Order).where(Order.id.in_(part)).options(selectinload(Order.customer))
                )
            )


@dataclass
class PlanState:
    """Everything the plan was computed from, and the schedule itself."""

    start: date
    calendar: WorkCalendar
    lines: list[Line]
    line_rows: dict[str, ProductionLine]
    orders: PlanOrders
    jobs: list[Job]
    sequence: dict[str, list[int]]
    schedule: Schedule
    unplanned: list[Unplanned] = field(default_factory=list)
    # Lines left out of the plan (a capacity of 0 or less in the database), with the reason.
    problems: list[str] = field(default_factory=list)
    # Each planned order's material status (docs/PLANNING.md, "Material dates").
    materials: dict[int, material_dates.Material] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the schedule as computed now."""
        return self.schedule.fingerprint


@dataclass(frozen=True)
class Snapshot:
    """A PlanState without database rows: what is stored and memoised."""

    start: date
    calendar: WorkCalendar
    lines: list[Line]
    order_ids: list[int]
    jobs: list[Job]
    sequence: dict[str, list[int]]
    schedule: Schedule
    unplanned: list[Unplanned]
    problems: list[str]
    # Material statuses without PMC's override row (the order page reads that itself).
    materials: dict[int, material_dates.Material]


def snapshot_of(state: PlanState) -> Snapshot:
    return Snapshot(
        state.start,
        state.calendar,
        state.lines,
        list(state.orders),
        state.jobs,
        state.sequence,
        state.schedule,
        state.unplanned,
        state.problems,
        {oid: replace(m, override=None) for oid, m in state.materials.items()},
    )


def state_of(snap: Snapshot) -> PlanState:
    """The snapshot as a PlanState of this session: the lines' rows read (one statement)."""
    codes = [line.code for line in snap.lines]
    rows = {
        row.code: row
        for row in db.session.scalars(
            db.select(ProductionLine).where(ProductionLine.code.in_(codes))
        )
    }
    return PlanState(
        snap.start,
        snap.calendar,
        list(snap.lines),
        {code: rows[code] for code in codes},
        PlanOrders(snap.order_ids),
        list(snap.jobs),
        {code: list(ids) for code, ids in snap.sequence.items()},
        snap.schedule,
        list(snap.unplanned),
        list(snap.problems),
        dict(snap.materials),
    )


def _code_mark() -> bytes:
    """16 bytes naming the code a snapshot was written by: a digest of the planner's and this
    package's sources. A snapshot is the planner's objects pickled, so one written by other code
    (before a deploy; a rolling deploy running both) is recomputed, never read into this one."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve()
    planner = here.parents[3] / "planning"
    for path in sorted([*planner.glob("*.py"), *here.parent.glob("*.py")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.digest()[:16]


CODE_MARK = _code_mark()


def encode(snap: Snapshot) -> bytes:
    return CODE_MARK + zlib.compress(pickle.dumps(snap, protocol=pickle.HIGHEST_PROTOCOL), 1)


def decode(data: bytes) -> Snapshot | None:
    """The snapshot in `data`, or None if other code wrote it (or it cannot be read)."""
    if data[: len(CODE_MARK)] != CODE_MARK:
        return None
    try:
        # Only ever rows this application wrote itself (plan_snapshot is written nowhere else).
        return pickle.loads(zlib.decompress(data[len(CODE_MARK) :]))  # noqa: S301
    except Exception:  # a damaged row is a cache miss, logged; the plan is computed again
        current_app.logger.warning("A stored plan could not be read", exc_info=True)
        return None


# The last snapshots this process read or computed, by key.
_MEMO: OrderedDict[Key, Snapshot] = OrderedDict()
_MEMO_KEPT = 4
_MEMO_LOCK = threading.Lock()


def remember(key: Key, snap: Snapshot) -> None:
    with _MEMO_LOCK:
        _MEMO[key] = snap
        _MEMO.move_to_end(key)
        while len(_MEMO) > _MEMO_KEPT:
            _MEMO.popitem(last=False)


def recall(key: Key) -> Snapshot | None:
    """The snapshot of `key`: memoised here, else the stored one (one statement), else None."""
    with _MEMO_LOCK:
        found = _MEMO.get(key)
        if found is not None:
            _MEMO.move_to_end(key)
            return found
    generation, version, start, locale = key
    data = db.session.scalar(
        db.select(PlanSnapshot.data).where(
            PlanSnapshot.generation == generation,
            PlanSnapshot.input_version == version,
            PlanSnapshot.start == start,
            PlanSnapshot.locale == locale,
        )
    )
    snap = decode(data) if data is not None else None
    if snap is not None:
        remember(key, snap)
    return snap


# PostgreSQL advisory lock key of "computing the plan" (any number no other code uses).
COMPUTING_LOCK = 0x0_9E_A7_14
# How long a reader waits for another process's plan before computing it itself, in seconds.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.05


def computed_elsewhere(key: Key) -> Snapshot | None:
    """On PostgreSQL, the snapshot of `key` as another process computing it now stores it; None
    when this process is to compute it (it then holds the computing lock until its transaction
    ends, so that processes reading a changed plan at once compute it once, not each).

    A transaction-level lock: nothing can leave it held. Past WAIT_SECONDS the reader computes
    anyway (a computation that failed leaves nothing stored).
    """
    if db.engine.dialect.name != "postgresql":
        return None
    deadline = time.monotonic() + WAIT_SECONDS
    while not db.session.scalar(db.select(db.func.pg_try_advisory_xact_lock(COMPUTING_LOCK))):
        found = recall(key)
        if found is not None or time.monotonic() > deadline:
            return found
        time.sleep(POLL_SECONDS)
    return recall(key)  # stored by the process that held the lock just before


def store(key: Key, snap: Snapshot) -> None:
    """Store the snapshot of `key` in a transaction of its own; drop those of older versions
    and earlier days.

    On SQLite a second connection cannot write while this session's transaction has written
    (the database is locked until it ends), so such a session only memoises.
    """
    remember(key, snap)
    if db.engine.dialect.name == "sqlite" and inputs.wrote_here():
        return
    generation, version, start, locale = key
    table = PlanSnapshot.__table__
    try:
        with db.engine.begin() as conn:
            conn.execute(
                table.delete().where(
                    (table.c.generation != generation)
                    | (table.c.input_version < version)
                    | (table.c.start < start)
                )
            )
            same_key = (
                (table.c.generation == generation)
                & (table.c.input_version == version)
                & (table.c.start == start)
                & (table.c.locale == locale)
            )
            stored = conn.execute(db.select(table.c.data).where(same_key)).scalar()
            if stored is not None and bytes(stored[: len(CODE_MARK)]) != CODE_MARK:  # other code's
                conn.execute(table.update().where(same_key).values(data=encode(snap)))
            elif stored is None:
                conn.execute(
                    table.insert().values(
                        generation=generation,
                        input_version=version,
                        start=start,
                        locale=locale,
                        data=encode(snap),
                        created_at=utcnow(),
                    )
                )
    except SQLAlchemyError:  # another process stored it first, or the database is busy
        current_app.logger.info("The computed plan was not stored", exc_info=True)
