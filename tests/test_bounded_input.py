"""Input outside its bounds is a clear 4xx and changes nothing: each test is an attack that once
answered 500 (or was accepted and stopped the background work)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core.models import AuditEntry
from bluebox.forecasting import adapter as forecast_adapter
from bluebox.incidents.models import Incident
from bluebox.testing.factories import IncidentFactory

HUGE = "4" * 40


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/incidents/?site={HUGE}",
        f"/api/v1/incidents/?sector=-{HUGE}",
        f"/api/v1/incidents/?mission={HUGE}",
        f"/api/v1/patrols/plans/?site={HUGE}",
        f"/api/v1/patrols/records/?site={HUGE}",
        f"/api/v1/patrols/teams/?site=-{HUGE}",
        f"/api/v1/forecast/runs/?mission={HUGE}",
        f"/api/v1/sectors/?mission={HUGE}",
    ],
)
def test_an_identifier_wider_than_a_column_is_a_400_in_the_api(world, path):
    response = _api(world.analyst).get(path)
    assert response.status_code == 400, response.content
    assert "from 1 to" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        f"/incidents/?site={HUGE}",
        f"/incidents/?mission=-{HUGE}",
        f"/forecast/?mission={HUGE}",
    ],
)
def test_an_identifier_wider_than_a_column_is_a_400_page(world, path):
    client = Client()
    client.force_login(world.analyst)
    assert client.get(path).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cap/?limit=" + HUGE,
        "/api/v1/deployment/plans/?limit=" + HUGE,
        "/api/v1/deployment/plans/?offset=" + HUGE,
        "/api/v1/alerts/?limit=0",
        "/api/v1/alerts/?limit=many",
    ],
)
def test_a_page_size_or_offset_out_of_range_is_a_400(world, path):
    response = _api(world.commissioner).get(path)
    assert response.status_code == 400, response.content


def test_the_largest_page_is_served(world):
    response = _api(world.commissioner).get("/api/v1/cap/?limit=1000&offset=0")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/incidents/?status=everything",
        "/api/v1/incidents/?incident_type=' OR 1=1",
        "/api/v1/alerts/?status=nonsense",
        "/api/v1/patrols/plans/?week=0001-01-01",
    ],
)
def test_an_unknown_choice_in_a_filter_is_a_400(world, path):
    assert _api(world.analyst).get(path).status_code == 400


def _report(world, **overrides):
    body = {
        "mission": world.mission.pk,
        "site": world.site_a.pk,
        "title": "Attack on the camp",
        "incident_type": "killing",
        "occurred_at": "2026-11-30T08:00:00Z",
        "latitude": 3.0,
        "longitude": -9.5,
    }
    body.update(overrides)
    return _api(world.reporter_at_a).post("/api/v1/incidents/", body, format="json")


@pytest.mark.parametrize(
    "occurred_at",
    ["0202-11-30T08:00:00Z", "0001-01-01T00:00:00Z", "1988-12-31T23:00:00Z", "9999-12-31T00:00Z"],
)
def test_a_reporter_cannot_file_an_incident_outside_the_date_window(world, occurred_at):
    """The attack: an incident dated 0202-11-30 was accepted and the next forecast grew to 21 GB."""
    before = (Incident.objects.count(), AuditEntry.objects.count())
    response = _report(world, occurred_at=occurred_at)
    assert response.status_code == 400, response.content
    assert "occurred_at" in response.json()
    assert (Incident.objects.count(), AuditEntry.objects.count()) == before


def test_a_date_inside_the_window_is_still_accepted(world):
    assert _report(world, occurred_at="1989-01-01T00:00:00Z").status_code == 201


def test_the_web_report_form_refuses_year_202_too(world):
    client = Client()
    client.force_login(world.reporter_at_a)
    before = Incident.objects.count()
    response = client.post(
        "/incidents/new/",
        {
            "site": world.site_a.pk,
            "title": "Attack on the camp",
            "incident_type": "killing",
            "occurred_at": "0202-11-30T08:00",
            "latitude": "3.0",
            "longitude": "-9.5",
            "perpetrator_category": "unknown",
            "fatalities_best": "0",
            "poc_tier": "2",
            "source_reliability": "F",
            "information_credibility": "6",
            "classification": "1",
        },
    )
    assert response.status_code == 400  # the form again, with its error
    assert "Enter a date between" in response.content.decode()
    assert Incident.objects.count() == before


def test_a_forecast_leaves_out_a_date_stored_before_dates_were_bounded(world):
    """A database that already holds year 202 must not make the next forecast's panel grow."""
    IncidentFactory(site=world.site_a, occurred_at=datetime(202, 11, 30, tzinfo=UTC))
    IncidentFactory(site=world.site_a, occurred_at=datetime(2026, 11, 1, tzinfo=UTC))
    until = datetime(2026, 11, 30, tzinfo=UTC)
    frame = forecast_adapter.events_frame(
        forecast_adapter.mission_incidents(world.mission, until=until)
    )
    assert len(frame) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("[" * 5000 + "]" * 5000, 400),
        ('{"title": ' + "[" * 40 + "1" + "]" * 40 + "}", 400),
        ('{"title": NaN}', 400),
        ('{"title": "' + "x" * 3_000_000 + '"}', (400, 413)),
    ],
    ids=["5000-deep", "40-deep", "NaN", "3 MB"],
)
def test_a_nested_or_oversized_json_body_is_refused_before_any_view(world, body, status):
    before = (Incident.objects.count(), AuditEntry.objects.count())
    response = _api(world.reporter_at_a).generic(
        "POST", "/api/v1/incidents/", body, content_type="application/json"
    )
    assert response.status_code in (status if isinstance(status, tuple) else (status,))
    assert (Incident.objects.count(), AuditEntry.objects.count()) == before


def test_the_model_fields_hold_the_bounds_for_every_caller_of_the_service(world):
    """Validation once: the service adds no shape check of its own; the model's fields (the
    date window, the weapon vocabulary) refuse a caller that bypassed the input layer."""
    from bluebox.core.exceptions import ServiceError
    from bluebox.incidents import services

    with pytest.raises(ServiceError) as refused:
        services.incident_report(
            actor=world.reporter_at_a,
            mission=world.mission,
            site_id=world.site_a.pk,
            data={
                "title": "Attack on the camp",
                "incident_type": "killing",
                "occurred_at": datetime(202, 11, 30, tzinfo=UTC),
                "latitude": 3.0,
                "longitude": -9.5,
                "weapons": ["small_arms", "laser"],
            },
        )
    assert set(refused.value.field_errors) == {"occurred_at", "weapons"}
    assert not Incident.objects.exists()
