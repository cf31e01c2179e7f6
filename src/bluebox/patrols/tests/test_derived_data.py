"""A site's patrol plan is read by its reporters: its risk never follows what they cannot see.

The attack: the commissioner plans site A's week; strictly confidential attacks at site A and an
incident of another site inside site A's planning box are added; the commissioner plans again.
The risk the reporters' plan carries, and the week drawn from it, must not move.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bluebox.core.classification import Classification
from bluebox.patrols import services
from bluebox.patrols.models import PatrolPlan
from bluebox.patrols.tests.conftest import BEFORE, WEEK
from bluebox.testing.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _plan(w: Any, capture: Any) -> PatrolPlan:
    with capture(execute=True):
        plan = services.patrol_plan_request(
            actor=w.commissioner, site_id=w.site_a.pk, week_start=WEEK, seed=11
        )
    plan.refresh_from_db()
    return plan


def _carried(plan: PatrolPlan) -> dict[str, Any]:
    return {
        "risk": {a["id"]: a["risk"] for a in plan.plan["problem"]["areas"]},
        "detail": {k: v for k, v in plan.risk_detail.items() if k != "area_names"},
        "drawn": plan.drawn,
    }


def test_hidden_incidents_change_nothing_in_the_plan_a_reporter_carries_out(
    patrol_world, django_capture_on_commit_callbacks
):
    w = patrol_world
    before = _plan(w, django_capture_on_commit_callbacks)
    for n in range(8):
        when = BEFORE - timedelta(days=2 * n)
        IncidentFactory(
            site=w.site_a,
            latitude=3.0,
            longitude=-9.47,
            occurred_at=when,
            reported_at=when,
            classification=Classification.STRICTLY_CONFIDENTIAL,
        )
        # Another site's incident inside site A's planning box: not the reporter's to see.
        IncidentFactory(
            site=w.site_b, latitude=3.01, longitude=-9.48, occurred_at=when, reported_at=when
        )
    after = _plan(w, django_capture_on_commit_callbacks)
    assert after.version == before.version + 1
    assert _carried(after) == _carried(before)
    assert after.risk_detail["inputs"]["site"] == w.site_a.pk
    assert after.risk_detail["inputs"]["classification"] == Classification.CONFIDENTIAL
