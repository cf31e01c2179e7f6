"""The one module between force records and the deployment engine.

Records become the engine's problem document (``deployment-problem.schema.json``), which
:func:`bluebox.engines.deployment.problem_from_dict` validates; solutions come back as the plan
document and a per-site *board* (officers, risk, coverage and the units present, by name).

* **Sites** are the mission's field sites, with engine id = site code. What a site needs and
  offers follows its kind (:data:`KIND_PROFILES`); ``need`` grows by one officer per
  :data:`PEOPLE_PER_OFFICER` inhabitants. ``mission.settings["deployment"]["sites"][code]``
  overrides any site field (need, max_officers, min_women_share, skills, languages...).
* **Risk** comes from the early-warning forecast when one exists (:func:`forecast_site_risk`);
  otherwise from the incident history the requesting user may see
  (:func:`incident_history_risk`), and only within the plan's own protection
  (:func:`plan_audience`): a plan is read by every mission-level planner, analyst and commander,
  so a commander's plan is not computed from records a planner may not see.
* **Units**: each FPU (headquarters = its QRF plus :data:`FPU_HQ_STAFF`; the rest split into
  equal platoons), each SPT, and IPOs grouped into classes of officers with the same country,
  sex, skills, languages, current site and availability (rotation minus leave).
* **Caveats**: one caveat set per country, and one per FPU that has caveats of its own (the
  country's plus the unit's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bluebox.core import access, providers, words
from bluebox.core.classification import Classification
from bluebox.core.roles import Resource
from bluebox.deployment.models import (
    Caveat,
    CaveatKind,
    FormedPoliceUnit,
    IndividualPoliceOfficer,
    RiskSource,
    SpecialisedPoliceTeam,
)
from bluebox.engines import deployment as engine
from bluebox.engines.deployment.plan import Assignment
from bluebox.engines.deployment.problem import haversine_km
from bluebox.engines.messages import Message
from bluebox.incidents.selectors import IncidentFilters, incidents_for
from bluebox.missions.models import FieldSite, Mission


@dataclass(frozen=True)
class SiteProfile:
    need: int
    fpu_base: bool
    base_support: bool
    overnight_base: bool
    tasks: tuple[str, ...]
    qrf_cover: bool = False


#: What each kind of site needs and offers. FPUs are based at team sites, bases and police
#: stations; their platoons can be supported at camps and POC sites too.
KIND_PROFILES: dict[str, SiteProfile] = {
    "team_site": SiteProfile(40, True, True, True, ("patrol",)),
    "base": SiteProfile(20, True, True, True, ("patrol",)),
    "police_station": SiteProfile(30, True, True, True, ("joint_patrol", "detention")),
    "idp_camp": SiteProfile(
        60, False, True, False, ("camp_security", "crowd_control"), qrf_cover=True
    ),
    "poc_site": SiteProfile(80, False, True, True, ("camp_security", "crowd_control"), True),
    "market": SiteProfile(30, False, False, False, ("crowd_control", "patrol")),
}
#: Tasks a caveat may exclude (the union of the tasks sites ask for).
TASKS = sorted({t for p in KIND_PROFILES.values() for t in p.tasks})
PEOPLE_PER_OFFICER = 2000
MAX_NEED = 400
FPU_HQ_STAFF = 20
DEFAULT_REDEPLOYMENT_DAYS = 3
#: Incident-history fallback: a year of history, half-life 90 days, within 15 km of a site.
HISTORY_DAYS = 365
HALF_LIFE_DAYS = 90.0
RADIUS_KM = 15.0
#: Weight of a site with no recorded violence (absence of reports is not safety).
PRIOR_EVENTS = 1.0
SITE_OVERRIDE_FIELDS = {
    "need",
    "risk",
    "max_officers",
    "min_women_share",
    "skills",
    "languages",
    "needs_qrf_cover",
    "fpu_base",
    "base_support",
    "overnight_base",
    "tasks",
}


@dataclass
class BuiltProblem:
    problem: engine.Problem
    document: dict[str, Any]
    names: dict[str, str]
    risk_source: str
    risk_detail: dict[str, Any] = field(default_factory=dict)


# --- risk ------------------------------------------------------------------------------------


def forecast_site_risk(
    user: Any,
    mission: Mission,
    sites: list[FieldSite],
    plan_start: date,
    horizon_days: int,
    audience: access.Protection,
) -> tuple[dict[str, float], dict[str, Any]] | None:
    """Risk per site code from the early-warning forecast, or ``None`` when none covers the start.

    The forecasting capability answers through :mod:`bluebox.core.providers` (it sits beside
    deployment in the layers), read as the planning user within the plan's audience.
    """
    return providers.site_risk(
        user=user,
        mission_id=mission.pk,
        site_codes=[s.code for s in sites],
        start=plan_start,
        days=horizon_days,
        audience=audience,
    )


def plan_audience(
    mission: Mission, classification: int = Classification.CONFIDENTIAL, compartments: int = 0
) -> access.Protection:
    """The protection of what a mission's plan may be computed from: its readers' clearance."""
    return access.Protection(
        resource=Resource.INCIDENT,
        mission_id=mission.pk,
        classification=classification,
        compartments=compartments,
    )


def incident_history_risk(
    user: Any,
    mission: Mission,
    sites: list[FieldSite],
    plan_start: date,
    audience: access.Protection | None = None,
) -> tuple[dict[str, float], dict[str, Any]]:
    """Fallback risk from violence against civilians recorded near each site.

    Only incidents the requesting user may see, within the plan's audience, count. Each incident
    with civilian targeting in the year before the plan start weighs ``0.5 ** (age / 90 days) *
    (1 + fatalities)`` and counts for every site within 15 km. A site's risk is ``(1 + weight) /
    (1 + largest weight)``: 1 for the most affected site, never 0 (a quiet site still needs some
    presence).
    """
    until = datetime.combine(plan_start, time(0), tzinfo=UTC)
    since = until - timedelta(days=HISTORY_DAYS)
    audience = audience or plan_audience(mission)
    mine = incidents_for(user, IncidentFilters(mission_id=mission.pk, since=since, until=until))
    rows = (
        access.derived_inputs(mine, audience)
        .filter(civilian_targeting=True)
        .values_list("latitude", "longitude", "occurred_at", "fatalities_best")
    )
    weight = dict.fromkeys((s.code for s in sites), 0.0)
    used = 0
    for lat, lon, occurred, deaths in rows:
        age = (until - occurred).total_seconds() / 86400
        w = 0.5 ** (age / HALF_LIFE_DAYS) * (1 + (deaths or 0))
        near = [s for s in sites if haversine_km(lat, lon, s.latitude, s.longitude) <= RADIUS_KM]
        for s in near:
            weight[s.code] += w
        used += bool(near)
    top = max(weight.values(), default=0.0)
    risk = {code: round((PRIOR_EVENTS + w) / (PRIOR_EVENTS + top), 4) for code, w in weight.items()}
    detail = {
        "inputs": audience.as_json(),
        "incidents": used,
        "history_days": HISTORY_DAYS,
        "half_life_days": HALF_LIFE_DAYS,
        "radius_km": RADIUS_KM,
        "weights": {k: round(v, 3) for k, v in weight.items()},
    }
    return risk, detail


# --- availability ----------------------------------------------------------------------------


def _day(d: date, plan_start: date) -> int:
    return (d - plan_start).days


def availability(
    plan_start: date,
    horizon: int,
    start: date | None,
    end: date | None,
    leave: tuple[date | None, date | None] = (None, None),
) -> list[list[int]] | None:
    """Half-open day intervals within the horizon; None when available throughout.

    An empty list means the unit is not in the mission area at all during the period.
    """
    a = max(0, _day(start, plan_start)) if start is not None else 0
    b = min(horizon, _day(end, plan_start)) if end is not None else horizon
    intervals = [[a, b]] if a < b else []
    if leave[0] is not None and leave[1] is not None:
        ls, le = _day(leave[0], plan_start), _day(leave[1], plan_start)
        cut = []
        for x, y in intervals:
            if ls > x:
                cut.append([x, min(y, ls)])
            if le < y:
                cut.append([max(x, le), y])
        intervals = [iv for iv in cut if iv[0] < iv[1]]
    if intervals == [[0, horizon]]:
        return None
    return intervals


# --- caveats ---------------------------------------------------------------------------------


def _caveat_fields(caveats: list[Caveat], site_codes: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "excluded_sites": set(),
        "excluded_site_kinds": set(),
        "excluded_tasks": set(),
        "no_overnight_outside_base": False,
        "redeployment_approval_days": None,
    }
    for c in caveats:
        p = c.parameters or {}
        if c.kind == CaveatKind.EXCLUDED_SITES:
            out["excluded_sites"] |= {s for s in p.get("sites", []) if s in site_codes}
        elif c.kind == CaveatKind.EXCLUDED_SITE_KINDS:
            out["excluded_site_kinds"] |= set(p.get("site_kinds", []))
        elif c.kind == CaveatKind.EXCLUDED_TASKS:
            out["excluded_tasks"] |= set(p.get("tasks", []))
        elif c.kind == CaveatKind.NO_OVERNIGHT_OUTSIDE_BASE:
            out["no_overnight_outside_base"] = True
        elif c.kind == CaveatKind.CAPITAL_APPROVAL:
            days = int(p.get("delay_days", c.country.capital_approval_delay_days))
            current = out["redeployment_approval_days"]
            out["redeployment_approval_days"] = days if current is None else max(current, days)
    for key in ("excluded_sites", "excluded_site_kinds", "excluded_tasks"):
        out[key] = sorted(out[key])
    return out


# --- the problem -----------------------------------------------------------------------------


def _site_documents(
    mission: Mission, sites: list[FieldSite], risk: dict[str, float], qrf: engine.QrfRule
) -> list[dict[str, Any]]:
    overrides = ((mission.settings or {}).get("deployment") or {}).get("sites") or {}
    docs = []
    for s in sites:
        profile = KIND_PROFILES.get(s.kind, KIND_PROFILES["team_site"])
        need = profile.need + (s.population or 0) // PEOPLE_PER_OFFICER
        doc: dict[str, Any] = {
            "id": s.code,
            "name": s.name,
            "kind": s.kind,
            "lat": s.latitude,
            "lon": s.longitude,
            "risk": risk.get(s.code, 1.0),
            "need": min(MAX_NEED, need),
            "tasks": list(profile.tasks),
            "fpu_base": profile.fpu_base,
            "base_support": profile.base_support,
            "overnight_base": profile.overnight_base,
        }
        doc.update(overrides.get(s.code) or {})
        docs.append(doc)
    # QRF cover is asked only where some FPU base is within reach: elsewhere no plan could
    # give it, and the gap shows on the board as "no QRF within reach" instead.
    bases = [d for d in docs if d["fpu_base"]]
    for doc in docs:
        profile = KIND_PROFILES.get(doc["kind"], KIND_PROFILES["team_site"])
        if "needs_qrf_cover" in (overrides.get(doc["id"]) or {}):
            continue
        reach = any(
            haversine_km(doc["lat"], doc["lon"], b["lat"], b["lon"])
            * qrf.road_factor
            / qrf.speed_kmh
            <= qrf.reach_hours
            for b in bases
        )
        doc["needs_qrf_cover"] = profile.qrf_cover and reach
    return docs


def _fpu_document(
    f: FormedPoliceUnit, plan_start: date, horizon: int, caveat_set: str | None
) -> dict[str, Any]:
    hq_min = min(f.strength - f.platoons, f.quick_reaction_force + FPU_HQ_STAFF)
    platoon_strength = max(1, (f.strength - hq_min) // max(1, f.platoons))
    hq = max(0, f.strength - f.platoons * platoon_strength)
    platoon_women = f.women * platoon_strength // max(1, f.strength)
    doc: dict[str, Any] = {
        "id": f"fpu-{f.pk}",
        "country": f.country.code,
        "platoons": f.platoons,
        "platoon_strength": platoon_strength,
        "hq_strength": hq,
        "platoon_women": platoon_women,
        "hq_women": min(hq, max(0, f.women - f.platoons * platoon_women)),
        "may_split": f.may_split,
        "caveat_set": caveat_set,
        "languages": sorted(set(f.languages or [])),
        "skills": ["public_order"],
        "current_site": f.home_site.code if f.home_site else None,
    }
    available = availability(plan_start, horizon, f.rotation_start, f.rotation_end)
    if available is not None:
        doc["available"] = available
    return doc


def _spt_document(
    t: SpecialisedPoliceTeam, plan_start: date, horizon: int, caveat_set: str | None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": f"spt-{t.pk}",
        "country": t.country.code,
        "strength": t.strength,
        "women": min(t.women, t.strength),
        "skills": sorted(set(t.skills or []) | {t.specialty}),
        "languages": sorted(set(t.languages or [])),
        "caveat_set": caveat_set,
        "current_site": t.site.code if t.site else None,
    }
    available = availability(plan_start, horizon, t.rotation_start, t.rotation_end)
    if available is not None:
        doc["available"] = available
    return doc


def _ipo_classes(
    ipos: list[IndividualPoliceOfficer],
    plan_start: date,
    horizon: int,
    caveat_sets: dict[str, str],
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, list[str]]]:
    groups: dict[tuple[Any, ...], list[IndividualPoliceOfficer]] = defaultdict(list)
    for o in ipos:
        available = availability(
            plan_start,
            horizon,
            o.rotation_start,
            o.rotation_end,
            (o.leave_start, o.leave_end),
        )
        if available == []:
            continue  # not in the mission area during the period
        key = (
            o.country.code,
            o.gender == "female",
            tuple(sorted(set(o.skills or []))),
            tuple(sorted(set(o.languages or []))),
            o.site.code if o.site else None,
            None if available is None else tuple((iv[0], iv[1]) for iv in available),
        )
        groups[key].append(o)
    docs, names, members = [], {}, {}
    for n, key in enumerate(sorted(groups, key=repr), start=1):
        country, female, skills, languages, site, windows = key
        cid = f"ipo-{n}"
        doc: dict[str, Any] = {
            "id": cid,
            "country": country,
            "count": len(groups[key]),
            "female": female,
            "skills": list(skills),
            "languages": list(languages),
            "caveat_set": caveat_sets.get(country),
            "current_site": site,
        }
        if windows is not None:
            doc["available"] = [list(iv) for iv in windows]
        docs.append(doc)
        sex = "F" if female else "M"
        what = ", ".join(skills) or "general"
        names[cid] = f"IPOs {country} {sex} ({what}; {'/'.join(languages) or '-'})"
        members[cid] = [o.service_number for o in groups[key]]
    return docs, names, members


def _risk(
    user: Any,
    mission: Mission,
    sites: list[FieldSite],
    plan_start: date,
    horizon_days: int,
    audience: access.Protection | None,
) -> tuple[dict[str, float], str, dict[str, Any]]:
    audience = audience or plan_audience(mission)
    forecast = forecast_site_risk(user, mission, sites, plan_start, horizon_days, audience)
    if forecast is not None:
        return forecast[0], RiskSource.FORECAST, forecast[1]
    risk, detail = incident_history_risk(user, mission, sites, plan_start, audience)
    return risk, RiskSource.INCIDENT_HISTORY, {**detail, "no_forecast": True}


def build_problem(
    *,
    user: Any,
    mission: Mission,
    plan_start: date,
    horizon_days: int = 90,
    name: str | None = None,
    audience: access.Protection | None = None,
) -> BuiltProblem:
    """The engine problem for the mission's force over ``horizon_days`` from ``plan_start``.

    Raises
    ------
    bluebox.engines.deployment.ProblemError
        When the records (or a site override in the mission settings) make an invalid problem.
    """
    settings_doc = (mission.settings or {}).get("deployment") or {}
    qrf = engine.QrfRule(**(settings_doc.get("qrf") or {}))
    sites = list(FieldSite.objects.filter(mission=mission).order_by("code"))
    site_codes = {s.code for s in sites}
    risk, risk_source, detail = _risk(user, mission, sites, plan_start, horizon_days, audience)

    caveats = list(Caveat.objects.filter(mission=mission).select_related("country", "unit"))
    by_country: dict[str, list[Caveat]] = defaultdict(list)
    by_unit: dict[int, list[Caveat]] = defaultdict(list)
    for c in caveats:
        if c.unit_id is None:
            by_country[c.country.code].append(c)
        else:
            by_unit[c.unit_id].append(c)
    caveat_docs: list[dict[str, Any]] = []
    country_sets: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, items in sorted(by_country.items()):
        sid = f"pcc-{code}"
        caveat_docs.append({"id": sid, "country": code, **_caveat_fields(items, site_codes)})
        country_sets[code] = sid
        names[sid] = f"{items[0].country.name} (national caveats)"

    fpus = list(
        FormedPoliceUnit.objects.filter(mission=mission).select_related("country", "home_site")
    )
    fpu_docs = []
    for f in fpus:
        set_id = country_sets.get(f.country.code)
        if by_unit.get(f.pk):
            set_id = f"fpu-{f.pk}-caveats"
            merged = by_country.get(f.country.code, []) + by_unit[f.pk]
            caveat_docs.append(
                {"id": set_id, "country": f.country.code, **_caveat_fields(merged, site_codes)}
            )
            names[set_id] = f"{f.name} (unit caveats)"
        doc = _fpu_document(f, plan_start, horizon_days, set_id)
        if doc.get("available") == []:
            continue
        fpu_docs.append(doc)
        names[doc["id"]] = f.name
    spt_docs = []
    for t in SpecialisedPoliceTeam.objects.filter(mission=mission).select_related(
        "country", "site"
    ):
        doc = _spt_document(t, plan_start, horizon_days, country_sets.get(t.country.code))
        if doc.get("available") == []:
            continue
        spt_docs.append(doc)
        names[doc["id"]] = t.name
    ipos = list(
        IndividualPoliceOfficer.objects.filter(mission=mission).select_related("country", "site")
    )
    ipo_docs, ipo_names, members = _ipo_classes(ipos, plan_start, horizon_days, country_sets)
    names.update(ipo_names)
    names.update({s.code: s.name for s in sites})
    # Country names, so the plan's pages can say "3 IPOs from Astoria", not "IPOs ASR".
    for country in (
        {x.country for x in fpus} | {x.country for x in ipos} | {c.country for c in caveats}
    ):
        names[f"country:{country.code}"] = country.name
    document: dict[str, Any] = {
        "schema_version": 1,
        "name": name or f"{mission.code} from {plan_start.isoformat()}",
        "plan_start": plan_start.isoformat(),
        "horizon_days": horizon_days,
        "redeployment_days": int(settings_doc.get("redeployment_days", DEFAULT_REDEPLOYMENT_DAYS)),
        "min_platoons_at_base": int(settings_doc.get("min_platoons_at_base", 1)),
        "qrf": {
            "reach_hours": qrf.reach_hours,
            "speed_kmh": qrf.speed_kmh,
            "road_factor": qrf.road_factor,
            "strength": qrf.strength,
        },
        "sites": _site_documents(mission, sites, risk, qrf),
        "fpus": fpu_docs,
        "spts": spt_docs,
        "ipo_classes": ipo_docs,
        "caveat_sets": caveat_docs,
    }
    problem = engine.problem_from_dict(document)
    detail = {**detail, "ipo_class_members": members}
    return BuiltProblem(problem, document, names, risk_source, detail)


# --- solutions back to records ---------------------------------------------------------------


def assignment_from_document(solution: dict[str, Any]) -> Assignment:
    """The assignment stored in a plan document (to warm-start a what-if)."""
    a = solution.get("assignments") or {}
    return Assignment(
        fpu_base={r["fpu"]: r["base_site"] for r in a.get("fpus", [])},
        fpu_platoons={r["fpu"]: dict(r["platoons"]) for r in a.get("fpus", [])},
        spt_site={r["spt"]: r["site"] for r in a.get("spts", [])},
        ipo_sites={r["ipo_class"]: dict(r["sites"]) for r in a.get("ipo_classes", [])},
    )


def _unit_officers(problem: engine.Problem, a: Assignment) -> dict[str, list[tuple[str, int]]]:
    """Site -> [(unit id, officers placed there)] under the assignment."""
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for f in problem.fpus:
        base = a.fpu_base.get(f.id)
        if base is None:
            continue
        platoons = a.fpu_platoons.get(f.id) or {base: f.platoons}
        per_site: dict[str, int] = defaultdict(int)
        per_site[base] += f.hq_strength
        for s, k in platoons.items():
            per_site[s] += k * f.platoon_strength
        for s, n in per_site.items():
            if n:
                out[s].append((f.id, n))
    for t in problem.spts:
        where = a.spt_site.get(t.id)
        if where is not None:
            out[where].append((t.id, t.strength))
    for c in problem.ipo_classes:
        for s, k in (a.ipo_sites.get(c.id) or {}).items():
            if k:
                out[s].append((c.id, k))
    return out


def board_rows(
    problem: engine.Problem, solution: engine.Solution, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Per site: risk, need, officers and coverage (averaged over the period), units present."""
    if solution.assignment is None or solution.evaluation is None:
        return []
    placed = _unit_officers(problem, solution.assignment)
    horizon = problem.horizon_days
    officers: dict[str, float] = defaultdict(float)
    coverage: dict[str, float] = defaultdict(float)
    lowest: dict[str, int] = {}
    qrf: dict[str, bool] = defaultdict(lambda: True)
    for se in solution.evaluation.site_epochs:
        site = problem.site(se.site)
        days = se.epoch[1] - se.epoch[0]
        officers[se.site] += se.officers * days / horizon
        coverage[se.site] += se.coverage / (1000 * site.need) * days / horizon
        lowest[se.site] = min(lowest.get(se.site, se.officers), se.officers)
        if site.needs_qrf_cover and se.qrf_bases == 0:
            qrf[se.site] = False
    rows = []
    for s in problem.sites:
        rows.append(
            {
                "site": s.id,
                "name": s.name,
                "kind": s.kind,
                "lat": s.lat,
                "lon": s.lon,
                "risk": s.risk,
                "need": s.need,
                "officers": round(officers[s.id], 1),
                "officers_min": lowest.get(s.id, 0),
                "coverage": round(coverage[s.id], 4),
                "qrf_ok": qrf[s.id],
                "units": [
                    {"id": u, "name": names.get(u, u), "officers": n}
                    for u, n in sorted(placed.get(s.id, []))
                ],
            }
        )
    return rows


