"""How a commitment's news reaches people: the SMS text, the channel, inbox notices.

Shared by the writes (a status change) and the worker (the overdue sweep). The text of a
message says only what the participants already heard in the session, and only when the
commitment is unclassified; otherwise it says that a commitment changed, nothing more. Notices
hold a reference, never content.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from bluebox.alerts.models import Channel
from bluebox.core.classification import Classification
from bluebox.engagement.models import Commitment, CommitmentStatus, Dialogue, Notice
from bluebox.missions.models import Mission

#: An SMS is at most three parts; the commitment's words are cut to fit.
SMS_TEXT_CHARS = 120


def mission_language(mission: Mission) -> str:
    languages = (mission.settings or {}).get("languages") or []
    return str(languages[0]) if languages else "en"


def public_summary(commitment: Commitment) -> str:
    """What may leave the mission about this commitment (an SMS, a notice to a participant)."""
    if commitment.classification == Classification.UNCLASSIFIED:
        text = " ".join(commitment.text.split())
        if len(text) > SMS_TEXT_CHARS:
            text = text[: SMS_TEXT_CHARS - 1].rstrip() + "…"
        return text
    return _("a commitment of the dialogue")


def sms_text(commitment: Commitment, dialogue: Dialogue, mission: Mission) -> str:
    """The follow-up message, in the mission's first language, with the opt-out words."""
    with translation.override(mission_language(mission)):
        status = str(CommitmentStatus(commitment.status).label)
        return _(
            "[%(mission)s] %(community)s: “%(what)s” is now %(status)s. Reply STOP to opt out."
        ) % {
            "mission": mission.code.upper(),
            "community": dialogue.community,
            "what": public_summary(commitment),
            "status": status.lower(),
        }


def channel_for(dialogue: Dialogue) -> Channel | None:
    """The dialogue's SMS channel, else the mission's first active SMS channel, else none."""
    if dialogue.sms_channel_id is not None:
        channel = Channel.objects.filter(pk=dialogue.sms_channel_id, is_active=True).first()
        if channel is not None and channel.mission_id == dialogue.mission_id:
            return channel
    return (
        Channel.objects.filter(
            mission_id=dialogue.mission_id, kind=Channel.Kind.SMS, is_active=True
        )
        .order_by("id")
        .first()
    )


def notify(
    users: Iterable[Any],
    *,
    mission_id: int,
    kind: str,
    at: datetime,
    commitment: Commitment | None = None,
    trainee: Any = None,
    status: str = "",
) -> int:
    """One unread notice per distinct person; returns how many were written."""
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        Notice.objects.create(
            user=user,
            mission_id=mission_id,
            kind=kind,
            commitment=commitment,
            trainee=trainee,
            status=status,
            created_at=at,
        )
    return len(seen)
