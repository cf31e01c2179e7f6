"""Writes on patrols: teams, plan requests and runs, approval, overrides, executed patrols and
tracks. Each is atomic, authorized through :mod:`bluebox.core.access` and audited."""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core import services as core_services
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.deployment.models import ContributingCountry, FormedPoliceUnit
from bluebox.engines.patrol import ProblemError
from bluebox.incidents.selectors import incidents_for
from bluebox.missions.models import FieldSite, PartnerKind, PartnerOrganisation
from bluebox.patrols import adapter, tracks
from bluebox.patrols.models import (
    CommunityEngagement,
    Patrol,
    PatrolOverride,
    PatrolPlan,
    PatrolTeam,
    PlannedPatrol,
    PlanStatus,
    Shift,
    TeamMode,
)

HOST_STATE_KINDS = {PartnerKind.HOST_POLICE, PartnerKind.HOST_GENDARMERIE, PartnerKind.HOST_SPECIAL}


def site_for(actor: Any, site_id: int, action: str) -> FieldSite:
    """The site if the actor may see its patrols (else 404) and perform ``action`` (else 403)."""
    site = access.get_visible(actor, FieldSite.objects.select_related("mission"), pk=site_id)
    scope = {"mission_id": site.mission_id, "sector_id": site.sector_id, "site_id": site.pk}
    if not access.can_in_scope(actor, Resource.PATROL, "view", **scope):
        raise access.refuse(
            access.NotVisible(),
            actor=actor,
            action="view",
            resource=Resource.PATROL,
            object_id=f"site:{site.pk}",
            mission_id=site.mission_id,
        )
    access.require_in_scope(actor, Resource.PATROL, action, **scope)
    return site


def _scope_fields(site: FieldSite) -> dict[str, Any]:
    return {"mission_id": site.mission_id, "sector_id": site.sector_id, "site_id": site.pk}


# --- teams -----------------------------------------------------------------------------------


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


# --- plans -----------------------------------------------------------------------------------


def _latest(site: FieldSite, week_start: date) -> PatrolPlan | None:
    return PatrolPlan.objects.filter(site=site, week_start=week_start).order_by("-version").first()


@transaction.atomic
def patrol_plan_request(
    *, actor: Any, site_id: int, week_start: date, seed: int | None = None
) -> PatrolPlan:
    """Queue the solving of a site's plan for a week (a new version if one exists)."""
    site = site_for(actor, site_id, "plan")
    if week_start.weekday() != 0:
        raise ServiceError(
            "A patrol week starts on a Monday.", field_errors={"week_start": ["Not a Monday."]}
        )
    if not PatrolTeam.objects.filter(site=site, active=True).exists():
        raise ServiceError("This site has no active patrol team to plan for.")
    latest = _latest(site, week_start)
    # Lock the site's plans for the week so two requests cannot take the same version.
    list(PatrolPlan.objects.select_for_update().filter(site=site, week_start=week_start))
    plan = PatrolPlan.objects.create(
        week_start=week_start,
        version=(latest.version + 1) if latest else 1,
        previous=latest if latest and latest.plan is not None else None,
        status=PlanStatus.QUEUED,
        progress_message="Queued",
        generated_by=actor,
        generated_at=timezone.now(),
        # Never derived from the site or date: the schedule must not be guessable.
        seed=seed if seed is not None else secrets.randbelow(2**31),
        classification=Classification.CONFIDENTIAL,
        **_scope_fields(site),
    )
    audit.record(
        actor=actor,
        action="plan-request",
        resource=Resource.PATROL,
        object_id=plan.pk,
        mission_id=site.mission_id,
        detail={"week_start": week_start.isoformat(), "version": plan.version},
    )
    from bluebox.patrols.tasks import solve_patrol_plan

    plan_id = plan.pk
    transaction.on_commit(lambda: solve_patrol_plan(plan_id))
    return plan


def patrol_plan_replan(*, actor: Any, plan_id: int) -> PatrolPlan:
    """A new version of the plan's week from the records as they are now."""
    plan = access.get_visible(actor, PatrolPlan.objects.all(), pk=plan_id)
    return patrol_plan_request(actor=actor, site_id=plan.site_id, week_start=plan.week_start)


def _progress(plan_id: int, percent: int, message: str, status: str = PlanStatus.SOLVING) -> None:
    # Written outside the run's transaction so the page polling the plan sees it move.
    PatrolPlan.objects.filter(pk=plan_id).update(
        progress=percent, progress_message=message, status=status
    )


