"""Sending a quotation to the customer: the bilingual PDF (always downloadable) and, when the
customer has an email address, a mail through the notification outbox."""

from flask import current_app
from flask_babel import gettext as _

from app.core.audit import services as audit
from app.core.clock import utcnow
from app.core.notifications import mail
from app.core.users.models import User
from app.errors import Conflict
from app.modules.confirmations.services.sheet import COMPANY
from app.modules.confirmations.services.sheet import SPEC_LABELS as PRINTED_SPECS
from app.modules.orders.models import SPEC_FIELDS
from app.modules.quotations.models import Quotation
from app.modules.quotations.services import quotations
from app.pdf.quotation import QuotationSheet, QuoteLine, render_quotation_pdf

SENDABLE = ("draft", "approved")


def may_send(quotation: Quotation) -> bool:
    """Whether the quotation may go to the customer now: approved, or a draft with no flag."""
    return quotation.status == "approved" or (quotation.status == "draft" and not quotation.flagged)


def send_quotation(actor: User, quotation_id: int) -> Quotation:
    """Send the current revision: it is frozen (a later edit makes the next revision), mailed
    to the customer's address when there is one (the outbox sends it after the commit)."""
    quotation = quotations.get_quotation(quotation_id, lock=True)
    if not quotations.may_edit(actor):
        raise quotations.deny(actor, "quotation_send", quotation_id)
    if quotation.status == "draft" and quotation.flagged:
        raise Conflict(_("A flagged quotation needs approval before it is sent."))
    if quotation.status not in SENDABLE:
        raise Conflict(_("Only an approved quotation, or a draft with no flag, can be sent."))
    if quotations.is_expired(quotation):
        raise Conflict(_("This quotation has expired; give it a new validity date first."))
    now = utcnow()
    quotation.status, quotation.sent_at = "sent", now
    quotations.current_revision(quotation).sent_at = now
    mailed = None
    if quotation.customer.email:
        mailed = mail.queue_external(
            quotation.customer.email,
            f"报价单 Quotation {quotation.number} (rev. {quotation.revision})",
            _mail_text(quotation),
            "zh_CN",
        )
    audit.record(
        actor,
        "quotation.send",
        "quotation",
        quotation.id,
        subject=quotations.ref(quotation),
        data={
            "revision": quotation.revision,
            "mailed_to": quotation.customer.email if mailed else "",
        },
    )
    return quotation


def _mail_text(quotation: Quotation) -> str:
    """The mail to the customer, in Chinese and English (like the PDF)."""
    lines = [
        f"{line.position}. {line.product.code + ' ' if line.product else ''}"
        f"{line.description or (line.product.name if line.product else '')}: "
        f"{line.quantity.normalize():f} x {line.unit_price:.2f} = {line.amount:.2f} "
        f"{quotation.currency}"
        for line in quotation.lines
    ]
    return "\n".join(
        [
            f"{quotation.customer.contact or quotation.customer.name}:",
            "",
            f"随函附上报价单 {quotation.number}（第 {quotation.revision} 版）。",
            f"Please find our quotation {quotation.number} (revision {quotation.revision}).",
            "",
            *lines,
            "",
            f"合计 Total: {quotation.total:.2f} {quotation.currency}",
            f"付款条件 Payment terms: {quotation.payment_terms}",
            f"有效期至 Valid until: {quotation.valid_until.isoformat()}",
            "",
            "请签字盖章后回传以确认接受。Please sign and return it to accept.",
            "",
            COMPANY,
        ]
    )


def build_sheet(quotation: Quotation) -> QuotationSheet:
    """The PDF's data: the quotation as it stands now."""
    return QuotationSheet(
        company=COMPANY,
        number=quotation.number,
        revision=quotation.revision,
        customer_name=quotation.customer.name,
        customer_contact=quotation.customer.contact,
        customer_address=quotation.customer.address,
        currency=quotation.currency,
        payment_terms=quotation.payment_terms,
        valid_until=quotation.valid_until,
        notes=quotation.notes,
        total=quotation.total,
        lines=[
            QuoteLine(
                position=line.position,
                code=line.product.code if line.product else "非标 Non-std",
                description=line.description or (line.product.name if line.product else ""),
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                specs={
                    PRINTED_SPECS[key]: getattr(line, key)
                    for key in SPEC_FIELDS
                    if getattr(line, key)
                },
            )
            for line in quotation.lines
        ],
        generated_at=utcnow(),
    )


def quotation_pdf(viewer: User, quotation_id: int) -> tuple[Quotation, bytes]:
    """The quotation's PDF for a price reader (sales downloads it to send it by hand)."""
    quotation = quotations.get_quotation(quotation_id)
    quotations.require_prices(viewer, quotation_id)
    return quotation, render_quotation_pdf(
        build_sheet(quotation), tz=current_app.config["TIMEZONE"]
    )
