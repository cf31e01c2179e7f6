"""The adapter turns site records into a schema-valid patrol problem, with documented risk."""

from __future__ import annotations

from datetime import timedelta

import h3
import pytest

from bluebox.engines import patrol as engine
from bluebox.engines.spatial import h3_cell
from bluebox.patrols import adapter
from bluebox.patrols.models import PatrolTeam
from bluebox.patrols.tests.conftest import BEFORE, WEEK
from bluebox.patrols.tests.factories import PatrolTeamFactory


def _build(w, user=None):
    teams = list(PatrolTeam.objects.filter(site=w.site_a))
    return adapter.build_problem(
        user=user or w.planner, site=w.site_a, week_start=WEEK, teams=teams
    )


def test_the_problem_document_is_schema_valid_and_reads_into_the_engine(patrol_world):
    built = _build(patrol_world)
    engine.validate(built.document, "patrol-problem")
    problem = engine.problem_from_dict(built.document)
    assert len(problem.slots) == 21
    # The site's cell and two rings of resolution-7 cells: 19 areas, about 5 km around.
    assert len(problem.areas) == 19
    assert all(h3.get_resolution(a.h3) == 7 for a in problem.areas)
    assert max(a.km for a in adapter.site_areas(patrol_world.site_a)) < 5.5
    assert len(problem.teams) == 7
    assert built.risk_source == "incident_history"
    assert built.risk_detail["incidents"] == 12


def test_risk_follows_the_incident_history_and_market_days_raise_value(patrol_world):
    built = _build(patrol_world)
    risk = {a["id"]: sum(a["risk"]) for a in built.document["areas"]}
    hot = h3_cell(3.0, -9.47)
    quiet = min(risk, key=risk.get)
    assert risk[hot] > 5 * risk[quiet]
    centre = built.document["areas"][0]
    assert centre["inside_base"] is True
    assert centre["peaks"][0]["days"] == ["wed"]  # FieldSite.market_days = [3]


def test_the_risk_model_only_reads_incidents_its_user_may_see(patrol_world):
    built = _build(patrol_world, user=patrol_world.reporter_at_b)
    assert built.risk_detail["incidents"] == 0


def test_a_no_overnight_caveat_of_the_units_country_becomes_no_night_outside_base(patrol_world):
    docs = {t["name"]: t for t in _build(patrol_world).document["teams"]}
    assert docs["Cautious night"]["caveats"]["no_night_outside_base"] is True
    assert docs["Charlie"]["caveats"]["no_night_outside_base"] is False
    assert len(docs["Cautious night"]["duty_slots"]) == 6  # nights, Monday off


def test_a_roster_that_breaks_shift_limits_is_named(patrol_world):
    team = PatrolTeamFactory.build(
        site=patrol_world.site_a,
        duty_shifts=["morning", "afternoon"],
        max_slots_per_day=2,
        max_slots_per_week=12,
    )
    assert "rest" in adapter.roster_error(team)
    ok = PatrolTeamFactory.build(site=patrol_world.site_a, duty_shifts=["morning"])
    assert adapter.roster_error(ok) is None


@pytest.mark.parametrize("slot,expected", [("mon-morning", 0), ("sun-night", 6)])
def test_slots_map_to_calendar_dates(slot, expected):
    assert (adapter.slot_date(WEEK, slot) - WEEK).days == expected
    assert adapter.slot_start(WEEK, "sun-night", "UTC").hour == 22


def _forecast(w, probabilities, *, status="done", audience=None):
    """A run with one variant computed for ``audience`` (default: site A's readers)."""
    from bluebox.forecasting.models import AreaForecast, ForecastRun, ForecastVariant

    label = (audience or adapter.plan_audience(w.site_a)).label()

    run = ForecastRun.objects.create(
        mission=w.mission,
        origin="2026-W47",
        origin_date=WEEK - timedelta(days=7),
        horizons=[1],
        model_key="lightgbm",
        model_version="test",
        status=status,
        created_at=BEFORE,
    )
    variant = ForecastVariant.objects.create(
        run=run, mission=w.mission, inputs={"events": 10}, **label
    )
    for parent, p in probabilities.items():
        AreaForecast.objects.create(
            run=run,
            variant=variant,
            **label,
            mission=w.mission,
            sector=w.east,
            site=w.site_a,
            cell=parent,
            period="2026-W48",
            period_start=WEEK,
            horizon=1,
            probability=p,
            expected_count=p,
        )
    return run


def test_a_finished_forecast_for_the_week_drives_the_risk(patrol_world):
    cells = [a.cell for a in adapter.site_areas(patrol_world.site_a)]
    parents = {h3.cell_to_parent(c, 6) for c in cells}
    hot_parent = h3.cell_to_parent(cells[-1], 6)
    run = _forecast(patrol_world, {p: (0.9 if p == hot_parent else 0.05) for p in parents})
    built = _build(patrol_world)
    assert built.risk_source == "forecast"
    assert built.risk_detail["forecast_run"] == run.pk
    risk = {a["id"]: sum(a["risk"]) for a in built.document["areas"]}
    hot = [c for c in cells if h3.cell_to_parent(c, 6) == hot_parent]
    cold = [c for c in cells if h3.cell_to_parent(c, 6) != hot_parent]
    assert min(risk[c] for c in hot) > max(risk[c] for c in cold)


def test_an_incomplete_or_unfinished_forecast_falls_back_on_history(patrol_world):
    cells = [a.cell for a in adapter.site_areas(patrol_world.site_a)]
    parents = sorted({h3.cell_to_parent(c, 6) for c in cells})
    _forecast(patrol_world, dict.fromkeys(parents, 0.5), status="running")
    _forecast(patrol_world, dict.fromkeys(parents[:-1], 0.5))  # one planning cell uncovered
    assert _build(patrol_world).risk_source == "incident_history"


def test_a_forecast_read_from_the_whole_mission_never_drives_a_sites_plan(patrol_world):
    from bluebox.core.access import Protection
    from bluebox.core.roles import Resource

    cells = [a.cell for a in adapter.site_areas(patrol_world.site_a)]
    mission_wide = Protection(Resource.INCIDENT, patrol_world.mission.pk, classification=1)
    _forecast(patrol_world, {h3.cell_to_parent(c, 6): 0.5 for c in cells}, audience=mission_wide)
    # The site's reporters read the plan; that variant read incidents they may not see.
    assert _build(patrol_world).risk_source == "incident_history"


def test_a_planner_without_forecast_rights_plans_on_history(patrol_world):
    cells = [a.cell for a in adapter.site_areas(patrol_world.site_a)]
    _forecast(patrol_world, {h3.cell_to_parent(c, 6): 0.5 for c in cells})
    # A partner liaison may not read forecasts: the adapter must not use them on its behalf.
    assert _build(patrol_world, user=patrol_world.partner).risk_source == "incident_history"
