"""Pulls of submissions from KoBoToolbox (API v2) and ODK Central (OData), over real HTTP.

Neither server runs here, so each test starts a local HTTP server that answers in their
documented shapes: KoBoToolbox's ``/api/v2/assets/<uid>/data/`` (``Token`` header, ``query``
and ``sort`` in JSON, ``start``/``limit`` pages, ``{"count", "next", "previous", "results"}``,
``_attachments`` with download URLs) and ODK Central's sessions and OData ``Submissions`` feed
(``Bearer`` session or ``/v1/key/<token>/`` app user, ``$filter`` on
``__system/submissionDate``, ``$orderby``, ``$top``, ``@odata.count`` and an opaque
``$skiptoken`` in ``@odata.nextLink``, the attachments list of a submission).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bluebox.assessment import pulls, services
from bluebox.assessment.models import (
    PullJob,
    PullStatus,
    RemoteSource,
    Submission,
    SubmissionSource,
)
from bluebox.assessment.tests.factories import collected_form, export_answers, instance_xml
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import AuditEntry

TOKEN = "kobo-secret-token-5f2c9a"  # test credentials, checked never to leak
PASSWORD = "central-secret-password-81d"
APP_TOKEN = "AppUserToken$Secret9z"
SESSION = "central-session-77ab"
EMAIL = "collector@mission.example"
UID = "aKoboAsset123"
PHOTO = b"\xff\xd8\xff photo bytes"
N = 5
START = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


def _iid(n: int) -> str:
    return f"uuid:7e1d0c3a-000{n}-4c2a-9a10-1a2b3c4d5e0{n}"


def _answers(n: int) -> dict[str, str]:
    a = {k: v for k, v in export_answers(n % 3).items() if v}
    a.pop("photo", None)
    if n == 0:
        a["photo"] = "1.jpg"
    return a


class FakeServer:
    """One KoBoToolbox or ODK Central server, with its submissions and its failures."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.submissions: list[dict[str, Any]] = []  # {"n", "at", "answers", "iid", "key"}
        for n in range(N):
            self.add(n, START + timedelta(minutes=n))
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.page_requests = 0
        self.fail_from: int | None = None  # every page request from this one answers 500
        self.fail_once: set[int] = set()  # these page requests answer 503 once
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, n: int, at: datetime, **extra: Any) -> None:
        self.submissions.append(
            {"n": n, "at": at, "answers": _answers(n), "iid": _iid(n), "key": _iid(n), **extra}
        )

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- the documents ------------------------------------------------------------------

    def kobo_record(self, s: dict[str, Any]) -> dict[str, Any]:
        attachments = []
        if s["answers"].get("photo"):
            attachments.append(
                {
                    "download_url": f"{self.url}/api/v2/assets/{UID}/data/{1000 + s['n']}"
                    "/attachments/31/",
                    "filename": f"collector/attachments/abc/{s['iid'][5:]}/1.jpg",
                    "mimetype": "image/jpeg",
                    "uid": "attAbc31",
                }
            )
        return {
            "_id": 1000 + s["n"],
            "formhub/uuid": "4d3c2b1a",
            **s["answers"],
            "__version__": "vQhNdXdSDEFZW8tQ8NpD3g",
            "meta/instanceID": s["iid"],
            "_xform_id_string": UID,
            "_uuid": s["iid"].removeprefix("uuid:"),
            "_attachments": attachments,
            "_status": "submitted_via_web",
            "_geolocation": [None, None],
            "_submission_time": s["at"].strftime("%Y-%m-%dT%H:%M:%S"),
            "_tags": [],
            "_notes": [],
            "_validation_status": {},
            "_submitted_by": None,
        }

    def central_record(self, s: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"__id": s["key"]}
        for q, v in s["answers"].items():
            row[q] = int(v) if q == "age" else float(v) if q == "weight" else v
        row["meta"] = {"instanceID": s["iid"]}
        row["__system"] = {
            "submissionDate": s["at"].strftime("%Y-%m-%dT%H:%M:%S.") + "512Z",
            "updatedAt": (
                s["updated"].strftime("%Y-%m-%dT%H:%M:%S.") + "100Z" if s.get("updated") else None
            ),
            "submitterId": "7",
            "submitterName": "Collector 1",
            "attachmentsPresent": 1 if s["answers"].get("photo") else 0,
            "attachmentsExpected": 1 if s["answers"].get("photo") else 0,
            "status": None,
            "reviewState": None,
            "deviceId": "collect:abc123",
            "edits": 0,
            "formVersion": "2026110101",
        }
        return row

    # --- the handler --------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: Any, content_type: str = "application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(("POST", self.path, dict(self.headers)))
                if self.path == "/v1/sessions" and server.kind == "central":
                    if body == {"email": EMAIL, "password": PASSWORD}:
                        return self._send(200, {"token": SESSION, "expiresAt": "2026-12-02"})
                    return self._send(401, {"code": 401.2, "message": "Could not authenticate."})
                return self._send(404, {"code": 404.1})

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path, dict(self.headers)))
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                if server.kind == "kobo":
                    return self._kobo(parts.path, query)
                return self._central(parts.path, query)

            def _page_failure(self) -> bool:
                server.page_requests += 1
                n = server.page_requests
                if n in server.fail_once:
                    server.fail_once.discard(n)
                    self._send(503, b"<html>busy</html>", "text/html")
                    return True
                if server.fail_from is not None and n >= server.fail_from:
                    self._send(500, b"<html>error</html>", "text/html")
                    return True
                return False

            def _kobo(self, path: str, query: dict[str, str]) -> None:  # noqa: PLR0911 (routes)
                if self.headers.get("Authorization") != f"Token {TOKEN}":
                    return self._send(401, {"detail": "Invalid token."})
                prefix = f"/api/v2/assets/{UID}/data/"
                if not path.startswith("/api/v2/assets/"):
                    return self._send(404, {"detail": "Not found."})
                if not path.startswith(prefix):
                    return self._send(404, {"detail": "Not found."})
                if path.endswith("/attachments/31/"):
                    return self._send(200, PHOTO, "image/jpeg")
                if path != prefix or query.get("format") != "json":
                    return self._send(404, {"detail": "Not found."})
                if self._page_failure():
                    return None
                rows = list(server.submissions)
                if "query" in query:
                    since = json.loads(query["query"])["_submission_time"]["$gte"]
                    rows = [s for s in rows if s["at"].strftime("%Y-%m-%dT%H:%M:%S") >= since]
                if json.loads(query.get("sort", "{}")).get("_submission_time") == 1:
                    rows.sort(key=lambda s: s["at"])
                start, limit = int(query.get("start", 0)), int(query.get("limit", 100))
                page = rows[start : start + limit]
                more = start + limit < len(rows)
                following = {**query, "start": str(start + limit)}
                link = f"{server.url}{prefix}?{urllib.parse.urlencode(following)}"
                return self._send(
                    200,
                    {
                        "count": len(rows),
                        "next": link if more else None,
                        "previous": None,
                        "results": [server.kobo_record(s) for s in page],
                    },
                )

            def _central(  # noqa: PLR0911, PLR0912 (the routes of one server)
                self, path: str, query: dict[str, str]
            ) -> None:
                key_prefix = f"/v1/key/{urllib.parse.quote(APP_TOKEN, safe='')}/"
                if path.startswith(key_prefix):
                    path = "/v1/" + path[len(key_prefix) :]
                elif self.headers.get("Authorization") != f"Bearer {SESSION}":
                    return self._send(401, {"code": 401.2, "message": "Could not authenticate."})
                base = "/v1/projects/4/forms/poc_perception"
                if path.startswith(f"{base}/submissions/"):
                    rest = path[len(f"{base}/submissions/") :]
                    iid, _sep, tail = rest.partition("/attachments")
                    iid = urllib.parse.unquote(iid)
                    found = [s for s in server.submissions if s["key"] == iid]
                    if not found:
                        return self._send(404, {"code": 404.1})
                    if tail == "":
                        has = bool(found[0]["answers"].get("photo"))
                        return self._send(200, [{"name": "1.jpg", "exists": has}])
                    return self._send(200, PHOTO, "image/jpeg")
                if path != f"{base}.svc/Submissions":
                    return self._send(404, {"code": 404.1, "message": "Not found."})
                if self._page_failure():
                    return None
                rows = list(server.submissions)
                flt = query.get("$filter", "")
                if flt:
                    # "__system/submissionDate ge <t> or __system/updatedAt ge <t>"
                    created, op, value, either, updated, op2, value2 = flt.split(" ")
                    assert (created, op, either, updated, op2) == (
                        "__system/submissionDate",
                        "ge",
                        "or",
                        "__system/updatedAt",
                        "ge",
                    )
                    assert value == value2
                    since = datetime.fromisoformat(value.replace("Z", "+00:00"))
                    ms = timedelta(milliseconds=512)
                    rows = [
                        s
                        for s in rows
                        if s["at"] + ms >= since
                        or (s.get("updated") and s["updated"] + ms / 5 >= since)
                    ]
                if query.get("$orderby") == "__system/submissionDate asc":
                    rows.sort(key=lambda s: s["at"])
                else:
                    rows.sort(key=lambda s: s["at"], reverse=True)  # Central's own order
                top = int(query.get("$top", 1000))
                skip = 0
                if "$skiptoken" in query:
                    skip = json.loads(base64.b64decode(query["$skiptoken"][2:]))["o"]
                page = rows[skip : skip + top]
                doc: dict[str, Any] = {
                    "@odata.context": f"{server.url}/v1/projects/4/forms/poc_perception.svc/"
                    "$metadata#Submissions",
                    "value": [server.central_record(s) for s in page],
                }
                if query.get("$count") == "true":
                    doc["@odata.count"] = len(rows)
                if skip + top < len(rows):
                    token = "01" + base64.b64encode(json.dumps({"o": skip + top}).encode()).decode()
                    following = {k: v for k, v in query.items() if k != "$skiptoken"}
                    following["$skiptoken"] = token
                    doc["@odata.nextLink"] = (
                        f"{server.url}/v1/projects/4/forms/poc_perception.svc/Submissions?"
                        + urllib.parse.urlencode(following, quote_via=urllib.parse.quote)
                    )
                return self._send(200, doc)

        return Handler


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.SURVEY_PULL_PAGE_SIZE = 2
    settings.SURVEY_PULL_RETRIES = 2
    settings.SURVEY_PULL_BACKOFF_S = 0.01
    settings.SURVEY_PULL_TIMEOUT_S = 5