def patrol_plan_run(*, plan_id: int, time_limit_s: float = 30.0) -> PatrolPlan:
    """Build the problem, solve it, draw the week and store it as planned patrols.

    Runs in the task worker as the system, on behalf of the plan's author: the risk model only
    reads the incidents the author may see. Idempotent: a plan that already ran is left alone.
    """
    plan = PatrolPlan.objects.select_related("site__mission", "generated_by").get(pk=plan_id)
    if plan.status not in (PlanStatus.QUEUED, PlanStatus.SOLVING):
        return plan
    site = plan.site
    _progress(plan.pk, 10, "Building the problem from records")
    teams = list(PatrolTeam.objects.filter(site=site, active=True).select_related("unit"))
    try:
        if not teams:
            raise ProblemError("no active patrol team at this site")
        built = adapter.build_problem(
            user=plan.generated_by, site=site, week_start=plan.week_start, teams=teams
        )
        _progress(plan.pk, 35, "Solving the patrol game")
        document = adapter.solve_document(built.document, time_limit_s=time_limit_s)
        if document["solution"]["status"] not in ("optimal", "feasible", "local_optimum"):
            raise ProblemError(f"the solver ended with status {document['solution']['status']}")
        _progress(plan.pk, 80, "Drawing the week's patrols")
        drawn = adapter.draw_week(document, seed=int(plan.seed or 0), site_id=f"site-{site.pk}")
    except ProblemError as exc:
        PatrolPlan.objects.filter(pk=plan.pk).update(
            status=PlanStatus.FAILED,
            progress=100,
            progress_message="Failed",
            error=_readable(str(exc), teams)[:2000],
            finished_at=timezone.now(),
        )
        audit.record(
            actor=None,
            action="plan-fail",
            resource=Resource.PATROL,
            object_id=plan.pk,
            mission_id=plan.mission_id,
        )
        plan.refresh_from_db()
        return plan
    return _store_plan(plan, built, document, drawn)


def _readable(message: str, teams: list[PatrolTeam]) -> str:
    """Engine messages name teams by engine id; planners know them by name."""
    for team in teams:
        message = message.replace(f"'team-{team.pk}'", f"'{team.name}'")
    return message


@transaction.atomic
def _store_plan(
    plan: PatrolPlan, built: adapter.BuiltProblem, document: dict[str, Any], drawn: dict[str, Any]
) -> PatrolPlan:
    plan = PatrolPlan.objects.select_for_update().get(pk=plan.pk)
    plan.plan = document
    plan.drawn = drawn
    plan.risk_source = built.risk_source
    plan.risk_detail = {**built.risk_detail, "area_names": built.area_names}
    plan.solver = {
        **document["solution"],
        "engine": "bluebox.engines.patrol",
        "solver": "HiGHS",
        "targets": len(document["problem"]["areas"]) * len(document["problem"]["slots"]),
        "teams": len(document["problem"]["teams"]),
    }
    plan.override_score = {"score": 0.0, "changed_slots": [], "violations": []}
    if plan.previous_id is not None and plan.previous is not None and plan.previous.plan:
        plan.changes = adapter.plan_changes(plan.previous.plan, document)
    plan.status = PlanStatus.DRAFT
    plan.progress = 100
    plan.progress_message = "Done"
    plan.finished_at = timezone.now()
    plan.save()
    PlannedPatrol.objects.bulk_create(
        PlannedPatrol(
            plan=plan,
            mission_id=plan.mission_id,
            sector_id=plan.sector_id,
            site_id=plan.site_id,
            classification=plan.classification,
            **row,
        )
        for row in adapter.patrol_rows(drawn, plan.week_start)
    )
    # Older drafts of the same week give way; an approved plan stays until this one is approved.
    PatrolPlan.objects.filter(
        site_id=plan.site_id, week_start=plan.week_start, status=PlanStatus.DRAFT
    ).exclude(pk=plan.pk).update(status=PlanStatus.SUPERSEDED)
    audit.record(
        actor=None,
        action="plan-solve",
        resource=Resource.PATROL,
        object_id=plan.pk,
        mission_id=plan.mission_id,
        detail={"risk_source": plan.risk_source, "patrols": len(drawn["patrols"])},
    )
    return plan


