"""The safeguards of a custody record: who is held (sex, age, child or not), rights read and in
which language, an interpreter, the ICRC and the family told, and every move between places.

Sex and age decide separate custody; a child (under 18, or believed to be) is flagged on the
board. Rights, interpreter and notifications are often done after the apprehension is entered,
so they are recorded with the apprehension or later (:func:`apprehension_safeguards_update`),
never before the apprehension and never in the future. Nothing here holds an identity: the
notification note says why the family was not told, never who they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit
from bluebox.core.exceptions import ServiceError
from bluebox.detention.models import (
    ADULT_AGE,
    Apprehension,
    CustodyMove,
    Interpreter,
    Sex,
)
from bluebox.detention.services.common import CLOCK_SKEW, _open

MAX_AGE = 120


@dataclass(frozen=True)
class Safeguards:
    """What a custody record states about the person and their rights."""

    sex: str = ""
    age_years: int | None = None
    age_estimated: bool = False
    believed_child: bool = False
    rights_read_at: datetime | None = None
    rights_language: str = ""
    interpreter: str = ""
    interpreter_language: str = ""
    icrc_notified_at: datetime | None = None
    family_notified_at: datetime | None = None
    notification_note: str = ""

    def fields(self) -> dict[str, Any]:
        """The model fields these safeguards set."""
        juvenile = self.believed_child or (
            self.age_years is not None and self.age_years < ADULT_AGE
        )
        return {
            "sex": self.sex,
            "age_years": self.age_years,
            "age_estimated": self.age_estimated,
            "juvenile": juvenile,
            "rights_read_at": self.rights_read_at,
            "rights_language": self.rights_language.strip(),
            "interpreter": self.interpreter,
            "interpreter_language": self.interpreter_language.strip(),
            "icrc_notified_at": self.icrc_notified_at,
            "family_notified_at": self.family_notified_at,
            "notification_note": self.notification_note.strip(),
        }


def safeguard_problems(
    s: Safeguards, *, apprehended_at: datetime, now: datetime, creating: bool
) -> dict[str, list[str]]:
    """Field errors of a set of safeguards (empty when they can be recorded)."""
    errors: dict[str, list[str]] = {}
    if creating and s.sex not in Sex.values:
        errors["sex"] = ["Say the detainee's sex (or that it is not known)."]
    elif s.sex and s.sex not in Sex.values:
        errors["sex"] = ["Unknown value."]
    if s.age_years is not None and not 0 <= s.age_years <= MAX_AGE:
        errors["age_years"] = [f"An age between 0 and {MAX_AGE}."]
    if s.interpreter and s.interpreter not in Interpreter.values:
        errors["interpreter"] = ["Unknown value."]
    if s.interpreter in (Interpreter.PROVIDED, Interpreter.NOT_PROVIDED) and not (
        s.interpreter_language.strip()
    ):
        errors["interpreter_language"] = ["Say which language the detainee needs."]
    for name in ("rights_read_at", "icrc_notified_at", "family_notified_at"):
        at = getattr(s, name)
        if at is None:
            continue
        if at < apprehended_at:
            errors[name] = ["Before the apprehension."]
        elif at > now + CLOCK_SKEW:
            errors[name] = ["In the future."]
    if s.rights_read_at is not None and not s.rights_language.strip():
        errors["rights_language"] = ["Say in which language the rights were read."]
    return errors


@transaction.atomic
def apprehension_safeguards_update(
    *, actor: Any, apprehension_id: int, safeguards: Safeguards, now: datetime | None = None
) -> Apprehension:
    """Record rights read, interpreter and notifications (and correct sex or age) later on.

    A value given replaces the one held; an empty time or text leaves the held one, so a
    notification once recorded is never erased by a later form.
    """
    apprehension = access.get_visible(
        actor, Apprehension.objects.select_for_update(), action="manage", pk=apprehension_id
    )
    _open(apprehension)
    now = now or timezone.now()
    errors = safeguard_problems(
        safeguards, apprehended_at=apprehension.apprehended_at, now=now, creating=False
    )
    if errors:
        raise ServiceError("The safeguards cannot be recorded as entered.", field_errors=errors)
    changed: list[str] = []
    new = safeguards.fields()
    for name, value in new.items():
        if name == "juvenile":
            continue
        if value in (None, "") or (name == "age_estimated" and safeguards.age_years is None):
            continue
        if getattr(apprehension, name) != value:
            setattr(apprehension, name, value)
            changed.append(name)
    juvenile = new["juvenile"] or apprehension.juvenile
    if juvenile != apprehension.juvenile:
        apprehension.juvenile = juvenile
        changed.append("juvenile")
    if changed:
        apprehension.save(update_fields=changed)
        audit.record_for(
            apprehension,
            actor=actor,
            action="safeguards",
            detail={"pseudonym": apprehension.pseudonym, "fields": sorted(changed)},
        )
    return apprehension


@transaction.atomic
def custody_move_record(
    *,
    actor: Any,
    apprehension_id: int,
    moved_at: datetime,
    to_place: str,
    reason: str,
    now: datetime | None = None,
) -> CustodyMove:
    """A move of the detainee to another place of custody, from where they were last held."""
    apprehension = access.get_visible(
        actor, Apprehension.objects.select_for_update(), action="manage", pk=apprehension_id
    )
    _open(apprehension)
    now = now or timezone.now()
    last = apprehension.moves.order_by("-moved_at", "-id").first()
    errors: dict[str, list[str]] = {}
    if not to_place.strip():
        errors["to_place"] = ["Required."]
    if not reason.strip():
        errors["reason"] = ["Required."]
    since = last.moved_at if last is not None else apprehension.apprehended_at
    if moved_at < since:
        errors["moved_at"] = ["Before the detainee arrived where they were held."]
    elif moved_at > now + CLOCK_SKEW:
        errors["moved_at"] = ["In the future."]
    if errors:
        raise ServiceError("The move cannot be recorded as entered.", field_errors=errors)
    move = CustodyMove.objects.create(
        mission_id=apprehension.mission_id,
        apprehension=apprehension,
        classification=apprehension.classification,
        compartments=apprehension.compartments,
        moved_at=moved_at,
        from_place=last.to_place if last is not None else apprehension.location,
        to_place=to_place.strip(),
        reason=reason.strip(),
        recorded_at=now,
        recorded_by=actor,
    )
    audit.record_for(
        apprehension,
        actor=actor,
        action="custody-move",
        detail={"pseudonym": apprehension.pseudonym, "move": move.pk},
    )
    return move
