"""The order confirmation sheet PDF: valid, bilingual, extractable, paginated, scannable."""

import dataclasses
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image
from pypdf.generic import ContentStream

from app.pdf import (
    FONT_PACKAGE,
    ConfirmationSheet,
    FontNotFoundError,
    SheetCondition,
    SheetLine,
    render_confirmation_pdf,
)
from app.pdf.amounts import rmb_in_words
from app.pdf.fonts import font_path
from app.pdf.qr import FORM_NAME
from app.pdf.styles import money, quantity

URL = "https://ordergate.example.com/confirm/9f8e7d6c5b4a39281706f5e4d3c2b1a0"
CUSTOMER = "上海华东电气设备有限公司"
SPECS = {
    "结构与功能 Structure & function": "三层焊接框架，带可调节脚轮 Welded three-tier frame",
    "尺寸与性能 Dimensions & performance": "1200 × 600 × 1800 mm；单层承重 ≥ 300 kg",
    "技术要求 Technical requirements": "材料 SUS304，板厚 2.0 mm",
    "工艺要求 Process requirements": "激光切割、折弯、氩弧焊、拉丝",
    "质量要求 Quality requirements": "AQL 1.0，出厂附检验报告",
    "包装要求 Packaging requirements": "每件独立包装，外箱标注唛头",
    "包装材料 Packaging materials": "珍珠棉、五层瓦楞纸箱、熏蒸木托盘",
}


def make_sheet(**overrides) -> ConfirmationSheet:
    """A two-line order, one line non-standard, with review conditions and a confirm link."""
    values = dict(
        company="苏州恒达精密机械有限公司 Suzhou Hengda Precision Machinery Co., Ltd.",
        order_number="SO-2025-00042",
        revision=3,
        revision_hash="a1b2c3d4e5f60718293a4b5c6d7e8f90",
        customer_name=CUSTOMER,
        customer_contact="王建国 Wang Jianguo",
        customer_address="上海市浦东新区张江高科技园区碧波路 690 号",
        customer_po="PO-HD-88123",
        order_type="non_standard",
        requested_date=date(2025, 7, 1),
        promised_date=date(2025, 7, 15),
        lines=[
            SheetLine(
                1,
                "STD-BRK-040",
                "标准角码 Standard bracket",
                Decimal("1200"),
                "件 pcs",
                Decimal("3.85"),
                Decimal("4620.00"),
            ),
            SheetLine(
                2,
                "NS-2025-017",
                "定制不锈钢三层货架（带脚轮）Custom stainless rack",
                Decimal("24"),
                "台 set",
                Decimal("2860.5"),
                Decimal("68652.00"),
                SPECS,
            ),
        ],
        total=Decimal("73272.00"),
        conditions=[
            SheetCondition("技术部 Engineering", "脚轮改为带刹车的聚氨酯脚轮。"),
            SheetCondition("品质部 Quality", "首件需经客户确认 First article approval."),
        ],
        notes="请于 3 个工作日内签字回传 & return within 3 days.",
        confirm_url=URL,
        generated_at=datetime(2025, 6, 1, 6, 30, tzinfo=UTC),
    )
    return ConfirmationSheet(**(values | overrides))


def signed(sheet: ConfirmationSheet) -> ConfirmationSheet:
    """The same sheet after the customer confirmed it online."""
    at = datetime(2025, 6, 2, 1, 12, tzinfo=UTC)
    return dataclasses.replace(
        sheet, confirm_url=None, signed_by="王建国", signed_at=at, signed_ip="203.0.113.7"
    )


def read(pdf: bytes) -> pypdf.PdfReader:
    """Parse the PDF, failing the test on anything malformed."""
    return pypdf.PdfReader(io.BytesIO(pdf), strict=True)


def page_texts(pdf: bytes) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() for page in read(pdf).pages]


@pytest.fixture(scope="module")
def pdf() -> bytes:
    """The default sheet, rendered once for the module."""
    return render_confirmation_pdf(make_sheet())


def test_is_a_valid_a4_pdf_with_the_cjk_font_embedded(pdf):
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    reader = read(pdf)
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)
    fonts = reader.pages[0]["/Resources"]["/Font"].values()
    embedded = [f.get_object() for f in fonts if "WenQuanYiMicroHei" in f.get_object()["/BaseFont"]]
    assert embedded and all("/FontFile2" in f["/FontDescriptor"] for f in embedded)
    assert "SO-2025-00042" in reader.metadata.title


