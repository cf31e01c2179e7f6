"""The field app's server side: the draft key, the reference data, the page kept offline, and
patrol records sent from a phone (with their track, once, a conflict when already recorded)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.field.api import draft_key
from bluebox.patrols.models import Patrol, PatrolPlan, PlannedPatrol, PlanStatus
from bluebox.patrols.tests.factories import PatrolTeamFactory

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_each_person_has_their_own_stable_draft_key(world):
    a = _api(world.reporter_at_a).get("/api/v1/field/session/").json()
    again = _api(world.reporter_at_a).get("/api/v1/field/session/").json()
    b = _api(world.reporter_at_b).get("/api/v1/field/session/").json()
    assert a["key"] == again["key"] == draft_key(world.reporter_at_a)
    assert a["key"] != b["key"]
    assert len(a["key"]) == 43  # 256 bits, base64url without padding
    assert a["user"] == world.reporter_at_a.pk and a["csrf"]


def test_the_session_answer_is_never_cached(world):
    response = _api(world.reporter_at_a).get("/api/v1/field/session/")
    assert "no-store" in response["Cache-Control"]


def test_reference_data_holds_only_the_reporters_own_sites_and_no_identity(world):
    PatrolTeamFactory(site=world.site_a, name="Team at A")
    PatrolTeamFactory(site=world.site_b, name="Team at B")
    ref = _api(world.reporter_at_a).get("/api/v1/field/reference/").json()
    assert [s["name"] for s in ref["sites"]] == ["Site A"]
    assert ref["sites"][0]["incident"] and ref["sites"][0]["patrol"]
    assert [t["name"] for t in ref["teams"]] == ["Team at A"]
    text = json.dumps(ref)
    assert "Site B" not in text and "Team at B" not in text


def test_the_app_page_names_nobody_so_a_phone_may_keep_it(world):
    client = Client()
    client.force_login(world.reporter_at_a)
    page = client.get("/field/")
    assert page.status_code == 200 and page["X-Bluebox-Shell"] == "1"
    html = page.content.decode()
    for personal in ("reporter_a", world.reporter_at_a.get_full_name() or "reporter_a", "csrf"):
        assert personal not in html
    assert "Site A" not in html  # the sites come encrypted from the API, not in the page


def test_the_app_page_speaks_arabic_right_to_left(world):
    client = Client()
    client.force_login(world.reporter_at_a)
    html = client.get("/ar/field/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html and "الإبلاغ عن حادث" in html


def test_the_service_worker_and_manifest(world):
    sw = Client().get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("text/javascript")
    body = sw.content.decode()
    assert "bluebox-field-" in body and "/static/field/field.js" in body
    manifest = Client().get("/fr/field/manifest.webmanifest").json()
    assert manifest["start_url"] == "/fr/field/" and manifest["lang"] == "fr"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}


def _planned(world, team):
    today = timezone.now().date()
    plan = PatrolPlan.objects.create(
        week_start=today - timedelta(days=today.weekday()),
        status=PlanStatus.APPROVED,
        generated_by=world.planner,
        generated_at=timezone.now(),
        mission=world.mission,
        sector=world.site_a.sector,
        site=world.site_a,
    )
    return PlannedPatrol.objects.create(
        plan=plan,
        mission=world.mission,
        sector=world.site_a.sector,
        site=world.site_a,
        team=team,
        date=today,
        slot="morning",
        shift="morning",
        area="8a2a1072b59ffff",
        depart="08:00",
        arrive="08:30",
        leave="11:30",
        back="12:00",
    )


def _record(world, team, planned=None, **extra):
    start = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    body = {
        "site": world.site_a.pk,
        "team": team.pk,
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(hours=1)).isoformat(),
        "members": 6,
        **extra,
    }
    if planned is not None:
        body["planned"] = planned.pk
    return body, start


def test_a_patrol_comes_with_its_track_in_one_idempotent_write(world):
    team = PatrolTeamFactory(site=world.site_a)
    body, start = _record(world, team)
    line = [[world.site_a.longitude + 0.002 * i, world.site_a.latitude] for i in range(3)]
    times = [(start + timedelta(minutes=20 * i)).isoformat() for i in range(3)]
    feature = {
        "type": "Feature",
        "properties": {"coordinateProperties": {"times": times}},
        "geometry": {"type": "LineString", "coordinates": line},
    }
    body["track"] = {"format": "geojson", "content": json.dumps(feature)}
    client = _api(world.reporter_at_a)
    first = client.post("/api/v1/patrols/records/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/v1/patrols/records/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    patrol = Patrol.objects.get()
    assert len(patrol.track["coordinates"]) == 3 and patrol.track_km > 0


def test_a_bad_track_writes_nothing(world):
    team = PatrolTeamFactory(site=world.site_a)
    body, _ = _record(world, team, track={"format": "geojson", "content": "{not json"})
    response = _api(world.reporter_at_a).post("/api/v1/patrols/records/", body, format="json")
    assert response.status_code == 400 and "track" in response.json()["errors"]
    assert Patrol.objects.count() == 0


def test_a_planned_patrol_recorded_twice_is_a_conflict_not_a_second_record(world):
    team = PatrolTeamFactory(site=world.site_a)
    planned = _planned(world, team)
    body, _ = _record(world, team, planned)
    client = _api(world.reporter_at_a)
    assert client.post("/api/v1/patrols/records/", body, format="json").status_code == 201
    other = _api(world.planner).post("/api/v1/patrols/records/", body, format="json")
    assert other.status_code == 409
    assert other.json()["conflict"] is True and "already recorded" in other.json()["detail"]
    assert Patrol.objects.count() == 1
