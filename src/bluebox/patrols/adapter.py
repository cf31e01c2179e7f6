"""The one module between patrol records and the patrol engine.

Records become the engine's problem document (``patrol-problem.schema.json``): areas are H3
cells (resolution 7, about 5 km² each) around a field site, the site's own cell and the rings
within about 5 km; slots are morning, afternoon and night of each day of the week; teams are the
site's :class:`~bluebox.patrols.models.PatrolTeam` records with their duty roster, shift limits
and their country's caveats. Results (plan documents and drawn weeks) come back as rows with
calendar dates; the engine itself knows weekdays only.

Risk per area and slot comes from the early-warning forecast when one exists for the site and
week (:func:`forecast_risk`); otherwise from the incident history the planner may see
(:func:`incident_history_risk`, documented in ``docs/patrols.md``).

A plan is read by everyone who sees the site's patrols (its reporters included), so its risk is
derived data for that audience (:mod:`bluebox.core.access`): both sources read only what lies
within the plan's own protection (:func:`plan_audience`: the site, the plan's classification,
no compartment beyond the plan's) and what the planner may see. A strictly confidential
incident the commander sees therefore never shapes the schedule a reporter carries out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import h3
from django.db.models import Q

from bluebox.core import access
from bluebox.core.classification import Classification
from bluebox.core.roles import Resource
from bluebox.deployment.models import Caveat, CaveatKind
from bluebox.engines import patrol as engine
from bluebox.engines.patrol.model import DAYS
from bluebox.engines.spatial import OPERATIONAL_H3_RESOLUTION, h3_cell
from bluebox.incidents.selectors import IncidentFilters, incidents_for
from bluebox.missions.models import FieldSite
from bluebox.patrols.models import PatrolTeam, TeamMode

#: (shift, start, night). Each slot lasts eight hours, so the three cover the day.
SHIFTS: tuple[tuple[str, str, bool], ...] = (
    ("morning", "06:00", False),
    ("afternoon", "14:00", False),
    ("night", "22:00", True),
)
SLOT_MINUTES = 480
#: Rings of H3 cells around the site's cell: two rings of resolution 7 reach about 5 km.
RINGS = 2
HISTORY_DAYS = 365
HALF_LIFE_DAYS = 90.0
#: Share of a neighbour's history that spills over into a cell (violence moves).
SPILLOVER = 0.25
#: Events per cell-week assumed where nothing was recorded (absence of reports is not safety).
PRIOR_WEEKLY_RATE = 0.01
FOOT_KMH = 4.5
VEHICLE_KMH = 25.0
DETOUR = 1.3  # tracks and roads are not straight lines
MARKET_DAY_FACTOR = 2.0
#: Sites where people are concentrated: their own cell protects more.
DENSE_SITE_KINDS = {"idp_camp", "poc_site", "market"}
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def slot_id(day: str, shift: str) -> str:
    return f"{day}-{shift}"


def slot_documents() -> list[dict[str, Any]]:
    return [
        {
            "id": slot_id(day, shift),
            "day": day,
            "shift": shift,
            "start": start,
            "duration_min": SLOT_MINUTES,
            "night": night,
        }
        for day in DAYS
        for shift, start, night in SHIFTS
    ]


def slot_date(week_start: date, slot: str) -> date:
    return week_start + timedelta(days=DAYS.index(slot.split("-", 1)[0]))


def slot_shift(slot: str) -> str:
    return slot.split("-", 1)[1]


def slot_start(week_start: date, slot: str, tz_name: str) -> datetime:
    """When a slot starts, as an aware datetime in the mission's time zone."""
    hhmm = {shift: start for shift, start, _ in SHIFTS}[slot_shift(slot)]
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime.combine(
        slot_date(week_start, slot), time(hours, minutes), tzinfo=ZoneInfo(tz_name)
    )


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- areas -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaCell:
    cell: str
    name: str
    ring: int
    km: float
    bearing: str


