"""Reporting, verifying, voiding and listing incidents by API; bad input changes nothing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core.classification import Classification
from bluebox.core.exceptions import DeletionRefused
from bluebox.core.models import AuditEntry
from bluebox.incidents.models import Incident
from bluebox.testing.factories import IncidentFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def report(world, **overrides):
    body = {
        "mission": world.mission.pk,
        "site": world.site_a.pk,
        "title": "Shots near the water point",
        "incident_type": "killing",
        "occurred_at": "2026-11-20T06:30:00Z",
        "latitude": 3.01,
        "longitude": -9.49,
        "fatalities_best": 2,
        "fatalities_low": 1,
        "fatalities_high": 3,
    }
    body.update(overrides)
    return body


def test_a_reporter_files_an_incident_at_their_site(world):
    response = client_for(world.reporter_at_a).post(
        "/api/v1/incidents/", report(world), format="json"
    )
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["id"])
    assert incident.sector == world.east
    # floor((3.01 + 90) / 0.5) * 720 + floor((-9.49 + 180) / 0.5) + 1
    assert incident.priogrid_gid == 186 * 720 + 341 + 1
    assert incident.h3_cell.startswith("87")
    assert AuditEntry.objects.filter(action="create", object_id=str(incident.pk)).exists()


def test_a_reporter_cannot_file_at_another_site(world):
    body = report(world, site=world.site_b.pk)
    response = client_for(world.reporter_at_a).post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 403
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": 123}, "latitude"),
        ({"incident_type": "alien_landing"}, "incident_type"),
        ({"occurred_at": "yesterday-ish"}, "occurred_at"),
        ({"fatalities_best": 5, "fatalities_high": 1}, "fatalities_best"),
        ({"occurred_at": "2099-01-01T00:00:00Z"}, "occurred_at"),
        ({"site": 999999}, "site"),
        ({"title": ""}, "title"),
    ],
)
def test_malformed_reports_get_a_clear_400_and_change_nothing(world, overrides, field):
    before = AuditEntry.objects.count()
    response = client_for(world.reporter_at_a).post(
        "/api/v1/incidents/", report(world, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body or field in body.get("errors", {}), body
    assert Incident.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_a_non_json_body_is_refused(world):
    response = client_for(world.reporter_at_a).post(
        "/api/v1/incidents/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert Incident.objects.count() == 0


def test_an_analyst_verifies_and_a_reporter_cannot(world):
    incident = IncidentFactory(site=world.site_a)
    assert (
        client_for(world.reporter_at_a).post(f"/api/v1/incidents/{incident.pk}/verify/").status_code
        == 404
    )
    response = client_for(world.analyst).post(f"/api/v1/incidents/{incident.pk}/verify/")
    assert response.status_code == 200 and response.json()["status"] == "verified"
    again = client_for(world.analyst).post(f"/api/v1/incidents/{incident.pk}/verify/")
    assert again.status_code == 400


def test_an_analyst_regrades_on_verifying_and_the_history_says_so(world):
    incident = IncidentFactory(site=world.site_a, source_reliability="F", information_credibility=6)
    response = client_for(world.analyst).post(
        f"/api/v1/incidents/{incident.pk}/verify/",
        {"source_reliability": "B", "information_credibility": 2, "note": "Two witnesses agree"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["source_reliability"], body["information_credibility"]) == ("B", 2)
    assert body["grading_before_verification"] == "F6"
    assert body["verification_note"] == "Two witnesses agree"
    entry = AuditEntry.objects.filter(action="verify", object_id=str(incident.pk)).get()
    assert entry.detail == {"grading_before": "F6", "grading_after": "B2", "note": True}
    page = Client()
    page.force_login(world.analyst)
    history = page.get(f"/incidents/{incident.pk}/").content.decode()
    assert "grading F6 before, B2 after" in history and "Two witnesses agree" in history


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source_reliability": "G"}, "source_reliability"),
        ({"source_reliability": "b"}, "source_reliability"),
        ({"information_credibility": 7}, "information_credibility"),
        ({"information_credibility": 0}, "information_credibility"),
        ({"information_credibility": "two"}, "information_credibility"),
        ({"note": "x" * 5001}, "note"),
    ],
)
def test_a_bad_regrade_is_a_clear_400_and_changes_nothing(world, body, field):
    incident = IncidentFactory(site=world.site_a, source_reliability="C", information_credibility=3)
    response = client_for(world.analyst).post(
        f"/api/v1/incidents/{incident.pk}/verify/", body, format="json"
    )
    assert response.status_code == 400 and field in response.json(), response.json()
    incident.refresh_from_db()
    assert incident.status == "reported" and incident.verified_at is None
    assert (incident.source_reliability, incident.information_credibility) == ("C", 3)
    assert not AuditEntry.objects.filter(action="verify", object_id=str(incident.pk)).exists()


def test_incidents_are_voided_with_a_reason_never_deleted(world):
    incident = IncidentFactory(site=world.site_a)
    with pytest.raises(DeletionRefused):
        incident.delete()
    with pytest.raises(DeletionRefused):
        Incident.objects.filter(pk=incident.pk).delete()
    analyst = client_for(world.analyst)
    assert analyst.delete(f"/api/v1/incidents/{incident.pk}/").status_code == 405
    assert analyst.post(f"/api/v1/incidents/{incident.pk}/void/", {"reason": ""}).status_code == 400
    response = analyst.post(
        f"/api/v1/incidents/{incident.pk}/void/", {"reason": "duplicate of #12"}
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.status == "voided" and incident.void_reason == "duplicate of #12"
    assert incident.voided_by == world.analyst
    listed = analyst.get("/api/v1/incidents/").json()["results"]
    assert incident.pk not in [row["id"] for row in listed]


def walk(client, url):
    """Every page of a list, following ``next`` from ``url``; returns the pages' ids."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}  # no count: see docs/incidents.md
        pages.append([row["id"] for row in body["results"]])
        url = body["next"]
        assert len(pages) <= 50, "next never ran out"
    return pages


