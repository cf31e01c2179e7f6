"""Writes on commitments: the status workflow with its evidence, linked incidents, follow-up.

Every status change carries evidence and reaches the dialogue's participants who asked for
news: by SMS through the alert network's gateway (:func:`bluebox.alerts.services.gateway_send`,
E.164, the participant's and the network's opt-outs honoured) and in the inbox of those who
have an account.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.alerts import selectors as alert_selectors
from bluebox.alerts import services as alert_services
from bluebox.alerts.models import OutboundMessage
from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.engagement import followup
from bluebox.engagement.models import (
    TRANSITIONS,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    FollowUpMessage,
    Notice,
    Participant,
    Session,
)
from bluebox.engagement.services.common import revealed, scope_of, visible_for
from bluebox.engagement.services.dialogues import commitment_fields
from bluebox.incidents.models import Incident

MIN_EVIDENCE = 10


@transaction.atomic
def commitment_add(*, actor: Any, session_id: int, fields: dict[str, Any]) -> Commitment:
    """A commitment made in a session already recorded (noted afterwards from the minutes)."""
    session = visible_for(actor, Session.objects.select_related("dialogue"), session_id, "manage")
    errors: dict[str, list[str]] = {}
    cleaned = commitment_fields(
        fields,
        mission_id=session.mission_id,
        held_on=session.held_on,
        field="commitment",
        errors=errors,
    )
    if cleaned is None:
        raise ServiceError("Invalid commitment.", field_errors=errors)
    level = cleaned.pop("classification")
    access.require_in_scope(
        actor,
        session.access_resource,
        "manage",
        mission_id=session.mission_id,
        sector_id=session.sector_id,
        site_id=session.site_id,
        classification=level,
    )
    now = timezone.now()
    commitment = Commitment.objects.create(
        **scope_of(session),
        classification=level,
        dialogue_id=session.dialogue_id,
        session=session,
        status_at=now,
        created_at=now,
        created_by=actor,
        **cleaned,
    )
    CommitmentUpdate.objects.create(
        **scope_of(session),
        classification=level,
        commitment=commitment,
        to_status=commitment.status,
        evidence=f"Made in the session of {session.held_on:%Y-%m-%d}.",
        changed_at=now,
        changed_by=actor,
    )
    audit.record_for(
        commitment, actor=actor, action="commitment-add", detail={"session": session.pk}
    )
    return commitment


def _participants_to_reach(commitment: Commitment) -> list[Participant]:
    return list(
        Participant.objects.filter(
            dialogue_id=commitment.dialogue_id, voided_at__isnull=True, opted_out_at__isnull=True
        ).select_related("user")
    )


def _follow_up(actor: Any, commitment: Commitment, update: CommitmentUpdate) -> tuple[int, int]:
    """Send the change to the participants who asked for it; (SMS handed over, inbox notices)."""
    dialogue = commitment.dialogue
    mission = dialogue.mission
    participants = _participants_to_reach(commitment)
    channel = followup.channel_for(dialogue)
    text = followup.sms_text(commitment, dialogue, mission)
    sent = 0
    for participant in participants:
        if not participant.sms_opt_in or not participant.phone_digest or channel is None:
            continue
        if alert_selectors.number_opted_out(mission_id=mission.pk, digest=participant.phone_digest):
            continue  # STOP sent to the network: honoured for every sender
        number = revealed(participant.phone)
        if not number:
            continue  # unreadable with the configured keys: nothing sent, nothing guessed
        message = alert_services.gateway_send(
            actor=actor,
            channel=channel,
            recipient=OutboundMessage.Recipient.PARTICIPANT,
            to=number,
            text=text,
        )
        FollowUpMessage.objects.create(update=update, participant=participant, message=message)
        if message.status != OutboundMessage.Status.FAILED:
            sent += 1
    notified = followup.notify(
        [p.user for p in participants if p.user is not None],
        mission_id=mission.pk,
        kind=Notice.Kind.COMMITMENT_STATUS,
        at=update.changed_at,
        commitment=commitment,
        status=commitment.status,
    )
    return sent, notified


@transaction.atomic
def commitment_update(
    *,
    actor: Any,
    commitment_id: int,
    status: str,
    evidence: str,
    incident_ids: list[int] | None = None,
    now: datetime | None = None,
) -> CommitmentUpdate:
    """Move a commitment along its workflow with the evidence of the change, then follow up."""
    commitment = visible_for(
        actor,
        Commitment.objects.select_for_update().select_related("dialogue__mission"),
        commitment_id,
        "follow_up",
    )
    if commitment.voided_at is not None:
        raise ServiceError("This commitment is voided.")
    if status not in CommitmentStatus.values:
        raise ServiceError("Unknown status.", field_errors={"status": ["Unknown status."]})
    allowed = TRANSITIONS[commitment.status]
    if status not in allowed:
        names = ", ".join(str(CommitmentStatus(s).label) for s in allowed) or "none"
        raise ServiceError(
            f"A {CommitmentStatus(commitment.status).label.lower()} commitment can become: "
            f"{names}.",
            field_errors={"status": ["Not allowed from the current status."]},
        )
    evidence = evidence.strip()
    if len(evidence) < MIN_EVIDENCE:
        raise ServiceError(
            "Attach the evidence of this change.",
            field_errors={"evidence": [f"What shows it (at least {MIN_EVIDENCE} characters)."]},
        )
    incidents = _visible_incidents(actor, commitment, incident_ids or [])
    now = now or timezone.now()
    before = commitment.status
    commitment.status = status
    commitment.status_at = now
    if status == CommitmentStatus.DONE:
        commitment.done_at = now
    commitment.save(update_fields=["status", "status_at", "done_at"])
    if incidents:
        commitment.incidents.add(*incidents)
    update = CommitmentUpdate.objects.create(
        **scope_of(commitment),
        classification=commitment.classification,
        commitment=commitment,
        from_status=before,
        to_status=status,
        evidence=evidence[:5000],
        changed_at=now,
        changed_by=actor,
    )
    update.sms_sent, update.inbox_sent = _follow_up(actor, commitment, update)
    update.save(update_fields=["sms_sent", "inbox_sent"])
    audit.record_for(
        commitment,
        actor=actor,
        action="commitment-status",
        detail={
            "from": before,
            "to": status,
            "update": update.pk,
            "sms": update.sms_sent,
            "inbox": update.inbox_sent,
            "incidents": [i.pk for i in incidents],
        },
    )
    return update


def _visible_incidents(actor: Any, commitment: Commitment, ids: list[int]) -> list[Incident]:
    found = []
    for pk in dict.fromkeys(ids):
        incident = access.get_visible(actor, Incident.objects.all(), pk=pk)
        if incident.mission_id != commitment.mission_id:
            raise access.refuse(
                access.NotVisible(),
                actor=actor,
                action="link",
                resource=commitment.access_resource,
                object_id=f"incident:{pk}",
                mission_id=commitment.mission_id,
            )
        found.append(incident)
    return found


@transaction.atomic
def commitment_link_incidents(
    *, actor: Any, commitment_id: int, incident_ids: list[int]
) -> Commitment:
    """Link incidents (that the linker sees) to a commitment: the check against data."""
    commitment = visible_for(actor, Commitment.objects.all(), commitment_id, "follow_up")
    incidents = _visible_incidents(actor, commitment, incident_ids)
    if not incidents:
        raise ServiceError("Choose an incident.", field_errors={"incidents": ["Required."]})
    commitment.incidents.add(*incidents)
    audit.record_for(
        commitment,
        actor=actor,
        action="commitment-link",
        detail={"incidents": [i.pk for i in incidents]},
    )
    return commitment


@transaction.atomic
def commitment_due_change(
    *, actor: Any, commitment_id: int, due_on: date, reason: str
) -> Commitment:
    """A new due date, agreed with the community; the reason is audited and the flag reset."""
    commitment = visible_for(
        actor, Commitment.objects.select_for_update(), commitment_id, "follow_up"
    )
    if commitment.status not in (
        CommitmentStatus.PROPOSED,
        CommitmentStatus.AGREED,
        CommitmentStatus.IN_PROGRESS,
    ):
        raise ServiceError("Only an open commitment gets a new due date.")
    if len(reason.strip()) < MIN_EVIDENCE:
        raise ServiceError(
            "Say why the date moves.", field_errors={"reason": ["At least 10 characters."]}
        )
    session = Session.objects.get(pk=commitment.session_id)
    if due_on < session.held_on:
        raise ServiceError(
            "Due on or after the session.", field_errors={"due_on": ["Before the session."]}
        )
    before = commitment.due_on
    commitment.due_on = due_on
    commitment.overdue_flagged_at = None
    commitment.save(update_fields=["due_on", "overdue_flagged_at"])
    audit.record_for(
        commitment,
        actor=actor,
        action="commitment-due",
        detail={"from": before.isoformat(), "to": due_on.isoformat(), "reason": reason[:300]},
    )
    return commitment


@transaction.atomic
def notices_read(*, actor: Any, now: datetime | None = None) -> int:
    """The person has read their notices."""
    return Notice.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
