"""Reading submissions from a KoBoToolbox or ODK Central server, page by page, over HTTP.

- **KoBoToolbox** API v2: ``GET <base>/api/v2/assets/<uid>/data/?format=json&limit=&start=``
  with ``query={"_submission_time": {"$gte": "<time>"}}`` and
  ``sort={"_submission_time": 1}``, authenticated by ``Authorization: Token <token>``; the answer
  is ``{"count", "next", "previous", "results"}`` and ``next`` is the following page. Each
  submission lists its files in ``_attachments`` (``filename``, ``download_url``).
- **ODK Central** OData: ``GET <base>/v1/projects/<p>/forms/<f>.svc/Submissions?$top=&$count=true
  &$orderby=__system/submissionDate asc&$filter=__system/submissionDate ge <time> or
  __system/updatedAt ge <time>`` (an edit keeps its submission's date); the answer
  is ``{"@odata.count", "value", "@odata.nextLink"}``. A web user signs in with
  ``POST /v1/sessions`` (email and password) and sends ``Authorization: Bearer <session>``; an
  app user's token goes in the path (``/v1/key/<token>/...``). A submission's files are listed
  at ``/v1/projects/<p>/forms/<f>/submissions/<instanceId>/attachments``.

The pages are read oldest first from the time given (inclusive: two submissions may share a
second), so storing them in order and remembering the last time stored is enough to go on
after an interruption. Server errors and dropped connections are retried with a growing pause;
a refusal (401, 403), a missing asset or form (404) or anything else is a :class:`RemoteError`
with words for the person who asked. The credential is never part of an error, a log line or
a ``repr``; links the server gives are followed only on its own scheme, host and port, so the
credential goes nowhere else. Nothing here touches the database.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

KOBO = "kobo"
CENTRAL = "central"
MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_FILE_BYTES = 10 * 1024 * 1024


class RemoteError(Exception):
    """The server refused, failed or answered something else than submissions."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class _Retry(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Server:
    """Where a form's submissions are and how to sign in; ``secret`` never prints."""

    kind: str  # KOBO or CENTRAL
    base_url: str
    secret: str = field(repr=False)
    asset_uid: str = ""
    project_id: int | None = None
    xml_form_id: str = ""
    username: str = ""  # ODK Central web user's email; empty: ``secret`` is an app user token
    page_size: int = 100
    timeout_s: float = 30.0
    retries: int = 4
    backoff_s: float = 1.0


@dataclass
class Page:
    records: list[dict[str, Any]]
    total: int | None  # as the server counts the submissions asked for (all pages)


