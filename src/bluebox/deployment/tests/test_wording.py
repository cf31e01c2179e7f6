"""A plan reads as words: who is where and why, caveats in sentences, the what-ifs that matter,
and a risk source that says the forecast when one covers the plan's start."""

from __future__ import annotations

from datetime import timedelta

from bluebox.deployment import adapter, services, wording
from bluebox.deployment.tests.conftest import BEFORE, PLAN_START


def _forecast(w, probability_by_site, *, week_start=None, status="done"):
    from bluebox.forecasting.models import AreaForecast, ForecastRun, ForecastVariant

    label = adapter.plan_audience(w.mission).label()
    week = week_start or PLAN_START - timedelta(days=PLAN_START.weekday())
    run = ForecastRun.objects.create(
        mission=w.mission,
        origin="2026-W48",
        origin_date=week - timedelta(days=7),
        horizons=[1],
        model_key="lightgbm",
        model_version="test",
        status=status,
        created_at=BEFORE,
    )
    variant = ForecastVariant.objects.create(
        run=run, mission=w.mission, inputs={"events": 10}, **label
    )
    for n, (site, p) in enumerate(probability_by_site.items()):
        AreaForecast.objects.create(
            run=run,
            variant=variant,
            **label,
            mission=w.mission,
            sector=site.sector,
            site=site,
            cell=f"86{n:013x}",
            period="2026-W49",
            period_start=week,
            horizon=1,
            probability=p,
            expected_count=p,
            site_km=1.0,
        )
    return run


def test_a_forecast_covering_the_start_drives_the_plan_risk(force_world):
    w = force_world
    # The forecast says Site B, not the camp with the history, is where violence comes next.
    run = _forecast(w, {w.site_b: 0.8, w.site_a: 0.1, w.hub: 0.05})
    built = adapter.build_problem(user=w.planner, mission=w.mission, plan_start=PLAN_START)
    assert built.risk_source == "forecast"
    assert built.risk_detail["forecast_run"] == run.pk
    risk = {s.id: s.risk for s in built.problem.sites}
    assert risk["site-b"] == 1.0 and risk["site-a"] < 0.2


def test_an_unfinished_or_later_forecast_leaves_the_history_and_says_so(force_world):
    w = force_world
    _forecast(w, {w.site_b: 0.8}, status="running")
    _forecast(w, {w.site_b: 0.8}, week_start=PLAN_START + timedelta(days=13))
    built = adapter.build_problem(user=w.planner, mission=w.mission, plan_start=PLAN_START)
    assert built.risk_source == "incident_history"
    assert built.risk_detail["no_forecast"] is True


def test_caveats_read_as_sentences_with_place_names():
    names = {"korrin-camp": "Korrin IDP camp", "mabe-market": "Mabe market"}
    text = wording.caveat_sentence(
        "excluded_sites", {"sites": ["korrin-camp", "mabe-market"]}, names
    )
    assert text == "No deployment to Korrin IDP camp and Mabe market"
    assert wording.caveat_sentence("excluded_site_kinds", {"site_kinds": ["poc_site"]}, {}) == (
        "No deployment to any POC site"
    )
    assert wording.caveat_sentence("excluded_tasks", {"tasks": ["crowd_control"]}, {}) == (
        "Not to be used for crowd control"
    )
    assert "7 days" in wording.caveat_sentence("capital_approval", {"delay_days": 7}, {})


def test_a_solved_plan_groups_ipos_offers_no_removals_and_names_changes(
    force_world, django_capture_on_commit_callbacks
):
    w = force_world
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.deployment_plan_request(
            actor=w.planner,
            mission_id=w.mission.pk,
            plan_start=PLAN_START,
            horizon_days=30,
            time_limit_s=20,
            rel_gap=0.0,
        )
    plan.refresh_from_db()
    story = wording.explanations(plan)
    placed_ipos = sum(s["ipo_total"] for s in story["sites"])
    assert placed_ipos > 0
    for s in story["sites"]:
        # One line per country, never one per officer class.
        countries = [g["country"] for g in s["ipo_groups"]]
        assert len(countries) == len(set(countries))
        assert all(c in ("Strictland", "Openland") for c in countries)
    assert any(r["who"] == "Strictland" for r in story["rules"])
    problem = adapter.engine.problem_from_dict(plan.problem)
    choices = adapter.change_choices(problem, plan.names)
    offered = wording.offered_changes(plan.problem, plan.names, choices, None)
    texts = [c["text"] for c in offered]
    assert not any(c["value"].startswith("remove_unit") for c in offered)
    assert "Ask Strictland to lift its caveat “No deployment to Site A”" in texts
    assert all("pcc-" not in t and "caveat:" not in t and "ipo-" not in t for t in texts)
    # With a sweep, only its best changes (by gain) are offered, best first.
    sweep = {
        "changes": [
            {"change": "allow_split:" + f"fpu-{w.open_fpu.pk}", "delta": 0.01},
            {"change": "lift_caveat:caveat:pcc-STR:site:site-a", "delta": 0.2},
        ]
    }
    ranked = wording.offered_changes(plan.problem, plan.names, choices, sweep)
    assert [c["value"] for c in ranked] == [
        "lift_caveat|caveat:pcc-STR:site:site-a",
        f"allow_split|fpu-{w.open_fpu.pk}",
    ]
    assert "%" in wording.objective_text(plan.objective)
    assert wording.proof_text(plan.solution).startswith(("No better plan", "The best plan"))
