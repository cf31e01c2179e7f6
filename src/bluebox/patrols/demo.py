"""Demo data for patrols: thirteen executed, randomised weeks at two sites, with a known effect.

Called by the demo loader once the sites, their patrol teams and the incident history exist.
Each site's plan is solved once by the real patrol engine; every week then has its own draw
(the engine's sampler, from the plan's mixtures), approved; about nine orders in ten are
carried out (a patrol record each); the nightly job writes the design log. Incidents near the
site are then drawn with a documented truth (``docs/demo.md``):

- **Lissa police station**: a patrol's presence halves the incidents of its area and slot
  (rate ratio 0.5), and pushes a quarter more into unpatrolled neighbouring areas
  (displacement, rate ratio 1.25);
- **Ashgrove base**: patrols change nothing (rate ratio 1.0, no displacement): the null site.

Hot areas (higher risk in the plan, so more patrols) get more incidents, so a naive comparison
of patrolled and unpatrolled slots blames the patrols. Deterministic for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import h3
import numpy as np

from bluebox.core.classification import Classification
from bluebox.core.models import User
from bluebox.engines.spatial import priogrid_gid
from bluebox.incidents.models import Incident, IncidentStatus
from bluebox.missions.models import FieldSite, Mission
from bluebox.patrols import adapter, formation, jobs
from bluebox.patrols.models import (
    Patrol,
    PatrolPlan,
    PlannedPatrol,
    PlanStatus,
)


@dataclass(frozen=True)
class DemoTruth:
    site: str
    effect: float  # rate ratio while a patrol is present
    displacement: float  # rate ratio in an unpatrolled area with a patrolled neighbour


TRUTHS = (
    DemoTruth("lissa-station", effect=0.5, displacement=1.25),
    DemoTruth("ashgrove-base", effect=1.0, displacement=1.0),
)
WEEKS = 13  # a quarter, the evaluation page's default period
COMPLIANCE = 0.9  # share of patrol orders carried out
#: Incidents per area-slot in an area of average risk, before any patrol effect.
BASE_RATE = 0.25
KINDS = (
    ("armed_robbery", "Armed robbery on the road"),
    ("looting", "Looting of shelters"),
    ("threat", "Threats against displaced people"),
    ("abduction", "Abduction near the water point"),
)
SLOT_FACTORS = {"morning": 0.7, "afternoon": 0.8, "night": 1.5}


def last_full_week(end: date) -> date:
    """Monday of the last week that had ended a full day before ``end``."""
    day = end - timedelta(days=7)
    return day - timedelta(days=day.weekday())


def load_demo_patrol_weeks(mission: Mission, *, seed: int, end: date) -> dict[str, int]:
    """Executed weeks, records, design log and patrol-sensitive incidents; returns counts."""
    planner = User.objects.get(username="planner")
    commander = User.objects.get(username="commissioner")
    reporter = User.objects.get(username="reporter")
    rng = np.random.default_rng([seed, 18])
    last = last_full_week(end)
    first = last - timedelta(weeks=WEEKS - 1)
    tz = ZoneInfo(mission.timezone or "UTC")
    logged_at = datetime.combine(end, time(23, 0), tzinfo=UTC)
    counts = {"plans": 0, "patrols": 0, "incidents": 0}
    for truth in TRUTHS:
        site = FieldSite.objects.filter(mission=mission, code=truth.site).first()
        teams = list(formation.in_service(site)) if site else []
        if site is None or not teams:
            continue
        built = adapter.build_problem(user=planner, site=site, week_start=first, teams=teams)
        document = adapter.solve_document(built.document, time_limit_s=30.0)
        risk = adapter.mean_risk_by_area(document)
        mean_risk = float(np.mean(list(risk.values()))) or 1.0
        areas = list(risk)
        neighbours = {a: [n for n in h3.grid_ring(a, 1) if n in risk] for a in areas}
        incidents: list[Incident] = []
        for k in range(WEEKS):
            week = first + timedelta(weeks=k)
            plan, present = _executed_week(
                site, week, document, built, rng, planner, commander, reporter, tz, counts
            )
            for slot in (s["id"] for s in document["problem"]["slots"]):
                start = adapter.slot_start(week, slot, tz.key)
                factor = SLOT_FACTORS[adapter.slot_shift(slot)]
                for area in areas:
                    rate = BASE_RATE * factor * (0.3 + 0.7 * risk[area] / mean_risk)
                    if (slot, area) in present:
                        rate *= truth.effect
                    elif any((slot, n) in present for n in neighbours[area]):
                        rate *= truth.displacement
                    for _ in range(int(rng.poisson(rate))):
                        incidents.append(
                            _incident(site, area, start, rng, reporter, len(incidents))
                        )
            jobs.patrol_design_log(plan_id=plan.pk, now=logged_at)
        Incident.objects.bulk_create(incidents, batch_size=500)
        counts["incidents"] += len(incidents)
    return counts


def _executed_week(
    site: FieldSite,
    week: date,
    document: dict[str, Any],
    built: adapter.BuiltProblem,
    rng: np.random.Generator,
    planner: Any,
    commander: Any,
    reporter: Any,
    tz: ZoneInfo,
    counts: dict[str, int],
) -> tuple[PatrolPlan, set[tuple[str, str]]]:
    """An approved week drawn from the plan, and the (slot, area) pairs patrolled in it."""
    draw_seed = int(rng.integers(2**31))
    drawn = adapter.draw_week(document, seed=draw_seed, site_id=f"site-{site.pk}")
    at = datetime.combine(week - timedelta(days=3), time(9), tzinfo=tz)
    scope = {"mission_id": site.mission_id, "sector_id": site.sector_id, "site_id": site.pk}
    plan = PatrolPlan.objects.create(
        week_start=week,
        status=PlanStatus.APPROVED,
        progress=100,
        progress_message="Done",
        generated_by=planner,
        generated_at=at,
        finished_at=at,
        approved_by=commander,
        approved_at=at + timedelta(hours=2),
        risk_source=built.risk_source,
        risk_detail={**built.risk_detail, "area_names": built.area_names},
        plan=document,
        solver=dict(document["solution"]),
        seed=draw_seed,
        drawn=drawn,
        override_score={"score": 0.0, "changed_slots": [], "violations": []},
        classification=Classification.CONFIDENTIAL,
        **scope,
    )
    orders = PlannedPatrol.objects.bulk_create(
        PlannedPatrol(plan=plan, classification=plan.classification, **scope, **row)
        for row in adapter.patrol_rows(drawn, week)
    )
    present = set()
    records = []
    for order in orders:
        if rng.random() >= COMPLIANCE:
            continue
        start = adapter.slot_start(week, order.slot, tz.key) + timedelta(minutes=15)
        records.append(
            Patrol(
                team_id=order.team_id,
                planned=order,
                started_at=start,
                ended_at=start + timedelta(hours=6),
                members=int(rng.integers(6, 13)),
                members_women=int(rng.integers(0, 4)),
                recorded_by=reporter,
                recorded_at=start + timedelta(hours=7),
                classification=Classification.CONFIDENTIAL,
                **scope,
            )
        )
        present.add((order.slot, order.area))
    Patrol.objects.bulk_create(records)
    counts["plans"] += 1
    counts["patrols"] += len(records)
    return plan, present


def _incident(
    site: FieldSite,
    area: str,
    slot_start: datetime,
    rng: np.random.Generator,
    reporter: Any,
    n: int,
) -> Incident:
    when = slot_start + timedelta(minutes=int(rng.integers(0, 480)))
    kind = int(rng.integers(len(KINDS)))
    lat, lon = h3.cell_to_latlng(area)
    return Incident(
        mission_id=site.mission_id,
        sector_id=site.sector_id,
        site=site,
        title=f"{KINDS[kind][1]} (demo, patrol-sensitive)",
        incident_type=KINDS[kind][0],
        occurred_at=when,
        latitude=round(lat, 5),
        longitude=round(lon, 5),
        h3_cell=area,
        priogrid_gid=priogrid_gid(lat, lon),
        civilian_targeting=True,
        classification=Classification.UNCLASSIFIED,
        status=IncidentStatus.REPORTED,
        reported_by=reporter,
        reported_at=when + timedelta(hours=1),
        source="demo",
        external_id=f"demo-patrol-{site.code}-{slot_start:%Y%m%d%H}-{n}",
    )
