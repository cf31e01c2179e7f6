"""Patrol teams: created by hand or from the deployment plan's units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from bluebox.core import audit
from bluebox.core.exceptions import ServiceError
from bluebox.deployment.models import ContributingCountry, FormedPoliceUnit
from bluebox.missions.models import FieldSite, PartnerOrganisation
from bluebox.patrols import adapter
from bluebox.patrols.models import (
    PatrolTeam,
    Shift,
    TeamMode,
)
from bluebox.patrols.services.common import HOST_STATE_KINDS, _scope_fields, site_for


@dataclass(frozen=True)
class TeamInput:
    name: str
    mode: str
    duty_shifts: Sequence[str]
    days_off: Sequence[int] = ()
    unit_id: int | None = None
    country_id: int | None = None
    partner_id: int | None = None
    max_slots_per_day: int = 1
    max_slots_per_week: int = 6
    min_rest_slots: int = 1
    max_patrol_min: int = 480
    min_presence_min: int = 60


def _team_field_errors(site: FieldSite, data: TeamInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.mode not in TeamMode.values:
        errors["mode"] = ["Unknown mode."]
    bad_shifts = set(data.duty_shifts) - set(Shift.values)
    if bad_shifts or not data.duty_shifts:
        errors["duty_shifts"] = ["Choose at least one of morning, afternoon, night."]
    if any(int(d) not in range(1, 8) for d in data.days_off):
        errors["days_off"] = ["Days off are ISO weekdays, 1 (Monday) to 7."]
    if not data.name.strip():
        errors["name"] = ["Required."]
    elif PatrolTeam.objects.filter(site=site, name=data.name.strip()).exists():
        errors["name"] = ["A team with this name already patrols from this site."]
    return errors


def _host_unit(site: FieldSite, partner_id: int | None) -> PartnerOrganisation | None:
    if partner_id is None:
        return None
    return PartnerOrganisation.objects.filter(
        pk=partner_id, mission_id=site.mission_id, kind__in=HOST_STATE_KINDS
    ).first()


@transaction.atomic
def patrol_team_create(*, actor: Any, site_id: int, data: TeamInput) -> PatrolTeam:
    """Define a patrol team at a site; its roster must fit its shift limits."""
    site = site_for(actor, site_id, "plan")
    errors = _team_field_errors(site, data)
    unit = None
    if data.unit_id is not None:
        unit = FormedPoliceUnit.objects.filter(pk=data.unit_id, mission_id=site.mission_id).first()
        if unit is None:
            errors["unit"] = ["Unknown unit in this mission."]
    if (
        data.country_id is not None
        and not ContributingCountry.objects.filter(pk=data.country_id).exists()
    ):
        errors["country"] = ["Unknown contributing country."]
    partner = _host_unit(site, data.partner_id)
    if data.partner_id is not None and partner is None:
        errors["partner"] = ["Unknown host-state unit in this mission."]
    if data.mode == TeamMode.JOINT and data.partner_id is None:
        errors["partner"] = ["A joint team names its host-state unit."]
    if errors:
        raise ServiceError("Invalid patrol team.", field_errors=errors)
    team = PatrolTeam(
        name=data.name.strip(),
        mode=data.mode,
        unit=unit,
        country_id=data.country_id,
        partner=partner,
        duty_shifts=[s for s, _, _ in adapter.SHIFTS if s in set(data.duty_shifts)],
        days_off=sorted({int(d) for d in data.days_off}),
        max_slots_per_day=data.max_slots_per_day,
        max_slots_per_week=data.max_slots_per_week,
        min_rest_slots=data.min_rest_slots,
        max_patrol_min=data.max_patrol_min,
        min_presence_min=data.min_presence_min,
        **_scope_fields(site),
    )
    problem = adapter.roster_error(team)
    if problem:
        raise ServiceError(
            f"The duty roster breaks the shift limits: {problem}.",
            field_errors={"duty_shifts": [problem]},
        )
    team.save()
    audit.record(
        actor=actor,
        action="create",
        resource="patrol-team",
        object_id=team.pk,
        mission_id=site.mission_id,
    )
    return team


@transaction.atomic
def patrol_teams_from_deployment(*, actor: Any, site_id: int) -> list[PatrolTeam]:
    """One vehicle team per platoon of each FPU based at the site, shifts in rotation.

    Platoons rotate over morning, afternoon and night with a day off each (staggered), the
    pattern of a unit that keeps a quick reaction force in reserve. Existing names are kept.
    """
    site = site_for(actor, site_id, "plan")
    created = []
    shifts = [s for s, _, _ in adapter.SHIFTS]
    n = 0
    for unit in FormedPoliceUnit.objects.filter(
        mission_id=site.mission_id, home_site=site
    ).order_by("name"):
        for platoon in range(1, unit.platoons + 1):
            name = f"{unit.name} platoon {platoon}"
            if PatrolTeam.objects.filter(site=site, name=name).exists():
                continue
            data = TeamInput(
                name=name,
                mode=TeamMode.VEHICLE,
                duty_shifts=[shifts[n % 3]],
                days_off=[(n // 3) % 7 + 1],
                unit_id=unit.pk,
            )
            created.append(patrol_team_create(actor=actor, site_id=site.pk, data=data))
            n += 1
    return created
