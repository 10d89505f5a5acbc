"""The one home of the PDF Korean font (BIL-18, TRM-3): every PDF we render (the invoice, the 신구조문 대비표)
asks :func:`pdf_fonts` for its (regular, bold) reportlab font names and builds with :func:`font_canvas`, so
the only fonts in the file are the Korean ones, embedded (a reader without them still sees the page).

Font, in order: the TTF at ``settings.PDF_FONT_PATH`` (and ``PDF_FONT_BOLD_PATH``), the Debian
``fonts-nanum`` NanumGothic (installed by ``.ci/run``; it has every glyph we print, "·" and "→"
included), else reportlab's built-in CID font ``HYGothic-Medium`` (no file needed, so a fresh machine
still renders Hangul, but the font is not embedded: a warning is logged). Core imports no app.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas

__all__ = ["CID_FONT", "NANUM_BOLD", "NANUM_DIR", "NANUM_REGULAR", "font_canvas", "pdf_fonts"]

log = logging.getLogger(__name__)

NANUM_DIR = Path("/usr/share/fonts/truetype/nanum")
NANUM_REGULAR = NANUM_DIR / "NanumGothic.ttf"
NANUM_BOLD = NANUM_DIR / "NanumGothicBold.ttf"
CID_FONT = "HYGothic-Medium"


@lru_cache(maxsize=8)
def _register(regular: str | None, bold: str | None) -> tuple[str, str]:
    """Register the fonts once per (regular, bold) pair, as one family (so ``<b>`` in a paragraph
    picks the bold face, never Helvetica); return their reportlab names."""
    if regular and Path(regular).is_file():
        name = f"KR-{Path(regular).stem}"
        pdfmetrics.registerFont(TTFont(name, regular))
        bold_name = name
        if bold and Path(bold).is_file():
            bold_name = f"KR-{Path(bold).stem}"
            pdfmetrics.registerFont(TTFont(bold_name, bold))
        pdfmetrics.registerFontFamily(name, normal=name, bold=bold_name, italic=name, boldItalic=bold_name)
        return name, bold_name
    log.warning("PDF: no Korean TTF (fonts-nanum or PDF_FONT_PATH); %s is not embedded", CID_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    cid = CID_FONT
    pdfmetrics.registerFontFamily(cid, normal=cid, bold=cid, italic=cid, boldItalic=cid)
    return CID_FONT, CID_FONT


def pdf_fonts() -> tuple[str, str]:
    """The (regular, bold) font names to use, registering them on first use."""
    configured = getattr(settings, "PDF_FONT_PATH", None)
    if configured:
        return _register(str(configured), str(getattr(settings, "PDF_FONT_BOLD_PATH", "") or "") or None)
    if NANUM_REGULAR.is_file():
        return _register(str(NANUM_REGULAR), str(NANUM_BOLD) if NANUM_BOLD.is_file() else None)
    return _register(None, None)


class _FontCanvas(pdfcanvas.Canvas):
    """A canvas whose initial font is ours (reportlab's default, Helvetica, would otherwise be listed in
    the file as a font that is not embedded); with ``numbered``, "page / pages" on every page
    (two passes: pages are kept until the count is known)."""

    font_name = CID_FONT
    numbered = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = kwargs.get("initialFontName") or self.font_name  # doc templates pass None
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:
        if not self.numbered:
            super().showPage()
            return
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self.setFont(self.font_name, 8)
            self.setFillColor(colors.grey)
            self.drawCentredString(A4[0] / 2, 10 * mm, f"{self._pageNumber} / {total}")
            super().showPage()
        super().save()


def font_canvas(font_name: str, *, numbered: bool = False) -> type[pdfcanvas.Canvas]:
    """The ``canvasmaker`` for ``doc.build``: starts in ``font_name``; ``numbered`` adds page numbers."""
    return type("FontCanvas", (_FontCanvas,), {"font_name": font_name, "numbered": numbered})
