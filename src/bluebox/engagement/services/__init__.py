"""Writes on engagement: ``dialogues`` (dialogues, participants, do-no-harm checks, sessions),
``commitments`` (the status workflow, evidence, follow-up by SMS and inbox), ``committees``
(protection committees, members, protection plans) and ``training`` (courses, trainees behind
the HRDDP gate, certificates).

Every write is atomic, authorized through :mod:`bluebox.core.access` and audited. The overdue
sweep and the certificate review are worker-side (:mod:`bluebox.engagement.jobs`).
"""

from __future__ import annotations

from typing import Any

from bluebox.engagement.services.commitments import (
    commitment_add,
    commitment_due_change,
    commitment_link_incidents,
    commitment_update,
    notices_read,
)
from bluebox.engagement.services.committees import (
    committee_create,
    member_add,
    member_reveal,
    plan_create,
    plan_measure_add,
    plan_measure_done,
)
from bluebox.engagement.services.dialogues import (
    dialogue_create,
    dialogue_phase,
    harm_check_record,
    participant_add,
    participant_opt_out,
    participant_reveal,
    problem_add,
    session_record,
)
from bluebox.engagement.services.training import (
    certificate_issue,
    course_create,
    course_session_create,
    observation_add,
    trainee_enrol,
    trainee_scores,
)


def record_void(*, actor: Any, model: type[Any], pk: int, reason: str) -> Any:
    """Void any engagement record (kept, marked void, audited)."""
    from bluebox.core import access
    from bluebox.core import services as core_services

    obj = access.get_visible(actor, model.objects.all(), action="void", pk=pk)
    return core_services.record_void(actor=actor, record=obj, reason=reason)


__all__ = [
    "certificate_issue",
    "commitment_add",
    "commitment_due_change",
    "commitment_link_incidents",
    "commitment_update",
    "committee_create",
    "course_create",
    "course_session_create",
    "dialogue_create",
    "dialogue_phase",
    "harm_check_record",
    "member_add",
    "member_reveal",
    "notices_read",
    "observation_add",
    "participant_add",
    "participant_opt_out",
    "participant_reveal",
    "plan_create",
    "plan_measure_add",
    "plan_measure_done",
    "problem_add",
    "record_void",
    "session_record",
    "trainee_enrol",
    "trainee_scores",
]
