"""A deployment plan is read by every mission-level planner: a commander's plan is computed only
from what those readers may see, so strictly confidential incidents do not move it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bluebox.core.classification import Classification, Compartment
from bluebox.deployment import services
from bluebox.deployment.models import DeploymentPlan
from bluebox.deployment.tests.conftest import BEFORE, PLAN_START
from bluebox.testing.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _plan(w: Any, capture: Any) -> DeploymentPlan:
    with capture(execute=True):
        plan = services.deployment_plan_request(
            actor=w.commissioner,
            mission_id=w.mission.pk,
            plan_start=PLAN_START,
            horizon_days=30,
            rel_gap=0.0,
            time_limit_s=20.0,
        )
    plan.refresh_from_db()
    return plan


def test_hidden_incidents_change_nothing_in_the_risk_a_planner_reads(
    force_world, django_capture_on_commit_callbacks
):
    w = force_world
    before = _plan(w, django_capture_on_commit_callbacks)
    for n in range(6):
        when = BEFORE - timedelta(days=5 * n)
        IncidentFactory(
            site=w.site_b,
            occurred_at=when,
            reported_at=when,
            civilian_targeting=True,
            classification=Classification.STRICTLY_CONFIDENTIAL,
            compartments=Compartment.DETENTION,
        )
    after = _plan(w, django_capture_on_commit_callbacks)
    assert after.risk_detail == before.risk_detail
    assert [s["risk"] for s in after.problem["sites"]] == [
        s["risk"] for s in before.problem["sites"]
    ]
    assert after.risk_detail["inputs"]["classification"] == Classification.CONFIDENTIAL
