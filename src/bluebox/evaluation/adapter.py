"""The one module between records and the impact engine.

The patrols' design log (one row per area x slot of each executed week) and the incidents the
reader may see become the engine's design panel (``impact-design.schema.json``): ``treated``
is the patrol the randomised draw assigned (``planned``; the estimand is the effect of being
assigned a patrol, whatever the team then did), slots a planner overrode are marked as not
randomised, and incidents are counted per area and slot in the mission's time zone with the
slot rules of the patrol plans (morning 06-14, afternoon 14-22, night 22-06).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import h3
import pandas as pd

from bluebox.engines import impact as engine

SHIFTS = ("morning", "afternoon", "night")
SLOTS_PER_WEEK = 21
#: How long after a patrol the dose-response follows an area.
HORIZON_HOURS = 72.0
#: Slot starts (hours) in the mission's zone.
SLOT_HOURS = {"morning": 6, "afternoon": 14, "night": 22}


def slot_of(moment: datetime, tz: ZoneInfo) -> tuple[date, int]:
    """The Monday and the slot index (0-20) of a moment, in the mission's zone."""
    local = moment.astimezone(tz)
    day = local.date()
    if local.hour < 6:
        day -= timedelta(days=1)
        shift = 2
    elif local.hour < 14:
        shift = 0
    elif local.hour < 22:
        shift = 1
    else:
        shift = 2
    monday = day - timedelta(days=day.weekday())
    return monday, day.weekday() * 3 + shift


def slot_end(week_start: date, slot_index: int, tz: ZoneInfo) -> datetime:
    day, shift = divmod(slot_index, 3)
    start = datetime.combine(week_start + timedelta(days=day), datetime.min.time(), tzinfo=tz)
    return start + timedelta(hours=SLOT_HOURS[SHIFTS[shift]] + 8)


@dataclass(frozen=True)
class Inputs:
    """The engine's inputs for one site and period."""

    panel: pd.DataFrame
    visits: pd.DataFrame
    neighbours: dict[str, list[str]]
    weeks: list[date]
    areas: list[str]


def build_inputs(
    cells: Iterable[Any], incidents: Iterable[tuple[str, datetime]], tz_name: str
) -> Inputs:
    """Design panel, patrol visits and neighbours from design-log rows and incidents.

    ``cells`` are :class:`~bluebox.patrols.models.PatrolDesignCell` rows (or objects with the
    same attributes); ``incidents`` are (H3 cell, occurred at) pairs the reader may see.
    """
    tz = ZoneInfo(tz_name)
    rows = list(cells)
    weeks = sorted({c.week_start for c in rows})
    week_ix = {w: i for i, w in enumerate(weeks)}
    areas = sorted({c.area for c in rows})
    counts: dict[tuple[str, int], int] = {}
    times: dict[str, list[datetime]] = {}
    for cell, when in incidents:
        monday, slot = slot_of(when, tz)
        if monday in week_ix:
            key = (cell, week_ix[monday] * SLOTS_PER_WEEK + slot)
            counts[key] = counts.get(key, 0) + 1
        times.setdefault(cell, []).append(when)
    for v in times.values():
        v.sort()
    panel_rows = []
    visits = []
    end_of_data = (
        slot_end(weeks[-1], SLOTS_PER_WEEK - 1, tz) if weeks else datetime.min.replace(tzinfo=tz)
    )
    for c in rows:
        period = week_ix[c.week_start] * SLOTS_PER_WEEK + c.slot_index
        panel_rows.append(
            {
                "area": c.area,
                "period": period,
                "week_start": c.week_start.isoformat(),
                "slot": c.slot,
                "probability": float(c.probability),
                "treated": int(c.planned),
                "minutes": float(c.minutes),
                "incidents": counts.get((c.area, period), 0),
                "randomised": not c.overridden,
            }
        )
        if c.executed and c.minutes > 0:
            left = slot_end(c.week_start, c.slot_index, tz)
            nxt = next((t for t in times.get(c.area, []) if t >= left), None)
            limit = min(end_of_data, left + timedelta(hours=HORIZON_HOURS))
            if limit <= left:
                continue
            if nxt is not None and nxt <= limit:
                hours, event = (nxt - left).total_seconds() / 3600, True
            else:
                hours, event = (limit - left).total_seconds() / 3600, False
            visits.append(
                {
                    "area": c.area,
                    "minutes": float(c.minutes),
                    "hours": max(hours, 0.01),
                    "event": event,
                }
            )
    doc = engine.design_panel_to_dict(pd.DataFrame(panel_rows)) if panel_rows else None
    panel = (
        engine.design_panel_from_dict(doc)
        if doc
        else pd.DataFrame(columns=["area", "period", "probability", "treated", "incidents"])
    )
    area_set = set(areas)
    neighbours = {a: sorted(n for n in h3.grid_ring(a, 1) if n in area_set) for a in areas}
    visit_frame = pd.DataFrame(visits, columns=["area", "minutes", "hours", "event"])
    return Inputs(panel, visit_frame, neighbours, weeks, areas)


