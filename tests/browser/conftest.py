"""Browser tests drive Debian's Chromium through Playwright against a live server.

Where Chromium is missing they skip locally, but fail under CI (``CI=true``): a browser that
cannot be had in CI is a failure, not a silent skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("BLUEBOX_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("BLUEBOX_TEST_ARTIFACTS", "test-artifacts"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_a_shared_connection() -> Iterator[None]:
    """The live server answers one request at a time when the test database is SQLite in memory.

    That database is one connection, which the live server's threads share: two requests at once
    (a page, and the map data the page before it was still fetching) would run their
    transactions interleaved on it, as savepoints of each other, and both append the same
    audit entry number. With a connection per thread (a file database in production, or
    PostgreSQL here) the database itself orders them.
    """
    import threading

    from django.core.handlers.base import BaseHandler
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    lock = threading.RLock()
    original = BaseHandler.get_response

    def one_at_a_time(self: BaseHandler, request: Any) -> Any:
        # Asked per request: the test database replaces the configured one after this starts.
        if not connection.is_in_memory_db():
            return original(self, request)
        with lock:
            return original(self, request)

    BaseHandler.get_response = one_at_a_time  # type: ignore[method-assign]
    yield
    BaseHandler.get_response = original  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not _chromium_available():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def mapped_world(world: Any) -> Any:
    """The world with what a real mission has and the plain fixture lacked: the shipped country
    boundary and sector boundaries (those of the demo's island), and a third field site, so a
    page that only works for the first site or without a boundary fails here."""
    from bluebox.engines.scenario import geography
    from bluebox.testing.factories import FieldSiteFactory

    def polygon(ring: Any) -> dict[str, Any]:
        return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}

    world.mission.settings = {**world.mission.settings, "boundary": polygon(geography.boundary())}
    world.mission.save()
    sectors = {s.code: s for s in geography.sectors()}
    for sector, code in ((world.east, "east"), (world.west, "west")):
        sector.boundary = polygon(sectors[code].boundary)
        sector.save()
    world.site_c = FieldSiteFactory(
        sector=world.east,
        code="site-c",
        name="Site C",
        kind="police_station",
        latitude=2.55,
        longitude=-9.0,
    )
    return world


class PageErrors(list[str]):
    """Script errors and refused inline code (Content-Security-Policy) seen by watched pages."""

    def watch(self, page: Any) -> Any:
        page.on("pageerror", lambda exc: self.append(f"error: {exc}"))
        page.on("console", self._console)
        return page

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.append(f"refused: {message.text}")


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()
