"""Race-free sources for unique values: numbered counters and once-only form submissions."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db


class NumberCounter(db.Model):
    """The last number handed out in a series (e.g. order numbers of one year).

    A writer increments the row inside its own transaction, which locks it until commit: two
    writers of one series take turns, and a rolled-back writer gives its number back.
    """

    __tablename__ = "number_counter"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class FormSubmission(db.Model):
    """The once-only token of a rendered create form and what its first submit created.

    The token is unique, so a second submit of the same form (a double click, a resend)
    finds the first one's row instead of creating a second object.
    """

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
