"""Early-warning alerts: draft a CAP 1.2 alert and publish it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.alerts.models import (
    CapAlert,
)
from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.missions.models import Mission

CAP_URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")


CAP_SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")


CAP_CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


CAP_SCOPE = ("Public", "Restricted", "Private")


CAP_STATUS = ("Actual", "Exercise", "System", "Test", "Draft")


@transaction.atomic
def warning_draft(
    *,
    actor: Any,
    mission: Mission,
    area: dict[str, Any],
    headline: str,
    description: str,
    severity: str,
    certainty: str,
    urgency: str,
    event: str = "Threat of violence against civilians",
    instruction: str = "",
    scope: str = "Restricted",
    restriction: str = "",
    addresses: str = "",
    exercise: bool = False,
    references: CapAlert | None = None,
    msg_type: str = "Alert",
    expires: datetime | None = None,
    language: str = "en",
    classification: int = Classification.CONFIDENTIAL,
    derived_from: access.Protection | None = None,
) -> CapAlert:
    """Create a CAP 1.2 early-warning alert as a draft for analyst review.

    ``area`` is ``{"description": str, "circle": (lat, lon, radius_km)}`` or
    ``{"description": str, "polygon": [(lat, lon), ...]}`` (closed or not; closed on output).
    Restricted scope needs a ``restriction`` (who may see it), Private scope ``addresses``.
    ``exercise=True`` marks a drill (CAP status ``Exercise``); ``references`` (with
    ``msg_type="Update"`` or ``"Cancel"``) points at the alert this one updates.
    ``derived_from`` is the protection of what the text was computed from (a forecast): the
    draft carries it, so only those cleared for those inputs see the draft, and only they may
    make it.
    """
    compartments = derived_from.compartments if derived_from is not None else 0
    access.require_in_scope(
        actor,
        Resource.CAP_ALERT,
        "draft",
        mission_id=mission.pk,
        classification=classification,
        compartments=compartments,
    )
    if derived_from is not None and not access.cleared(actor, derived_from):
        raise access.refuse(
            access.NotPermitted("not cleared for what this warning was computed from"),
            actor=actor,
            action="draft",
            resource=Resource.CAP_ALERT,
            mission_id=mission.pk,
        )
    errors: dict[str, list[str]] = {}
    for name, value, allowed in (
        ("severity", severity, CAP_SEVERITY),
        ("certainty", certainty, CAP_CERTAINTY),
        ("urgency", urgency, CAP_URGENCY),
        ("scope", scope, CAP_SCOPE),
        ("msg_type", msg_type, ("Alert", "Update", "Cancel")),
    ):
        if value not in allowed:
            errors[name] = [f"One of {', '.join(allowed)}."]
    if scope == "Restricted" and not restriction.strip():
        errors["restriction"] = ["A restricted alert says who may see it."]
    if scope == "Private" and not addresses.strip():
        errors["addresses"] = ["A private alert lists its addressees."]
    if msg_type != "Alert" and references is None:
        errors["references"] = ["An update or cancel references the alert it changes."]
    if references is not None and references.mission_id != mission.pk:
        errors["references"] = ["Unknown alert."]
    if not headline.strip() or len(headline) > 160:
        errors["headline"] = ["1 to 160 characters."]
    description_text = str(area.get("description", "")).strip()
    if not description_text:
        errors["area"] = ["An area needs a description."]
    circle = area.get("circle")
    polygon = area.get("polygon") or []
    if circle is None and len(polygon) < 3:
        errors.setdefault("area", []).append("Give a circle or a polygon of 3 points or more.")
    if errors:
        raise ServiceError("Invalid warning.", field_errors=errors)
    now = timezone.now()
    cap = CapAlert(
        mission=mission,
        identifier=f"urn:bluebox:{mission.code}:{uuid.uuid4()}",
        status="Exercise" if exercise else "Actual",
        msg_type=msg_type,
        scope=scope,
        restriction=restriction.strip(),
        addresses=addresses.strip(),
        references=references,
        language=language,
        event=event,
        urgency=urgency,
        severity=severity,
        certainty=certainty,
        headline=headline.strip(),
        description=description,
        instruction=instruction,
        area_desc=description_text[:300],
        latitude=float(circle[0]) if circle else None,
        longitude=float(circle[1]) if circle else None,
        radius_km=float(circle[2]) if circle else None,
        polygon=[[float(a), float(b)] for a, b in polygon],
        expires=expires,
        created_by=actor,
        created_at=now,
        classification=classification,
        compartments=compartments,
        **(derived_from.label() if derived_from is not None else {}),
    )
    cap.save()
    audit.record(
        actor=actor,
        action="cap-draft",
        resource=Resource.CAP_ALERT,
        object_id=cap.pk,
        mission_id=mission.pk,
        detail={"status": cap.status, "scope": scope},
    )
    return cap


@transaction.atomic
def warning_publish(*, actor: Any, cap_id: int) -> CapAlert:
    """An analyst approves a draft: it is sent (``sent`` is now) and appears in the feed."""
    cap = access.get_visible(actor, CapAlert.objects.select_for_update(), pk=cap_id)
    access.require_in_scope(
        actor,
        Resource.CAP_ALERT,
        "publish",
        mission_id=cap.mission_id,
        classification=cap.classification,
        compartments=cap.compartments,
    )
    if cap.state != CapAlert.State.DRAFT:
        raise ServiceError("Only drafts can be published.")
    cap.state = CapAlert.State.PUBLISHED
    cap.published_by = actor
    cap.published_at = timezone.now()
    if cap.effective is None:
        cap.effective = cap.published_at
    cap.save()
    audit.record_for(cap, actor=actor, action="cap-publish")
    return cap