def _bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> str:
    y = math.sin(math.radians(lon2 - lon1)) * math.cos(math.radians(lat2))
    x = math.cos(math.radians(lat1)) * math.sin(math.radians(lat2)) - math.sin(
        math.radians(lat1)
    ) * math.cos(math.radians(lat2)) * math.cos(math.radians(lon2 - lon1))
    deg = (math.degrees(math.atan2(y, x)) + 360) % 360
    return COMPASS[round(deg / 45) % 8]


def bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> str:
    """The compass point (N, NE, ...) from the first place to the second."""
    return _bearing(lat1, lon1, lat2, lon2)


def cell_centre(cell: str) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return float(lat), float(lon)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(h3.great_circle_distance((lat1, lon1), (lat2, lon2), unit="km"))


def site_areas(site: FieldSite, rings: int = RINGS) -> list[AreaCell]:
    """The site's H3 cell and the rings around it, named by direction and distance."""
    centre = h3_cell(site.latitude, site.longitude, OPERATIONAL_H3_RESOLUTION)
    out = []
    for ring in range(rings + 1):
        for cell in sorted(h3.grid_ring(centre, ring)):
            lat, lon = h3.cell_to_latlng(cell)
            km = h3.great_circle_distance((site.latitude, site.longitude), (lat, lon), unit="km")
            if ring == 0:
                name = f"{site.name}"
            else:
                name = f"{_bearing(site.latitude, site.longitude, lat, lon)} {km:.1f} km"
            out.append(AreaCell(str(cell), name, ring, float(km), name))
    return out


def _links(cells: list[AreaCell], centre: str) -> list[dict[str, Any]]:
    ids = {c.cell for c in cells}
    links = [{"from": "base", "to": centre, "foot_min": 5.0, "vehicle_min": 3.0}]
    for c in cells:
        for n in sorted(h3.grid_ring(c.cell, 1)):
            if n in ids and c.cell < n:
                km = h3.great_circle_distance(h3.cell_to_latlng(c.cell), h3.cell_to_latlng(n))
                links.append(
                    {
                        "from": c.cell,
                        "to": str(n),
                        "foot_min": round(km * DETOUR / FOOT_KMH * 60, 1),
                        "vehicle_min": round(km * DETOUR / VEHICLE_KMH * 60 + 3, 1),
                    }
                )
    return links


# --- risk ------------------------------------------------------------------------------------


def plan_audience(
    site: FieldSite, classification: int = Classification.CONFIDENTIAL, compartments: int = 0
) -> access.Protection:
    """The protection of what a site's plan may be computed from: its readers' clearance."""
    return access.Protection(
        resource=Resource.INCIDENT,
        mission_id=site.mission_id,
        sector_id=site.sector_id,
        site_id=site.pk,
        classification=classification,
        compartments=compartments,
    )