def newest_first(queryset):
    return list(queryset.order_by("-occurred_at", "-id").values_list("pk", flat=True))


def test_paging_returns_every_visible_incident_once_newest_first_even_on_equal_times(world):
    same_time = IncidentFactory.create_batch(23, site=world.site_a)  # all at 2026-11-01 08:00
    for day in (2, 3, 5):
        IncidentFactory(site=world.site_b, occurred_at=datetime(2026, 11, day, tzinfo=UTC))
    for day in (1, 2):
        IncidentFactory(site=world.site_a, occurred_at=datetime(2025, 10, day, tzinfo=UTC))
    IncidentFactory.create_batch(2, site=world.other_site)
    expected = newest_first(Incident.objects.filter(mission=world.mission))
    assert len(expected) == 28 and {i.pk for i in same_time} <= set(expected)

    client = client_for(world.commissioner)
    pages = walk(client, "/api/v1/incidents/?page_size=4")
    assert [len(page) for page in pages] == [4] * 7
    assert [pk for page in pages for pk in page] == expected

    # ``previous`` from the last page walks the same pages back.
    last = client.get("/api/v1/incidents/?page_size=4")
    while last.json()["next"]:
        last = client.get(last.json()["next"])
    back, url = [], last.json()["previous"]
    while url:
        body = client.get(url).json()
        back.append([row["id"] for row in body["results"]])
        url = body["previous"]
    assert back == pages[-2::-1]


def test_a_long_run_of_equal_times_is_paged_through(world):
    # DRF's own cursor skips into a run of equal first keys by an offset capped at 1,000, so past
    # that it serves the same page forever; the keyset resumes at (occurred_at, id), no offset.
    Incident.objects.bulk_create(IncidentFactory.build_batch(1603, site=world.site_a))
    pages = walk(client_for(world.analyst), "/api/v1/incidents/?page_size=500")
    assert [len(page) for page in pages] == [500, 500, 500, 103]
    assert [pk for page in pages for pk in page] == newest_first(Incident.objects.all())


