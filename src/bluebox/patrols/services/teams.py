"""Patrol teams: formed from the approved deployment plan, or defined by hand within it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from bluebox.core import audit
from bluebox.core.exceptions import ServiceError
from bluebox.deployment import placements
from bluebox.deployment.models import ContributingCountry, DeploymentPlan, FormedPoliceUnit
from bluebox.deployment.placements import SitePlacement
from bluebox.missions.models import FieldSite, PartnerOrganisation
from bluebox.patrols import adapter, formation
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
    plan = placements.approved_plan(site.mission_id)
    if errors:
        raise ServiceError("Invalid patrol team.", field_errors=errors)
    team = PatrolTeam(
        deployment_plan=plan,
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
    if plan is not None and not formation.placed_here(
        team, placements.site_placements(plan).get(site.code)
    ):
        raise ServiceError(
            "The approved deployment plan places no officers of this unit or country at "
            "this site: a team here is drawn from the units and officers the plan places.",
            field_errors={"unit": ["Not placed at this site by the approved deployment plan."]},
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


def _form(
    actor: Any, site: FieldSite, plan: DeploymentPlan | None, placement: SitePlacement
) -> list[PatrolTeam]:
    """Create or re-link the teams ``placement`` forms at ``site``; the new ones are returned."""
    created = []
    for spec in formation.team_specs(site, placement):
        team = (
            PatrolTeam.objects.filter(site=site, placement=spec.placement).first()
            or PatrolTeam.objects.filter(site=site, name=spec.name).first()
        )
        if team is None:
            team = PatrolTeam(
                name=spec.name,
                mode=spec.mode,
                unit_id=spec.unit_id,
                country_id=spec.country_id,
                duty_shifts=list(spec.duty_shifts),
                days_off=list(spec.days_off),
                **_scope_fields(site),
            )
            created.append(team)
        elif team.deployment_plan_id == (plan.pk if plan else None) and team.placement:
            continue  # already formed from this plan
        team.placement = spec.placement
        team.deployment_plan = plan
        team.officers = spec.officers or None
        team.officers_women = spec.officers_women if spec.officers else None
        team.active = True
        team.save()
        audit.record(
            actor=actor,
            action="create" if team in created else "form",
            resource="patrol-team",
            object_id=team.pk,
            mission_id=site.mission_id,
            detail={"deployment_plan": plan.pk if plan else None, "placement": spec.placement},
        )
    return created


def patrol_teams_form(*, actor: Any, plan: DeploymentPlan) -> list[PatrolTeam]:
    """Form every site's teams from a plan being approved (run in the approval's transaction).

    The approving commander's authority over the mission's plan covers it; teams defined by
    hand follow the plan when it still places their unit or country's officers at their site.
    """
    by_site = placements.site_placements(plan)
    created = []
    for site in FieldSite.objects.filter(mission_id=plan.mission_id).select_related("mission"):
        placement = by_site.get(site.code)
        if placement is not None:
            created += _form(actor, site, plan, placement)
        for team in PatrolTeam.objects.filter(site=site, placement="", active=True):
            if formation.placed_here(team, placement):
                team.deployment_plan = plan
                team.save(update_fields=["deployment_plan"])
                audit.record(
                    actor=actor,
                    action="form",
                    resource="patrol-team",
                    object_id=team.pk,
                    mission_id=site.mission_id,
                    detail={"deployment_plan": plan.pk},
                )
    return created


@transaction.atomic
def patrol_teams_from_deployment(*, actor: Any, site_id: int) -> list[PatrolTeam]:
    """The site's teams from the approved deployment plan (before one: its based FPUs).

    Names already in use are kept and re-linked to the plan, so a platoon's history stays on
    one team from plan to plan.
    """
    site = site_for(actor, site_id, "plan")
    plan = placements.approved_plan(site.mission_id)
    if plan is None:
        return _form(actor, site, None, formation.home_base_placement(site))
    placement = placements.site_placements(plan).get(site.code)
    if placement is None:
        raise ServiceError(
            "The approved deployment plan places no unit or officer at this site: "
            "no team can be formed here."
        )
    return _form(actor, site, plan, placement)
