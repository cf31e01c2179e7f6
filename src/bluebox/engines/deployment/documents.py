"""Reading and writing deployment problems as JSON documents.

:func:`problem_from_dict` validates against the JSON Schema and then checks what a schema
cannot say (ids unique, references resolve, coverage concave) so a bad file fails with one
clear sentence instead of a solver error later.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import jsonschema

from .coverage import units
from .problem import (
    DEFAULT_COVERAGE,
    CaveatSet,
    Fpu,
    Interval,
    IpoClass,
    Problem,
    QrfRule,
    Site,
    Spt,
)
from .schema import PROBLEM_SCHEMA


class ProblemError(ValueError):
    """The problem document is invalid; the message is one line meant for the planner."""


def _intervals(raw: Any) -> tuple[Interval, ...] | None:
    if raw is None:
        return None
    return tuple((int(a), int(b)) for a, b in raw)


def _unit_common(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": d["id"],
        "country": d["country"],
        "caveat_set": d.get("caveat_set"),
        "mission": d.get("mission"),
        "languages": tuple(d.get("languages", ())),
        "current_site": d.get("current_site"),
        "available": _intervals(d.get("available")),
    }


def problem_from_dict(doc: dict[str, Any]) -> Problem:
    """Build a :class:`Problem` from its JSON document.

    Parameters
    ----------
    doc : dict
        A document following ``deployment-problem.schema.json``.

    Returns
    -------
    Problem

    Raises
    ------
    ProblemError
        If the document does not follow the schema or is inconsistent.
    """
    try:
        jsonschema.validate(doc, PROBLEM_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "document"
        raise ProblemError(f"invalid problem at {where}: {exc.message}") from None
    sites = tuple(
        Site(
            id=s["id"],
            name=s.get("name", s["id"]),
            kind=s["kind"],
            lat=float(s["lat"]),
            lon=float(s["lon"]),
            risk=float(s["risk"]),
            need=int(s["need"]),
            mission=s.get("mission"),
            tasks=tuple(s.get("tasks", ())),
            overnight_base=bool(s.get("overnight_base", False)),
            fpu_base=bool(s.get("fpu_base", False)),
            base_support=bool(s.get("base_support", False)),
            max_officers=s.get("max_officers"),
            min_women_share=s.get("min_women_share"),
            skills=tuple(sorted(s.get("skills", {}).items())),
            languages=tuple(sorted(s.get("languages", {}).items())),
            needs_qrf_cover=bool(s.get("needs_qrf_cover", False)),
        )
        for s in doc["sites"]
    )
    caveats = tuple(
        CaveatSet(
            id=c["id"],
            country=c["country"],
            excluded_sites=tuple(c.get("excluded_sites", ())),
            excluded_site_kinds=tuple(c.get("excluded_site_kinds", ())),
            excluded_tasks=tuple(c.get("excluded_tasks", ())),
            no_overnight_outside_base=bool(c.get("no_overnight_outside_base", False)),
            redeployment_approval_days=c.get("redeployment_approval_days"),
        )
        for c in doc.get("caveat_sets", ())
    )
    fpus = tuple(
        Fpu(
            **_unit_common(f),
            platoons=f["platoons"],
            platoon_strength=f["platoon_strength"],
            hq_strength=f["hq_strength"],
            platoon_women=f.get("platoon_women", 0),
            hq_women=f.get("hq_women", 0),
            may_split=bool(f.get("may_split", False)),
            skills=tuple(f.get("skills", ("public_order",))),
        )
        for f in doc.get("fpus", ())
    )
    spts = tuple(
        Spt(
            **_unit_common(t),
            strength=t["strength"],
            women=t.get("women", 0),
            skills=tuple(t.get("skills", ())),
        )
        for t in doc.get("spts", ())
    )
    ipos = tuple(
        IpoClass(
            **_unit_common(c),
            count=c["count"],
            female=bool(c.get("female", False)),
            skills=tuple(c.get("skills", ())),
        )
        for c in doc.get("ipo_classes", ())
    )
    qrf_doc = doc.get("qrf", {})
    problem = Problem(
        name=doc["name"],
        plan_start=doc.get("plan_start"),
        horizon_days=doc["horizon_days"],
        sites=sites,
        fpus=fpus,
        spts=spts,
        ipo_classes=ipos,
        caveat_sets=caveats,
        redeployment_days=doc.get("redeployment_days", 0),
        min_platoons_at_base=doc.get("min_platoons_at_base", 1),
        qrf=QrfRule(**qrf_doc),
        coverage=tuple((float(x), float(y)) for x, y in doc.get("coverage", DEFAULT_COVERAGE)),
        travel_hours=tuple((a, b, float(h)) for a, b, h in doc.get("travel_hours", ())),
    )
    check_problem(problem)
    return problem


def check_problem(problem: Problem) -> None:  # noqa: PLR0912 - one branch per rule, kept together to read as a list
    """Raise :class:`ProblemError` if ids clash, references dangle or coverage is not concave."""
    site_ids = [s.id for s in problem.sites]
    unit_ids = [u.id for u in units(problem)]
    caveat_ids = [c.id for c in problem.caveat_sets]
    for label, ids in (("site", site_ids), ("unit", unit_ids), ("caveat set", caveat_ids)):
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                raise ProblemError(f"duplicate {label} id {i!r}")
            seen.add(i)
    known_sites, known_caveats = set(site_ids), set(caveat_ids)
    for c in problem.caveat_sets:
        for s in c.excluded_sites:
            if s not in known_sites:
                raise ProblemError(f"caveat set {c.id!r} excludes unknown site {s!r}")
    for u in units(problem):
        if u.caveat_set is not None and u.caveat_set not in known_caveats:
            raise ProblemError(f"unit {u.id!r} refers to unknown caveat set {u.caveat_set!r}")
        if u.current_site is not None and u.current_site not in known_sites:
            raise ProblemError(f"unit {u.id!r} is at unknown site {u.current_site!r}")
        for a, b in u.available or ():
            if a >= b:
                raise ProblemError(f"unit {u.id!r} has an empty availability interval [{a}, {b})")
    for f in problem.fpus:
        if f.platoon_women > f.platoon_strength or f.hq_women > f.hq_strength:
            raise ProblemError(f"FPU {f.id!r} has more women than officers")
        if f.hq_strength < problem.qrf.strength:
            raise ProblemError(f"FPU {f.id!r} headquarters is smaller than its QRF")
    for t in problem.spts:
        if t.women > t.strength:
            raise ProblemError(f"SPT {t.id!r} has more women than officers")
    for src, dst, _ in problem.travel_hours:
        if src not in known_sites or dst not in known_sites:
            raise ProblemError(f"travel time between unknown sites {src!r} and {dst!r}")
    points = problem.coverage
    if points[0] != (0.0, 0.0):
        raise ProblemError("coverage must start at [0, 0]")
    slopes = []
    for (x0, y0), (x1, y1) in pairwise(points):
        if x1 <= x0 or y1 < y0:
            raise ProblemError("coverage points must increase")
        slopes.append((y1 - y0) / (x1 - x0))
    if any(b > a + 1e-12 for a, b in pairwise(slopes)):
        raise ProblemError("coverage must be concave (slopes must not increase)")


def _drop_defaults(d: dict[str, Any]) -> dict[str, Any]:
    # Identity checks: 0 is a meaningful value (an approval delay of 0 days), unlike None.
    return {
        k: v
        for k, v in d.items()
        if not (v is None or v is False or (isinstance(v, list | tuple | dict) and not v))
    }


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """Serialise a :class:`Problem` to its JSON document (inverse of :func:`problem_from_dict`)."""

    def unit(u: Fpu | Spt | IpoClass) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": u.id,
            "country": u.country,
            "caveat_set": u.caveat_set,
            "mission": u.mission,
            "skills": list(u.skills),
            "languages": list(u.languages),
            "current_site": u.current_site,
            "available": [list(i) for i in u.available] if u.available is not None else None,
        }
        if isinstance(u, Fpu):
            d.update(
                platoons=u.platoons,
                platoon_strength=u.platoon_strength,
                platoon_women=u.platoon_women,
                hq_strength=u.hq_strength,
                hq_women=u.hq_women,
                may_split=u.may_split,
            )
        elif isinstance(u, Spt):
            d.update(strength=u.strength, women=u.women)
        else:
            d.update(count=u.count, female=u.female)
        return _drop_defaults(d)

    return {
        "schema_version": 1,
        "name": problem.name,
        "plan_start": problem.plan_start,
        "horizon_days": problem.horizon_days,
        "redeployment_days": problem.redeployment_days,
        "min_platoons_at_base": problem.min_platoons_at_base,
        "qrf": {
            "reach_hours": problem.qrf.reach_hours,
            "speed_kmh": problem.qrf.speed_kmh,
            "road_factor": problem.qrf.road_factor,
            "strength": problem.qrf.strength,
        },
        "coverage": [list(p) for p in problem.coverage],
        "travel_hours": [list(t) for t in problem.travel_hours],
        "sites": [
            _drop_defaults(
                {
                    "id": s.id,
                    "name": s.name,
                    "kind": s.kind,
                    "mission": s.mission,
                    "lat": s.lat,
                    "lon": s.lon,
                    "risk": s.risk,
                    "need": s.need,
                    "tasks": list(s.tasks),
                    "overnight_base": s.overnight_base,
                    "fpu_base": s.fpu_base,
                    "base_support": s.base_support,
                    "max_officers": s.max_officers,
                    "min_women_share": s.min_women_share,
                    "skills": dict(s.skills),
                    "languages": dict(s.languages),
                    "needs_qrf_cover": s.needs_qrf_cover,
                }
            )
            for s in problem.sites
        ],
        "caveat_sets": [
            _drop_defaults(
                {
                    "id": c.id,
                    "country": c.country,
                    "excluded_sites": list(c.excluded_sites),
                    "excluded_site_kinds": list(c.excluded_site_kinds),
                    "excluded_tasks": list(c.excluded_tasks),
                    "no_overnight_outside_base": c.no_overnight_outside_base,
                    "redeployment_approval_days": c.redeployment_approval_days,
                }
            )
            for c in problem.caveat_sets
        ],
        "fpus": [unit(f) for f in problem.fpus],
        "spts": [unit(t) for t in problem.spts],
        "ipo_classes": [unit(c) for c in problem.ipo_classes],
    }
