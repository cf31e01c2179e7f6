"""Merging two records of the same event, and undoing a merge.

The analyst keeps one record and merges the duplicate into it. Nothing is deleted: the
duplicate is voided as "merged into" the kept record, which takes the higher classification
and every compartment of the two, the actors and weapons of both, the widest fatality range and
the larger victim counts; the protected people, responses and alerts of the duplicate move to
it. An :class:`~bluebox.incidents.models.IncidentMerge` keeps what the merge changed, so it can
be undone; each step is in the audit trail. Only someone who sees both records, with the merge
step on both, can merge them: for anyone else the other record answers like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bluebox.core import access, audit, providers
from bluebox.core.exceptions import ServiceError
from bluebox.incidents.models import (
    Incident,
    IncidentMerge,
    IncidentResponse,
    IncidentStatus,
    ProtectedPerson,
)
from bluebox.incidents.services.common import _require_workflow

# What a merge changes on the kept record (and restores on undo), besides the protection.
COMBINED_FIELDS = (
    "actors",
    "weapons",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "fatalities_civilians",
    "victims_women",
    "victims_men",
    "victims_girls",
    "victims_boys",
    "victims_unknown",
)
VOID_FIELDS = ("status", "voided_at", "voided_by_id", "void_reason", "merged_into_id")


def _union(first: list[Any], second: list[Any]) -> list[Any]:
    return first + [x for x in second if x not in first]


def _combine(kept: Incident, dup: Incident) -> None:
    """The kept record's figures after the merge (two reports of one event: the widest range)."""
    kept.actors = _union(list(kept.actors or []), list(dup.actors or []))
    kept.weapons = _union(list(kept.weapons or []), list(dup.weapons or []))
    kept.fatalities_low = min(kept.fatalities_low, dup.fatalities_low)
    kept.fatalities_high = max(kept.fatalities_high, dup.fatalities_high)
    kept.fatalities_best = min(max(kept.fatalities_best, kept.fatalities_low), kept.fatalities_high)
    known = [n for n in (kept.fatalities_civilians, dup.fatalities_civilians) if n is not None]
    kept.fatalities_civilians = max(known) if known else None
    for field in ("victims_women", "victims_men", "victims_girls", "victims_boys"):
        setattr(kept, field, max(getattr(kept, field), getattr(dup, field)))
    kept.victims_unknown = max(kept.victims_unknown, dup.victims_unknown)


def _pair(actor: Any, kept_id: int, duplicate_id: int) -> tuple[Incident, Incident]:
    """Both records, locked, if the actor sees both and may merge both (else 404, then 403)."""
    locked = Incident.objects.select_for_update()
    kept = access.get_visible(actor, locked, pk=kept_id)
    dup = access.get_visible(actor, locked, pk=duplicate_id)
    _require_workflow(actor, kept, "merge")
    _require_workflow(actor, dup, "merge")
    return kept, dup


