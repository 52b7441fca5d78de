"""Saved inbox views: a user's named filter sets (save, rename, delete), each its own.

A view stores the inbox query string (`InboxQuery.query_string`, page left out); opening it
reopens the inbox with that query. Names are unique per user; the unique constraint decides
between two saves sent at once, and a save repeated with the same name and query is a no-op.
"""

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core.audit import services as audit
from app.core.tasks.inbox_query import InboxQuery
from app.core.tasks.models import InboxView
from app.core.users.models import User
from app.errors import InvalidInput, NotFound
from app.extensions import db

NAME_LENGTH = 60
QUERY_LENGTH = 1000  # InboxView.query: Chinese search text takes 9 characters per word once encoded
MAX_VIEWS = 50  # per user: a bar of saved views, not a second database


def views_of(user: User) -> list[InboxView]:
    """The user's saved views, by name."""
    return list(
        db.session.scalars(
            db.select(InboxView).where(InboxView.user_id == user.id).order_by(InboxView.name)
        )
    )


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Give the view a name."), errors={"name": _("Give the view a name.")})
    if len(name) > NAME_LENGTH:
        message = _("A view name has at most %(n)s characters.", n=NAME_LENGTH)
        raise InvalidInput(message, errors={"name": message})
    return name


def _named(user: User, name: str) -> InboxView | None:
    return db.session.scalar(
        db.select(InboxView).where(InboxView.user_id == user.id, InboxView.name == name)
    )


def _taken(name: str) -> InvalidInput:
    message = _("You already have a view named “%(name)s”.", name=name)
    return InvalidInput(message, errors={"name": message})


def save(user: User, name: str | None, query: InboxQuery) -> InboxView:
    """Save the query under a name; the same save twice (a double click) stores it once."""
    name = _clean_name(name)
    stored = query.query_string(page=1)
    if len(stored) > QUERY_LENGTH:
        raise InvalidInput(_("These filters are too long to save as a view: shorten the search."))
    existing = _named(user, name)
    if existing is not None:
        if existing.query == stored:
            return existing
        raise _taken(name)
    count = db.session.scalar(
        db.select(db.func.count()).select_from(InboxView).where(InboxView.user_id == user.id)
    )
    if count >= MAX_VIEWS:
        raise InvalidInput(_("You can keep at most %(n)s saved views.", n=MAX_VIEWS))
    try:
        with db.session.begin_nested():
            view = InboxView(user_id=user.id, name=name, query=stored)
            db.session.add(view)
    except IntegrityError:  # the same name saved at the same moment by another request
        existing = _named(user, name)
        if existing is not None and existing.query == stored:
            return existing
        raise _taken(name) from None
    audit.record(user, "inbox_view.save", "inbox_view", view.id, data={"name": name})
    return view


def _own(user: User, view_id: int) -> InboxView:
    view = db.session.get(InboxView, view_id)
    if view is None or view.user_id != user.id:  # another user's view does not exist for you
        raise NotFound(_("This saved view does not exist."))
    return view


def rename(user: User, view_id: int, name: str | None) -> InboxView:
    """Give one of the user's views another name (unique among theirs)."""
    view = _own(user, view_id)
    name = _clean_name(name)
    if name == view.name:
        return view
    if _named(user, name) is not None:
        raise _taken(name)
    old = view.name
    try:
        with db.session.begin_nested():
            view.name = name
    except IntegrityError:
        raise _taken(name) from None
    audit.record(user, "inbox_view.rename", "inbox_view", view.id, data={"from": old, "to": name})
    return view


def delete(user: User, view_id: int) -> None:
    """Delete one of the user's views (deleting one already gone is a no-op)."""
    view = db.session.get(InboxView, view_id)
    if view is None:
        return
    view = _own(user, view_id)
    audit.record(user, "inbox_view.delete", "inbox_view", view.id, data={"name": view.name})
    db.session.delete(view)
    db.session.flush()
