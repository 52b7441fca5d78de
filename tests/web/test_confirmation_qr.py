"""The link page's QR code: one SVG path that scans back to the link, drawn once per link."""

import re

import zxingcpp
from PIL import Image, ImageDraw

from app.modules.confirmations import views
from tests.web.test_confirmation_links import awaiting  # noqa: F401 - fixture

SCALE = 6  # pixels a module


def rasterise(svg: str) -> Image.Image:
    """Paint the SVG's white square and its one path of runs ("Mx yhNv1h-Nz") into an image."""
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    image = Image.new("L", (side * SCALE, side * SCALE), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        x, y, length = int(x), int(y), int(length)
        draw.rectangle([x * SCALE, y * SCALE, (x + length) * SCALE - 1, (y + 1) * SCALE - 1], 0)
    assert "".join(re.findall(r"M\d+ \d+h(\d+)v1h-\1z", path)), "no dark runs drawn"
    assert re.sub(r"M\d+ \d+h(\d+)v1h-\1z", "", path) == "", "something else in the path"
    return image


def test_link_page_qr_scans_back_to_the_link(client, login, make_user, awaiting):  # noqa: F811
    login(make_user("sales"))
    page = client.post(f"/orders/{awaiting.id}/confirmation/link").get_data(as_text=True)
    url = re.search(r'id="confirm-url" readonly value="([^"]+)"', page).group(1)
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert [r.text for r in zxingcpp.read_barcodes(rasterise(svg))] == [url]


def test_qr_is_drawn_once_per_link():
    views.qr_svg.cache_clear()
    first = views.qr_svg("http://localhost/confirm/abc")
    again = views.qr_svg("http://localhost/confirm/abc")
    other = views.qr_svg("http://localhost/confirm/abd")
    info = views.qr_svg.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    assert first is again and other != first
