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
