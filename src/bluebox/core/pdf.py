"""Printable PDFs: the classification marking on every page, and tagged (PDF/UA-1).

Every PDF bluebox prints goes through :func:`render`: the marking is set in the page's top and
bottom margin boxes by a stylesheet added here, so no template can forget a page, and the file is
written as PDF/UA-1 (tagged structure; the template gives the title and ``<html lang>``) for
screen readers.
"""

from __future__ import annotations

from bluebox.core.classification import Classification

MARKING_CSS = """
@page {
  @top-center { content: "%(marking)s"; font: bold 9pt sans-serif; color: #a00; }
  @bottom-left { content: "%(marking)s"; font: bold 8pt sans-serif; color: #a00; }
}
"""


def marking_of(classification: int) -> str:
    """The printed marking of a classification level ("STRICTLY CONFIDENTIAL")."""
    return Classification(classification).name.replace("_", " ")


def render(html: str, *, marking: str, base_url: str) -> bytes:
    """The HTML as a tagged PDF with ``marking`` (e.g. "CONFIDENTIAL") on every page."""
    from weasyprint import CSS, HTML

    label = "".join(ch for ch in marking.upper() if ch.isalnum() or ch in " -/")
    css = CSS(string=MARKING_CSS % {"marking": label})
    document = HTML(string=html, base_url=base_url)
    return bytes(document.write_pdf(stylesheets=[css], pdf_variant="pdf/ua-1"))
