"""Who an approved deployment plan places at each site, read from the plan's own documents.

The plan stores the engine's problem and solution (``DeploymentPlan.problem``/``solution``),
so what it decided stays readable after the force records change. Apps above deployment
(patrols forms its teams from it) read placements here rather than parsing the documents
themselves. Nothing here authorizes: callers hold the plan through ``core.access`` or act for
the service that approved it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from bluebox.deployment.models import DeploymentPlan, PlanKind, PlanStatus


@dataclass(frozen=True)
class UnitPlatoons:
    """Platoons of one FPU at one site, numbered across the unit (base first, then by site)."""

    fpu_id: int
    numbers: tuple[int, ...]
    strength: int  # officers in each platoon
    women: int  # of whom women, in each platoon


@dataclass
class SitePlacement:
    """What the plan places at one site: FPU platoons and IPOs by contributing country."""

    site_code: str
    platoons: list[UnitPlatoons] = field(default_factory=list)
    # country code -> (officers, of whom women)
    ipos: dict[str, tuple[int, int]] = field(default_factory=dict)

    def fpu_ids(self) -> set[int]:
        return {p.fpu_id for p in self.platoons}


def approved_plans() -> QuerySet[DeploymentPlan]:
    """Every mission's approved plan (one each: an approval supersedes the one before)."""
    return DeploymentPlan.objects.filter(
        kind=PlanKind.PLAN, status=PlanStatus.APPROVED, voided_at__isnull=True
    )


def approved_plan(mission_id: int) -> DeploymentPlan | None:
    """The mission's approved plan, if it has one."""
    return approved_plans().filter(mission_id=mission_id).order_by("-decided_at", "-id").first()


def _record_id(engine_id: str, prefix: str) -> int | None:
    head, _, tail = engine_id.partition("-")
    return int(tail) if head == prefix and tail.isdigit() else None


def site_placements(plan: DeploymentPlan) -> dict[str, SitePlacement]:
    """Site code -> what ``plan`` places there (sites it leaves empty are absent)."""
    solution: dict[str, Any] = plan.solution or {}
    problem: dict[str, Any] = plan.problem or {}
    assignments = solution.get("assignments") or {}
    fpus = {f["id"]: f for f in problem.get("fpus", [])}
    out: dict[str, SitePlacement] = {}

    def at(code: str) -> SitePlacement:
        return out.setdefault(code, SitePlacement(site_code=code))

    for row in assignments.get("fpus", []):
        fpu_id = _record_id(row["fpu"], "fpu")
        base = row.get("base_site")
        if fpu_id is None or base is None:
            continue
        # A unit with no platoon detail keeps every platoon at its base (as the board reads it).
        per_site = {s: int(k) for s, k in (row.get("platoons") or {}).items() if int(k) > 0}
        if not per_site:
            per_site = {base: int(fpus.get(row["fpu"], {}).get("platoons", 0))}
        unit = fpus.get(row["fpu"], {})
        number = 1
        for code in sorted(per_site, key=lambda s: (s != base, s)):
            numbers = tuple(range(number, number + per_site[code]))
            number += per_site[code]
            if numbers:
                at(code).platoons.append(
                    UnitPlatoons(
                        fpu_id=fpu_id,
                        numbers=numbers,
                        strength=int(unit.get("platoon_strength", 0)),
                        women=int(unit.get("platoon_women", 0)),
                    )
                )
    classes = {c["id"]: c for c in problem.get("ipo_classes", [])}
    ipos: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in assignments.get("ipo_classes", []):
        cls = classes.get(row["ipo_class"])
        if cls is None:
            continue
        for code, k in (row.get("sites") or {}).items():
            if int(k) <= 0:
                continue
            tally = ipos[code][cls["country"]]
            tally[0] += int(k)
            tally[1] += int(k) if cls.get("female") else 0
    for code, by_country in ipos.items():
        at(code).ipos = {c: (n, w) for c, (n, w) in sorted(by_country.items())}
    for placement in out.values():
        placement.platoons.sort(key=lambda p: p.fpu_id)
    return out
