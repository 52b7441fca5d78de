"""The delivery note PDF (送货单): valid, every label in Chinese and English, the shipment's
quantities as given, blank signature lines until the receipt, then who signed and when."""

import dataclasses
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdf
import pytest

from app.pdf import DeliveryNote, NoteLine, render_delivery_note_pdf


def make_note(**overrides) -> DeliveryNote:
    values = dict(
        company="苏州恒达精密机械有限公司 Suzhou Hengda Precision Machinery Co., Ltd.",
        note_number="SO-2025-00042-D2",
        order_number="SO-2025-00042",
        customer_name="上海华东电气设备有限公司",
        customer_contact="王建国 Wang Jianguo",
        customer_address="上海市浦东新区碧波路 690 号",
        customer_po="PO-HD-88123",
        ship_date=date(2025, 7, 14),
        carrier="顺丰速运 SF Express",
        tracking_number="SF1234567890",
        note="易碎 <fragile> & keep dry",
        lines=[
            NoteLine(
                1,
                "STD-BRK-040",
                "标准角码 Standard bracket",
                "pcs",
                Decimal("1200"),
                Decimal("450"),
                Decimal("1150"),
            ),
            NoteLine(
                2,
                "非标 Non-std",
                "定制货架 Custom rack",
                "台 set",
                Decimal("24"),
                Decimal("12.5"),
                Decimal("24"),
            ),
        ],  # fmt: skip
        generated_at=datetime(2025, 7, 14, 2, 30, tzinfo=UTC),
    )
    values.update(overrides)
    return DeliveryNote(**values)


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_note_is_bilingual_with_the_shipment_figures():
    pdf = render_delivery_note_pdf(make_note(), tz="Asia/Shanghai")
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    for zh, en in (
        ("送货单", "Delivery Note"),
        ("收货单位", "Consignee"),
        ("发货日期", "Ship date"),
        ("承运商", "Carrier"),
        ("运单号", "Tracking No."),
        ("本次发货", "This shipment"),
        ("累计发货", "Shipped to date"),
        ("客户签收", "Customer receipt"),
        ("客户签字", "Customer signature"),
    ):
        assert zh in text and en in text, (zh, en)
    assert "SO-2025-00042-D2" in text and "SF1234567890" in text and "2025-07-14" in text
    assert "1,200" in text and "450" in text and "1,150" in text and "12.5" in text
    assert "<fragile> & keep dry" in text
    assert "2025-07-14 10:30 Asia/Shanghai" in text  # 02:30 UTC in Shanghai
    assert "第 1 / 1 页 Page 1 of 1" in text
    meta = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == "送货单 Delivery Note SO-2025-00042-D2"


def test_a_received_note_names_who_signed():
    signed = make_note(received_on=date(2025, 7, 16), receipt_signer="李娜 Li Na")
    text = text_of(render_delivery_note_pdf(signed))
    assert "客户已签收" in text and "Signed for by the customer" in text
    assert "李娜 Li Na" in text and "2025-07-16" in text
    assert "Customer signature" not in text


def test_many_lines_run_over_pages_with_the_header_repeated():
    line = NoteLine(
        1, "C", "长描述 long description " * 3, "pcs", Decimal(5), Decimal(1), Decimal(1)
    )
    lines = [dataclasses.replace(line, position=i) for i in range(1, 80)]
    pdf = render_delivery_note_pdf(make_note(lines=lines))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    assert "Shipped to date" in reader.pages[1].extract_text()


def test_naive_time_and_unknown_zone_are_refused():
    with pytest.raises(ValueError):
        render_delivery_note_pdf(make_note(generated_at=datetime(2025, 7, 14, 2, 30)))
    with pytest.raises(Exception, match="No time zone"):
        render_delivery_note_pdf(make_note(), tz="Mars/Olympus")
