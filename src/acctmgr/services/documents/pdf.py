"""The PDF of an HTML document: fpdf2, pure Python, with the DejaVu fonts bundled so every
alphabet prints. One HTML template drives both the HTML kept and the PDF sent.

It runs in the render pool's child process (``documents.render_process``), under its time and
memory limits. Reading the four fonts is most of a PDF's cost (about 0.3 s), so a worker reads
them for its next document while it waits (``blank_document``); the ones a document does not use
are left out of it.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Container
from importlib import resources

from fpdf import FPDF
from fpdf.enums import PDFResourceType
from fpdf.errors import FPDFException
from fpdf.fonts import TTFFont

from acctmgr.errors import InvalidInput


def blank_document() -> FPDF:
    """An empty A4 page with the DejaVu fonts read, ready for ``pdf_of``."""
    fonts = resources.files("acctmgr.documents") / "fonts"
    pdf = FPDF(format="A4")
    pdf.set_creator("acctmgr")
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    with (
        resources.as_file(fonts / "DejaVuSans.ttf") as regular,
        resources.as_file(fonts / "DejaVuSans-Bold.ttf") as bold,
    ):
        pdf.add_font("dejavu", "", str(regular))
        pdf.add_font("dejavu", "B", str(bold))
        pdf.add_font("dejavu", "I", str(regular))
        pdf.add_font("dejavu", "BI", str(bold))
    pdf.set_font("dejavu", size=10)
    return pdf


def pdf_of(
    html: str, *, name: str, title: str, blank: FPDF | None = None, lay_out_only: bool = False
) -> bytes:
    """The PDF of rendered HTML: fpdf2 lays out headings, paragraphs, lists and simple tables
    (no tags nested inside a table cell), on ``blank`` if given (it is used up). With
    ``lay_out_only``, the HTML is laid out but no file is made (for a preview: half the time),
    and the answer is empty.

    Raises InvalidInput naming the template when fpdf2 cannot lay the HTML out.
    """
    pdf = blank if blank is not None else blank_document()
    pdf.set_title(title)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fpdf2 warns about tags it skips; they are skipped
            pdf.write_html(printable(html, _glyphs(pdf)), font_family="dejavu")
        if lay_out_only:
            return b""
        _leave_out_unused_fonts(pdf)
        return bytes(pdf.output())
    except (FPDFException, AssertionError) as error:
        # fpdf2 asserts on some shapes it cannot lay out (a table inside a table cell).
        reason = str(error).strip() or "it nests a table or a tag where fpdf2 cannot place it"
        raise InvalidInput(
            f"The template {name} makes HTML the PDF cannot lay out: {reason}.", field="body"
        ) from None
    except (NotImplementedError, ValueError, KeyError, IndexError) as error:
        raise InvalidInput(
            f"The template {name} makes HTML the PDF cannot lay out: {error}.", field="body"
        ) from None


# Two regional indicators make a flag: "🇩🇪" is Germany's.
FLAG = re.compile("([\U0001f1e6-\U0001f1ff])([\U0001f1e6-\U0001f1ff])")


def printable(text: str, glyphs: Container[int]) -> str:
    """``text`` with each character the font has no glyph for (emoji, mostly) named in
    brackets, "Mars 🚀 colony" printing "Mars [rocket] colony": fpdf2 would leave it out without
    a trace, and the customer would read a different text from the one typed. Joiners, skin
    tones and variation selectors, which only shape the character beside them, go.
    """
    if text.isascii():
        return text
    text = FLAG.sub(lambda m: f"[flag {chr(ord(m[1]) - 0x1F1A5)}{chr(ord(m[2]) - 0x1F1A5)}]", text)
    out = []
    for character in text:
        if ord(character) in glyphs:
            out.append(character)
        elif unicodedata.category(character) not in {"Mn", "Me", "Cf", "Sk"}:
            name = unicodedata.name(character, "").lower()
            out.append(f"[{name}]" if name else "\ufffd")
    return "".join(out)


def _glyphs(pdf: FPDF) -> Container[int]:
    """The characters the regular font has a glyph for."""
    font = pdf.fonts["dejavu"]
    assert isinstance(font, TTFFont)  # added from its file in blank_document
    return font.cmap


def _leave_out_unused_fonts(pdf: FPDF) -> None:
    """Forget the fonts no page uses (most documents have no italics), so they are neither
    subset nor embedded: a smaller PDF, and a third less time making it."""
    catalog = getattr(pdf, "_resource_catalog", None)  # fpdf2's own record of what pages use
    if catalog is None:
        return
    used = catalog.get_used_resources(PDFResourceType.FONT)
    current = pdf.current_font.fontkey if pdf.current_font is not None else None
    for key, font in list(pdf.fonts.items()):
        if font.i not in used and key != current:
            del pdf.fonts[key]