@transaction.atomic
def patrol_plan_approve(*, actor: Any, plan_id: int) -> PatrolPlan:
    plan = access.get_visible(
        actor, PatrolPlan.objects.select_for_update(), action="approve", pk=plan_id
    )
    if plan.status != PlanStatus.DRAFT:
        raise ServiceError(f"Only a draft plan can be approved (this one is {plan.status}).")
    PatrolPlan.objects.filter(
        site_id=plan.site_id, week_start=plan.week_start, status=PlanStatus.APPROVED
    ).update(status=PlanStatus.SUPERSEDED)
    plan.status = PlanStatus.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(
        actor=actor,
        action="approve",
        resource=Resource.PATROL,
        object_id=plan.pk,
        mission_id=plan.mission_id,
    )
    return plan


def _current_rows(plan: PatrolPlan) -> list[PlannedPatrol]:
    return list(plan.patrols.filter(voided_at__isnull=True).order_by("date", "depart", "team_id"))


@dataclass(frozen=True)
class OverridePreview:
    slot: str
    before: list[dict[str, Any]]
    after: list[dict[str, Any]]
    score: dict[str, Any]
    patrols: list[Any]


def _override_week(
    plan: PatrolPlan, slot: str, assignments: Iterable[tuple[int, str]]
) -> OverridePreview:
    if plan.plan is None or plan.drawn is None:
        raise ServiceError("This plan has not been solved yet.")
    slots = {s["id"] for s in plan.plan["problem"]["slots"]}
    if slot not in slots:
        raise ServiceError("Unknown slot.", field_errors={"slot": ["Unknown slot."]})
    wanted = [(int(t), str(a)) for t, a in assignments]
    teams = [t for t, _ in wanted]
    areas = [a for _, a in wanted]
    if len(set(teams)) != len(teams) or len(set(areas)) != len(areas):
        raise ServiceError("Each team and each area appears at most once in a slot.")
    rows = _current_rows(plan)
    before = [{"team": r.team_id, "area": r.area} for r in rows if r.slot == slot]
    kept = [(r.team_id, r.slot, r.area) for r in rows if r.slot != slot]
    try:
        week, patrols = adapter.edited_week(plan.plan, kept + [(t, slot, a) for t, a in wanted])
    except ProblemError as exc:
        raise ServiceError(f"Not a possible patrol: {exc}.") from exc
    score = adapter.override_score(plan.plan, plan.drawn, week)
    after = [{"team": t, "area": a} for t, a in wanted]
    return OverridePreview(slot, before, after, score, patrols)


def patrol_override_preview(
    *, actor: Any, plan_id: int, slot: str, assignments: Iterable[tuple[int, str]]
) -> OverridePreview:
    """What an override would cost, without saving it (the meter before committing)."""
    plan = access.get_visible(actor, PatrolPlan.objects.all(), action="plan", pk=plan_id)
    return _override_week(plan, slot, assignments)


