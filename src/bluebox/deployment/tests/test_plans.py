"""Plans: a planner proposes, a commander approves or returns; what-ifs give exact deltas."""

from __future__ import annotations

import pytest

from bluebox.core import access
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.deployment import selectors, services
from bluebox.deployment.models import DeploymentPlan, PlanStatus
from bluebox.deployment.tests.conftest import PLAN_START


@pytest.fixture
def solved(django_capture_on_commit_callbacks):
    """Request a plan and return it solved (huey runs in immediate mode under test)."""

    def run(w, **kw):
        kw.setdefault("rel_gap", 0.0)  # exact proofs: deltas compare to the point
        kw.setdefault("time_limit_s", 20.0)
        with django_capture_on_commit_callbacks(execute=True):
            plan = services.deployment_plan_request(
                actor=w.planner,
                mission_id=w.mission.pk,
                plan_start=PLAN_START,
                horizon_days=30,
                **kw,
            )
        plan.refresh_from_db()
        return plan

    return run


@pytest.fixture
def plan(force_world, solved):
    return solved(force_world)


def test_a_planner_proposes_and_the_commissioner_approves(force_world, plan):
    w = force_world
    assert plan.status == PlanStatus.DRAFT and plan.version == 1
    assert plan.solution["proven_optimal"] and 0 < plan.objective <= 1
    assert {r["site"] for r in plan.board} == {"site-a", "site-b", "hub"}
    services.deployment_plan_propose(actor=w.planner, plan_id=plan.pk)
    approved = services.deployment_plan_decide(actor=w.commissioner, plan_id=plan.pk, approve=True)
    assert approved.status == PlanStatus.APPROVED and approved.decided_by == w.commissioner
    assert selectors.current_plan(w.planner, w.mission.pk) == approved


def test_a_planner_cannot_approve_their_own_plan(force_world, plan):
    w = force_world
    services.deployment_plan_propose(actor=w.planner, plan_id=plan.pk)
    with pytest.raises(access.NotPermitted):
        services.deployment_plan_decide(actor=w.planner, plan_id=plan.pk, approve=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED
    assert AuditEntry.objects.filter(action="approve", outcome="denied").exists()


def test_a_returned_plan_carries_the_commissioner_s_comment(force_world, plan):
    w = force_world
    services.deployment_plan_propose(actor=w.planner, plan_id=plan.pk)
    with pytest.raises(ServiceError):
        services.deployment_plan_decide(actor=w.commissioner, plan_id=plan.pk, approve=False)
    returned = services.deployment_plan_decide(
        actor=w.commissioner, plan_id=plan.pk, approve=False, comment="Site B needs more."
    )
    assert returned.status == PlanStatus.RETURNED
    assert returned.decision_comment == "Site B needs more."


def test_approving_a_new_version_supersedes_the_old_one(force_world, plan, solved):
    w = force_world
    services.deployment_plan_propose(actor=w.planner, plan_id=plan.pk)
    services.deployment_plan_decide(actor=w.commissioner, plan_id=plan.pk, approve=True)
    second = solved(w)
    assert second.version == 2
    services.deployment_plan_propose(actor=w.planner, plan_id=second.pk)
    services.deployment_plan_decide(actor=w.commissioner, plan_id=second.pk, approve=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED


def test_a_reporter_cannot_see_plans_and_an_outsider_cannot_tell_they_exist(force_world, plan):
    w = force_world
    assert not selectors.plans_for(w.reporter_at_a).exists()
    for who in (w.reporter_at_a, w.outsider, w.other_commander, w.east_analyst):
        with pytest.raises(access.NotVisible):
            selectors.plan_for(who, plan.pk)
    with pytest.raises(access.NotVisible):
        services.deployment_plan_propose(actor=w.reporter_at_a, plan_id=plan.pk)
    assert selectors.plan_for(w.analyst, plan.pk) == plan
    with pytest.raises(access.NotPermitted):
        services.deployment_plan_request(
            actor=w.analyst, mission_id=w.mission.pk, plan_start=PLAN_START
        )


def test_the_what_if_delta_equals_the_difference_of_two_solves(
    force_world, plan, solved, django_capture_on_commit_callbacks
):
    """Lifting Strictland's Site A caveat as a what-if buys exactly what lifting it for real
    and solving again buys."""
    w = force_world
    with django_capture_on_commit_callbacks(execute=True):
        what = services.deployment_whatif_request(
            actor=w.planner,
            plan_id=plan.pk,
            kind="lift_caveat",
            target="caveat:pcc-STR:site:site-a",
        )
    what.refresh_from_db()
    assert what.status == PlanStatus.DRAFT, what.error
    assert "Strictland" in what.title
    assert what.delta > 0  # Site A is the riskiest site and Strictland's officers may now go

    services.caveat_lift(actor=w.planner, caveat_id=w.site_a_caveat.pk, reason="Capital agreed")
    lifted = solved(w)
    assert lifted.status == PlanStatus.DRAFT
    assert lifted.objective == pytest.approx(what.objective, abs=1e-9)
    assert what.delta == pytest.approx(lifted.objective - plan.objective, abs=1e-9)
    site_a = next(r for r in selectors.compare(plan, what)["rows"] if r["site"] == "site-a")
    assert site_a["officers_delta"] > 0 and site_a["coverage_delta"] > 0


def test_a_what_if_that_does_not_apply_is_refused(force_world, plan):
    w = force_world
    with pytest.raises(ServiceError):
        services.deployment_whatif_request(
            actor=w.planner, plan_id=plan.pk, kind="lift_caveat", target="caveat:pcc-STR:site:hub"
        )
    assert DeploymentPlan.objects.count() == 1


def test_a_what_if_cannot_be_proposed(force_world, plan, django_capture_on_commit_callbacks):
    w = force_world
    with django_capture_on_commit_callbacks(execute=True):
        what = services.deployment_whatif_request(
            actor=w.planner, plan_id=plan.pk, kind="add_unit", target="NEW-IPO"
        )
    what.refresh_from_db()
    assert what.delta >= 0
    with pytest.raises(ServiceError):
        services.deployment_plan_propose(actor=w.planner, plan_id=what.pk)


def test_an_infeasible_plan_fails_with_the_conflict_in_words(force_world, solved):
    w = force_world
    w.mission.settings = {"deployment": {"sites": {"site-b": {"skills": {"forensics": 3}}}}}
    w.mission.save()
    plan = solved(w)
    assert plan.status == PlanStatus.FAILED
    assert "forensics" in plan.error and "Site B" in plan.error


@pytest.mark.parametrize(
    "target",
    [
        "nonsense",
        "caveat:pcc-STR",
        "caveat:pcc-STR:site",
        "caveat:no-such-set:site:site-a",
        "unit:pcc-STR:site:site-a",
        "",
    ],
)
def test_a_what_if_with_an_unknown_target_is_a_400_and_queues_nothing(force_world, plan, target):
    """The attack: POST a what-if whose target names nothing in the plan (was a 500)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(force_world.planner)
    before = (DeploymentPlan.objects.count(), AuditEntry.objects.count())
    response = client.post(
        f"/api/v1/deployment/plans/{plan.pk}/whatif/",
        {"kind": "lift_caveat", "target": target},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert (DeploymentPlan.objects.count(), AuditEntry.objects.count()) == before
