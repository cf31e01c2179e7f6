"""Reporting an incident and its workflow: verify, void, respond, close, link, primacy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit, providers
from bluebox.core import services as core_services
from bluebox.core.classification import Classification
from bluebox.core.crypto import seal_bytes
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.engines.guide import THREAT_LEVELS
from bluebox.engines.spatial import h3_cell, priogrid_gid
from bluebox.incidents import photos as incident_photos
from bluebox.incidents.adapter import assess_primacy, rules_for
from bluebox.incidents.models import (
    Incident,
    IncidentLink,
    IncidentPhoto,
    IncidentResponse,
    IncidentStatus,
    PrimacyDecision,
)
from bluebox.incidents.services.common import _locked, _require_workflow, _resolve_scope
from bluebox.missions.models import Mission

# Fields a reporter may set; everything else is derived or set by workflow steps.
REPORTABLE_FIELDS = (
    "title",
    "description",
    "incident_type",
    "occurred_at",
    "date_precision",
    "latitude",
    "longitude",
    "location_precision",
    "admin1",
    "admin2",
    "perpetrator_category",
    "perpetrator_actor",
    "civilian_targeting",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "victims_women",
    "victims_men",
    "victims_girls",
    "victims_boys",
    "victims_unknown",
    "weapons",
    "poc_tier",
    "poc_phase",
    "source_reliability",
    "information_credibility",
    "classification",
    "compartments",
    "actors",
    "location_name",
)


@transaction.atomic
def incident_report(
    *,
    actor: Any,
    mission: Mission,
    site_id: int | None = None,
    sector_id: int | None = None,
    data: dict[str, Any],
    reported_at: datetime | None = None,
    photos: Sequence[incident_photos.PhotoUpload] = (),
) -> Incident:
    """File a new incident in a scope the actor may report in, with its photos in one write.

    The photos are cleaned (``incidents/photos.py``: encoded again without metadata) before
    anything is written; one that cannot be refuses the whole report.
    """
    unknown = set(data) - set(REPORTABLE_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    site, sector = _resolve_scope(mission, site_id, sector_id)
    classification = int(data.get("classification", Classification.CONFIDENTIAL))
    compartments = int(data.get("compartments", 0))
    access.require_in_scope(
        actor,
        Resource.INCIDENT,
        "create",
        mission_id=mission.pk,
        sector_id=sector.pk if sector else None,
        site_id=site.pk if site else None,
        classification=classification,
        compartments=compartments,
    )
    cleaned = incident_photos.clean_all(list(photos))
    incident = Incident(mission=mission, site=site, sector=sector, reported_by=actor, **data)
    incident.reported_at = reported_at or timezone.now()
    incident.status = IncidentStatus.REPORTED
    if incident.occurred_at and incident.occurred_at > incident.reported_at:
        raise ServiceError(
            "An incident cannot occur after it is reported.",
            field_errors={"occurred_at": ["In the future."]},
        )
    try:
        incident.full_clean(exclude=["h3_cell", "priogrid_gid"])
    except ValidationError as exc:
        raise ServiceError("Invalid incident.", field_errors=exc.message_dict) from exc
    incident.h3_cell = h3_cell(incident.latitude, incident.longitude)
    incident.priogrid_gid = priogrid_gid(incident.latitude, incident.longitude)
    assess_primacy(incident, rules_for(mission))
    incident.save()
    IncidentPhoto.objects.bulk_create(
        IncidentPhoto(
            incident=incident,
            filename=photo.filename,
            content_type=photo.content_type,
            sealed=seal_bytes(photo.content),
            size=len(photo.content),
            width=photo.width,
            height=photo.height,
            added_by=actor,
            added_at=incident.reported_at,
        )
        for photo in cleaned
    )
    audit.record(
        actor=actor,
        action="create",
        resource=Resource.INCIDENT,
        object_id=incident.pk,
        mission_id=mission.pk,
        detail={"classification": incident.classification, "photos": len(cleaned)},
    )
    return incident


@transaction.atomic
def incident_verify(
    *,
    actor: Any,
    incident_id: int,
    source_reliability: str | None = None,
    information_credibility: int | None = None,
    note: str = "",
) -> Incident:
    """Verify a reported incident, re-grading its source and information as the analyst found.

    The grading before and after and the note are kept (on the record and in the audit
    trail), so the history says who verified, what changed and why.
    """
    incident = access.get_visible(
        actor, Incident.objects.select_for_update(), action="verify", pk=incident_id
    )
    if incident.status != IncidentStatus.REPORTED:
        raise ServiceError(
            f"Only reported incidents can be verified (this one is {incident.status})."
        )
    errors: dict[str, list[str]] = {}
    if source_reliability is not None and source_reliability not in "ABCDEF":
        errors["source_reliability"] = ["A grade from A to F."]
    if information_credibility is not None and not 1 <= information_credibility <= 6:
        errors["information_credibility"] = ["A grade from 1 to 6."]
    if errors:
        raise ServiceError("The grading cannot be recorded as entered.", field_errors=errors)
    before = f"{incident.source_reliability}{incident.information_credibility}"
    if source_reliability:
        incident.source_reliability = source_reliability
    if information_credibility:
        incident.information_credibility = information_credibility
    incident.status = IncidentStatus.VERIFIED
    incident.verified_by = actor
    incident.verified_at = timezone.now()
    incident.verification_note = note.strip()
    incident.grading_before_verification = before
    incident.save(
        update_fields=[
            "grading_before_verification",
            "status",
            "verified_by",
            "verified_at",
            "source_reliability",
            "information_credibility",
            "verification_note",
        ]
    )
    after = f"{incident.source_reliability}{incident.information_credibility}"
    audit.record_for(
        incident,
        actor=actor,
        action="verify",
        detail={"grading_before": before, "grading_after": after, "note": bool(note.strip())},
    )
    return incident


def incident_void(*, actor: Any, incident_id: int, reason: str) -> Incident:
    incident = access.get_visible(actor, Incident.objects.all(), action="void", pk=incident_id)
    voided = core_services.record_void(actor=actor, record=incident, reason=reason)
    return cast(Incident, voided)


@transaction.atomic
def incident_respond(
    *,
    actor: Any,
    incident_id: int,
    mode: str,
    responded_at: datetime,
    unit: str = "",
    description: str = "",
) -> IncidentResponse:
    """Record who responded, when and how; a verified or reported incident becomes responded."""
    incident = _locked(actor, incident_id)
    _require_workflow(actor, incident, "respond")
    if incident.status in (IncidentStatus.CLOSED, IncidentStatus.VOIDED) or incident.voided_at:
        raise ServiceError(f"This incident is {incident.status}; no response can be added.")
    now = timezone.now()
    if responded_at > now:
        raise ServiceError("A response cannot be in the future.")
    if responded_at < incident.occurred_at:
        raise ServiceError("A response cannot precede the incident.")
    response = IncidentResponse(
        incident=incident,
        mode=mode,
        unit=unit,
        responded_at=responded_at,
        description=description,
        recorded_by=actor,
        recorded_at=now,
    )
    try:
        response.full_clean(exclude=["incident", "recorded_by"])
    except ValidationError as exc:
        raise ServiceError("Invalid response.", field_errors=exc.message_dict) from exc
    response.save()
    if incident.status in (IncidentStatus.REPORTED, IncidentStatus.VERIFIED):
        incident.status = IncidentStatus.RESPONDED
        incident.save(update_fields=["status"])
    audit.record_for(
        incident, actor=actor, action="respond", detail={"mode": mode, "response_id": response.pk}
    )
    return response


@transaction.atomic
def incident_close(*, actor: Any, incident_id: int) -> Incident:
    incident = _locked(actor, incident_id)
    _require_workflow(actor, incident, "close")
    if incident.status not in (IncidentStatus.VERIFIED, IncidentStatus.RESPONDED):
        raise ServiceError(
            f"Only verified or responded incidents can be closed (this one is {incident.status})."
        )
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident.save(update_fields=["status", "closed_at"])
    audit.record_for(incident, actor=actor, action="close")
    return incident


@transaction.atomic
def incident_link(
    *, actor: Any, incident_id: int, other_id: int, kind: str = IncidentLink.Kind.SAME_INCIDENT
) -> IncidentLink:
    """Link two reports the actor can both see (same incident, or related)."""
    incident = _locked(actor, incident_id)
    other = access.get_visible(actor, Incident.objects.all(), pk=other_id)
    _require_workflow(actor, incident, "link")
    if incident.pk == other.pk:
        raise ServiceError("An incident cannot be linked to itself.")
    if incident.mission_id != other.mission_id:
        raise ServiceError("Only incidents of the same mission can be linked.")
    if kind not in IncidentLink.Kind.values:
        raise ServiceError("Unknown link kind.", field_errors={"kind": ["Unknown link kind."]})
    pair = IncidentLink.objects.filter(
        from_incident__in=[incident, other], to_incident__in=[incident, other]
    )
    if pair.exists():
        raise ServiceError("These incidents are already linked.")
    link = IncidentLink.objects.create(
        from_incident=incident,
        to_incident=other,
        kind=kind,
        linked_by=actor,
        linked_at=timezone.now(),
    )
    audit.record_for(incident, actor=actor, action="link", detail={"other": other.pk, "kind": kind})
    return link


@transaction.atomic
def incident_primacy_handover(
    *,
    actor: Any,
    incident_id: int,
    to_primacy: str,
    reason: str,
    threat: str | None = None,
    override_justification: str = "",
) -> PrimacyDecision:
    """Hand primacy for a threat between police (blue) and military (green): a recorded decision.

    Where the mission has adopted rules (the field guide, asked through
    :func:`bluebox.core.providers.primacy_ruling`), the version in force now decides: handing
    primacy to the Force needs a rule that hands the situation to the military to hold (the
    green box), handing it back to the police needs none to. ``threat`` is the level the
    commander states; left out, a green incident counts as ``heavy`` and a blue one as not
    established. A handover the rules refuse (or a day no version covers) is refused with the
    reasons and citations, unless a commander records it with ``override_justification``
    (a rules override, audited, linked to the decision). A mission without rules hands over on
    the commander's decision alone.
    """
    incident = _locked(actor, incident_id)
    _require_workflow(actor, incident, "handover")
    if to_primacy not in ("blue", "green"):
        raise ServiceError("Primacy is blue (police) or green (military).")
    if not reason.strip():
        raise ServiceError("A handover needs a reason.", field_errors={"reason": ["Required."]})
    if threat is not None and threat not in THREAT_LEVELS:
        raise ServiceError("Unknown threat level.", field_errors={"threat": ["Unknown."]})
    if incident.primacy == to_primacy:
        raise ServiceError("Primacy is already there.")
    now = timezone.now()
    if threat is None and incident.threat_nature == "green":
        threat = "heavy"
    ruling = providers.primacy_ruling(
        mission_id=incident.mission_id, site_id=incident.site_id, at=now, threat=threat
    )
    agrees = ruling is None or (
        ruling.version is not None and ruling.military == (to_primacy == "green")
    )
    overriding = bool(override_justification.strip())
    if ruling is not None and not agrees and not overriding:
        raise ServiceError(
            "The mission's rules do not allow this handover.",
            field_errors={"to_primacy": _primacy_refusal(ruling)},
        )
    if ruling is not None and agrees and overriding:
        raise ServiceError(
            "The rules allow this handover: there is nothing to override.",
            field_errors={"override_justification": ["Leave empty where the rules allow."]},
        )
    decision = PrimacyDecision.objects.create(
        incident=incident,
        from_primacy=incident.primacy,
        to_primacy=to_primacy,
        reason=reason.strip(),
        decided_by=actor,
        decided_at=now,
    )
    override_id = None
    if ruling is not None and not agrees:
        if ruling.override is None:
            raise ServiceError("The mission's rules offer no override of this handover.")
        override_id = ruling.override(
            actor=actor, justification=override_justification, subject_id=decision.pk
        )
    incident.primacy = to_primacy
    incident.save(update_fields=["primacy"])
    audit.record_for(
        incident,
        actor=actor,
        action="primacy-handover",
        detail={
            "from": decision.from_primacy,
            "to": to_primacy,
            "threat": threat,
            "rules": None
            if ruling is None
            else {
                "version": ruling.version,
                "military": ruling.military,
                "citations": list(ruling.citations),
                "override_id": override_id,
            },
        },
    )
    return decision


def _primacy_refusal(ruling: providers.PrimacyRuling) -> list[str]:
    if ruling.version is None:
        return [
            "No version of the mission's rules is in force today; only a commander's override, "
            "with a written justification, records the handover."
        ]
    holder = "give primacy to the Force" if ruling.military else "keep primacy with the police"
    return [
        f"The rules in force (version {ruling.version}) {holder} for this threat.",
        *ruling.reasons,
        "See: " + "; ".join(ruling.citations) + ".",
    ]