def named_message(message: Message, names: dict[str, str]) -> Message:
    """The engine's message with the records' names for the ids inside its parameters."""
    order = sorted(names.items(), key=lambda kv: -len(kv[0]))

    def named(value: Any) -> Any:
        if isinstance(value, Message):
            return named_message(value, names)
        if isinstance(value, str):
            for key, name in order:
                value = value.replace(key, name)
        return value

    return replace(message, params={k: named(v) for k, v in message.params.items()})


def change_choices(
    problem: engine.Problem, names: dict[str, str]
) -> dict[str, list[tuple[str, str]]]:
    """What-if changes a planner may try on this problem, as (target, text) per kind."""
    from bluebox.engines.deployment import whatif

    def label(message: Message) -> str:
        return words.render(named_message(message, names))

    lifts = [(c.target, label(whatif.describe(problem, c))) for c in whatif.caveat_items(problem)]
    splits = [(c.target, label(whatif.describe(problem, c))) for c in whatif.split_changes(problem)]
    adds: list[tuple[str, str]] = [
        (p.id, f"add a {'standard FPU' if isinstance(p, engine.Fpu) else 'block of 20 IPOs'}")
        for p in whatif.standard_profiles(problem)
    ]
    present: list[engine.Fpu | engine.Spt | engine.IpoClass] = [
        *problem.fpus,
        *problem.spts,
        *problem.ipo_classes,
    ]
    removes = [(u.id, f"remove {names.get(u.id, u.id)}") for u in present]
    return {"lift_caveat": lifts, "allow_split": splits, "add_unit": adds, "remove_unit": removes}


def make_change(problem: engine.Problem, kind: str, target: str) -> Any:
    """The engine change for a (kind, target) chosen in the UI or API.

    Raises
    ------
    KeyError
        When the target does not exist in this problem.
    """
    from bluebox.engines.deployment import whatif

    if kind == "add_unit":
        profiles = {p.id: p for p in whatif.standard_profiles(problem)}
        unit = profiles[target]
        return whatif.Change("add_unit", unit.id, unit)
    if kind not in ("lift_caveat", "allow_split", "remove_unit"):
        raise KeyError(kind)
    change = whatif.Change(kind, target)  # type: ignore[arg-type]
    whatif.apply_change(problem, change)  # raises KeyError on an unknown target
    return change


REINFORCEMENT_NAMES = {"NEW-FPU": "Reinforcement FPU", "NEW-IPO": "Reinforcement IPOs"}
