"""Forecasts never reveal hidden records: the attack that found it, and the full forecast kept.

The attack: a reporter at site A read "24 attacks on civilians in this area in the last 4
weeks" where 9 were visible to them, and the figure followed hidden inserts and voids exactly;
the run's ``inputs.events`` counted every incident. Here hidden incidents are added and voided
between two runs, and everything the reporter, the planner, the partner and the human rights
officer can read of each run (risk map, highest-risk list with reasons, warning candidates, the
run and its areas in the API) must be the same; the commissioner's forecast must change.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.alerts import selectors as alert_selectors
from bluebox.core.classification import Classification, Compartment
from bluebox.core.models import AuditEntry
from bluebox.forecasting import jobs, selectors
from bluebox.forecasting.tests.factories import ONE_DEAD, TODAY, incidents_at_site_a, small_settings
from bluebox.incidents import services as incident_services
from bluebox.testing.factories import IncidentFactory

pytestmark = pytest.mark.django_db

RUN_VOLATILE = {"id", "created_at", "finished_at"}


def _hidden_attack(world: Any, week: int, **fields: Any) -> Any:
    at = datetime.combine(TODAY - timedelta(weeks=week), datetime.min.time(), tzinfo=UTC)
    return IncidentFactory(
        site=world.site_a, occurred_at=at, reported_at=at + timedelta(hours=1), **fields, **ONE_DEAD
    )


SECRET = {"classification": Classification.STRICTLY_CONFIDENTIAL}
SOURCE = {
    "classification": Classification.STRICTLY_CONFIDENTIAL,
    "compartments": Compartment.SOURCE,
}


def _run(world: Any, actor: Any = None) -> Any:
    if actor is None:
        run = jobs.forecast_run_schedule(mission_id=world.mission.pk, today=TODAY)
    else:
        from bluebox.forecasting import services

        run = services.forecast_run_request(actor=actor, mission_id=world.mission.pk, today=TODAY)
    return jobs.forecast_run_execute(run_id=run.pk)


def _seen(user: Any, run: Any) -> dict[str, Any]:
    """Everything ``user`` can read of ``run``, without ids and times."""
    api = APIClient()
    api.force_authenticate(user)
    detail = api.get(f"/api/v1/forecast/runs/{run.pk}/")
    areas = api.get(f"/api/v1/forecast/runs/{run.pk}/areas/?limit=1000")
    page = Client()
    page.force_login(user)
    response = page.get(f"/forecast/runs/{run.pk}/")
    context = response.context
    html = response.content.decode()
    said = re.search(r'id="forecast-inputs">([^<]*)<', html)
    return {
        "said": said.group(1) if said else None,
        "detail": (
            detail.status_code,
            {k: v for k, v in detail.json().items() if k not in RUN_VOLATILE},
        ),
        "areas": (
            areas.status_code,
            [
                {k: v for k, v in row.items() if k != "id"}
                for row in areas.json().get("results", [])
            ],
        ),
        "map": context and context.get("map_data"),
        "list": context
        and [
            (g.sector.name, [(a.cell, a.probability, a.reasons_text) for a in g.areas])
            for g in context.get("sectors", [])
        ],
        "candidates": [
            (c.area.cell, c.area.probability, c.area.reasons_text)
            for c in selectors.candidates_for(user, run.mission_id, pending_only=False)
            if c.run_id == run.pk
        ],
    }


def test_hidden_inserts_and_voids_change_nothing_a_lower_cleared_reader_sees(world):
    small_settings(world.mission, model="lightgbm", warning_threshold=0.2)
    incidents_at_site_a(world)
    voided_later = _hidden_attack(world, 2, **SECRET)
    before = _run(world)
    # The attack: hidden attacks on civilians in site A's cell, and one hidden record voided.
    for week in (1, 2, 3, 5):
        _hidden_attack(world, week, **SECRET)
        _hidden_attack(world, week, **SOURCE)
    incident_services.incident_void(actor=world.analyst, incident_id=voided_later.pk, reason="dup")
    after = _run(world)
    readers = (world.reporter_at_a, world.planner, world.partner, world.human_rights_officer)
    for reader in readers:
        assert _seen(reader, before) == _seen(reader, after), reader.username
    reporter = _seen(world.reporter_at_a, after)
    assert reporter["areas"][0] == 200 and reporter["areas"][1], "the reporter still has a map"
    assert reporter["detail"][1]["inputs"]["events"] == len(_visible_ids(world.reporter_at_a))
    seen = len(_visible_ids(world.reporter_at_a))
    assert reporter["said"] == f"Computed only from the {seen} incidents you may see."
    # The analyst's variant read strictly confidential incidents: reading it is audited.
    _seen(world.analyst, after)
    assert AuditEntry.objects.filter(
        actor=world.analyst.username, action="list-read", resource="forecast"
    ).exists()
    # The commissioner is served the full forecast, which did follow the hidden attacks.
    full_before = selectors.served_variant(world.commissioner, before)
    full_after = selectors.served_variant(world.commissioner, after)
    assert full_before and full_after
    assert full_after.inputs["events"] > full_before.inputs["events"]
    assert _seen(world.commissioner, before)["areas"] != _seen(world.commissioner, after)["areas"]


def _visible_ids(user: Any) -> list[int]:
    from bluebox.core import access
    from bluebox.incidents.models import Incident

    return list(
        access.visible(user, Incident.objects.filter(voided_at__isnull=True)).values_list(
            "pk", flat=True
        )
    )


def test_partners_and_human_rights_officers_read_no_run_at_all(world):
    small_settings(world.mission, model="conflictology")
    incidents_at_site_a(world)
    run = _run(world)
    for reader in (world.partner, world.human_rights_officer):
        seen = _seen(reader, run)
        assert seen["detail"][0] == seen["areas"][0] == 404


def test_a_warning_drafted_from_the_full_forecast_is_shown_only_to_those_cleared_for_it(
    world, django_capture_on_commit_callbacks
):
    small_settings(world.mission, model="conflictology", warning_threshold=0.2)
    incidents_at_site_a(world)
    for week in (1, 2, 3):
        _hidden_attack(world, week, **SECRET)
    with django_capture_on_commit_callbacks(execute=False):
        run = _run(world, actor=world.analyst)
    drafts = list(alert_selectors.caps_for(world.analyst))
    assert drafts, "the analyst's run drafted warnings from the analyst's forecast"
    assert all(d.classification == Classification.STRICTLY_CONFIDENTIAL for d in drafts)
    # CAP alerts are readable mission-wide, but these were computed from strictly confidential
    # incidents of the whole mission: not for a reporter at a site, nor a planner.
    for reader in (world.reporter_at_a, world.planner):
        assert not alert_selectors.caps_for(reader).filter(pk__in=[d.pk for d in drafts]).exists()
        api = APIClient()
        api.force_authenticate(reader)
        assert api.get(f"/api/v1/cap/{drafts[0].pk}/").status_code == 404
    assert run.inputs.keys() == {"sites", "radius_km"}
