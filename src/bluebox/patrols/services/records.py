"""What a patrol did: its record (with the HRDDP gate on joint patrols) and its track."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import Conflict, ServiceError
from bluebox.guide import selectors as guide
from bluebox.hrddp.selectors import support_gate
from bluebox.incidents.selectors import incidents_for
from bluebox.missions.models import FieldSite, PartnerOrganisation
from bluebox.patrols import formation, tracks
from bluebox.patrols.models import (
    CommunityEngagement,
    Patrol,
    PatrolTeam,
    PlannedPatrol,
    TeamMode,
)
from bluebox.patrols.services.common import _scope_fields, site_for
from bluebox.patrols.services.teams import _host_unit


@dataclass(frozen=True)
class EngagementInput:
    group: str
    topics: str = ""
    women: int = 0
    men: int = 0
    girls: int = 0
    boys: int = 0


def hrddp_gate(
    *, partner: PartnerOrganisation, at: datetime, site: FieldSite | None = None
) -> None:
    """Refuse a joint patrol with a host-state unit whose HRDDP status forbids support, or
    that the mission's rules in force at ``site`` do not allow.

    The HRDDP capability owns the support decision (:func:`bluebox.hrddp.selectors.support_gate`);
    the field guide owns the rules (:func:`bluebox.guide.selectors.gate`), which read that
    decision as the fact ``hrddp_cleared`` and add their own conditions and citations.
    """
    decision = support_gate(partner_id=partner.pk, activity="joint_patrol", at=at)
    rules = None
    if site is not None and guide.has_rules(site.mission_id):
        rules = guide.gate(site, "joint_patrol", at, hrddp_cleared=decision.allowed)
    cited = (
        ["See: " + "; ".join(rules.words.citations) + "."]
        if rules is not None and rules.words and rules.words.citations
        else []
    )
    if not decision.allowed:
        reason = decision.reason or "its HRDDP status forbids support"
        raise ServiceError(
            f"Joint patrols with {partner.name} are not allowed: {reason}.",
            field_errors={"partner": [str(reason), *cited]},
        )
    if rules is not None and not rules.allowed:
        reasons = (
            list(rules.words.reasons)
            if rules.words
            else ["No version of the mission's rules is in force that day."]
        )
        raise ServiceError(
            f"The mission's rules do not allow a joint patrol with {partner.name} here.",
            field_errors={"partner": [*reasons, *cited]},
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


def _team_at(site: FieldSite, team_id: int) -> tuple[PatrolTeam | None, str | None]:
    """The site's team, and why it may not be recorded (another site's is unknown here)."""
    team = PatrolTeam.objects.filter(pk=team_id, site=site).first()
    if team is None:
        return None, "Unknown team at this site."
    if not formation.in_service(site).filter(pk=team.pk).exists():
        return team, (
            "This team is not in the approved deployment plan for this site: record the "
            "patrol under a team the plan places here."
        )
    return team, None


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
    track: tuple[str, bytes] | None = None,
) -> Patrol:
    """Record a patrol as executed (joint patrols pass the HRDDP support gate), with its
    track when one comes along (``(filename, content)``, GPX or GeoJSON): one write, so a
    record sent again under its idempotency key is either wholly there or not at all.

    A planned patrol is executed once: recording it again is a :class:`Conflict` naming the
    record already there, never a second record of the same order."""
    site = site_for(actor, site_id, "record")
    errors = _record_field_errors(
        started_at=started_at,
        ended_at=ended_at,
        members=members,
        members_women=members_women,
        classification=classification,
        engagements=engagements,
    )
    team, team_error = _team_at(site, team_id)
    if team_error:
        errors["team"] = [team_error]
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
    if planned is not None:
        done = Patrol.objects.filter(planned=planned, voided_at__isnull=True).first()
        if done is not None:
            raise Conflict(
                f"This planned patrol was already recorded (record {done.pk}, "
                f"{done.recorded_at:%Y-%m-%d %H:%M} UTC).",
                field_errors={"planned": ["Already recorded."]},
            )
    if partner is not None:
        hrddp_gate(partner=partner, at=started_at, site=site)
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
    if track is not None:
        _attach_track(patrol, site_latlon=(site.latitude, site.longitude), track=track)
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
        detail={
            "joint": partner is not None,
            "incidents": len(visible_incidents),
            "track": track is not None,
        },
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
    track = _attach_track(
        patrol,
        site_latlon=(patrol.site.latitude, patrol.site.longitude),
        track=(filename, content),
    )
    audit.record(
        actor=actor,
        action="track-upload",
        resource="patrol-record",
        object_id=patrol.pk,
        mission_id=patrol.mission_id,
        detail={"format": track.fmt, "points": len(track.points)},
    )
    return patrol


def _attach_track(
    patrol: Patrol, *, site_latlon: tuple[float, float], track: tuple[str, bytes]
) -> tracks.Track:
    filename, content = track
    try:
        parsed = tracks.parse_track(filename, content)
        parsed = tracks.check_against_patrol(
            parsed,
            site_latlon=site_latlon,
            started_at=patrol.started_at,
            ended_at=patrol.ended_at,
        )
    except tracks.TrackError as exc:
        raise ServiceError(str(exc), field_errors={"track": [str(exc)]}) from exc
    patrol.track = parsed.geojson()
    patrol.track_times = [t.isoformat() if t else None for t in parsed.times]
    patrol.track_km = tracks.length_km(parsed)
    patrol.dosage = tracks.dosage(parsed)
    patrol.save(update_fields=["track", "track_times", "track_km", "dosage"])
    return parsed
