"""Every printed page carries the marking; the PDF is tagged (PDF/UA-1), as poppler reads it."""

from __future__ import annotations

from bluebox.core.pdf import marking_of, render
from bluebox.testing.validators import pdf_report


def test_a_five_page_document_is_marked_on_every_page_and_tagged():
    sections = "".join(f'<h2 class="next">Part {n}</h2><p>{"Text. " * 50}</p>' for n in range(1, 6))
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Plan</title>'
        "<style>.next{break-before:page}</style></head><body>" + sections + "</body></html>"
    )
    report = pdf_report(render(html, marking=marking_of(2), base_url="/"))
    pages = report["pages"]
    assert len(pages) == 5
    assert [n for n, text in enumerate(pages, 1) if text.count("STRICTLY CONFIDENTIAL") < 2] == []
    assert report["info"]["Tagged"] == "yes" and report["info"]["Title"] == "Plan"
    assert report["fonts"] and all(embedded for _, embedded in report["fonts"])


def test_the_marking_cannot_break_out_of_the_stylesheet():
    html = "<html lang='en'><title>x</title><p>x</p></html>"
    report = pdf_report(render(html, marking='SECRET"; } body { display: none', base_url="/"))
    assert "SECRET" in report["pages"][0] and "x" in report["pages"][0]