@dataclass(frozen=True)
class Results:
    same_slot: engine.Estimate
    next_slot: engine.Estimate
    spillover: engine.Estimate
    dose: engine.Estimate
    curve: list[engine.CurvePoint]


#: Evaluations are analyses, not schedules: a fixed seed makes the same data give the same page.
RANDOM_STATE = 20_261_201


def evaluate(inputs: Inputs, *, n_resamples: int = 2000) -> Results:
    """Run the engine's estimators on one site's inputs."""
    same = engine.PatrolEffect(horizon=0, n_resamples=n_resamples, random_state=RANDOM_STATE)
    nxt = engine.PatrolEffect(horizon=1, n_resamples=n_resamples, random_state=RANDOM_STATE)
    spill = engine.SpilloverEffect(neighbours=inputs.neighbours)
    dose = engine.DoseResponse(horizon_hours=HORIZON_HOURS)
    panel = inputs.panel
    if panel.empty:
        empty = engine.PatrolEffect().fit(_empty_panel()).estimate_
        return Results(empty, empty, empty, empty, [])
    dose_fit = dose.fit(inputs.visits) if len(inputs.visits) else None
    return Results(
        same_slot=same.fit(panel).estimate_,
        next_slot=nxt.fit(panel).estimate_,
        spillover=spill.fit(panel).estimate_,
        dose=dose_fit.estimate_
        if dose_fit
        else engine.PatrolEffect().fit(_empty_panel()).estimate_,
        curve=dose_fit.curve_ if dose_fit else [],
    )


def _empty_panel() -> pd.DataFrame:
    return pd.DataFrame(
        {"area": ["-"], "period": [0], "probability": [0.5], "treated": [0], "incidents": [0]}
    )


def area_summary(panel: pd.DataFrame) -> list[dict[str, Any]]:
    """Per area: mean probability of a patrol, share of slots patrolled, incidents."""
    if panel.empty:
        return []
    grouped = panel.groupby("area").agg(
        probability=("probability", "mean"),
        patrolled=("treated", "mean"),
        incidents=("incidents", "sum"),
    )
    return [
        {
            "area": str(area),
            "probability": float(r["probability"]),
            "patrolled": float(r["patrolled"]),
            "incidents": int(r["incidents"]),
            "polygon": [[lat, lon] for lat, lon in h3.cell_to_boundary(str(area))],
        }
        for area, r in grouped.iterrows()
    ]


# --- interventions that were not randomised --------------------------------------------------

#: An intervention's evaluation counts incidents in periods of four weeks: one week holds too
#: few incidents per area for a comparison of shapes, a month blurs the start.
PERIOD_DAYS = 28
#: Periods before the start (about sixteen months) and at most after it (about a year).
PRE_PERIODS = 18
POST_PERIODS = 12
#: The unit of comparison: H3 resolution 6 (about 36 km², seven operational cells), the area an
#: FPU, a station or a dialogue can be expected to change.
UNIT_RESOLUTION = 6
#: The period before the start left out of the fit (what got the area chosen), and how far
#: back the placebo in time moves the start.
SELECTION_WINDOW = 1
PLACEBO_LEAD = 4
#: A comparison area needs on average one incident per period before the start: a mix of
#: areas that saw nothing cannot trace anyone's history, and their noise would swamp the tests.
MIN_PRE_INCIDENTS = PRE_PERIODS


def unit_of(cell: str) -> str:
    """The unit of comparison holding an operational H3 cell."""
    return str(h3.cell_to_parent(cell, UNIT_RESOLUTION))


