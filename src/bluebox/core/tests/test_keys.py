"""Key rotation and identities the configured keys cannot read.

Values are written under one key and read under another, the way a restore with the wrong keys
or an old key dropped too early would leave them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core import crypto, keys
from bluebox.core.models import AuditEntry
from bluebox.detention import jobs as detention_jobs
from bluebox.detention.models import Apprehension
from bluebox.detention.tests.factories import (
    CANARY_NAME,
    ApprehensionFactory,
    RiskAssessmentFactory,
)
from bluebox.incidents.models import ProtectedPerson
from bluebox.testing.factories import ProtectedPersonFactory
from bluebox.testing.second_factor import stepped_up

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
SOURCE_NAME = "Informant Ulbrecht-Canary"


@pytest.fixture
def stored(world, settings):
    """An informant on an incident and a detainee in custody, written under the OLD key."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    person = ProtectedPersonFactory(
        incident__site=world.site_a, identity=SOURCE_NAME, contact="+211912345678"
    )
    custody = ApprehensionFactory(site=world.site_a)
    custody.apprehended_at -= timedelta(hours=80)  # escalations and breaches have fired
    custody.save()
    RiskAssessmentFactory(apprehension=custody)
    detention_jobs.custody_escalations_raise(now=custody.apprehended_at + timedelta(hours=73))
    return person, custody


def _raw(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def _pages(world, person, custody):
    """Every page and endpoint that loads a protected identity; each must answer 200."""
    incident = person.incident_id
    web_commissioner, web_handler = Client(), Client()
    web_commissioner.force_login(world.commissioner)
    web_handler.force_login(world.source_handler)
    api = APIClient()
    api.force_login(world.detention_officer)
    purpose = {"purpose": "Case review ordered by the commissioner"}
    for who, record in (
        (world.commissioner, custody),
        (world.detention_officer, custody),
        (world.source_handler, person),
    ):
        stepped_up(who, record)
    return {
        "custody board": web_commissioner.get("/detention/"),
        "detainee page": web_commissioner.get(f"/detention/{custody.pk}/"),
        "handover page": web_commissioner.get(f"/detention/{custody.pk}/handover/"),
        "detainee reveal page": web_commissioner.post(f"/detention/{custody.pk}/reveal/", purpose),
        "apprehension API": api.get(f"/api/v1/detention/apprehensions/{custody.pk}/"),
        "apprehension list API": api.get("/api/v1/detention/apprehensions/"),
        "detainee reveal API": api.post(
            f"/api/v1/detention/apprehensions/{custody.pk}/reveal/", purpose, format="json"
        ),
        "incident page": web_handler.get(f"/incidents/{incident}/"),
        "incident API": _api(world.source_handler).get(f"/api/v1/incidents/{incident}/"),
        "source reveal page": web_handler.post(f"/incidents/people/{person.pk}/reveal/", purpose),
    }


def _api(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_an_unreadable_identity_shows_its_pseudonym_marked_and_every_page_works(
    world, settings, stored
):
    person, custody = stored
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # a restore with the wrong key
    pages = _pages(world, person, custody)
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    board = pages["custody board"].content.decode()
    assert custody.pseudonym in board and "identity unreadable" in board
    assert "identity unreadable" in pages["detainee page"].content.decode()
    assert "identity unreadable" in pages["incident page"].content.decode()
    assert "cannot decrypt" in pages["source reveal page"].content.decode()
    assert pages["detainee reveal API"].json() == {"name": None, "details": None}
    for response in pages.values():
        assert CANARY_NAME.encode() not in response.content
        assert b"gAAAAA" not in response.content  # nor the ciphertext


def test_saving_a_record_keeps_an_unreadable_value_intact(world, settings, stored):
    _person, custody = stored
    before = _raw(Apprehension, custody.pk, "detainee_name")
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    loaded = Apprehension.objects.get(pk=custody.pk)
    assert not loaded.detainee_name.readable
    loaded.location = "Moved to the team site"
    loaded.save()
    assert _raw(Apprehension, custody.pk, "detainee_name") == before
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]  # the right key comes back
    assert Apprehension.objects.get(pk=custody.pk).detainee_name.reveal() == CANARY_NAME


def test_protected_fields_are_found_by_their_class():
    labels = {c.label for c in keys.protected_columns()}
    assert {
        "incidents.ProtectedPerson.identity",
        "incidents.ProtectedPerson.contact",
        "detention.Apprehension.detainee_name",
        "detention.Apprehension.detainee_details",
        "alerts.Caller.phone",
    } <= labels


def test_rotate_then_drop_the_old_key_and_every_page_still_works(world, settings, stored):
    person, custody = stored
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    before = keys.check()
    assert before.older == before.total > 0 and before.unreadable == 0
    report = keys.rotate(batch=2)
    assert report.rotated == before.total and report.unreadable == 0
    assert keys.check().older == 0
    entry = AuditEntry.objects.filter(action="keys-rotate").latest("seq")
    assert entry.detail["rotated"] == before.total
    assert entry.detail["keys"] == [keys.key_fingerprint(NEW), keys.key_fingerprint(OLD)]
    assert CANARY_NAME not in str(entry.detail) and NEW not in str(entry.detail)

    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is dropped
    pages = _pages(world, person, custody)
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    assert pages["detainee reveal API"].json()["name"] == CANARY_NAME
    assert SOURCE_NAME in pages["source reveal page"].content.decode()
    assert "identity unreadable" not in pages["custody board"].content.decode()
    assert ProtectedPerson.objects.get(pk=person.pk).contact.reveal() == "+211912345678"


def test_a_rotation_killed_half_way_finishes_when_run_again(world, settings, stored):
    ProtectedPersonFactory.create_batch(5, incident__site=world.site_a)
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    total = keys.check().total
    seen = []

    def kill_after_first_batch(label, counts):
        seen.append(label)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        keys.rotate(batch=2, progress=kill_after_first_batch)
    half = keys.check()
    assert 0 < half.older < total  # one batch committed, the rest still under the old key
    again = keys.rotate(batch=2)
    assert again.rotated == half.older and again.current == total - half.older
    assert keys.check().older == 0
    assert AuditEntry.objects.filter(action="keys-rotate-start").count() == 2


def test_rotation_leaves_values_no_key_reads_untouched(world, settings, stored):
    person, _custody = stored
    stranger = Fernet(Fernet.generate_key())
    foreign = stranger.encrypt(b"written under a key nobody has").decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_protectedperson SET contact = %s WHERE id = %s", [foreign, person.pk]
        )
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    report = keys.rotate()
    assert report.unreadable == 1
    assert _raw(ProtectedPerson, person.pk, "contact") == foreign