def forecast_risk(
    user: Any,
    site: FieldSite,
    cells: list[str],
    week_start: date,
    audience: access.Protection | None = None,
) -> dict[str, Any] | None:
    """Risk per cell and slot from the early-warning forecast, or ``None`` when there is none.

    Uses the newest finished forecast run that covers ``week_start`` and every planning cell
    (through its parent cell at the run's resolution), read through the access module as the
    planning user. A parent cell's weekly probability ``p`` becomes a weekly rate
    ``-ln(1 - p)`` shared evenly by its children; the rate is spread over the week's slots by
    the site's time-of-day shares (as in :func:`incident_history_risk`).
    """
    from bluebox.forecasting.adapter import served_areas
    from bluebox.forecasting.models import AreaForecast, RunStatus

    audience = audience or plan_audience(site)
    rows = (
        access.visible(
            user,
            AreaForecast.objects.filter(
                mission_id=site.mission_id,
                period_start=week_start,
                voided_at__isnull=True,
                run__status=RunStatus.DONE,
            ),
        )
        .filter(access.labels_within_q(audience))  # forecast variants the plan's readers may see
        .select_related("run", "variant")
    )
    runs: dict[int, tuple[Any, dict[str, float]]] = {}
    served = served_areas(rows)
    for row in sorted(served, key=lambda r: (-r.run.created_at.timestamp(), -r.run_id, r.horizon)):
        _, by_parent = runs.setdefault(row.run_id, (row.run, {}))
        by_parent.setdefault(row.cell, row.probability)
    for run, by_parent in runs.values():  # newest run first
        if run.h3_resolution > OPERATIONAL_H3_RESOLUTION:
            continue
        parents = {cell: h3.cell_to_parent(cell, run.h3_resolution) for cell in cells}
        if not all(parent in by_parent for parent in parents.values()):
            continue
        history = incident_history_risk(user, site, cells, week_start, audience)
        shares = history["detail"]["shift_shares"]
        risk: dict[str, list[float]] = {}
        for cell, parent in parents.items():
            p = min(max(by_parent[parent], 0.0), 0.999999)
            children = 7 ** max(h3.get_resolution(cell) - run.h3_resolution, 0)
            rate = -math.log(1 - p) / children
            per_shift = [rate * share / 7 for share in shares]
            risk[cell] = [
                round(1 - math.exp(-per_shift[s]), 6) for _ in DAYS for s in range(len(SHIFTS))
            ]
        return {
            "risk": risk,
            "detail": {
                "inputs": audience.as_json(),
                "forecast_run": run.pk,
                "model_version": run.model_version,
                "h3_resolution": run.h3_resolution,
                "shift_shares": shares,
            },
        }
    return None


def _shift_of(moment: datetime, tz: ZoneInfo) -> int:
    hour = moment.astimezone(tz).hour
    if 6 <= hour < 14:
        return 0
    if 14 <= hour < 22:
        return 1
    return 2


def incident_history_risk(
    user: Any,
    site: FieldSite,
    cells: list[str],
    week_start: date,
    audience: access.Protection | None = None,
) -> dict[str, Any]:
    """Fallback risk: decayed incident counts per H3 cell, spread over slots by time of day.

    Only incidents the planning user may see, and within the plan's audience, count (the model
    never learns from records its user or its readers could not read). Each incident of the last
    year weighs ``0.5 ** (age / 90 days)``; a cell's weekly rate is its weight, plus a quarter
    of its neighbours' average, over the effective number of weeks, plus a small prior. The rate
    is split over the three shifts by the site's (smoothed) time-of-day shares and over the
    seven days evenly; the risk of a slot is ``1 - exp(-rate)``: the probability of at least one
    event.
    """
    tz = ZoneInfo(site.mission.timezone or "UTC")
    until = datetime.combine(week_start, time(0), tzinfo=tz)
    since = until - timedelta(days=HISTORY_DAYS)
    cell_set = set(cells)
    weights = dict.fromkeys(cells, 0.0)
    shift_weight = [0.0, 0.0, 0.0]
    n_used = 0
    # A box around the site keeps the query small; the cell test is exact.
    pad = 0.12
    audience = audience or plan_audience(site)
    mine = incidents_for(
        user, IncidentFilters(mission_id=site.mission_id, since=since, until=until)
    )
    rows = (
        access.derived_inputs(mine, audience)
        .filter(
            latitude__range=(site.latitude - pad, site.latitude + pad),
            longitude__range=(site.longitude - pad, site.longitude + pad),
        )
        .values_list("latitude", "longitude", "occurred_at")
    )
    for lat, lon, occurred in rows:
        cell = h3_cell(lat, lon)
        if cell not in cell_set:
            continue
        age = (until - occurred).total_seconds() / 86400
        w = 0.5 ** (age / HALF_LIFE_DAYS)
        weights[cell] += w
        shift_weight[_shift_of(occurred, tz)] += w
        n_used += 1
    # Effective weeks of history under the decay.
    weeks = (HALF_LIFE_DAYS / math.log(2)) * (1 - 0.5 ** (HISTORY_DAYS / HALF_LIFE_DAYS)) / 7
    total = sum(shift_weight)
    shares = [(s + 1.0) / (total + 3.0) for s in shift_weight]
    risk: dict[str, list[float]] = {}
    for cell in cells:
        neighbours = [n for n in h3.grid_ring(cell, 1) if n in cell_set]
        spill = sum(weights[n] for n in neighbours) / len(neighbours) if neighbours else 0.0
        rate = (weights[cell] + SPILLOVER * spill) / weeks + PRIOR_WEEKLY_RATE
        per_shift = [rate * share / 7 for share in shares]
        risk[cell] = [
            round(1 - math.exp(-per_shift[s]), 6) for _ in DAYS for s in range(len(SHIFTS))
        ]
    return {
        "risk": risk,
        "detail": {
            "inputs": audience.as_json(),
            "incidents": n_used,
            "history_days": HISTORY_DAYS,
            "half_life_days": HALF_LIFE_DAYS,
            "shift_shares": [round(s, 3) for s in shares],
        },
    }


