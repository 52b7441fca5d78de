"""The quotation PDF (报价单): valid, every label in Chinese and English, the quoted figures as
given, a non-standard item's specification, the amount in words for CNY, the signature block."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdf
import pytest

from app.pdf import QuotationSheet, QuoteLine, render_quotation_pdf


def make_sheet(**overrides) -> QuotationSheet:
    values = dict(
        company="OrderGate 示范工厂 Demo Factory",
        number="QT-2026-00007",
        revision=2,
        customer_name="上海华东电气设备有限公司",
        customer_contact="王建国",
        currency="CNY",
        payment_terms="月结 30 天 30 days net",
        valid_until=date(2026, 12, 31),
        notes="含税 <VAT> & 运费",
        total=Decimal("2150"),
        lines=[
            QuoteLine(1, "Q-100", "齿轮箱 Gear box", Decimal("10"), Decimal("90"), Decimal("900")),
            QuoteLine(
                2,
                "",
                "定制机架 Custom frame",
                Decimal("5"),
                Decimal("250"),
                Decimal("1250"),
                {"结构与功能 Structure & function": "两段式 two-piece"},
            ),
        ],  # fmt: skip
        generated_at=datetime(2026, 12, 4, 2, 30, tzinfo=UTC),
    )
    values.update(overrides)
    return QuotationSheet(**values)


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_quotation_is_bilingual_with_its_figures():
    pdf = render_quotation_pdf(make_sheet(), tz="Asia/Shanghai")
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    for zh, en in (
        ("报价单", "Quotation"),
        ("付款条件", "Payment terms"),
        ("有效期至", "Valid until"),
        ("单价", "Unit price"),
        ("合计", "Total"),
        ("客户确认", "Customer acceptance"),
        ("客户签字", "Customer signature"),
    ):
        assert zh in text and en in text, (zh, en)
    assert "QT-2026-00007" in text and "2026-12-31" in text and "2,150.00" in text
    assert "贰仟壹佰伍拾元整" in text and "两段式" in text and "two-piece" in text
    assert "<VAT> & 运费" in text
    assert "2026-12-04 10:30 Asia/Shanghai" in text
    assert pypdf.PdfReader(io.BytesIO(pdf)).metadata.title == "报价单 Quotation QT-2026-00007"


def test_a_foreign_currency_has_no_amount_in_words():
    text = text_of(render_quotation_pdf(make_sheet(currency="USD")))
    assert "USD 2,150.00" in text and "人民币大写" not in text


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        render_quotation_pdf(make_sheet(generated_at=datetime(2026, 12, 4, 2, 30)))
