"""Photos with an incident report: one write with the report, cleaned of their metadata,
encrypted at rest, served only to who may read the incident."""

from __future__ import annotations

import base64
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from bluebox.core.classification import Classification
from bluebox.core.models import AuditEntry
from bluebox.incidents import photos
from bluebox.incidents.models import Incident, IncidentPhoto
from bluebox.testing.images import GPS_IFD, heic_header, photo, rotated_jpeg


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def encoded(content: bytes, name: str = "IMG_0042.jpg", content_type: str = "image/jpeg"):
    return {"name": name, "content_type": content_type, "data": base64.b64encode(content).decode()}


def report(world, *sent, **overrides):
    body = {
        "mission": world.mission.pk,
        "site": world.site_a.pk,
        "title": "Burnt houses by the river",
        "incident_type": "arson",
        "occurred_at": "2026-11-20T06:30:00Z",
        "latitude": 3.01,
        "longitude": -9.49,
        "photos": list(sent),
    }
    body.update(overrides)
    return body


def form(world, **overrides):
    data = {
        "site": world.site_a.pk,
        "title": "Looting at the market",
        "incident_type": "looting",
        "occurred_at": "2026-11-20 07:30",
        "latitude": "3.01",
        "longitude": "-9.49",
        "perpetrator_category": "criminal_group",
        "fatalities_best": "0",
        "poc_tier": "2",
        "source_reliability": "B",
        "information_credibility": "2",
        "classification": "1",
    }
    data.update(overrides)
    return data


def filed(world, content: bytes | None = None, **overrides) -> Incident:
    response = api(world.reporter_at_a).post(
        "/api/v1/incidents/", report(world, encoded(content or photo()), **overrides), format="json"
    )
    assert response.status_code == 201, response.content
    return Incident.objects.get(pk=response.json()["id"])


