"""What the people responsible for a custody are told when its clock reaches an escalation
point, as a message to translate where it is read (:mod:`bluebox.engines.messages`).

The notice names the custody by its pseudonym only, never the detainee.
"""

from __future__ import annotations

from bluebox.engines.custody.clocks import LIMIT, EscalationPoint
from bluebox.engines.messages import Message, gettext_noop


def escalation_notice(pseudonym: str, point: EscalationPoint, deadline_at: str) -> Message:
    """The notice for one escalation point; ``deadline_at`` is the deadline as the mission
    writes its local time (e.g. ``2026-03-30 13:00 CEST``)."""
    if point.is_breach:
        msgid = (
            gettext_noop("%(who)s: hard limit PASSED at %(when)s. Record the reason.")
            if point.deadline == LIMIT
            else gettext_noop("%(who)s: handover target PASSED at %(when)s. Record the reason.")
        )
        return Message.of(msgid, who=pseudonym, when=deadline_at)
    msgid = (
        gettext_noop("%(who)s: hard limit at %(when)s (%(hours)s h warning).")
        if point.deadline == LIMIT
        else gettext_noop("%(who)s: handover target at %(when)s (%(hours)s h warning).")
    )
    return Message.of(msgid, who=pseudonym, when=deadline_at, hours=f"{point.hours_before:g}")
