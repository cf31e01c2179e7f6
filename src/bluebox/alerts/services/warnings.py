"""Early-warning alerts: draft a CAP 1.2 alert and publish it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
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
from bluebox.engines.messages import Message
from bluebox.missions.models import Mission

CAP_URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")


CAP_SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")


CAP_CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


CAP_SCOPE = ("Public", "Restricted", "Private")


CAP_STATUS = ("Actual", "Exercise", "System", "Test", "Draft")


CAP_RESPONSE_TYPES = (
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None",
)  # fmt: skip


def _details_errors(
    *, expires: datetime | None, web: str, contact: str, response_types: Any, now: datetime
) -> dict[str, list[str]]:
    """Field errors for the parts a reviewer sets: expiry, web page, contact, response types."""
    errors: dict[str, list[str]] = {}
    if expires is not None and (expires.tzinfo is None or expires <= now):
        errors["expires"] = ["A time in the future, with its offset."]
    if web and (not web.startswith(("https://", "http://")) or len(web) > 500 or " " in web):
        errors["web"] = ["An http(s) address of at most 500 characters."]
    if len(contact) > 200:
        errors["contact"] = ["At most 200 characters."]
    if not isinstance(response_types, list | tuple) or any(
        value not in CAP_RESPONSE_TYPES for value in response_types
    ):
        errors["response_types"] = [f"Each one of {', '.join(CAP_RESPONSE_TYPES)}."]
    elif len(set(response_types)) != len(response_types):
        errors["response_types"] = ["Each response type once."]
    return errors


#: The words of a CAP <info> the product may write as messages.
CAP_TEXTS = ("event", "headline", "description")


def _default_classification(scope: str, classification: int | None) -> int:
    if classification is not None:
        return classification
    public = scope == "Public"
    return Classification.UNCLASSIFIED if public else Classification.CONFIDENTIAL


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
    classification: int | None = None,
    derived_from: access.Protection | None = None,
    web: str = "",
    contact: str = "",
    response_types: list[str] | tuple[str, ...] = (),
    texts: Mapping[str, Message] | None = None,
) -> CapAlert:
    """Create a CAP 1.2 early-warning alert as a draft for analyst review.

    ``area`` is ``{"description": str, "circle": (lat, lon, radius_km)}`` or
    ``{"description": str, "polygon": [(lat, lon), ...]}`` (closed or not; closed on output).
    Restricted scope needs a ``restriction`` (who may see it), Private scope ``addresses``.
    ``exercise=True`` marks a drill (CAP status ``Exercise``); ``references`` (with
    ``msg_type="Update"`` or ``"Cancel"``) points at the alert this one updates.
    ``derived_from`` is the protection of what the text was computed from (a forecast): the
    draft carries it, so only those cleared for those inputs see the draft, and only they may
    make it. ``expires``, ``web``, ``contact`` and ``response_types`` (CAP responseType values)
    are CAP's own. ``texts`` are the ``event``, ``headline`` and ``description`` as messages
    when the product wrote them (``headline`` and ``description`` are then their English): the
    CAP document says them in every language of the mission (:mod:`bluebox.alerts.cap`).
    ``classification`` defaults to UNCLASSIFIED for a Public alert (the only
    level a public alert may have) and CONFIDENTIAL otherwise.
    """
    classification = _default_classification(scope, classification)
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
    if scope == "Public" and classification != Classification.UNCLASSIFIED:
        errors["classification"] = ["A public alert is unclassified."]
    errors.update(
        _details_errors(
            expires=expires,
            web=web.strip(),
            contact=contact.strip(),
            response_types=list(response_types),
            now=timezone.now(),
        )
    )
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
        texts={k: m.as_dict() for k, m in (texts or {}).items() if k in CAP_TEXTS},
        instruction=instruction,
        area_desc=description_text[:300],
        latitude=float(circle[0]) if circle else None,
        longitude=float(circle[1]) if circle else None,
        radius_km=float(circle[2]) if circle else None,
        polygon=[[float(a), float(b)] for a, b in polygon],
        expires=expires,
        web=web.strip(),
        contact=contact.strip(),
        response_types=list(response_types),
        created_by=actor,
        created_at=now,
        classification=classification,
        compartments=compartments,
        **(derived_from.label() if derived_from is not None else {}),
    )
    cap.save()
    audit.record_for(
        cap, actor=actor, action="cap-draft", detail={"status": cap.status, "scope": scope}
    )
    return cap


def _draft_for_review(actor: Any, cap_id: int, not_a_draft: str) -> CapAlert:
    """The draft, locked, if the actor may review (publish) it; ``not_a_draft`` otherwise."""
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
        raise ServiceError(not_a_draft)
    return cap


@transaction.atomic
def warning_amend(
    *,
    actor: Any,
    cap_id: int,
    expires: datetime | None,
    web: str,
    contact: str,
    response_types: list[str] | tuple[str, ...],
) -> CapAlert:
    """The reviewer sets a draft's expiry, web page, contact and response types."""
    cap = _draft_for_review(actor, cap_id, "Only drafts can be changed.")
    errors = _details_errors(
        expires=expires,
        web=web.strip(),
        contact=contact.strip(),
        response_types=list(response_types),
        now=timezone.now(),
    )
    if errors:
        raise ServiceError("Invalid warning.", field_errors=errors)
    cap.expires = expires
    cap.web = web.strip()
    cap.contact = contact.strip()
    cap.response_types = list(response_types)
    cap.save(update_fields=["expires", "web", "contact", "response_types"])
    audit.record_for(cap, actor=actor, action="cap-amend")
    return cap


@transaction.atomic
def warning_publish(*, actor: Any, cap_id: int) -> CapAlert:
    """An analyst approves a draft: it is sent (``sent`` is now) and appears in the feed."""
    cap = _draft_for_review(actor, cap_id, "Only drafts can be published.")
    cap.state = CapAlert.State.PUBLISHED
    cap.published_by = actor
    cap.published_at = timezone.now()
    if cap.effective is None:
        cap.effective = cap.published_at
    cap.save()
    audit.record_for(cap, actor=actor, action="cap-publish")
    return cap
