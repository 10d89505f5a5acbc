"""The one home of the PDF Korean font (BIL-18, TRM-3): every PDF we render (the invoice, the 신구조문 대비표)
asks :func:`pdf_fonts` for its (regular, bold) reportlab font names.

Font, in order: the TTF at ``settings.PDF_FONT_PATH`` (and ``PDF_FONT_BOLD_PATH``), the Debian
``fonts-nanum`` NanumGothic, else reportlab's built-in CID font ``HYGothic-Medium`` (no file needed, so a
fresh machine still renders Hangul). Core imports no app.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["CID_FONT", "NANUM_BOLD", "NANUM_DIR", "NANUM_REGULAR", "pdf_fonts"]

NANUM_DIR = Path("/usr/share/fonts/truetype/nanum")
NANUM_REGULAR = NANUM_DIR / "NanumGothic.ttf"
NANUM_BOLD = NANUM_DIR / "NanumGothicBold.ttf"
CID_FONT = "HYGothic-Medium"


@lru_cache(maxsize=8)
def _register(regular: str | None, bold: str | None) -> tuple[str, str]:
    """Register the fonts once per (regular, bold) pair; return their reportlab names."""
    if regular and Path(regular).is_file():
        name = f"KR-{Path(regular).stem}"
        pdfmetrics.registerFont(TTFont(name, regular))
        bold_name = name
        if bold and Path(bold).is_file():
            bold_name = f"KR-{Path(bold).stem}"
            pdfmetrics.registerFont(TTFont(bold_name, bold))
        return name, bold_name
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT, CID_FONT


def pdf_fonts() -> tuple[str, str]:
    """The (regular, bold) font names to use, registering them on first use."""
    configured = getattr(settings, "PDF_FONT_PATH", None)
    if configured:
        return _register(str(configured), str(getattr(settings, "PDF_FONT_BOLD_PATH", "") or "") or None)
    if NANUM_REGULAR.is_file():
        return _register(str(NANUM_REGULAR), str(NANUM_BOLD) if NANUM_BOLD.is_file() else None)
    return _register(None, None)