@dataclass(frozen=True)
class InterventionInputs:
    """The engine's unit x period panel for one intervention."""

    panel: pd.DataFrame
    unit: str
    #: First day of each period (index = the panel's ``period``).
    period_starts: list[date]
    start_period: int
    #: Units left out of the comparison: neighbours of the treated one (spillover) and the
    #: areas of other interventions.
    excluded: list[str]
    incidents: int


def intervention_inputs(
    *,
    area: str,
    started_on: date,
    until: date,
    incidents: Iterable[tuple[str, datetime]],
    tz_name: str,
    other_areas: Iterable[str] = (),
) -> InterventionInputs:
    """The unit x period panel (``impact-interventions.schema.json``) of one intervention.

    ``incidents`` are (H3 cell, occurred at) pairs the reader may see, anywhere in the mission:
    every unit with an incident is a candidate comparison unit, except the treated unit's
    neighbours (incidents may move next door), the areas of ``other_areas`` (treated too) and
    areas with fewer than :data:`MIN_PRE_INCIDENTS` incidents before the start. Only whole
    periods up to ``until`` count.
    """
    tz = ZoneInfo(tz_name)
    unit = unit_of(area)
    post = min(POST_PERIODS, max((until - started_on).days + 1, 0) // PERIOD_DAYS)
    first = started_on - timedelta(days=PRE_PERIODS * PERIOD_DAYS)
    period_starts = [first + timedelta(days=k * PERIOD_DAYS) for k in range(PRE_PERIODS + post)]
    excluded = {str(n) for n in h3.grid_ring(unit, 1)}
    excluded |= {unit_of(a) for a in other_areas} - {unit}
    counts: dict[tuple[str, int], int] = {}
    total = 0
    for cell, when in incidents:
        if not cell:
            continue
        k = (when.astimezone(tz).date() - first).days // PERIOD_DAYS
        u = unit_of(cell)
        if 0 <= k < len(period_starts) and u not in excluded:
            counts[(u, k)] = counts.get((u, k), 0) + 1
            total += 1
    before: dict[str, int] = {}
    for (u, k), n in counts.items():
        if k < PRE_PERIODS:
            before[u] = before.get(u, 0) + n
    units = sorted({u for u, n in before.items() if n >= MIN_PRE_INCIDENTS} | {unit})
    total = sum(n for (u, _k), n in counts.items() if u in units)
    rows = [
        {
            "unit": u,
            "period": k,
            "incidents": counts.get((u, k), 0),
            "start": PRE_PERIODS if u == unit else None,
        }
        for u in units
        for k in range(len(period_starts))
    ]
    doc = engine.intervention_panel_to_dict(
        pd.DataFrame(rows, columns=["unit", "period", "incidents", "start"])
    )
    return InterventionInputs(
        panel=engine.intervention_panel_from_dict(doc),
        unit=unit,
        period_starts=period_starts,
        start_period=PRE_PERIODS,
        excluded=sorted(excluded),
        incidents=total,
    )


@dataclass(frozen=True)
class InterventionResults:
    did: engine.Estimate
    synthetic: engine.Estimate
    #: ``periods``, ``observed``, ``synthetic``, ``weights`` of the synthetic control.
    series: dict[str, Any]


def evaluate_intervention(inputs: InterventionInputs) -> InterventionResults:
    """Staggered DiD and synthetic control on one intervention's panel."""
    post = len(inputs.period_starts) - inputs.start_period
    if post < 1:
        reason = "the intervention has no whole period after its start yet"
        return InterventionResults(
            _insufficient("did", reason), _insufficient("synthetic_control", reason), {}
        )
    did = engine.StaggeredDiD(
        selection_window=SELECTION_WINDOW,
        placebo_lead=PLACEBO_LEAD,
        random_state=RANDOM_STATE,
    ).fit(inputs.panel)
    sc = engine.SyntheticControl(
        unit=inputs.unit,
        selection_window=SELECTION_WINDOW,
        placebo_lead=PLACEBO_LEAD,
        scale="mean",
        random_state=RANDOM_STATE,
    ).fit(inputs.panel)
    return InterventionResults(did.estimate_, sc.estimate_, sc.series_)


def _insufficient(method: str, reason: str) -> engine.Estimate:
    nan = float("nan")
    return engine.Estimate(
        method=method,
        estimand="",
        estimate=nan,
        low=nan,
        high=nan,
        p_value=None,
        n=0,
        verdict=engine.decide(low=0, high=0, p_value=None, enough=False),
        detail={"reason": reason},
    )