@transaction.atomic
def patrol_plan_override(
    *,
    actor: Any,
    plan_id: int,
    slot: str,
    assignments: Iterable[tuple[int, str]],
    reason: str,
) -> PatrolOverride:
    """Replace one slot's patrols by hand; caveats and shift limits still bind.

    The stored score is the engine's predictability meter for the whole edited week against
    the drawn one, so it accumulates over successive overrides.
    """
    plan = access.get_visible(
        actor, PatrolPlan.objects.select_for_update(), action="plan", pk=plan_id
    )
    if plan.status != PlanStatus.DRAFT:
        raise ServiceError("Only a draft plan can be overridden; re-plan to change this one.")
    if not reason.strip():
        raise ServiceError(
            "Say why the slot is overridden.", field_errors={"reason": ["Required."]}
        )
    preview = _override_week(plan, slot, assignments)
    if preview.score["violations"]:
        raise ServiceError(
            "The override breaks the rules: " + "; ".join(preview.score["violations"][:5]) + ".",
            field_errors={"assignments": preview.score["violations"][:10]},
        )
    if preview.score["changed_slots"] == plan.override_score.get("changed_slots") and (
        preview.before == preview.after
    ):
        raise ServiceError("Nothing changed in this slot.")
    now = timezone.now()
    for row in plan.patrols.filter(slot=slot, voided_at__isnull=True):
        row.voided_at, row.voided_by, row.void_reason = now, actor, "overridden"
        row.save(update_fields=["voided_at", "voided_by", "void_reason"])
    PlannedPatrol.objects.bulk_create(
        PlannedPatrol(
            plan=plan,
            mission_id=plan.mission_id,
            sector_id=plan.sector_id,
            site_id=plan.site_id,
            classification=plan.classification,
            overridden=True,
            team_id=adapter.team_pk(p.team),
            date=adapter.slot_date(plan.week_start, p.slot),
            slot=p.slot,
            shift=adapter.slot_shift(p.slot),
            area=p.area,
            route_out=list(p.route_out),
            route_back=list(p.route_back),
            depart=p.depart,
            arrive=p.arrive,
            leave=p.leave,
            back=p.back,
            travel_min=p.travel_min,
        )
        for p in preview.patrols
        if p.slot == slot
    )
    override = PatrolOverride.objects.create(
        plan=plan,
        mission_id=plan.mission_id,
        sector_id=plan.sector_id,
        site_id=plan.site_id,
        classification=plan.classification,
        slot=slot,
        before=preview.before,
        after=preview.after,
        reason=reason.strip(),
        score=preview.score["score"],
        score_before=float(plan.override_score.get("score", 0.0)),
        detail=preview.score,
        made_by=actor,
        made_at=now,
    )
    plan.override_score = preview.score
    plan.save(update_fields=["override_score"])
    audit.record(
        actor=actor,
        action="override",
        resource=Resource.PATROL,
        object_id=plan.pk,
        mission_id=plan.mission_id,
        detail={"slot": slot, "score": preview.score["score"]},
    )
    return override


def patrol_plan_void(*, actor: Any, plan_id: int, reason: str) -> PatrolPlan:
    plan = access.get_visible(actor, PatrolPlan.objects.all(), action="void", pk=plan_id)
    return cast(PatrolPlan, core_services.record_void(actor=actor, record=plan, reason=reason))


# --- executed patrols ------------------------------------------------------------------------


@dataclass(frozen=True)
class EngagementInput:
    group: str
    topics: str = ""
    women: int = 0
    men: int = 0
    girls: int = 0
    boys: int = 0


def hrddp_gate(*, partner: PartnerOrganisation, at: datetime) -> None:
    """Refuse a joint patrol with a host-state unit whose HRDDP status forbids support.

    The HRDDP capability owns the decision (``bluebox.hrddp.services.support_gate``); where
    it is not installed yet there is no gate to ask, and the patrol is recorded.
    """
    try:
        module = importlib.import_module("bluebox.hrddp.services")
    except ImportError:
        return
    support_gate = getattr(module, "support_gate", None)
    if support_gate is None:
        return
    decision = support_gate(partner_id=partner.pk, activity="joint_patrol", at=at)
    allowed = getattr(decision, "allowed", decision)
    if allowed is False:
        reason = getattr(decision, "reason", "") or "its HRDDP status forbids support"
        raise ServiceError(
            f"Joint patrols with {partner.name} are not allowed: {reason}.",
            field_errors={"partner": [str(reason)]},
        )