def test_chinese_and_english_text_is_extractable(pdf):
    text = "\n".join(page_texts(pdf))
    for expected in [
        "订单确认书",
        "Order Confirmation",
        CUSTOMER,
        "SO-2025-00042",
        "PO-HD-88123",
        "a1b2c3d4e5f6",
        "非标订单",
        "Non-standard",
        "2025-07-15",
        "73,272.00",
        "2,860.50",
        "柒万叁仟贰佰柒拾贰元整",
        "评审附加条件",
        "脚轮改为带刹车的聚氨酯脚轮",
        "品质部 Quality",
        "return within 3 days",
        "客户签字",
        "Customer signature",
        "日期",
        "Date",
        "2025-06-01 14:30 Asia/Shanghai",
    ]:
        assert expected in text, expected
    assert "a1b2c3d4e5f60" not in text  # only the first 12 characters of the hash
    for label, value in SPECS.items():
        assert label.split()[0] in text and value.split("，")[0] in text


def test_every_page_is_numbered_and_long_content_flows_on():
    many = [
        SheetLine(
            i,
            f"STD-{i:03}",
            "补充件长描述 Spare part " + "加长说明" * 12,
            Decimal(i),
            "件 pcs",
            Decimal("10"),
            Decimal(10 * i),
        )
        for i in range(1, 41)
    ]
    texts = page_texts(render_confirmation_pdf(make_sheet(lines=many)))
    total = len(texts)
    assert total >= 2
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} / {total} 页" in text and f"Page {number} of {total}" in text
    assert "Unit price" in texts[1]  # the lines table header repeats on the next page
    assert "STD-040" in "".join(texts[1:])


def test_qr_code_decodes_to_the_confirm_url(pdf):
    assert decode_qr(read(pdf)) == [URL]


def test_no_qr_code_without_a_confirm_url():
    reader = read(render_confirmation_pdf(make_sheet(confirm_url=None)))
    assert f"/FormXob.{FORM_NAME}" not in reader.pages[0]["/Resources"].get("/XObject", {})


def test_signed_sheet_shows_who_when_and_from_where():
    text = "\n".join(page_texts(render_confirmation_pdf(signed(make_sheet()))))
    assert "已由客户在线确认" in text and "王建国" in text and "203.0.113.7" in text
    assert "2025-06-02 09:12 Asia/Shanghai (UTC+08:00)" in text
    assert "Customer signature" not in text


def test_times_follow_the_configured_zone():
    sheet = signed(make_sheet())
    text = "\n".join(page_texts(render_confirmation_pdf(sheet, tz="Europe/Berlin")))
    assert "2025-06-01 08:30 Europe/Berlin" in text and "2025-06-02 03:12" in text


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        render_confirmation_pdf(make_sheet(generated_at=datetime(2025, 6, 1, 8, 0)))


def test_user_text_is_escaped_not_parsed_as_markup():
    sheet = make_sheet(customer_name="A&B <Trading> 有限公司", notes="<b>not bold</b>")
    text = "\n".join(page_texts(render_confirmation_pdf(sheet)))
    assert "A&B <Trading> 有限公司" in text and "<b>not bold</b>" in text


def test_a_missing_font_names_the_debian_package(tmp_path: Path):
    with pytest.raises(FontNotFoundError, match=FONT_PACKAGE):
        font_path((tmp_path / "missing.ttc",))


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("1.05", "壹元零伍分"),
        ("10050", "壹万零伍拾元整"),
        ("100000001", "壹亿零壹元整"),
        ("1050.07", "壹仟零伍拾元零柒分"),
        ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
    ],
)
def test_amount_in_chinese_capitals(amount, words):
    assert rmb_in_words(Decimal(amount)) == words


def test_number_formats():
    assert quantity(Decimal("1200.000")) == "1,200" and quantity(Decimal("12.50")) == "12.5"
    assert money(Decimal("3.8")) == "3.80" and money(Decimal("0.1250")) == "0.125"


def decode_qr(reader: pypdf.PdfReader) -> list[str]:
    """Rebuild the QR modules from the filled rectangles of its form XObject and decode them."""
    form = reader.pages[0]["/Resources"]["/XObject"][f"/FormXob.{FORM_NAME}"].get_object()
    rects, pending = [], []
    for operands, operator in ContentStream(form, reader).operations:
        if operator == b"re":
            pending.append([float(v) for v in operands])
        elif operator in (b"f", b"f*"):
            rects += pending
        if operator in (b"f", b"f*", b"n", b"S"):
            pending = []
    module = min(h for _, _, _, h in rects)
    left, top = min(x for x, *_ in rects), max(y + h for _, y, _, h in rects)
    size = round((max(x + w for x, _, w, _ in rects) - left) / module)
    scale, quiet = 6, 4
    image = Image.new("L", ((size + 2 * quiet) * scale,) * 2, 255)
    for x, y, w, h in rects:
        col, row = round((x - left) / module) + quiet, round((top - y - h) / module) + quiet
        box = (col * scale, row * scale, (col + round(w / module)) * scale, (row + 1) * scale)
        image.paste(0, box)
    return [result.text for result in zxingcpp.read_barcodes(image)]