# --- teams -----------------------------------------------------------------------------------


def _country_id(team: PatrolTeam) -> int | None:
    if team.unit is not None:
        return int(team.unit.country_id)
    return team.country_id


def no_night_outside_base(team: PatrolTeam) -> bool:
    """Whether the team's country (or unit) holds a no-overnight-outside-base caveat."""
    country = _country_id(team)
    if country is None:
        return False
    return (
        Caveat.objects.filter(
            mission_id=team.mission_id,
            country_id=country,
            kind=CaveatKind.NO_OVERNIGHT_OUTSIDE_BASE,
        )
        .filter(Q(unit__isnull=True) | Q(unit_id=team.unit_id))
        .exists()
    )


def team_document(team: PatrolTeam, *, night_caveat: bool | None = None) -> dict[str, Any]:
    days_off = {int(d) for d in team.days_off}
    duty = [
        slot_id(day, shift)
        for i, day in enumerate(DAYS)
        if i + 1 not in days_off
        for shift, _, _ in SHIFTS
        if shift in team.duty_shifts
    ]
    kind = team.mode
    return {
        "id": f"team-{team.pk}",
        "name": team.name,
        "kind": kind,
        "mode": "foot" if kind == TeamMode.FOOT else "vehicle",
        "base": "base",
        "duty_slots": duty,
        "shift": {
            "max_slots_per_day": team.max_slots_per_day,
            "max_slots_per_week": team.max_slots_per_week,
            "min_rest_slots": team.min_rest_slots,
            "max_patrol_min": team.max_patrol_min,
            "min_presence_min": team.min_presence_min,
        },
        "caveats": {
            "no_night_outside_base": (
                no_night_outside_base(team) if night_caveat is None else night_caveat
            ),
        },
    }


def team_pk(engine_id: str) -> int:
    return int(engine_id.removeprefix("team-"))


def roster_error(team: PatrolTeam) -> str | None:
    """The engine's objection to a team's duty roster and shift limits, or ``None``."""
    doc = {
        "schema_version": 1,
        "site": {"id": "check"},
        "slots": slot_documents(),
        "areas": [{"id": "a", "risk": 0.1}],
        "nodes": ["base"],
        "travel": [{"from": "base", "to": "a", "foot_min": 1, "vehicle_min": 1}],
        "teams": [team_document(team, night_caveat=False) | {"id": "team"}],
    }
    try:
        engine.problem_from_dict(doc)
    except engine.ProblemError as exc:
        return str(exc).replace("team 'team': ", "")
    return None


# --- problem ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltProblem:
    document: dict[str, Any]
    risk_source: str
    risk_detail: dict[str, Any]
    area_names: dict[str, str]


