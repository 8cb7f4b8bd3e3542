"""The PDF of an HTML document: fpdf2, pure Python, with the DejaVu fonts bundled so every
alphabet prints. One HTML template drives both the HTML kept and the PDF sent."""

from __future__ import annotations

import warnings
from importlib import resources

from acctmgr.errors import InvalidInput
from acctmgr.services.documents.sandbox import MAX_SECONDS, TooSlow, within_time


def pdf_of(html: str, *, name: str, title: str) -> bytes:
    """The PDF of rendered HTML: fpdf2 lays out headings, paragraphs, lists and simple tables
    (no tags nested inside a table cell).

    Raises InvalidInput naming the template when fpdf2 cannot lay the HTML out, or cannot
    within ``MAX_SECONDS``.
    """
    from fpdf import FPDF  # imported here: only documents need it, and it is not small
    from fpdf.errors import FPDFException

    fonts = resources.files("acctmgr.documents") / "fonts"
    pdf = FPDF(format="A4")
    pdf.set_title(title)
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

    def lay_out() -> bytes:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fpdf2 warns about tags it skips; they are skipped
            pdf.write_html(html, font_family="dejavu")
        return bytes(pdf.output())

    try:
        # Laying out is bounded in time too: a template may write pages and pages of HTML.
        return within_time(MAX_SECONDS, lay_out)
    except TooSlow:
        raise InvalidInput(
            f"The template {name} makes a PDF too long to lay out in {MAX_SECONDS:g} seconds.",
            field="body",
        ) from None
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