def test_a_reporter_sees_only_their_site_on_every_page(world):
    at_a = IncidentFactory.create_batch(7, site=world.site_a)
    IncidentFactory.create_batch(9, site=world.site_b)
    IncidentFactory.create_batch(3, site=world.other_site)
    reporter = client_for(world.reporter_at_a)
    pages = walk(reporter, "/api/v1/incidents/?page_size=2")
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert sorted(pk for page in pages for pk in page) == sorted(i.pk for i in at_a)
    # Asking for site B, or resuming from a cursor that points among B's rows, shows nothing
    # of B: the cursor only says where to resume in the reporter's own list.
    assert walk(reporter, f"/api/v1/incidents/?site={world.site_b.pk}") == [[]]
    commissioner_page = client_for(world.commissioner).get("/api/v1/incidents/?page_size=3").json()
    resumed = walk(reporter, commissioner_page["next"])
    assert {pk for page in resumed for pk in page} <= {i.pk for i in at_a}


def test_filters_stay_on_every_page(world):
    IncidentFactory.create_batch(3, site=world.site_a)
    at_b = IncidentFactory.create_batch(5, site=world.site_b)
    IncidentFactory.create_batch(2, site=world.site_b, incident_type="looting")
    commissioner = client_for(world.commissioner)
    url = f"/api/v1/incidents/?site={world.site_b.pk}&incident_type=killing&page_size=2"
    pages = walk(commissioner, url)
    assert sorted(pk for page in pages for pk in page) == sorted(i.pk for i in at_b)
    next_url = commissioner.get(url).json()["next"]
    assert f"site={world.site_b.pk}" in next_url and "incident_type=killing" in next_url
    assert commissioner.get("/api/v1/incidents/?site=abc").status_code == 400


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%",
        _cursor("p=yesterday"),
        _cursor('p=["2026-11-01T08:00:00+00:00"]'),  # one key of two
        _cursor('p=["2026-11-01T08:00:00",5]'),  # no time zone
        _cursor('p=["2026-11-01T08:00:00+00:00","five"]'),
        _cursor('p=["2026-11-01T08:00:00+00:00",99999999999999999999999]'),
        _cursor('p=["2026-11-01T08:00:00+00:00",5]&o=3'),  # offsets are not used
        _cursor("o=-1"),
        _cursor("r=1"),  # backwards from nowhere
        _cursor("r=x"),
    ],
)
def test_a_tampered_cursor_is_a_clear_404(world, cursor):
    IncidentFactory.create_batch(2, site=world.site_a)
    response = client_for(world.commissioner).get("/api/v1/incidents/", {"cursor": cursor})
    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Invalid cursor"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=abc", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=-5", "page_size"),
        ("limit=2", "limit"),  # limit/offset paging is gone: refused, not silently ignored
        ("offset=100", "offset"),
    ],
)
def test_bad_or_retired_paging_parameters_are_a_clear_400(world, query, field):
    response = client_for(world.commissioner).get(f"/api/v1/incidents/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_page_size_is_capped_at_500(world):
    Incident.objects.bulk_create(IncidentFactory.build_batch(501, site=world.site_a))
    body = client_for(world.commissioner).get("/api/v1/incidents/?page_size=100000").json()
    assert len(body["results"]) == 500 and body["next"]


def test_listing_strictly_confidential_incidents_is_audited_page_by_page(world):
    IncidentFactory.create_batch(3, site=world.site_a)
    secret = IncidentFactory(
        site=world.site_a,
        classification=Classification.STRICTLY_CONFIDENTIAL,
        occurred_at=datetime(2020, 1, 1, tzinfo=UTC),  # the oldest: on the last page
    )
    pages = walk(client_for(world.commissioner), "/api/v1/incidents/?page_size=2")
    assert secret.pk in pages[-1]
    reads = AuditEntry.objects.filter(action="list-read", actor="commissioner")
    assert [entry.detail["ids"] for entry in reads] == [[str(secret.pk)]]
    assert reads.get().resource == "incident" and reads.get().mission_id == world.mission.pk
