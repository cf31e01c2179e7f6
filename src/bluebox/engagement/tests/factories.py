"""Engagement records for tests, made through the services (the rules apply to them too)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bluebox.engagement import services
from bluebox.engagement.models import Commitment, Dialogue, Session

HARM = {
    "exposed": "Women's group representatives seen arriving with the mission",
    "how": "Armed youth watch the road to the school",
    "measures": "Meeting held inside the school, arrivals staggered",
    "risk": "medium",
    "outcome": "proceed_with_measures",
}


def dialogue(world: Any, *, by: Any = None, site: Any = None, **extra: Any) -> Dialogue:
    return services.dialogue_create(
        actor=by or world.commissioner,
        mission_id=world.mission.pk,
        site_id=(site or world.site_a).pk,
        title=extra.pop("title", "Site A security dialogue"),
        community=extra.pop("community", "Site A camp and market"),
        started_on=extra.pop("started_on", date(2026, 1, 5)),
        stakeholder_groups=extra.pop(
            "stakeholder_groups", ["host_police", "women", "youth", "traditional_leaders"]
        ),
        **extra,
    )


def session(
    world: Any,
    d: Dialogue,
    *,
    by: Any = None,
    held_on: date = date(2026, 2, 10),
    commitments: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Session:
    if commitments is None:
        commitments = [commitment_row(held_on + timedelta(days=30))]
    return services.session_record(
        actor=by or world.commissioner,
        dialogue_id=d.pk,
        held_on=held_on,
        place=extra.pop("place", "Site A school"),
        harm=extra.pop("harm", dict(HARM)),
        attendance=extra.pop(
            "attendance",
            [
                {"group": "women", "sex": "female", "count": 12},
                {"group": "youth", "sex": "male", "count": 9},
                {"group": "host_police", "sex": "male", "count": 3},
            ],
        ),
        minutes=extra.pop("minutes", "The market road is unlit; patrols stop at dusk."),
        commitments=commitments,
        **extra,
    )


def commitment_row(due_on: date, **extra: Any) -> dict[str, Any]:
    return {
        "text": extra.pop("text", "Light the market road before the rainy season"),
        "owner_kind": extra.pop("owner_kind", "external"),
        "owner_external": extra.pop("owner_external", "Mayor's office of Site A"),
        "due_on": due_on,
        **extra,
    }


def first_commitment(s: Session) -> Commitment:
    return Commitment.objects.filter(session=s).order_by("id").first()  # type: ignore[return-value]
