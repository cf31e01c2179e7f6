"""Accessibility of the main pages, checked by axe-core in Chromium: no serious or critical
violation of the WCAG 2 A/AA rules, for a mission-wide commander and a reporter on a phone.

axe-core is injected by the test (tests/browser/vendor); the context bypasses the page's CSP for
that script only, since bluebox's own pages allow no inline script.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
COMMANDER_PAGES = [
    "/",
    "/incidents/",
    "/map/",
    "/sitrep/",
    "/alerts/",
    "/forecast/",
    "/deployment/",
    "/patrols/",
    "/detention/",
    "/evaluation/",
    "/engagement/",
    "/people/",
    "/ar/",
]
REPORTER_PAGES = ["/", "/incidents/new/", "/field/", "/guide/"]
SERIOUS = {"serious", "critical"}


def _violations(page: Any, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{url}: {v['id']} ({v['impact']}) on {len(v['nodes'])} element(s): "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize(
    ("who", "pages", "viewport"),
    [
        ("commissioner", COMMANDER_PAGES, {"width": 1366, "height": 900}),
        ("reporter_a", REPORTER_PAGES, {"width": 390, "height": 844}),
    ],
    ids=["commander-desktop", "reporter-phone"],
)
def test_main_pages_have_no_serious_accessibility_violation(
    live_server, browser, mapped_world, who, pages, viewport
):
    now = timezone.now()
    for i in range(12):
        IncidentFactory(
            site=(mapped_world.site_a, mapped_world.site_b)[i % 2],
            occurred_at=now - timedelta(hours=7 * i + 1),
            title=f"Incident {i}",
        )
    context = browser.new_context(viewport=viewport, bypass_csp=True, service_workers="block")
    page = context.new_page()
    sign_in(page, live_server.url, who)
    found = [v for path in pages for v in _violations(page, live_server.url + path)]
    context.close()
    assert found == [], "\n".join(found)
