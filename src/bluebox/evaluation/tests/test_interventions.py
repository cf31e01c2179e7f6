"""Interventions that were not randomised: recorded, then evaluated from what the reader sees."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from bluebox.assessment import indicators
from bluebox.core import access
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import User
from bluebox.core.roles import Resource
from bluebox.engines import impact as engine
from bluebox.engines.spatial import h3_cell
from bluebox.evaluation import adapter, demo, selectors, services
from bluebox.evaluation.models import Intervention
from bluebox.incidents.selectors import incidents_for
from bluebox.overview.demo import load_demo
from bluebox.testing.world import build_world

END = date(2026, 10, 31)


@pytest.mark.django_db
def test_an_intervention_at_a_site_takes_the_site_s_area_and_bad_input_changes_nothing():
    w = build_world()
    made = services.intervention_create(
        actor=w.analyst,
        mission_id=w.mission.pk,
        kind="police_station",
        title="Station opened",
        site_id=w.site_a.pk,
        started_on=date(2026, 3, 2),
    )
    assert made.area == h3_cell(w.site_a.latitude, w.site_a.longitude)
    assert made.sector_id == w.east.pk
    with pytest.raises(ServiceError) as bad:
        services.intervention_create(
            actor=w.analyst,
            mission_id=w.mission.pk,
            kind="fpu",
            title="Somewhere",
            site_id=w.site_a.pk,
            area="not-a-cell",
            started_on=date(2026, 3, 2),
        )
    assert "area" in bad.value.field_errors
    with pytest.raises(ServiceError):
        services.intervention_create(
            actor=w.analyst,
            mission_id=w.mission.pk,
            kind="parade",
            title="x",
            site_id=w.site_a.pk,
            started_on=date(2026, 3, 2),
        )
    with pytest.raises(NotPermitted):
        services.intervention_create(
            actor=w.planner,
            mission_id=w.mission.pk,
            kind="fpu",
            title="A planner does not record",
            site_id=w.site_a.pk,
            started_on=date(2026, 3, 2),
        )
    assert Intervention.objects.count() == 1
    # Readers see it where they may evaluate; others not at all.
    assert list(selectors.interventions_for(w.planner)) == [made]
    assert not selectors.interventions_for(w.reporter_at_a).exists()
    with pytest.raises(access.NotVisible):
        selectors.intervention_get(w.reporter_at_a, made.pk)


@pytest.mark.django_db
def test_the_demo_intervention_is_evaluated_from_the_incidents_the_reader_may_see():
    mission = load_demo(seed=1, end=END)
    analyst = User.objects.get(username="analyst")
    intervention = Intervention.objects.get(mission=mission, title=demo.TITLE)
    ev = selectors.intervention_evaluation(user=analyst, intervention_id=intervention.pk, until=END)
    truth = demo.EFFECT - 1
    assert len(ev.inputs.period_starts) - ev.inputs.start_period == demo.POST_PERIODS
    # The page's figures are the engine's on the same panel, built from the analyst's incidents.
    rows = [
        (c, t)
        for c, t in incidents_for(analyst)
        .filter(mission=mission)
        .exclude(h3_cell="")
        .values_list("h3_cell", "occurred_at")
    ]
    again = adapter.evaluate_intervention(
        adapter.intervention_inputs(
            area=intervention.area,
            started_on=intervention.started_on,
            until=END,
            incidents=rows,
            tz_name=mission.timezone,
        )
    )
    assert again.synthetic.to_dict() == ev.results.synthetic.to_dict()
    assert again.did.to_dict() == ev.results.did.to_dict()
    sc = ev.results.synthetic
    assert sc.detail["placebos"] >= engine.observational.MIN_PLACEBOS
    assert sc.relative < 0 and sc.relative_low < truth < sc.relative_high
    did = ev.results.did
    assert did.relative < 0 and did.verdict == engine.verdict.REDUCTION, did
    # The page says it, in words and numbers.
    client = Client()
    client.force_login(analyst)
    page = client.get(f"/evaluation/interventions/{intervention.pk}/?until={END}")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"{sc.relative:.2f}" in body and "<svg" in body

    # The outcome indicator reads the same evaluation, for the analyst's clearance.
    protection = access.clearances(analyst, Resource.INCIDENT)[0]
    found = indicators.interventions_with_protective_effect(
        None,  # type: ignore[arg-type]  (the computation reads nothing of its definition)
        protection,
        END - timedelta(days=27),
        END,
    )
    assert found.denominator == 1 and found.provenance["records"] == 1
    assert found.numerator == (sc.verdict == engine.verdict.REDUCTION)
    (line,) = found.provenance["estimates"]
    assert line["relative"] == sc.to_dict()["relative"] and line["verdict"] == sc.verdict
