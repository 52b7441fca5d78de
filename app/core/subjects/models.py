"""What a process runs for: one row per subject (an order, later a quotation, a purchase order,
a return), holding the few facts an inbox shows, kept fresh by the subject's domain."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.columns import UTCDateTime
from app.extensions import db


class Subject(db.Model):
    """The inbox card of one subject: (type, key) names it, the rest is copied from its domain."""

    __tablename__ = "subject"
    __table_args__ = (UniqueConstraint("type", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    key: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(60), default="", index=True)
    customer: Mapped[str] = mapped_column(String(200), default="", index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3), default="")
    promised_on: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(20), default="")
    # When the card was written or last changed (an unchanged refresh writes nothing).
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AboutSubject:
    """Columns of a row that is about a subject: its type and key (both empty if about none)."""

    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_key: Mapped[int | None] = mapped_column(Integer)