def test_a_reporter_files_an_incident_with_photos_in_one_api_write(world):
    body = report(
        world,
        encoded(photo("JPEG")),
        encoded(photo("PNG"), "sketch.png", "image/png"),
        encoded(photo("WEBP"), "w.webp", "image/webp"),
    )
    response = api(world.reporter_at_a).post(
        "/api/v1/incidents/", body, format="json", HTTP_IDEMPOTENCY_KEY="c7f1"
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    incident = Incident.objects.get(pk=answer["id"])
    stored = list(incident.photos.all())
    assert [p.content_type for p in stored] == ["image/jpeg", "image/png", "image/webp"]
    assert [p["filename"] for p in answer["photos"]] == ["IMG_0042.jpg", "sketch.png", "w.webp"]
    assert answer["photos"][0]["url"] == f"/api/v1/incidents/{incident.pk}/photos/{stored[0].pk}/"
    create = AuditEntry.objects.get(action="create", object_id=str(incident.pk))
    assert create.detail["photos"] == 3
    # The same request again (the field app after a lost answer): nothing more is written.
    again = api(world.reporter_at_a).post(
        "/api/v1/incidents/", body, format="json", HTTP_IDEMPOTENCY_KEY="c7f1"
    )
    assert again.status_code == 201 and again.json()["id"] == incident.pk
    assert Incident.objects.count() == 1 and IncidentPhoto.objects.count() == 3


def test_a_reporter_attaches_photos_on_the_report_form(world):
    response = page(world.reporter_at_a).post(
        "/incidents/new/",
        {
            **form(world),
            "photos": [
                SimpleUploadedFile("market.jpg", photo("JPEG"), content_type="image/jpeg"),
                SimpleUploadedFile("stall.png", photo("PNG"), content_type="image/png"),
            ],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert [p.filename for p in incident.photos.all()] == ["market.jpg", "stall.png"]
    detail = page(world.analyst).get(f"/incidents/{incident.pk}/")
    body = detail.content.decode()
    for stored in incident.photos.all():
        assert f'src="/incidents/{incident.pk}/photos/{stored.pk}/"' in body
    # The form offers the phone's camera and gallery, and sends files.
    new = page(world.reporter_at_a).get("/incidents/new/").content.decode()
    assert 'enctype="multipart/form-data"' in new and 'accept="image/jpeg,image/png' in new


def test_the_gps_position_and_other_metadata_are_never_served(world):
    original = photo("JPEG")
    assert Image.open(BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the phone wrote it
    incident = filed(world, original)
    stored = incident.photos.get()
    for url in (
        f"/incidents/{incident.pk}/photos/{stored.pk}/",
        f"/api/v1/incidents/{incident.pk}/photos/{stored.pk}/",
    ):
        client = page(world.analyst) if url.startswith("/incidents") else api(world.analyst)
        response = client.get(url)
        assert response.status_code == 200
        served = response.content
        image = Image.open(BytesIO(served))
        assert image.format == "JPEG" and image.size == (64, 48)
        assert not image.getexif() and b"Exif" not in served
        assert b"PhoneMaker" not in served and b"reporter's house" not in served
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Disposition"] == 'inline; filename="IMG_0042.jpg"'
        assert response["X-Content-Type-Options"] == "nosniff"
    reads = AuditEntry.objects.filter(action="read-photo", object_id=str(incident.pk))
    assert reads.count() == 2 and reads.first().actor == world.analyst.username


def test_png_and_webp_lose_their_metadata_too(world):
    for fmt, kind in (("PNG", "image/png"), ("WEBP", "image/webp")):
        incident = filed(world, photo(fmt))
        served = page(world.analyst).get(
            f"/incidents/{incident.pk}/photos/{incident.photos.get().pk}/"
        )
        image = Image.open(BytesIO(served.content))
        assert served["Content-Type"] == kind and not image.getexif()
        assert b"PhoneMaker" not in served.content


def test_a_photo_is_turned_as_its_exif_says_before_the_exif_goes(world):
    incident = filed(world, rotated_jpeg())
    stored = incident.photos.get()
    assert (stored.width, stored.height) == (48, 64)


def test_the_photos_are_stored_encrypted_at_rest(world):
    incident = filed(world, photo("JPEG"))
    stored = incident.photos.get()
    assert stored.read()[:3] == b"\xff\xd8\xff"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed FROM incidents_incidentphoto WHERE id = %s", [stored.pk])
        (raw,) = cursor.fetchone()
    # A Fernet token under the field keys: no JPEG marker, neither raw nor in base64 ("/9j/").
    assert raw.startswith("gAAAAA")
    assert "\xff\xd8" not in raw and "/9j/" not in raw and "JFIF" not in raw
    assert str(stored.sealed) == "[protected]"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"#!/bin/sh\necho not a photo\n", "not a JPEG, PNG or WebP image"),
        (photo("JPEG")[:120], "damaged or incomplete"),
        (heic_header(), "HEIC photos cannot be stored"),
        (photo("GIF", gps=False), "not a JPEG, PNG or WebP image"),
    ],
)
def test_a_bad_photo_refuses_the_whole_report_and_nothing_is_created(world, content, words):
    before = AuditEntry.objects.count()
    body = report(world, encoded(photo()), encoded(content, "evil.jpg"))
    response = api(world.reporter_at_a).post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 400
    answer = response.json()
    assert words in " ".join(answer["errors"]["photos"]) and "Photo 2 (evil.jpg)" in str(answer)
    assert Incident.objects.count() == 0 and IncidentPhoto.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_too_many_photos_or_not_base64_is_a_400(world):
    six = report(world, *[encoded(photo()) for _ in range(photos.MAX_PHOTOS + 1)])
    response = api(world.reporter_at_a).post("/api/v1/incidents/", six, format="json")
    assert response.status_code == 400
    garbled = report(world, {"name": "a.jpg", "content_type": "image/jpeg", "data": "%%%"})
    response = api(world.reporter_at_a).post("/api/v1/incidents/", garbled, format="json")
    assert response.status_code == 400 and "base64" in str(response.json())
    assert Incident.objects.count() == 0


def test_an_oversized_or_false_photo_on_the_form_changes_nothing(world):
    big = b"\xff\xd8\xff\xe0" + bytes(photos.MAX_PHOTO_BYTES)
    response = page(world.reporter_at_a).post(
        "/incidents/new/",
        {**form(world), "photos": [SimpleUploadedFile("big.jpg", big, content_type="image/jpeg")]},
    )
    assert response.status_code == 400
    assert "at most 10 MB" in response.content.decode()
    fake = SimpleUploadedFile("cat.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    response = page(world.reporter_at_a).post("/incidents/new/", {**form(world), "photos": [fake]})
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    assert Incident.objects.count() == 0 and IncidentPhoto.objects.count() == 0


def test_more_than_a_reports_worth_of_photos_is_not_received(world, monkeypatch):
    monkeypatch.setattr(photos, "MAX_TOTAL_BYTES", 4096)
    response = page(world.reporter_at_a).post(
        "/incidents/new/",
        {**form(world), "photos": [SimpleUploadedFile("a.jpg", bytes(100_000))]},
    )
    assert response.status_code == 400
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("who", ["reporter_at_b", "partner", "admin", "auditor", "outsider"])
def test_who_may_not_read_the_incident_gets_a_404_for_its_photo(world, who):
    incident = filed(world)
    stored = incident.photos.get()
    user = getattr(world, who)
    assert page(user).get(f"/incidents/{incident.pk}/photos/{stored.pk}/").status_code == 404
    assert api(user).get(f"/api/v1/incidents/{incident.pk}/photos/{stored.pk}/").status_code == 404
    # A photo of another incident, asked for under one the person may read, is no way in.
    other = filed(world, title="Another")
    url = f"/incidents/{other.pk}/photos/{stored.pk}/"
    assert page(world.analyst).get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="read-photo").exists()


def test_a_photo_follows_its_incidents_classification(world):
    incident = filed(world, classification=int(Classification.CONFIDENTIAL))
    stored = incident.photos.get()
    url = f"/incidents/{incident.pk}/photos/{stored.pk}/"
    assert page(world.reporter_at_a).get(url).status_code == 200
    Incident.objects.filter(pk=incident.pk).update(
        classification=Classification.STRICTLY_CONFIDENTIAL
    )
    assert page(world.reporter_at_a).get(url).status_code == 404
    assert page(world.commissioner).get(url).status_code == 200


def test_damaged_files_of_every_kind_are_refused_in_words_never_a_crash():
    import random

    rng = random.Random(20)
    for fmt in ("JPEG", "PNG", "WEBP"):
        good = bytearray(photo(fmt, size=(40, 30)))
        for _ in range(150):
            bad = bytearray(good)
            for _ in range(rng.randint(1, 8)):
                bad[rng.randrange(len(bad))] = rng.randrange(256)
            cut = bytes(bad[: rng.randint(8, len(bad))])
            try:
                kept = photos.clean(photos.PhotoUpload("x", cut))
            except photos.PhotoRefused as refused:
                assert str(refused)
            else:
                assert not Image.open(BytesIO(kept.content)).getexif()


def test_the_form_with_photos_still_checks_its_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.reporter_at_a)
    upload = SimpleUploadedFile("market.jpg", photo("JPEG"), content_type="image/jpeg")
    refused = client.post("/incidents/new/", {**form(world), "photos": [upload]})
    assert refused.status_code == 403 and Incident.objects.count() == 0
    client.get("/incidents/new/")
    token = client.cookies["csrftoken"].value
    upload = SimpleUploadedFile("market.jpg", photo("JPEG"), content_type="image/jpeg")
    response = client.post(
        "/incidents/new/", {**form(world), "photos": [upload], "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Incident.objects.get().photos.count() == 1