def build_problem(
    *,
    user: Any,
    site: FieldSite,
    week_start: date,
    teams: list[PatrolTeam],
    audience: access.Protection | None = None,
) -> BuiltProblem:
    """The engine's problem document for one site and week, schema-valid.

    ``audience`` is the plan's protection (default: the site's, CONFIDENTIAL): risk is read
    within it only.

    Raises
    ------
    bluebox.engines.patrol.ProblemError
        If the teams' rosters are inconsistent (the message names the team).
    """
    areas = site_areas(site)
    cells = [a.cell for a in areas]
    audience = audience or plan_audience(site)
    forecast = forecast_risk(user, site, cells, week_start, audience)
    if forecast is not None:
        source, risk, detail = "forecast", forecast["risk"], forecast.get("detail", {})
    else:
        history = incident_history_risk(user, site, cells, week_start, audience)
        source, risk, detail = "incident_history", history["risk"], history["detail"]
    market_days = [DAYS[int(d) - 1] for d in (site.market_days or []) if 1 <= int(d) <= 7]
    area_docs = []
    for a in areas:
        doc: dict[str, Any] = {
            "id": a.cell,
            "name": a.name,
            "kind": site.kind if a.ring == 0 else "surroundings",
            "h3": a.cell,
            "value": 2.0 if a.ring == 0 and site.kind in DENSE_SITE_KINDS else 1.0,
            "risk": risk[a.cell],
            # The site's own cell is the base or camp perimeter, allowed at night under a
            # no-overnight-outside-base caveat.
            "inside_base": a.ring == 0,
        }
        if market_days and a.ring <= 1:
            doc["peaks"] = [
                {
                    "days": market_days,
                    "shifts": ["morning", "afternoon"],
                    "factor": MARKET_DAY_FACTOR,
                }
            ]
        area_docs.append(doc)
    document = {
        "schema_version": 1,
        "site": {"id": f"site-{site.pk}", "name": site.name},
        "slots": slot_documents(),
        "areas": area_docs,
        "nodes": ["base"],
        "travel": _links(areas, cells[0]),
        "teams": [team_document(t) for t in teams],
        "payoffs": {"patrol_effectiveness": 0.75, "attacker_penalty": 0.5},
        "attacker": {"model": "robust"},
    }
    return BuiltProblem(document, source, detail, {a.cell: a.name for a in areas})


def solve_document(document: dict[str, Any], *, time_limit_s: float = 30.0) -> dict[str, Any]:
    """Validate, solve and return the engine's plan document."""
    engine.validate(document, "patrol-problem")
    problem = engine.problem_from_dict(document)
    game = engine.compile_game(problem)
    solution = engine.solve(problem, time_limit_s=time_limit_s, game=game)
    return engine.plan_to_dict(problem, game, solution)


def draw_week(plan_document: dict[str, Any], *, seed: int, site_id: str) -> dict[str, Any]:
    plan = engine.plan_from_dict(plan_document)
    (week,) = engine.sample_weeks(plan.problem, plan.game.travel, plan.mixtures, 1, seed)
    return engine.schedule_to_dict(week, seed=seed, site_id=site_id)


def patrol_rows(schedule: dict[str, Any], week_start: date) -> list[dict[str, Any]]:
    """Planned-patrol fields for each patrol of a schedule document."""
    return [
        {
            "team_id": team_pk(p["team"]),
            "date": slot_date(week_start, p["slot"]),
            "slot": p["slot"],
            "shift": slot_shift(p["slot"]),
            "area": p["area"],
            "route_out": p["route_out"],
            "route_back": p["route_back"],
            "depart": p["depart"],
            "arrive": p["arrive"],
            "leave": p["leave"],
            "back": p["back"],
            "travel_min": p["travel_min"],
        }
        for p in schedule["patrols"]
    ]


