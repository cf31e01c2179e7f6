"""Static assets that a phone keeps for a year and still never serves stale.

Every ``{% static %}`` URL carries a digest of the file's content (``app.css?v=3f9c…``); a
response to such a URL is marked ``immutable`` for a year (:class:`LongCacheMiddleware`), so a
field site's slow link downloads each stylesheet and script once per release. A changed file
gets a new URL. It needs no ``collectstatic`` step: the files are read where the finders find
them, as WhiteNoise serves them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.http import HttpRequest, HttpResponse

YEAR_S = 365 * 24 * 3600
_digests: dict[tuple[str, float], str] = {}


def digest(name: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None when no finder has it."""
    found = finders.find(name)
    if not found:
        return None
    path = Path(str(found))
    key = (str(path), path.stat().st_mtime)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return _digests[key]


class VersionedStaticFilesStorage(StaticFilesStorage):
    def url(self, name: str | None) -> str:
        url = super().url(name)
        version = digest(name) if name else None
        return f"{url}?v={version}" if version else url


class LongCacheMiddleware:
    """A year of ``immutable`` caching for static files asked for by their versioned URL; an
    unversioned URL keeps WhiteNoise's short default (a file may change under it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = str(settings.STATIC_URL)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(self.prefix)
            and response.status_code == 200
            and "v" in request.GET
        ):
            response["Cache-Control"] = f"public, max-age={YEAR_S}, immutable"
        return response
