"""Out of office: a user away for a range of days names a substitute who stands in.

While a range holds (the factory's dates, both ends included), tasks handed to the user (assign,
transfer, delegate, co-sign) go to the substitute, and notifications addressed to the user also
reach the substitute. A user's ranges never overlap; a range lasts at most MAX_DAYS. One hop only:
a substitute who is away themselves does not pass the work on again.
"""

from datetime import date, timedelta

from flask_babel import gettext as _

from app import limits
from app.core import clock, round_memo
from app.core.audit import services as audit
from app.core.users import permissions
from app.core.users.models import OutOfOffice, User
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.extensions import db

MAX_DAYS = 366
NOTE_LENGTH = 200


def current(user_id: int, on: date | None = None) -> OutOfOffice | None:
    """The user's range that holds on `on` (today by default), if any."""
    on = on or clock.today()
    return db.session.scalar(
        db.select(OutOfOffice).where(
            OutOfOffice.user_id == user_id,
            OutOfOffice.starts_on <= on,
            OutOfOffice.ends_on >= on,
        )
    )


def stand_in(user: User, on: date | None = None) -> tuple[User, OutOfOffice | None]:
    """Who receives work handed to `user` today: the substitute while away, else the user."""
    away = current(user.id, on)
    if away is None or not away.substitute.active:
        return user, None
    return away.substitute, away


def with_substitutes(user_ids: list[int], on: date | None = None) -> list[int]:
    """The ids plus the substitutes of those away on `on` (each once, order kept)."""
    ids = [uid for uid in user_ids if uid is not None]
    if not ids:
        return ids
    on = on or clock.today()
    key = ("users.substitutes", tuple(ids), on)  # a worker round asks for the same ids often
    extra = round_memo.remember(key, lambda: _substitutes(ids, on))
    return list(dict.fromkeys([*ids, *extra]))


def _substitutes(user_ids: list[int], on: date) -> list[int]:
    """The active substitutes of the users away on `on`."""
    return list(
        db.session.scalars(
            db.select(OutOfOffice.substitute_id)
            .join(User, User.id == OutOfOffice.substitute_id)
            .where(
                OutOfOffice.user_id.in_(user_ids),
                OutOfOffice.starts_on <= on,
                OutOfOffice.ends_on >= on,
                User.active.is_(True),
            )
        )
    )


def ranges_of(user: User) -> list[OutOfOffice]:
    """The user's ranges that have not ended, soonest first."""
    return list(
        db.session.scalars(
            db.select(OutOfOffice)
            .where(OutOfOffice.user_id == user.id, OutOfOffice.ends_on >= clock.today())
            .order_by(OutOfOffice.starts_on)
        )
    )


def standing_in_for(user: User) -> list[OutOfOffice]:
    """The ranges holding today in which `user` is the substitute."""
    today = clock.today()
    return list(
        db.session.scalars(
            db.select(OutOfOffice).where(
                OutOfOffice.substitute_id == user.id,
                OutOfOffice.starts_on <= today,
                OutOfOffice.ends_on >= today,
            )
        )
    )


def _parse_date(text: str | None, errors: dict, key: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None


def add(
    user: User,
    substitute_id: int | None,
    starts: str | None,
    ends: str | None,
    note: str | None,
    ip: str | None = None,
) -> OutOfOffice:
    """Record that `user` is away from `starts` to `ends` with a substitute; refuse bad input."""
    errors: dict[str, str] = {}
    substitute = db.session.get(User, substitute_id) if substitute_id else None
    if not permissions.may_stand_in(user, substitute):
        errors["substitute_id"] = _("Choose another active user as your substitute.")
    starts_on = _parse_date(starts, errors, "starts_on")
    ends_on = _parse_date(ends, errors, "ends_on")
    text = limits.check_text(note or "", NOTE_LENGTH, errors, "note")
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = _("The last day must not be before the first day.")
        elif ends_on < clock.today():
            errors["ends_on"] = _("This range is over already.")
        elif (ends_on - starts_on) >= timedelta(days=MAX_DAYS):
            errors["ends_on"] = _("A range lasts at most %(n)s days.", n=MAX_DAYS)
    if errors:
        raise InvalidInput(next(iter(errors.values())), errors=errors)
    # Two ranges saved at once must not both pass the overlap check: lock the user's row first.
    db.session.scalar(db.select(User.id).where(User.id == user.id).with_for_update())
    clash = db.session.scalar(
        db.select(OutOfOffice).where(
            OutOfOffice.user_id == user.id,
            OutOfOffice.starts_on <= ends_on,
            OutOfOffice.ends_on >= starts_on,
        )
    )
    if clash is not None:
        message = _(
            "You are already away from %(a)s to %(b)s; ranges must not overlap.",
            a=clash.starts_on.isoformat(),
            b=clash.ends_on.isoformat(),
        )
        raise InvalidInput(message, errors={"starts_on": message})
    row = OutOfOffice(
        user_id=user.id,
        substitute_id=substitute.id,
        starts_on=starts_on,
        ends_on=ends_on,
        note=text or None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        user,
        "away.add",
        "out_of_office",
        row.id,
        data={
            "substitute": substitute.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
        ip=ip,
    )
    return row


def remove(user: User, away_id: int, ip: str | None = None) -> None:
    """Delete one of the user's own ranges (someone else's is refused and recorded)."""
    row = db.session.get(OutOfOffice, away_id)
    if row is None:
        raise NotFound()
    if not permissions.is_owner(user, row.user_id):
        audit.record(user, "denied.away.remove", "out_of_office", row.id, ip=ip)
        db.session.flush()
        raise PermissionDenied(_("This is someone else's out-of-office."))
    audit.record(
        user,
        "away.remove",
        "out_of_office",
        row.id,
        data={"starts_on": row.starts_on.isoformat(), "ends_on": row.ends_on.isoformat()},
        ip=ip,
    )
    db.session.delete(row)
    db.session.flush()


def substitutes_for(user: User) -> list[User]:
    """Whom the user may name as substitute: every other active user, by name."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.active.is_(True), User.id != user.id)
            .order_by(User.display_name)
        )
    )