@pytest.fixture
def form(world):
    return collected_form(world.analyst, world.mission).form


@pytest.fixture(params=["kobo", "central"])
def server(request) -> Iterator[FakeServer]:
    fake = FakeServer(request.param)
    yield fake
    fake.close()


def _link(world, form, server: FakeServer, *, secret: str = "", app_user: bool = False):
    if server.kind == "kobo":
        return pulls.source_link(
            actor=world.analyst,
            form_pk=form.pk,
            kind="kobo",
            base_url=server.url,
            asset_uid=UID,
            credential=secret or TOKEN,
        )
    return pulls.source_link(
        actor=world.analyst,
        form_pk=form.pk,
        kind="central",
        base_url=server.url,
        project_id=4,
        xml_form_id="poc_perception",
        username="" if app_user else EMAIL,
        credential=secret or (APP_TOKEN if app_user else PASSWORD),
    )


def _pull(world, form, django_capture_on_commit_callbacks) -> PullJob:
    """Start a pull as the page does; the queue (immediate in tests) runs it on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        job = pulls.pull_start(actor=world.analyst, form_pk=form.pk)
    job.refresh_from_db()
    return job


def test_a_first_pull_stores_every_submission_and_a_second_one_nothing(
    world, form, server, django_capture_on_commit_callbacks
):
    _link(world, form, server)
    job = _pull(world, form, django_capture_on_commit_callbacks)
    assert job.status == PullStatus.DONE, job.message
    assert (job.created, job.rows, job.pages, job.total) == (N, N, 3, N)
    stored = Submission.objects.filter(form=form)
    assert stored.count() == N
    assert set(stored.values_list("instance_id", flat=True)) == {_iid(n) for n in range(N)}
    assert set(stored.values_list("source", flat=True)) == {
        SubmissionSource.KOBO if server.kind == "kobo" else SubmissionSource.CENTRAL
    }
    first = stored.get(instance_id=_iid(1))
    assert first.answers["trust"] == "no" and first.answers["age"] == "51"
    assert first.site == world.site_a
    source = RemoteSource.objects.get(form=form)
    assert source.cursor_at is not None
    assert source.cursor_at.replace(microsecond=0) == START + timedelta(minutes=N - 1)
    # The photo was fetched from the server and stored encrypted, like ODK Collect's.
    photo = stored.get(instance_id=_iid(0))
    assert photo.complete and photo.attachments.get().read() == PHOTO
    assert job.attachments == 1

    again = _pull(world, form, django_capture_on_commit_callbacks)
    assert again.status == PullStatus.DONE
    assert (again.created, again.rows) == (0, 0)
    assert again.since == source.cursor_at
    assert Submission.objects.filter(form=form).count() == N
    # The second pull asked only for what came from the cursor on.
    pages = ("/data/?", ".svc/Submissions")
    last = [p for m, p, _h in server.requests if m == "GET" and any(k in p for k in pages)]
    assert "submissionDate%20ge" in last[-1] or "%24gte" in last[-1]


def test_new_submissions_on_the_server_are_pulled_next_time(
    world, form, server, django_capture_on_commit_callbacks
):
    _link(world, form, server)
    _pull(world, form, django_capture_on_commit_callbacks)
    # Two new ones, one of them at the very second of the newest already pulled.
    server.add(5, START + timedelta(minutes=N - 1))
    server.add(6, START + timedelta(minutes=30))
    job = _pull(world, form, django_capture_on_commit_callbacks)
    assert job.status == PullStatus.DONE, job.message
    assert (job.created, job.unchanged) == (2, 0)
    assert Submission.objects.filter(form=form).count() == N + 2


def test_a_pull_stopped_by_the_server_goes_on_from_its_last_page_without_duplicates(
    world, form, server, django_capture_on_commit_callbacks
):
    _link(world, form, server)
    server.fail_from = 3  # pages 1 and 2 arrive; the third keeps failing
    broken = _pull(world, form, django_capture_on_commit_callbacks)
    assert broken.status == PullStatus.FAILED
    assert "after 3 attempts" in broken.message
    assert (broken.pages, broken.created) == (2, 4)
    assert Submission.objects.filter(form=form).count() == 4
    cursor = RemoteSource.objects.get(form=form).cursor_at
    assert cursor is not None and cursor.replace(microsecond=0) == START + timedelta(minutes=3)

    server.fail_from = None
    resumed = _pull(world, form, django_capture_on_commit_callbacks)
    assert resumed.status == PullStatus.DONE, resumed.message
    assert resumed.since == cursor
    assert resumed.created == 1 and resumed.unchanged == 0
    instance_ids = list(Submission.objects.filter(form=form).values_list("instance_id", flat=True))
    assert sorted(instance_ids) == sorted(_iid(n) for n in range(N))


def test_a_server_error_is_retried(world, form, server, django_capture_on_commit_callbacks):
    _link(world, form, server)
    server.fail_once = {2}
    job = _pull(world, form, django_capture_on_commit_callbacks)
    assert job.status == PullStatus.DONE, job.message
    assert job.created == N
    assert server.page_requests == 4  # three pages, one of them asked twice


def test_a_wrong_credential_is_a_clear_error_and_changes_nothing(
    world, form, server, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-credential-d41d8"
    _link(world, form, server, secret=wrong)
    job = _pull(world, form, django_capture_on_commit_callbacks)
    assert job.status == PullStatus.FAILED
    assert "refused the credential (401)" in job.message
    assert not Submission.objects.filter(form=form).exists()
    assert RemoteSource.objects.get(form=form).cursor_at is None
    assert job.created == 0 and job.pages == 0
    assert wrong not in job.message and wrong not in caplog.text


def test_an_unknown_asset_or_form_is_a_404_said_in_words(
    world, form, server, django_capture_on_commit_callbacks
):
    if server.kind == "kobo":
        pulls.source_link(
            actor=world.analyst,
            form_pk=form.pk,
            kind="kobo",
            base_url=server.url,
            asset_uid="aNoSuchAsset",
            credential=TOKEN,
        )
    else:
        pulls.source_link(
            actor=world.analyst,
            form_pk=form.pk,
            kind="central",
            base_url=server.url,
            project_id=9,
            xml_form_id="poc_perception",
            username=EMAIL,
            credential=PASSWORD,
        )
    job = _pull(world, form, django_capture_on_commit_callbacks)
    assert job.status == PullStatus.FAILED and "(404)" in job.message


def test_an_odk_central_app_user_token_goes_in_the_path(
    world, form, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    server = FakeServer("central")
    try:
        _link(world, form, server, app_user=True)
        server.fail_once = {1}  # a retry: its log line must not quote the path
        job = _pull(world, form, django_capture_on_commit_callbacks)
    finally:
        server.close()
    assert job.status == PullStatus.DONE, job.message
    assert job.created == N
    paths = [p for _m, p, _h in server.requests]
    assert all(p.startswith("/v1/key/") for p in paths)  # the nextLinks got the key too
    assert not any("Authorization" in h for _m, _p, h in server.requests)
    quoted = urllib.parse.quote(APP_TOKEN, safe="")
    assert APP_TOKEN not in caplog.text and quoted not in caplog.text


def test_the_credential_never_shows_in_pages_errors_audit_or_logs(
    world, form, server, client, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    secret = TOKEN if server.kind == "kobo" else PASSWORD
    _link(world, form, server)
    server.fail_from = 2
    job = _pull(world, form, django_capture_on_commit_callbacks)
    assert job.status == PullStatus.FAILED
    client.force_login(world.analyst)
    pages = [
        client.get(f"/assessment/forms/{form.pk}/"),
        client.get(f"/assessment/pulls/{job.pk}/"),
        client.get(f"/assessment/pulls/{job.pk}/progress/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert secret not in page.content.decode()
    assert "stored encrypted; never shown" in pages[0].content.decode()
    assert job.message in pages[1].content.decode()
    assert secret not in job.message
    assert secret not in caplog.text
    for entry in AuditEntry.objects.all():
        assert secret not in json.dumps(entry.detail)
    # The database holds it encrypted only.
    raw = RemoteSource.objects.filter(form=form).values_list("credential", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT credential FROM assessment_remotesource")
        (stored,) = cursor.fetchone()
    assert secret not in stored and raw.exists()


def test_other_answers_under_a_pulled_instance_id_stop_the_pull_with_a_row_report(
    world, form, server, django_capture_on_commit_callbacks
):
    _link(world, form, server)
    assert _pull(world, form, django_capture_on_commit_callbacks).created == N
    # A new submission on the server under an instanceID already pulled, with other answers.
    server.add(1, START + timedelta(minutes=20))
    server.submissions[-1]["answers"] = {**_answers(1), "trust": "yes"}
    server.add(5, START + timedelta(minutes=20))
    job = _pull(world, form, django_capture_on_commit_callbacks)
    assert job.status == PullStatus.REFUSED
    assert job.error_count == 1 and job.errors[0]["instance_id"] == _iid(1)
    assert "another answer" in job.errors[0]["message"]
    # Nothing of the refused page was stored (the new submission beside it neither).
    assert Submission.objects.filter(form=form).count() == N


def test_an_edit_on_odk_central_replaces_what_it_edits(
    world, form, django_capture_on_commit_callbacks
):
    server = FakeServer("central")
    try:
        _link(world, form, server)
        _pull(world, form, django_capture_on_commit_callbacks)
        # As Central shows an edit: the same submission (its __id, its date), a new
        # meta/instanceID, its updatedAt the time of the edit.
        edited = "uuid:7e1d0c3a-edit-4c2a-9a10-1a2b3c4d5e09"
        server.submissions[1].update(iid=edited, updated=START + timedelta(minutes=40))
        server.submissions[1]["answers"] = {**_answers(1), "trust": "yes"}
        job = _pull(world, form, django_capture_on_commit_callbacks)
    finally:
        server.close()
    assert job.status == PullStatus.DONE, job.message
    # The edit, and the newest submission asked again (at the cursor's time) but skipped.
    assert (job.created, job.edits, job.rows) == (1, 1, 1)
    new = Submission.objects.get(instance_id=edited)
    assert new.replaces is not None and new.replaces.instance_id == _iid(1)
    assert not new.replaces.is_current and new.answers["trust"] == "yes"


def test_only_those_who_manage_the_form_link_it_or_pull(world, form):
    with pytest.raises(NotPermitted):
        pulls.source_link(
            actor=world.reporter_at_a,
            form_pk=form.pk,
            kind="kobo",
            base_url="https://kf.kobotoolbox.org",
            asset_uid=UID,
            credential=TOKEN,
        )
    assert not RemoteSource.objects.exists()
    pulls.source_link(
        actor=world.analyst,
        form_pk=form.pk,
        kind="kobo",
        base_url="https://kf.kobotoolbox.org",
        asset_uid=UID,
        credential=TOKEN,
    )
    with pytest.raises(NotPermitted):
        pulls.pull_start(actor=world.planner, form_pk=form.pk)
    assert not PullJob.objects.exists()


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"base_url": "ftp://kobo.example"}, "https://"),
        ({"base_url": "https://user:pw@kobo.example"}, "address alone"),
        ({"asset_uid": "../../x"}, "asset's uid"),
        ({"kind": "central"}, "project's number"),
    ],
)
def test_a_bad_link_is_refused_and_changes_nothing(world, form, changes, says):
    args: dict[str, Any] = {
        "kind": "kobo",
        "base_url": "https://kobo.example",
        "asset_uid": UID,
        "credential": TOKEN,
        **changes,
    }
    with pytest.raises(ServiceError, match=says):
        pulls.source_link(actor=world.analyst, form_pk=form.pk, **args)
    assert not RemoteSource.objects.exists()


def test_a_stored_credential_is_never_sent_to_another_server(world, form):
    pulls.source_link(
        actor=world.analyst,
        form_pk=form.pk,
        kind="kobo",
        base_url="https://kobo.example",
        asset_uid=UID,
        credential=TOKEN,
    )
    # The same server without a credential keeps the stored one.
    pulls.source_link(
        actor=world.analyst,
        form_pk=form.pk,
        kind="kobo",
        base_url="https://kobo.example/",
        asset_uid=UID,
    )
    assert RemoteSource.objects.get(form=form).credential.reveal() == TOKEN
    with pytest.raises(ServiceError, match="Enter the credential"):
        pulls.source_link(
            actor=world.analyst,
            form_pk=form.pk,
            kind="kobo",
            base_url="https://elsewhere.example",
            asset_uid=UID,
        )
    assert RemoteSource.objects.get(form=form).base_url == "https://kobo.example"


def test_a_link_the_server_gives_to_another_host_is_not_followed(
    world, form, django_capture_on_commit_callbacks
):
    server = FakeServer("kobo")
    try:
        _link(world, form, server)
        server.url = "http://127.0.0.2:9"  # its next links now name another host
        job = _pull(world, form, django_capture_on_commit_callbacks)
    finally:
        server.close()
    assert job.status == PullStatus.FAILED and "another server" in job.message
    assert job.created == 2  # the first page, before the link


def test_the_page_form_links_and_pulls(world, form, client, django_capture_on_commit_callbacks):
    server = FakeServer("kobo")
    client.force_login(world.analyst)
    try:
        answer = client.post(
            f"/assessment/forms/{form.pk}/source/",
            {"kind": "kobo", "base_url": server.url, "asset_uid": UID, "credential": TOKEN},
        )
        assert answer.status_code == 302
        page = client.get(f"/assessment/forms/{form.pk}/").content.decode()
        assert TOKEN not in page and 'id="pull-form"' in page
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(f"/assessment/forms/{form.pk}/pull/")
    finally:
        server.close()
    assert started.status_code == 302
    job = PullJob.objects.get()
    assert started["Location"].endswith(f"/assessment/pulls/{job.pk}/")
    shown = client.get(started["Location"]).content.decode()
    assert 'id="pull-outcome"' in shown and "5 new submissions stored." in shown
    progress = client.get(f"/assessment/pulls/{job.pk}/progress/")
    assert progress["HX-Refresh"] == "true"


def test_openrosa_and_pulled_submissions_share_the_instance_id_rule(
    world, form, django_capture_on_commit_callbacks
):
    """A submission ODK Collect already sent is not stored twice when a pull brings it."""
    server = FakeServer("kobo")
    try:
        services.submission_receive(
            actor=world.analyst,
            mission=world.mission,
            xml=instance_xml(instance_id="uuid:phone-only-1"),
        )
        _link(world, form, server)
        job = _pull(world, form, django_capture_on_commit_callbacks)
    finally:
        server.close()
    assert job.status == PullStatus.DONE and job.created == N
    assert Submission.objects.filter(form=form).count() == N + 1


class _Killed(BaseException):
    """What a killed worker leaves: nothing closes the job (no ``except Exception`` sees it)."""


def test_a_worker_that_dies_mid_pull_is_run_again_from_its_last_stored_page(
    world, form, server, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """The worker dies while storing page 3: the job stays "running" and silent, the sweep
    re-queues it (its one re-run), and the re-run goes on from page 2 to the end."""
    from bluebox.assessment import imports
    from bluebox.core import background

    real = imports.export_store
    calls = {"n": 0}

    def dies_on_the_third_page(**kwargs: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 3:
            raise _Killed()
        return real(**kwargs)

    monkeypatch.setattr(imports, "export_store", dies_on_the_third_page)
    _link(world, form, server)
    with pytest.raises(_Killed), django_capture_on_commit_callbacks(execute=True):
        pulls.pull_start(actor=world.analyst, form_pk=form.pk)
    job = PullJob.objects.get()
    assert job.status == PullStatus.RUNNING and (job.pages, job.created) == (2, 4)
    assert Submission.objects.filter(form=form).count() == 4

    done = background.sweep(now=time.time() + settings.JOB_STALE_S + 1)
    assert done["requeued"] == 1
    job.refresh_from_db()
    assert job.status == PullStatus.DONE, job.message
    assert calls["n"] == 4  # pages 1, 2, the broken 3, then 3 again
    assert (job.pages, job.created) == (3, N)
    assert sorted(Submission.objects.filter(form=form).values_list("instance_id", flat=True)) == (
        sorted(_iid(n) for n in range(N))
    )


def test_an_error_report_of_the_link_form_masks_the_credential(world, form, rf):
    """Should the page break, Django's error report (and the log it writes) hides the field."""
    from django.views.debug import SafeExceptionReporterFilter

    from bluebox.assessment import views
    from bluebox.core.exceptions import NotVisible

    request = rf.post(
        "/assessment/forms/0/source/",
        {"kind": "kobo", "base_url": "https://kobo.example", "asset_uid": UID, "credential": TOKEN},
    )
    request.user = world.analyst
    with pytest.raises(NotVisible):
        views.form_source(request, pk=form.pk + 1000)
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert shown["credential"] != TOKEN and shown["asset_uid"] == UID
