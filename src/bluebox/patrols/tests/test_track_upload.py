"""A track upload is received with its size limit: past it, nothing more is kept or read whole.

The attack: upload a track far larger than the 5 MB limit. The file used to be spooled whole and
then read whole into memory before the size check; now the upload stops at the first chunk past
the limit (or at once when the request announces a larger body), answers 413, and changes
nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.test import Client
from rest_framework.test import APIClient

from bluebox.patrols import services, tracks
from bluebox.patrols.models import Patrol
from bluebox.patrols.tests.conftest import BEFORE

LIMIT = 64 * 1024


@pytest.fixture
def spied(monkeypatch):
    """The limit made small, and what Django's own handlers and the service received."""
    monkeypatch.setattr(tracks, "MAX_BYTES", LIMIT)
    seen = {"spooled": 0, "service": 0}
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self, raw_data, start, original=original):
            seen["spooled"] += len(raw_data)
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    upload = services.patrol_track_upload

    def recording(**kwargs):
        seen["service"] = max(seen["service"], len(kwargs["content"]))
        return upload(**kwargs)

    monkeypatch.setattr(services, "patrol_track_upload", recording)
    return seen


def _patrol(w):
    return services.patrol_record(
        actor=w.reporter_at_a,
        site_id=w.site_a.pk,
        team_id=w.teams[1].pk,
        started_at=BEFORE - timedelta(hours=4),
        ended_at=BEFORE - timedelta(hours=1),
        members=8,
    )


def _big(size):
    return SimpleUploadedFile("walk.gpx", b"<gpx>" + b" " * size, content_type="application/gpx")


@pytest.mark.parametrize("size", [LIMIT + 10_000, 20 * LIMIT], ids=["just over", "far over"])
def test_an_oversized_track_is_a_413_and_never_held_whole(patrol_world, spied, size):
    w = patrol_world
    patrol = _patrol(w)
    client = APIClient()
    client.force_authenticate(w.reporter_at_a)
    response = client.post(
        f"/api/v1/patrols/records/{patrol.pk}/track/", {"track": _big(size)}, format="multipart"
    )
    assert response.status_code == 413, response.content
    assert "larger than" in response.json()["detail"]
    assert spied == {"spooled": 0, "service": 0}
    patrol.refresh_from_db()
    assert patrol.track is None or patrol.track == {}


def test_the_web_upload_stops_at_the_limit_too(patrol_world, spied):
    w = patrol_world
    patrol = _patrol(w)
    client = Client()
    client.force_login(w.reporter_at_a)
    response = client.post(
        f"/patrols/records/{patrol.pk}/track/", {"track": _big(20 * LIMIT)}, follow=True
    )
    assert "larger than" in response.content.decode()
    assert spied == {"spooled": 0, "service": 0}
    assert not Patrol.objects.get(pk=patrol.pk).track


def test_a_track_within_the_limit_still_uploads(patrol_world, spied):
    w = patrol_world
    patrol = _patrol(w)
    client = APIClient()
    client.force_authenticate(w.reporter_at_a)
    body = b'{"type": "LineString", "coordinates": [[-9.5, 3.0], [-9.5001, 3.0001]]}'
    response = client.post(
        f"/api/v1/patrols/records/{patrol.pk}/track/",
        {"track": SimpleUploadedFile("t.geojson", body)},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert spied["service"] == len(body)


def test_a_browser_uploading_a_track_with_its_csrf_token_gets_it_stored(patrol_world):
    """The page's form posts its CSRF token with the file: the middleware's check used to parse
    the upload before the size limit could be set, a 500 in every real browser."""
    w = patrol_world
    patrol = _patrol(w)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(w.reporter_at_a)
    assert browser.get(f"/patrols/records/{patrol.pk}/").status_code == 200
    token = browser.cookies["csrftoken"].value
    body = b'{"type": "LineString", "coordinates": [[-9.5, 3.0], [-9.5001, 3.0001]]}'
    url = f"/patrols/records/{patrol.pk}/track/"
    sent = browser.post(
        url, {"track": SimpleUploadedFile("t.geojson", body), "csrfmiddlewaretoken": token}
    )
    assert sent.status_code == 302
    assert Patrol.objects.get(pk=patrol.pk).track
    # Without the token the check still refuses, and nothing changes.
    other = _patrol(w)
    refused = browser.post(
        f"/patrols/records/{other.pk}/track/", {"track": SimpleUploadedFile("t.geojson", body)}
    )
    assert refused.status_code == 403
    assert not Patrol.objects.get(pk=other.pk).track