def edited_week(
    plan_document: dict[str, Any],
    rows: list[tuple[int, str, str]],
) -> tuple[engine.WeeklySchedule, list[engine.Patrol]]:
    """A week from (team pk, slot, area) rows, with routes and times computed by the engine."""
    from bluebox.engines.patrol.sampling import PatrolFactory

    plan = engine.plan_from_dict(plan_document)
    problem = plan.problem
    factory = PatrolFactory(problem, plan.game.travel)
    slot_ix, area_ix, team_ix = problem.slot_index(), problem.area_index(), problem.team_index()
    patrols = []
    for team, slot, area in rows:
        tid = f"team-{team}"
        if tid not in team_ix or slot not in slot_ix or area not in area_ix:
            raise engine.ProblemError(f"{tid} cannot be sent to {area} in {slot}")
        patrols.append(factory.make(team_ix[tid], slot_ix[slot], area_ix[area]))
    patrols.sort(key=lambda p: (slot_ix[p.slot], p.team))
    return engine.WeeklySchedule(week=1, patrols=tuple(patrols)), patrols


def override_score(
    plan_document: dict[str, Any], drawn: dict[str, Any], week: engine.WeeklySchedule
) -> dict[str, Any]:
    """The engine's predictability meter for an edited week against the drawn one."""
    plan = engine.plan_from_dict(plan_document)
    result = engine.score_override(
        plan.game, plan.coverage, week, drawn=engine.schedule_from_dict(drawn)
    )
    return {
        "score": round(result.score, 4),
        "changed_slots": result.changed_slots,
        "violations": result.violations,
        "defender_value_plan": result.defender_value_plan,
        "defender_value_override": result.defender_value_override,
        "coverage_gap_pp": round(result.coverage_gap_pp, 2),
        "exposed": result.exposed,
    }


def violations(plan_document: dict[str, Any], week: engine.WeeklySchedule) -> list[str]:
    plan = engine.plan_from_dict(plan_document)
    return engine.schedule_violations(plan.problem, plan.game.travel, week)


def coverage_by_area(plan_document: dict[str, Any]) -> dict[str, float]:
    """Expected patrols per week in each area (sum of coverage over the week's slots)."""
    out: dict[str, float] = {}
    for row in plan_document["coverage"]:
        out[row["area"]] = out.get(row["area"], 0.0) + float(row["coverage"])
    return out


def mean_risk_by_area(plan_document: dict[str, Any]) -> dict[str, float]:
    out = {}
    for a in plan_document["problem"]["areas"]:
        risk = a["risk"]
        out[a["id"]] = float(sum(risk) / len(risk)) if isinstance(risk, list) else float(risk)
    return out


def plan_changes(old: dict[str, Any], new: dict[str, Any], limit: int = 8) -> dict[str, Any]:
    """What a re-plan changed: risk and expected weekly patrols per area, largest first."""
    names = {a["id"]: a.get("name", a["id"]) for a in new["problem"]["areas"]}
    r_old, r_new = mean_risk_by_area(old), mean_risk_by_area(new)
    c_old, c_new = coverage_by_area(old), coverage_by_area(new)
    rows = []
    for area, name in names.items():
        rows.append(
            {
                "area": area,
                "name": name,
                "risk_before": round(r_old.get(area, 0.0) * 100, 2),
                "risk_after": round(r_new.get(area, 0.0) * 100, 2),
                "patrols_before": round(c_old.get(area, 0.0), 2),
                "patrols_after": round(c_new.get(area, 0.0), 2),
            }
        )
    rows.sort(key=lambda r: -abs(r["patrols_after"] - r["patrols_before"]))
    changed = [r for r in rows if abs(r["patrols_after"] - r["patrols_before"]) >= 0.05]
    return {
        "areas": changed[:limit],
        "n_areas_changed": len(changed),
        "attacker_value_before": old["solution"]["attacker_value"],
        "attacker_value_after": new["solution"]["attacker_value"],
    }