def _record_field_errors(
    *,
    started_at: datetime,
    ended_at: datetime,
    members: int,
    members_women: int,
    classification: int,
    engagements: Sequence[EngagementInput],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if ended_at <= started_at:
        errors["ended_at"] = ["The patrol must end after it starts."]
    if started_at > timezone.now():
        errors["started_at"] = ["In the future."]
    if members < 1:
        errors["members"] = ["At least one member."]
    if not 0 <= members_women <= max(members, 0):
        errors["members_women"] = ["Between 0 and the number of members."]
    if classification not in (Classification.UNCLASSIFIED, Classification.CONFIDENTIAL):
        errors["classification"] = ["Patrol records are UNCLASSIFIED or CONFIDENTIAL."]
    for i, e in enumerate(engagements):
        if not e.group.strip():
            errors[f"engagements.{i}.group"] = ["Required."]
        if min(e.women, e.men, e.girls, e.boys) < 0:
            errors[f"engagements.{i}"] = ["Counts cannot be negative."]
    return errors


@transaction.atomic
def patrol_record(
    *,
    actor: Any,
    site_id: int,
    team_id: int,
    started_at: datetime,
    ended_at: datetime,
    members: int,
    members_women: int = 0,
    partner_id: int | None = None,
    planned_id: int | None = None,
    observations: str = "",
    incident_ids: Sequence[int] = (),
    engagements: Sequence[EngagementInput] = (),
    classification: int = Classification.CONFIDENTIAL,
) -> Patrol:
    """Record a patrol as executed (joint patrols pass the HRDDP support gate)."""
    site = site_for(actor, site_id, "record")
    errors = _record_field_errors(
        started_at=started_at,
        ended_at=ended_at,
        members=members,
        members_women=members_women,
        classification=classification,
        engagements=engagements,
    )
    team = PatrolTeam.objects.filter(pk=team_id, site=site).first()
    if team is None:
        errors["team"] = ["Unknown team at this site."]
    planned = None
    if planned_id is not None:
        planned = PlannedPatrol.objects.filter(
            pk=planned_id, site=site, voided_at__isnull=True
        ).first()
        if planned is None or (team is not None and planned.team_id != team.pk):
            errors["planned"] = ["Unknown planned patrol of this team at this site."]
    partner = _host_unit(site, partner_id)
    if partner_id is not None and partner is None:
        errors["partner"] = ["Unknown host-state unit in this mission."]
    elif partner_id is None and team is not None and team.mode == TeamMode.JOINT:
        partner = team.partner
        if partner is None:
            errors["partner"] = ["A joint patrol records its host-state unit."]
    visible_incidents = list(
        incidents_for(actor).filter(pk__in=list(incident_ids), mission_id=site.mission_id)
    )
    if len(visible_incidents) != len(set(incident_ids)):
        errors["incidents"] = ["Unknown incident."]
    if errors:
        raise ServiceError("Invalid patrol record.", field_errors=errors)
    assert team is not None  # noqa: S101 (checked above)
    if partner is not None:
        hrddp_gate(partner=partner, at=started_at)
    patrol = Patrol.objects.create(
        team=team,
        planned=planned,
        started_at=started_at,
        ended_at=ended_at,
        members=members,
        members_women=members_women,
        partner=partner,
        observations=observations,
        recorded_by=actor,
        recorded_at=timezone.now(),
        classification=classification,
        **_scope_fields(site),
    )
    patrol.incidents.set(visible_incidents)
    CommunityEngagement.objects.bulk_create(
        CommunityEngagement(
            patrol=patrol,
            group=e.group.strip(),
            topics=e.topics,
            women=e.women,
            men=e.men,
            girls=e.girls,
            boys=e.boys,
            classification=classification,
            **_scope_fields(site),
        )
        for e in engagements
    )
    audit.record(
        actor=actor,
        action="create",
        resource="patrol-record",
        object_id=patrol.pk,
        mission_id=site.mission_id,
        detail={"joint": partner is not None, "incidents": len(visible_incidents)},
    )
    return patrol


@transaction.atomic
def patrol_track_upload(*, actor: Any, patrol_id: int, filename: str, content: bytes) -> Patrol:
    """Attach a GPX or GeoJSON track and compute dosage; a bad file changes nothing."""
    patrol = access.get_visible(
        actor,
        Patrol.objects.select_for_update().select_related("site"),
        action="record",
        pk=patrol_id,
    )
    if patrol.voided_at is not None:
        raise ServiceError("This patrol record is voided.")
    try:
        track = tracks.parse_track(filename, content)
        track = tracks.check_against_patrol(
            track,
            site_latlon=(patrol.site.latitude, patrol.site.longitude),
            started_at=patrol.started_at,
            ended_at=patrol.ended_at,
        )
    except tracks.TrackError as exc:
        raise ServiceError(str(exc), field_errors={"track": [str(exc)]}) from exc
    patrol.track = track.geojson()
    patrol.track_times = [t.isoformat() if t else None for t in track.times]
    patrol.track_km = tracks.length_km(track)
    patrol.dosage = tracks.dosage(track)
    patrol.save(update_fields=["track", "track_times", "track_km", "dosage"])
    audit.record(
        actor=actor,
        action="track-upload",
        resource="patrol-record",
        object_id=patrol.pk,
        mission_id=patrol.mission_id,
        detail={"format": track.fmt, "points": len(track.points)},
    )
    return patrol


def patrol_void(*, actor: Any, patrol_id: int, reason: str) -> Patrol:
    patrol = access.get_visible(actor, Patrol.objects.all(), action="void", pk=patrol_id)
    return cast(Patrol, core_services.record_void(actor=actor, record=patrol, reason=reason))