def incident_merge(
    *, actor: Any, incident_id: int, duplicate_id: int, note: str = ""
) -> IncidentMerge:
    """Merge ``duplicate_id`` into ``incident_id`` (the record kept)."""
    with transaction.atomic():
        if incident_id == duplicate_id:
            raise ServiceError(
                "A record cannot be merged into itself.",
                field_errors={"duplicate": ["Choose another record."]},
            )
        kept, dup = _pair(actor, incident_id, duplicate_id)
        if kept.mission_id != dup.mission_id:
            raise ServiceError(
                "Only records of the same mission can be merged.",
                field_errors={"duplicate": ["Another mission's record."]},
            )
        for record in (kept, dup):
            if record.voided_at is not None or record.merged_into_id is not None:
                raise ServiceError(
                    f"Record #{record.pk} is voided or already merged: merge live records only.",
                    field_errors={"duplicate": ["Not a live record."]},
                )
        before = {
            "kept": {f: getattr(kept, f) for f in (*COMBINED_FIELDS, "classification")},
            "kept_compartments": kept.compartments,
            "duplicate": {"status": dup.status, "classification": dup.classification},
            "duplicate_compartments": dup.compartments,
        }
        _combine(kept, dup)
        # The merged record says what both reports said: it carries the protection of both.
        classification = max(int(kept.classification), int(dup.classification))
        compartments = int(kept.compartments) | int(dup.compartments)  # a bit set
        for record in (kept, dup):
            record.classification = classification
            record.compartments = compartments
        now = timezone.now()
        dup.merged_into = kept
        dup.status = IncidentStatus.VOIDED
        dup.voided_at = now
        dup.voided_by = actor
        # Says nothing of the kept record: a reader of this one may not see it.
        dup.void_reason = "Merged into another record of the same event."
        kept.save(update_fields=[*COMBINED_FIELDS, "classification", "compartments"])
        dup.save(update_fields=[*VOID_FIELDS, "classification", "compartments"])
        moved = {
            "protected_people": _move(ProtectedPerson, dup, kept),
            "responses": _move(IncidentResponse, dup, kept),
            **providers.move_incident_references(actor=actor, source=dup, target=kept),
        }
        merge = IncidentMerge.objects.create(
            kept=kept,
            duplicate=dup,
            note=note.strip(),
            before=before,
            moved={k: v for k, v in moved.items() if v},
            merged_by=actor,
            merged_at=now,
        )
        counts = {k: len(v) for k, v in merge.moved.items()}
        audit.record_for(
            kept,
            actor=actor,
            action="merge",
            detail={"duplicate": dup.pk, "merge": merge.pk, "moved": counts},
        )
        audit.record_for(dup, actor=actor, action="merged-into", detail={"kept": kept.pk})
        return merge


def _move(
    model: type[Any], source: Incident, target: Incident, only: list[int] | None = None
) -> list[int]:
    rows = model.objects.filter(incident=source)
    if only is not None:
        rows = rows.filter(pk__in=only)
    ids = sorted(rows.values_list("pk", flat=True))
    model.objects.filter(pk__in=ids).update(incident=target)
    return ids


def incident_unmerge(*, actor: Any, duplicate_id: int, reason: str) -> IncidentMerge:
    """Undo the live merge of ``duplicate_id``: it comes back as it was, with what it had.

    The kept record's combined figures go back to what they were; both records keep the
    higher classification (a downgrade takes a second person, `core/downgrades`)."""
    with transaction.atomic():
        if not reason.strip():
            raise ServiceError(
                "Say why the merge is undone.", field_errors={"reason": ["Required."]}
            )
        dup = access.get_visible(actor, Incident.objects.all(), pk=duplicate_id)
        merge = (
            IncidentMerge.objects.select_for_update()
            .filter(duplicate=dup, undone_at__isnull=True)
            .first()
        )
        if merge is None:
            raise ServiceError("This record is not merged into another.")
        kept, dup = _pair(actor, merge.kept_id, dup.pk)
        for field, value in merge.before["kept"].items():
            if field != "classification":
                setattr(kept, field, value)
        dup.status = merge.before["duplicate"]["status"]
        dup.merged_into = None
        dup.voided_at = None
        dup.voided_by = None
        dup.void_reason = ""
        kept.save(update_fields=list(COMBINED_FIELDS))
        dup.save(update_fields=list(VOID_FIELDS))
        moved = merge.moved
        _move(ProtectedPerson, kept, dup, moved.get("protected_people", []))
        _move(IncidentResponse, kept, dup, moved.get("responses", []))
        providers.move_incident_references(actor=actor, source=kept, target=dup, only=moved)
        merge.undone_by = actor
        merge.undone_at = timezone.now()
        merge.undo_reason = reason.strip()
        merge.save(update_fields=["undone_by", "undone_at", "undo_reason"])
        audit.record_for(kept, actor=actor, action="unmerge", detail={"duplicate": dup.pk})
        audit.record_for(dup, actor=actor, action="unmerged-from", detail={"kept": kept.pk})
        return merge
