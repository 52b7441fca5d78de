"""The CJK font embedded in our PDFs: WenQuanYi Micro Hei from Debian's fonts-wqy-microhei."""

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# reportlab embeds only TrueType (glyf) outlines: Noto CJK (CFF-based OTF/TTC, the font
# `make browser` installs for screenshots) cannot be used here, WenQuanYi Micro Hei can.
FONT_PACKAGE = "fonts-wqy-microhei"
FONT_NAME = "WQYMicroHei"
FONT_PATHS = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)
# Index 0 in the collection is the proportional face; 1 is "Micro Hei Mono".
SUBFONT_INDEX = 0


class FontNotFoundError(RuntimeError):
    """The CJK font file is not installed, so no PDF with Chinese text can be made."""


def font_path(candidates: tuple[Path, ...] = FONT_PATHS) -> Path:
    """The first candidate font file that exists, or FontNotFoundError naming the package."""
    for path in candidates:
        if path.is_file():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise FontNotFoundError(
        f"The CJK font for PDFs is missing (looked for {tried}). Install the Debian package "
        f"{FONT_PACKAGE}: `make browser`, or `apt-get install {FONT_PACKAGE}`."
    )


@cache
def register_font() -> str:
    """Register the CJK font with reportlab once per process and return its font name."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path()), subfontIndex=SUBFONT_INDEX))
    # The face has no bold or italic; map <b>/<i> to it so markup never fails.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT_NAME, bold, italic, FONT_NAME)
    return FONT_NAME
