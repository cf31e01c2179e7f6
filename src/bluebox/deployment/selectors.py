"""Reads on force records and deployment plans; every query starts from ``access.visible``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from bluebox.core import access
from bluebox.deployment.models import (
    Caveat,
    DeploymentAnalysis,
    DeploymentPlan,
    FormedPoliceUnit,
    IndividualPoliceOfficer,
    PlanKind,
    PlanStatus,
    RosterNomination,
    SpecialisedPoliceTeam,
)
from bluebox.deployment.wording import recorded_caveat_sentence
from bluebox.missions.models import FieldSite


def plans_for(
    user: Any, mission_id: int | None = None, *, kind: str | None = None
) -> QuerySet[DeploymentPlan]:
    qs = access.visible(user, DeploymentPlan.objects.all()).filter(voided_at__isnull=True)
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.select_related("created_by", "base").order_by("-created_at", "-id")


def plan_for(user: Any, plan_id: int) -> DeploymentPlan:
    return access.get_visible(
        user, DeploymentPlan.objects.select_related("base", "created_by"), pk=plan_id
    )


def analysis_for(user: Any, analysis_id: int) -> DeploymentAnalysis:
    return access.get_visible(
        user, DeploymentAnalysis.objects.select_related("plan"), pk=analysis_id
    )


def current_plan(user: Any, mission_id: int) -> DeploymentPlan | None:
    """The approved plan, else the newest solved plan version the user may see."""
    plans = plans_for(user, mission_id, kind=PlanKind.PLAN)
    return (
        plans.filter(status=PlanStatus.APPROVED).first()
        or plans.filter(
            status__in=[PlanStatus.PROPOSED, PlanStatus.DRAFT, PlanStatus.RETURNED]
        ).first()
    )


def force_for(user: Any, mission_id: int) -> dict[str, Any]:
    """The mission's force records the user may see (force is read mission-wide)."""

    def visible(qs: QuerySet[Any]) -> QuerySet[Any]:
        return access.visible(user, qs).filter(mission_id=mission_id)

    ipos = visible(IndividualPoliceOfficer.objects.all())
    return {
        "fpus": list(visible(FormedPoliceUnit.objects.select_related("country", "home_site"))),
        "spts": list(visible(SpecialisedPoliceTeam.objects.select_related("country", "site"))),
        "ipo_count": ipos.count(),
        "ipo_women": ipos.filter(gender="female").count(),
        "caveats": list(visible(Caveat.objects.select_related("country", "unit"))),
        "nominations": list(visible(RosterNomination.objects.select_related("country"))),
    }


def caveats_for(user: Any, mission_id: int | None = None) -> QuerySet[Caveat]:
    qs = access.visible(user, Caveat.objects.select_related("country", "unit"))
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def compare(a: DeploymentPlan, b: DeploymentPlan) -> dict[str, Any]:
    """Side by side, per site: officers, risk and coverage of two plans, and the deltas."""
    rows_a = {r["site"]: r for r in a.board}
    rows_b = {r["site"]: r for r in b.board}
    rows = []
    for site in sorted(
        set(rows_a) | set(rows_b), key=lambda s: (rows_a.get(s) or rows_b[s])["name"]
    ):
        ra, rb = rows_a.get(site), rows_b.get(site)
        units_a = {u["name"] for u in (ra or {}).get("units", [])}
        units_b = {u["name"] for u in (rb or {}).get("units", [])}
        off_a = ra["officers"] if ra else 0.0
        off_b = rb["officers"] if rb else 0.0
        cov_a = ra["coverage"] if ra else 0.0
        cov_b = rb["coverage"] if rb else 0.0
        rows.append(
            {
                "site": site,
                "name": (ra or rb or {})["name"],
                "risk_a": ra["risk"] if ra else None,
                "risk_b": rb["risk"] if rb else None,
                "officers_a": off_a,
                "officers_b": off_b,
                "officers_delta": round(off_b - off_a, 1),
                "coverage_a": cov_a,
                "coverage_b": cov_b,
                "coverage_delta": round(cov_b - cov_a, 4),
                "units_in": sorted(units_b - units_a),
                "units_out": sorted(units_a - units_b),
            }
        )
    obj_a, obj_b = a.objective, b.objective
    return {
        "a": a,
        "b": b,
        "rows": rows,
        "objective_delta": None if obj_a is None or obj_b is None else obj_b - obj_a,
    }


def force_register(user: Any, mission_id: int) -> dict[str, Any]:
    """The force register page: contributing countries with their numbers, the IPOs grouped
    by site (a line per site, not per officer), the units and the caveats in sentences."""
    force = force_for(user, mission_id)
    ipos = access.visible(user, IndividualPoliceOfficer.objects.all()).filter(mission_id=mission_id)
    sites = {
        s.code: s.name
        for s in access.visible(user, FieldSite.objects.all()).filter(mission_id=mission_id)
    }
    by_country: dict[str, dict[str, Any]] = {}
    for row in ipos.values("country__code", "country__name", "gender").annotate(n=Count("id")):
        entry = by_country.setdefault(
            row["country__code"],
            {"name": row["country__name"], "ipos": 0, "women": 0, "fpus": 0, "spts": 0},
        )
        entry["ipos"] += row["n"]
        entry["women"] += row["n"] if row["gender"] == "female" else 0
    for unit, key in [(u, "fpus") for u in force["fpus"]] + [(t, "spts") for t in force["spts"]]:
        entry = by_country.setdefault(
            unit.country.code,
            {"name": unit.country.name, "ipos": 0, "women": 0, "fpus": 0, "spts": 0},
        )
        entry[key] += 1
    placed = (
        ipos.values("site__code", "site__name")
        .annotate(
            officers=Count("id"),
            women=Count("id", filter=Q(gender="female")),
            countries=Count("country", distinct=True),
        )
        .order_by("site__name")
    )
    return {
        **force,
        "countries": [{"code": code, **entry} for code, entry in sorted(by_country.items())],
        "ipos_by_site": list(placed),
        "caveat_sentences": [(c, recorded_caveat_sentence(c, sites)) for c in force["caveats"]],
    }
