"""How quotations plug into the core (their subject type, where the create form lands) and
into the order page (the quotation an order came from)."""

from app.core.subjects import services as subjects
from app.core.tasks import registry
from app.modules.quotations.services import quotations


def register() -> None:
    """Plug quotations into the core and the order page."""
    subjects.register_type(quotations.SUBJECT, quotations.card, "quotations.detail", "quotation_id")
    registry.register_submitted_page("quotation", "quotations.detail", "quotation_id")