def cell_polygon(cell: str) -> list[list[float]]:
    """The cell's boundary as ``[lat, lon]`` pairs (Leaflet's order)."""
    return [[round(lat, 6), round(lon, 6)] for lat, lon in h3.cell_to_boundary(cell)]


# --- design log --------------------------------------------------------------------------------

#: Minutes in an area below which a track only passed through (no presence counted).
PRESENCE_MIN = 10.0


@dataclass(frozen=True)
class Execution:
    """What one patrol record says was done: its slot and minutes per area."""

    slot: str | None
    minutes: dict[str, float]


def _hhmm(text: str) -> int | None:
    try:
        hours, minutes = (int(x) for x in text.split(":"))
    except ValueError:
        return None
    return hours * 60 + minutes


def execution_of(
    *,
    week_start: date,
    tz_name: str,
    started_at: datetime,
    ended_at: datetime,
    dosage: dict[str, float],
    planned: tuple[str, str, str, str] | None,
) -> Execution:
    """The slot and area minutes of a patrol record.

    ``planned`` is the (slot, area, arrive, leave) of the planned patrol it carried out, if
    any. The track's dosage says where the patrol was; without a track the planned area gets
    the planned time on the spot (arrive to leave), or the record's whole length.
    """
    if planned is not None:
        slot: str | None = planned[0]
    else:
        local = started_at.astimezone(ZoneInfo(tz_name))
        day = (local.date() - week_start).days
        # A night slot runs past midnight: before six, the patrol belongs to the previous day.
        if local.hour < 6:
            day -= 1
        slot = (
            slot_id(DAYS[day], SHIFTS[_shift_of(started_at, ZoneInfo(tz_name))][0])
            if (0 <= day < 7)
            else None
        )
    if dosage:
        return Execution(slot, {str(k): float(v) for k, v in dosage.items()})
    if planned is None:
        return Execution(slot, {})
    arrive, leave = _hhmm(planned[2]), _hhmm(planned[3])
    if arrive is not None and leave is not None:
        on_spot = float((leave - arrive) % (24 * 60))
    else:
        on_spot = (ended_at - started_at).total_seconds() / 60
    return Execution(slot, {planned[1]: on_spot})


def design_cells(
    plan_document: dict[str, Any],
    *,
    planned: list[tuple[str, str]],
    overridden_slots: set[str],
    executions: list[Execution],
) -> list[dict[str, Any]]:
    """The design log of one week: every area x slot of the plan with its probability.

    The probability is the plan's coverage of the target, exactly as the engine computed it
    (each area takes at most one team per slot, so coverage is the chance of a patrol).
    """
    slots = [s["id"] for s in plan_document["problem"]["slots"]]
    slot_ix = {s: i for i, s in enumerate(slots)}
    coverage = {
        (row["area"], row["slot"]): float(row["coverage"]) for row in plan_document["coverage"]
    }
    planned_set = set(planned)
    minutes: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], int] = {}
    for ex in executions:
        if ex.slot is None or ex.slot not in slot_ix:
            continue
        for area, m in ex.minutes.items():
            key = (area, ex.slot)
            if key not in coverage:
                continue  # outside the plan's areas
            minutes[key] = minutes.get(key, 0.0) + m
            if m >= PRESENCE_MIN:
                counts[key] = counts.get(key, 0) + 1
    rows = []
    for a in plan_document["problem"]["areas"]:
        for slot in slots:
            key = (a["id"], slot)
            rows.append(
                {
                    "area": a["id"],
                    "slot": slot,
                    "slot_index": slot_ix[slot],
                    "probability": min(max(coverage.get(key, 0.0), 0.0), 1.0),
                    "planned": (slot, a["id"]) in planned_set,
                    "overridden": slot in overridden_slots,
                    "executed": minutes.get(key, 0.0) >= PRESENCE_MIN,
                    "minutes": round(minutes.get(key, 0.0), 1),
                    "patrols": counts.get(key, 0),
                }
            )
    return rows