def test_a_value_written_during_rotation_is_not_overwritten(world, settings, stored, monkeypatch):
    person, _custody = stored
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    edited = crypto.ProtectedValue("Edited while rotating")
    read_tokens = keys._tokens

    def edit_after_the_read(col, **kwargs):
        rows = read_tokens(col, **kwargs)
        if col.label == "incidents.ProtectedPerson.identity" and rows:
            ProtectedPerson.objects.filter(pk=person.pk).update(identity=edited)
        return rows

    monkeypatch.setattr(keys, "_tokens", edit_after_the_read)
    report = keys.rotate()
    assert report.columns["incidents.ProtectedPerson.identity"].rotated == 0
    assert ProtectedPerson.objects.get(pk=person.pk).identity == edited


def _report(world):
    return {
        "mission": world.mission.pk,
        "site": world.site_a.pk,
        "title": "Shots near the Kessa water point",
        "incident_type": "killing",
        "occurred_at": "2026-11-20T06:30:00Z",
        "latitude": 3.01,
        "longitude": -9.49,
    }


def test_a_recorded_response_survives_rotation_and_the_old_key_dropped(world, settings):
    """A client retrying after the keys rotated gets its first response, not a second record."""
    from bluebox.core.models import IdempotencyRecord
    from bluebox.incidents.models import Incident

    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    client = _api(world.reporter_at_a)
    body = _report(world)
    first = client.post(
        "/api/v1/incidents/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-after-rotation"
    )
    assert first.status_code == 201, first.content
    record = IdempotencyRecord.objects.get()
    assert "core.IdempotencyRecord.body" in {c.label for c in keys.protected_columns()}

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    keys.rotate()
    assert keys.check().older == 0
    stored = _raw(IdempotencyRecord, record.pk, "body")
    assert "Kessa" not in stored and Fernet(NEW.encode()).decrypt(stored.encode())

    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is dropped
    again = client.post(
        "/api/v1/incidents/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-after-rotation"
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Incident.objects.count() == 1


def test_a_recorded_response_no_key_reads_is_a_clear_409_and_creates_nothing(world, settings):
    from bluebox.incidents.models import Incident

    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    client = _api(world.reporter_at_a)
    body = _report(world)
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-lost-key"}
    assert client.post("/api/v1/incidents/", body, format="json", **headers).status_code == 201
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # restored without the key it was written under
    again = client.post("/api/v1/incidents/", body, format="json", **headers)
    assert again.status_code == 409
    assert "can no longer be read" in again.json()["detail"]
    assert Incident.objects.count() == 1
