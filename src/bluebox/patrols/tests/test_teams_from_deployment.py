"""The approved deployment plan drives the patrol teams: what it places at a site becomes the
site's teams, and only they are planned and recorded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bluebox.core.access import NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.deployment import placements
from bluebox.deployment import services as deployment_services
from bluebox.deployment.models import DeploymentPlan, PlanStatus
from bluebox.deployment.tests.conftest import PLAN_START, build_force
from bluebox.patrols import selectors, services
from bluebox.patrols.models import Patrol, PatrolTeam
from bluebox.patrols.tests.conftest import BEFORE
from bluebox.patrols.tests.factories import CountryFactory, FpuFactory, PatrolTeamFactory
from bluebox.testing.factories import FieldSiteFactory

START = BEFORE - timedelta(hours=4)
END = BEFORE - timedelta(hours=1)


def _approve(w, *, fpus=(), ipos=()):
    """A solved plan placing ``fpus`` [(unit, base, {site: platoons})] and ``ipos``
    [(country code, female, {site: officers})], proposed and approved through the services."""
    problem = {
        "fpus": [
            {
                "id": f"fpu-{u.pk}",
                "platoons": u.platoons,
                "platoon_strength": 30,
                "platoon_women": 4,
            }
            for u, _, _ in fpus
        ],
        "ipo_classes": [
            {"id": f"ipo-{n}", "country": code, "female": female, "count": sum(at.values())}
            for n, (code, female, at) in enumerate(ipos, start=1)
        ],
    }
    solution = {
        "assignments": {
            "fpus": [
                {"fpu": f"fpu-{u.pk}", "base_site": base, "platoons": at} for u, base, at in fpus
            ],
            "spts": [],
            "ipo_classes": [
                {"ipo_class": f"ipo-{n}", "sites": at} for n, (_, _, at) in enumerate(ipos, start=1)
            ],
        }
    }
    plan = DeploymentPlan.objects.create(
        mission=w.mission,
        plan_start=PLAN_START,
        status=PlanStatus.DRAFT,
        problem=problem,
        solution=solution,
        created_by=w.planner,
        created_at=timezone.now(),
    )
    deployment_services.deployment_plan_propose(actor=w.planner, plan_id=plan.pk)
    return deployment_services.deployment_plan_decide(
        actor=w.commissioner, plan_id=plan.pk, approve=True
    )


def _record(w, team, **extra):
    data = {
        "actor": w.reporter_at_a,
        "site_id": w.site_a.pk,
        "team_id": team.pk,
        "started_at": START,
        "ended_at": END,
        "members": 8,
    }
    return services.patrol_record(**{**data, **extra})


def _form_teams(client, site):
    page = client.get(f"/patrols/sites/{site.pk}/record/").content.decode()
    select = re.search(r'<select name="team"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    return set(re.findall(r">([^<]+)</option>", select.group(1)))


@pytest.fixture
def placed(patrol_world):
    """Two of the Cautious FPU's three platoons at site A and one at site B; five Cautious
    IPOs (two women) at site A."""
    w = patrol_world
    w.plan = _approve(
        w,
        fpus=[(w.fpu, "site-a", {"site-a": 2, "site-b": 1})],
        ipos=[("CAU", True, {"site-a": 2}), ("CAU", False, {"site-a": 3})],
    )
    return w


def test_a_solved_and_approved_plan_becomes_the_teams_of_each_site(
    world, django_capture_on_commit_callbacks
):
    w = build_force(world)
    with django_capture_on_commit_callbacks(execute=True):
        plan = deployment_services.deployment_plan_request(
            actor=w.planner,
            mission_id=w.mission.pk,
            plan_start=PLAN_START,
            horizon_days=30,
            rel_gap=0.0,
            time_limit_s=20.0,
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    deployment_services.deployment_plan_propose(actor=w.planner, plan_id=plan.pk)
    deployment_services.deployment_plan_decide(actor=w.commissioner, plan_id=plan.pk, approve=True)

    by_site = placements.site_placements(plan)
    assert by_site, "the solver placed nobody"
    client = Client()
    client.force_login(w.commissioner)
    for site in (w.hub, w.site_a, w.site_b):
        placement = by_site.get(site.code)
        platoons = sum(len(p.numbers) for p in placement.platoons) if placement else 0
        officers = sum(n for n, _ in placement.ipos.values()) if placement else 0
        teams = list(selectors.teams_in_service(w.commissioner, site.pk))
        assert sum(1 for t in teams if t.unit_id) == platoons
        assert sum(t.officers for t in teams if t.country_id) == officers
        assert all(t.deployment_plan_id == plan.pk for t in teams)
        assert _form_teams(client, site) == {t.name for t in teams}
    # IPOs become teams of four at most, and the women the plan places are all in a team.
    ipo_teams = PatrolTeam.objects.filter(deployment_plan=plan, country__isnull=False)
    assert ipo_teams.exists()
    assert max(t.officers for t in ipo_teams) <= 4
    placed_women = sum(w for p in by_site.values() for _, w in p.ipos.values())
    assert sum(t.officers_women for t in ipo_teams) == placed_women


def test_the_record_form_lists_exactly_the_plans_teams(placed):
    w = placed
    client = Client()
    client.force_login(w.reporter_at_a)
    assert _form_teams(client, w.site_a) == {
        "FPU Cautious platoon 1",
        "FPU Cautious platoon 2",
        "Cautious IPO team 1",
        "Cautious IPO team 2",
        "Cautious night",  # defined by hand from the same unit, which the plan keeps here
    }
    ipo = {t.name: t for t in PatrolTeam.objects.filter(site=w.site_a, country__isnull=False)}
    # Five officers, two of them women: teams of three and two, one woman in each.
    assert [(t.officers, t.officers_women) for t in ipo.values()] == [(3, 1), (2, 1)]
    other = {t.name for t in PatrolTeam.objects.filter(site=w.site_b, deployment_plan=w.plan)}
    assert other == {"FPU Cautious platoon 3"}


def test_a_team_outside_the_approved_plan_cannot_be_recorded(placed):
    w = placed
    alpha = w.teams[1]  # defined by hand, drawn from no unit the plan places
    with pytest.raises(ServiceError) as err:
        _record(w, alpha)
    assert "not in the approved deployment plan" in err.value.field_errors["team"][0]
    assert not Patrol.objects.exists()
    client = Client()
    client.force_login(w.reporter_at_a)
    response = client.post(
        f"/patrols/sites/{w.site_a.pk}/record/",
        {
            "team": alpha.pk,
            "started_at": "2026-11-20T08:00",
            "ended_at": "2026-11-20T11:00",
            "members": 6,
            "members_women": 0,
            "women": 0,
            "men": 0,
            "girls": 0,
            "boys": 0,
            "classification": 1,
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Patrol.objects.exists()
    team = PatrolTeam.objects.get(site=w.site_a, name="FPU Cautious platoon 1")
    assert _record(w, team).team == team


def test_a_team_of_another_site_or_mission_is_unknown_here(placed):
    w = placed
    at_b = PatrolTeam.objects.get(site=w.site_b, name="FPU Cautious platoon 3")
    elsewhere = PatrolTeamFactory(site=w.other_site, name="Elsewhere")
    for team in (at_b, elsewhere):
        with pytest.raises(ServiceError) as err:
            _record(w, team)
        assert err.value.field_errors["team"] == ["Unknown team at this site."]
    # Posting at site B itself is refused to a reporter of site A, like a site that is not.
    with pytest.raises(NotVisible):
        _record(w, at_b, site_id=w.site_b.pk)
    client = Client()
    client.force_login(w.reporter_at_a)
    response = client.post(
        "/api/v1/patrols/records/",
        {
            "site": w.site_a.pk,
            "team": at_b.pk,
            "started_at": START.isoformat(),
            "ended_at": END.isoformat(),
            "members": 6,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Unknown team at this site." in response.content.decode()
    assert not Patrol.objects.exists()


def test_a_new_plan_retires_the_teams_it_no_longer_places_and_keeps_the_others(placed):
    w = placed
    kept = PatrolTeam.objects.get(site=w.site_a, name="FPU Cautious platoon 1")
    _record(w, kept)
    other = FpuFactory(home_site=w.site_b, country=CountryFactory(), name="FPU Other", platoons=2)
    second = _approve(w, fpus=[(w.fpu, "site-a", {"site-a": 1}), (other, "site-b", {})])
    w.plan.refresh_from_db()
    assert w.plan.status == PlanStatus.SUPERSEDED
    at_a = set(selectors.teams_in_service(w.reporter_at_a, w.site_a.pk))
    assert at_a == {kept, w.night_team}  # the same record: its patrol history stays with it
    kept.refresh_from_db()
    assert kept.deployment_plan_id == second.pk
    assert {t.name for t in selectors.teams_in_service(w.reporter_at_b, w.site_b.pk)} == {
        "FPU Other platoon 1",
        "FPU Other platoon 2",
    }
    retired = PatrolTeam.objects.get(site=w.site_a, name="FPU Cautious platoon 2")
    with pytest.raises(ServiceError):
        _record(w, retired)
    assert Patrol.objects.filter(team=kept).count() == 1


def test_approval_audits_each_team_it_forms(placed):
    w = placed
    entries = AuditEntry.objects.filter(resource="patrol-team", actor_id=w.commissioner.pk)
    formed = PatrolTeam.objects.filter(deployment_plan=w.plan)
    assert {e.object_id for e in entries} == {str(t.pk) for t in formed}
    assert all(e.detail["deployment_plan"] == w.plan.pk for e in entries)


def test_a_team_defined_by_hand_must_draw_on_officers_the_plan_places_there(placed):
    w = placed
    stranger = FpuFactory(home_site=w.site_a, country=CountryFactory(), name="FPU Stranger")
    data = services.TeamInput(
        name="Stranger team", mode="foot", duty_shifts=["morning"], days_off=[7]
    )
    with pytest.raises(ServiceError) as err:
        services.patrol_team_create(
            actor=w.planner,
            site_id=w.site_a.pk,
            data=services.TeamInput(**{**data.__dict__, "unit_id": stranger.pk}),
        )
    assert "approved deployment plan" in err.value.message
    assert not PatrolTeam.objects.filter(name="Stranger team").exists()
    team = services.patrol_team_create(
        actor=w.planner,
        site_id=w.site_a.pk,
        data=services.TeamInput(**{**data.__dict__, "country_id": w.cautious.pk}),
    )
    assert team.deployment_plan_id == w.plan.pk
    assert team in set(selectors.teams_in_service(w.planner, w.site_a.pk))


def test_forming_teams_where_the_plan_places_nobody_says_so(placed):
    w = placed
    empty = FieldSiteFactory(sector=w.east, code="empty-post", name="Empty post")
    with pytest.raises(ServiceError) as err:
        services.patrol_teams_from_deployment(actor=w.planner, site_id=empty.pk)
    assert "places no unit or officer at this site" in err.value.message
    # Forming again where the plan placed units creates nothing twice.
    assert services.patrol_teams_from_deployment(actor=w.planner, site_id=w.site_a.pk) == []


def test_the_api_says_which_teams_are_in_service(placed):
    w = placed
    client = Client()
    client.force_login(w.reporter_at_a)
    rows = client.get(f"/api/v1/patrols/teams/?site={w.site_a.pk}").json()["results"]
    flags = {r["name"]: r["in_service"] for r in rows}
    assert flags["FPU Cautious platoon 1"] is True
    assert flags["Alpha"] is False
    assert "deployment_plan" not in rows[0]
