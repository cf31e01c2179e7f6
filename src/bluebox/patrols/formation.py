"""Patrol teams formed from what the approved deployment plan places at a site.

Each FPU platoon the plan places at a site becomes a vehicle team ("FPU Astoria platoon 2");
the IPOs it places there become teams of ``ipo_team_size`` officers per contributing country
(the mission's ``patrols`` setting, 4 by default), women spread over the teams so that as many
teams as possible include one. Once a mission has an approved plan, the teams in service at a
site are exactly those linked to it: a team of a superseded plan stays on record (its patrols
refer to it) but is no longer offered or accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from bluebox.deployment.models import ContributingCountry, FormedPoliceUnit
from bluebox.deployment.placements import SitePlacement, UnitPlatoons, approved_plans
from bluebox.missions.models import FieldSite, Mission
from bluebox.patrols.models import PatrolTeam, Shift, TeamMode

DEFAULT_IPO_TEAM_SIZE = 4


@dataclass(frozen=True)
class TeamSpec:
    """A team the plan's placement calls for at one site."""

    placement: str
    name: str
    mode: str
    duty_shifts: tuple[str, ...]
    days_off: tuple[int, ...]
    officers: int
    officers_women: int
    unit_id: int | None = None
    country_id: int | None = None


def in_service_q() -> Q:
    """Teams that may patrol: active, and of the approved plan once their mission has one."""
    plans = approved_plans()
    return Q(active=True) & (
        Q(deployment_plan__in=plans) | ~Q(mission_id__in=plans.values("mission_id"))
    )


def in_service(site: FieldSite) -> QuerySet[PatrolTeam]:
    """The site's teams that may patrol."""
    return PatrolTeam.objects.filter(in_service_q(), site=site)


def ipo_team_size(mission: Mission) -> int:
    size = ((mission.settings or {}).get("patrols") or {}).get("ipo_team_size")
    return max(1, int(size)) if size else DEFAULT_IPO_TEAM_SIZE


def _split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as integers allow, larger shares first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def team_specs(site: FieldSite, placement: SitePlacement) -> list[TeamSpec]:
    """The teams the placement at ``site`` forms, with staggered shifts and days off.

    Platoons rotate over morning, afternoon and night with one day off each, the pattern of a
    unit that keeps a quick reaction force in reserve; IPO teams work the day shifts, where
    they mentor and patrol with host-state police.
    """
    units = FormedPoliceUnit.objects.in_bulk(
        [p.fpu_id for p in placement.platoons if p.fpu_id is not None]
    )
    countries = {c.code: c for c in ContributingCountry.objects.filter(code__in=placement.ipos)}
    specs: list[TeamSpec] = []
    shifts = [Shift.MORNING, Shift.AFTERNOON, Shift.NIGHT]
    n = 0
    group: UnitPlatoons
    for group in placement.platoons:
        unit = units.get(group.fpu_id)
        if unit is None or unit.mission_id != site.mission_id:
            continue
        for number in group.numbers:
            specs.append(
                TeamSpec(
                    placement=f"fpu-{unit.pk}/{number}",
                    name=f"{unit.name} platoon {number}",
                    mode=TeamMode.VEHICLE,
                    duty_shifts=(shifts[n % 3],),
                    days_off=((n // 3) % 7 + 1,),
                    officers=group.strength,
                    officers_women=group.women,
                    unit_id=unit.pk,
                )
            )
            n += 1
    size = ipo_team_size(site.mission)
    for code, (officers, women) in placement.ipos.items():
        country = countries.get(code)
        if country is None:
            continue
        parts = -(-officers // size)
        for i, (k, w) in enumerate(zip(_split(officers, parts), _split(women, parts), strict=True)):
            specs.append(
                TeamSpec(
                    placement=f"ipo-{code}/{i + 1}",
                    name=f"{country.name} IPO team {i + 1}",
                    mode=TeamMode.VEHICLE,
                    duty_shifts=(shifts[n % 2],),
                    days_off=((n // 2) % 7 + 1,),
                    officers=k,
                    officers_women=min(w, k),
                    country_id=country.pk,
                )
            )
            n += 1
    return specs


def home_base_placement(site: FieldSite) -> SitePlacement:
    """Before any plan is approved: every platoon of the FPUs based at the site."""
    placement = SitePlacement(site_code=site.code)
    for unit in FormedPoliceUnit.objects.filter(mission_id=site.mission_id, home_site=site):
        placement.platoons.append(
            UnitPlatoons(
                fpu_id=unit.pk,
                numbers=tuple(range(1, unit.platoons + 1)),
                strength=0,
                women=0,
            )
        )
    placement.platoons.sort(key=lambda p: p.fpu_id)
    return placement


def placed_here(team: PatrolTeam, placement: SitePlacement | None) -> bool:
    """Whether a team defined by hand draws on officers the plan places at its site."""
    if placement is None:
        return False
    if team.unit_id is not None:
        return team.unit_id in placement.fpu_ids()
    if team.country_id is not None:
        codes = set(
            ContributingCountry.objects.filter(pk=team.country_id).values_list("code", flat=True)
        )
        return bool(codes & set(placement.ipos))
    return False