def check_url(url: str) -> str:
    """The base URL as bluebox calls it; ``ValueError`` for one it will not call."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(_("The server address must start with https:// (or http://)."))
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(_("Give the server's address alone: no name, password or query in it."))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def _format_time(at: datetime, kind: str) -> str:
    utc = at.astimezone(UTC)
    if kind == KOBO:  # KoBoToolbox keeps _submission_time as UTC text without a zone
        return utc.strftime("%Y-%m-%dT%H:%M:%S")
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class Client:
    """One pull's conversation with a server (one sign-in, many pages)."""

    def __init__(self, server: Server, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.server = server
        self.base = check_url(server.base_url)
        self._origin = _origin(self.base)
        self._sleep = sleep
        self._session = ""

    def __repr__(self) -> str:
        return f"<Client {self.server.kind} {self.base}>"

    # --- HTTP ------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "bluebox"}
        if self.server.kind == KOBO:
            headers["Authorization"] = f"Token {self.server.secret}"
        elif self._session:
            headers["Authorization"] = f"Bearer {self._session}"
        return headers

    def _path_url(self, path: str) -> str:
        """``path`` (from ``/v1/`` or ``/api/v2/``) on the server, with an app user's key."""
        if self.server.kind == CENTRAL and not self.server.username and path.startswith("/v1/"):
            key = urllib.parse.quote(self.server.secret, safe="")
            path = f"/v1/key/{key}/{path[len('/v1/') :]}"
        return self.base + path

    def _refusal(self, status: int) -> RemoteError:
        if status == 401:
            text = _(
                "The server refused the credential (401): check the token or password and "
                "enter it again."
            )
        elif status == 403:
            text = _(
                "The server refused access (403): the account may not read this form's submissions."
            )
        elif status == 404:
            text = (
                _("The server has no such asset (404): check the asset uid.")
                if self.server.kind == KOBO
                else _("The server has no such project or form (404): check both.")
            )
        else:
            text = _("The server answered %(status)d.") % {"status": status}
        return RemoteError(text, status=status)

    def _once(self, url: str, body: bytes | None, limit: int) -> bytes:
        headers = self._headers()
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 (scheme checked in check_url)
            url, data=body, method="POST" if body is not None else "GET", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.server.timeout_s) as answer:  # noqa: S310
                content: bytes = answer.read(limit + 1)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code >= 500 or exc.code == 429:
                raise _Retry(str(exc.code)) from None
            raise self._refusal(exc.code) from None
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            raise _Retry(type(exc).__name__) from None
        if len(content) > limit:
            raise RemoteError(_("The server sent more than bluebox reads at once."))
        return content

    def _fetch(self, url: str, *, body: bytes | None = None, limit: int = MAX_PAGE_BYTES) -> bytes:
        """GET (or POST ``body``) with retries; never logs the URL, which may hold a key."""
        if _origin(url) != self._origin:
            raise RemoteError(_("The server sent a link to another server; it was not followed."))
        pause = self.server.backoff_s
        for attempt in range(self.server.retries + 1):
            try:
                return self._once(url, body, limit)
            except _Retry as retry:
                logger.warning(
                    "%s server at %s: %s (attempt %d)",
                    self.server.kind,
                    self._origin[1],
                    retry.what,
                    attempt + 1,
                )
                if attempt == self.server.retries:
                    raise RemoteError(
                        _(
                            "The server could not be reached or kept failing (%(what)s) after "
                            "%(n)d attempts; what was stored before stays, and the next pull "
                            "goes on from there."
                        )
                        % {"what": retry.what, "n": attempt + 1}
                    ) from None
                self._sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _json(self, url: str, **kwargs: Any) -> Any:
        content = self._fetch(url, **kwargs)
        try:
            return json.loads(content)
        except (ValueError, RecursionError):
            raise RemoteError(_("The server's answer is not JSON.")) from None

    # --- signing in and pages --------------------------------------------------------------

    def sign_in(self) -> None:
        """ODK Central web users: a session token for this pull (others need nothing)."""
        if self.server.kind != CENTRAL or not self.server.username or self._session:
            return
        body = json.dumps({"email": self.server.username, "password": self.server.secret})
        answer = self._json(self.base + "/v1/sessions", body=body.encode())
        token = answer.get("token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise RemoteError(_("The server did not open a session."))
        self._session = token

    def _first_url(self, since: datetime | None) -> str:
        s = self.server
        if s.kind == KOBO:
            query: dict[str, str] = {
                "format": "json",
                "limit": str(s.page_size),
                "start": "0",
                "sort": json.dumps({"_submission_time": 1}),
            }
            if since is not None:
                query["query"] = json.dumps(
                    {"_submission_time": {"$gte": _format_time(since, KOBO)}}
                )
            uid = urllib.parse.quote(s.asset_uid, safe="")
            path = f"/api/v2/assets/{uid}/data/"
            return self._path_url(path) + "?" + urllib.parse.urlencode(query)
        query = {
            "$top": str(s.page_size),
            "$count": "true",
            "$orderby": "__system/submissionDate asc",
        }
        if since is not None:
            # Edits keep their submission's date and change its updatedAt: ask for both.
            at = _format_time(since, CENTRAL)
            query["$filter"] = f"__system/submissionDate ge {at} or __system/updatedAt ge {at}"
        form = urllib.parse.quote(s.xml_form_id, safe="")
        path = f"/v1/projects/{int(s.project_id or 0)}/forms/{form}.svc/Submissions"
        encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        return self._path_url(path) + "?" + encoded

    def _next(self, link: Any) -> str | None:
        if not isinstance(link, str) or not link:
            return None
        url = urllib.parse.urljoin(self.base + "/", link)
        if self.server.kind == CENTRAL and not self.server.username:
            parts = urllib.parse.urlsplit(url)
            prefix = urllib.parse.urlsplit(self.base).path
            rest = parts.path[len(prefix) :] if parts.path.startswith(prefix) else parts.path
            if rest.startswith("/v1/") and not rest.startswith("/v1/key/"):
                url = self._path_url(rest) + (f"?{parts.query}" if parts.query else "")
        return url

    def pages(self, since: datetime | None) -> Iterator[Page]:
        """The submissions from ``since`` on (all of them for None), oldest first, by page."""
        self.sign_in()
        url: str | None = self._first_url(since)
        seen = 0
        while url is not None:
            data = self._json(url)
            key, count, link = (
                ("results", "count", "next")
                if self.server.kind == KOBO
                else ("value", "@odata.count", "@odata.nextLink")
            )
            records = data.get(key) if isinstance(data, dict) else None
            if not isinstance(records, list):
                raise RemoteError(_("The server's answer is not a page of submissions."))
            total = data.get(count)
            yield Page(
                records=[r for r in records if isinstance(r, dict)],
                total=total if isinstance(total, int) else None,
            )
            seen += 1
            url = self._next(data.get(link)) if records else None
            if seen > 100_000:  # a server sending the same link for ever
                raise RemoteError(_("The server kept sending pages; the pull stopped."))

    # --- attachments -----------------------------------------------------------------------

    def attachments(self, record: dict[str, Any], wanted: set[str]) -> dict[str, bytes]:
        """The files ``wanted`` (by name) of one submission, those the server has.

        A file that cannot be fetched is left out (the submission stays incomplete, its names
        recorded); a refusal of the whole server still stops the pull.
        """
        if not wanted:
            return {}
        found: dict[str, bytes] = {}
        for name, url in self._attachment_urls(record, wanted):
            try:
                found[name] = self._fetch(url, limit=MAX_FILE_BYTES)
            except RemoteError as exc:
                if exc.status in (401, 403):
                    raise
                logger.warning("%s attachment not fetched (%s)", self.server.kind, exc.status)
        return found

    def _attachment_urls(self, record: dict[str, Any], wanted: set[str]) -> list[tuple[str, str]]:
        if self.server.kind == KOBO:
            out = []
            for item in record.get("_attachments") or []:
                if not isinstance(item, dict):
                    continue
                name = str(item.get("media_file_basename") or item.get("filename") or "")
                name = name.rsplit("/", 1)[-1]
                url = item.get("download_url")
                if name in wanted and isinstance(url, str) and url:
                    absolute = urllib.parse.urljoin(self.base + "/", url)
                    if _origin(absolute) == self._origin:
                        out.append((name, absolute))
            return out
        instance = str(record.get("__id") or "")
        if not instance:
            return []
        s = self.server
        form = urllib.parse.quote(s.xml_form_id, safe="")
        base = (
            f"/v1/projects/{int(s.project_id or 0)}/forms/{form}/submissions/"
            f"{urllib.parse.quote(instance, safe='')}/attachments"
        )
        listed = self._json(self._path_url(base))
        names = [
            str(a.get("name"))
            for a in (listed if isinstance(listed, list) else [])
            if isinstance(a, dict) and a.get("exists") and a.get("name") in wanted
        ]
        return [
            (name, self._path_url(f"{base}/{urllib.parse.quote(name, safe='')}")) for name in names
        ]
