"""The page-weight budget: what a phone downloads to open each main page, measured by Chromium
itself (bytes on the wire, headers included, compressed as sent) on an empty cache, and again on
a second visit, when the static files come from the cache and only the page is fetched.

The budget (docs/benchmarks.md, "Page weight"): at most 120 KB on the wire for a first visit to
any main page, at most 30 KB for a later visit, with 300 incidents in the mission. A field site's
link at 64 kbit/s then opens any page in about 15 s the first time and 4 s afterwards. Static
files go through the middleware as in production (compressed, cached a year by their versioned
URL), not through the test server's own static handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from bluebox.testing.browser import sign_in
from bluebox.testing.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_VISIT_BUDGET = 120_000
LATER_VISIT_BUDGET = 30_000
PAGES = [
    "/",
    "/incidents/",
    "/incidents/new/",
    "/map/",
    "/alerts/",
    "/forecast/",
    "/patrols/",
    "/detention/",
    "/field/",
]


def _measure(page: Any, cdp: Any, url: str) -> tuple[int, int]:
    """Bytes on the wire and the number of requests for one visit."""
    finished: list[int] = []

    def count(event: dict[str, Any]) -> None:
        finished.append(int(event["encodedDataLength"]))

    cdp.on("Network.loadingFinished", count)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    cdp.remove_listener("Network.loadingFinished", count)
    return sum(finished), len(finished)


@pytest.fixture
def served_as_in_production(transactional_db: None) -> Iterator[str]:
    """A live server whose static files go through the middleware as in production
    (WhiteNoise, compression, caching headers), not the test server's own static handler."""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread = LiveServerThread("localhost", lambda handler: handler, shared, 0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    for connection in shared.values():
        connection.dec_thread_sharing()


def test_static_files_are_compressed_and_kept_for_a_year(served_as_in_production):
    import urllib.request

    from django.templatetags.static import static

    request = urllib.request.Request(  # noqa: S310 (the local test server)
        served_as_in_production + static("vendor/leaflet/leaflet.js"),
        headers={"Accept-Encoding": "gzip"},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310 (the local test server)
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert len(response.read()) < 60_000  # 147 KB as a file


def test_every_main_page_stays_within_its_weight_budget(
    served_as_in_production, browser, mapped_world
):
    base = served_as_in_production
    now = timezone.now()
    for i in range(300):
        IncidentFactory(
            site=(mapped_world.site_a, mapped_world.site_b)[i % 2],
            occurred_at=now - timedelta(hours=5 * i + 1),
        )
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, service_workers="block"
    )
    page = context.new_page()
    sign_in(page, base, "commissioner")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    weights: dict[str, tuple[int, int, int]] = {}
    for path in PAGES:
        cdp.send("Network.clearBrowserCache")
        first, requests = _measure(page, cdp, base + path)
        later, _ = _measure(page, cdp, base + path)
        weights[path] = (first, later, requests)
    context.close()
    report = "\n".join(
        f"{p:18} first {f / 1000:6.1f} KB  later {w / 1000:5.1f} KB  {n} requests"
        for p, (f, w, n) in weights.items()
    )
    print("\n" + report)
    over = {p: v for p, v in weights.items() if v[0] > FIRST_VISIT_BUDGET}
    assert over == {}, report
    over = {p: v for p, v in weights.items() if v[1] > LATER_VISIT_BUDGET}
    assert over == {}, report
