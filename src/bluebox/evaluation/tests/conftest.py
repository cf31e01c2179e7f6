"""An evaluated site: twelve executed weeks of site A's randomised plan, with a known effect.

One week is solved by the real patrol engine; the twelve weeks reuse its plan, each with its
own draw (a patrol in each area-slot with the plan's probability) and incidents drawn with a
known effect: half as many where a patrol was sent. The design log is written as the nightly
job writes it (its own test proves that part); the incidents are real incident records.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import h3
import numpy as np
import pytest

from bluebox.evaluation import adapter
from bluebox.incidents.models import Incident
from bluebox.patrols import services
from bluebox.patrols.models import PatrolDesignCell, PatrolPlan, PlanStatus
from bluebox.patrols.tests.conftest import WEEK, patrol_world  # noqa: F401 (fixture)
from bluebox.testing.factories import IncidentFactory

FIRST_WEEK = WEEK - timedelta(weeks=11)
EFFECT = 0.5
BASE_RATE = 0.12


def build_evaluated_site(w: SimpleNamespace, plan: PatrolPlan, *, effect: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    tz = ZoneInfo(w.mission.timezone or "UTC")
    coverage = plan.plan["coverage"]
    slots = [s["id"] for s in plan.plan["problem"]["slots"]]
    slot_ix = {s: i for i, s in enumerate(slots)}
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    incidents = []
    for k in range(12):
        week = FIRST_WEEK + timedelta(weeks=k)
        wplan = (
            plan
            if week == plan.week_start
            else PatrolPlan.objects.create(
                week_start=week,
                status=PlanStatus.APPROVED,
                generated_by=w.planner,
                generated_at=now,
                plan=plan.plan,
                mission=w.mission,
                sector=w.site_a.sector,
                site=w.site_a,
            )
        )
        cells = []
        for row in coverage:
            p = float(row["coverage"])
            sent = bool(rng.random() < p)
            i = slot_ix[row["slot"]]
            cells.append(
                PatrolDesignCell(
                    plan=wplan,
                    mission=w.mission,
                    sector=w.site_a.sector,
                    site=w.site_a,
                    week_start=week,
                    date=week + timedelta(days=i // 3),
                    slot=row["slot"],
                    slot_index=i,
                    area=row["area"],
                    probability=p,
                    planned=sent,
                    executed=sent,
                    minutes=float(rng.uniform(20, 200)) if sent else 0.0,
                    patrols=int(sent),
                    logged_at=now,
                )
            )
            # Hot areas (more coverage) have more incidents: the naive comparison is fooled.
            rate = BASE_RATE * (0.5 + 3 * p) * (effect if sent else 1.0)
            for _ in range(int(rng.poisson(rate))):
                start = adapter.slot_end(week, i, tz) - timedelta(hours=8)
                when = start + timedelta(minutes=int(rng.integers(0, 480)))
                lat, lon = h3.cell_to_latlng(row["area"])
                incidents.append(
                    IncidentFactory.build(
                        site=w.site_a,
                        occurred_at=when,
                        reported_at=when + timedelta(hours=1),
                        latitude=lat,
                        longitude=lon,
                        h3_cell=row["area"],
                    )
                )
        PatrolDesignCell.objects.bulk_create(cells)
    Incident.objects.bulk_create(incidents)


@pytest.fixture
def evaluated(patrol_world, django_capture_on_commit_callbacks):  # noqa: F811
    w = patrol_world
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.patrol_plan_request(
            actor=w.planner, site_id=w.site_a.pk, week_start=WEEK, seed=3
        )
    plan.refresh_from_db()
    plan = services.patrol_plan_approve(actor=w.commissioner, plan_id=plan.pk)
    build_evaluated_site(w, plan, effect=EFFECT, seed=1)
    w.evaluated_plan = plan
    return w
