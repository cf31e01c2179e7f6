"""Two-person downgrade: lowering a record's classification or removing a compartment.

One person asks (:func:`downgrade_request`), naming the marking they want and why; the record
keeps its marking until a second person with the policy's ``approve`` role, in the record's
scope and cleared for the record as it stands, approves (:func:`downgrade_approve`). Nobody
decides their own request, whatever else they hold; the administrator holds no operational
role, so never decides one. A refusal, a withdrawal or a lapse (``DOWNGRADE_REQUEST_DAYS``
without a decision) changes nothing on the record. The request, the decision and the new
marking are each an entry of the audit chain.

A record type takes part by declaring ``access_downgrade``: the page that shows one of its
records and the word for its type (``{"page": "incident-detail", "label": _("Incident")}``).
Approvers learn of a request from their inbox (``overview/inbox.py``), which counts what
:func:`bluebox.core.selectors.downgrades_to_decide` holds for them. No other write changes the
``classification`` or ``compartments`` of an existing record: the pages and the API set them
only when a record is created.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps as django_apps
from django.db import models, transaction
from django.utils import timezone

from bluebox.core import access, audit, selectors
from bluebox.core.classification import ALL_COMPARTMENTS, Classification
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import ClassifiedRecord, DowngradeRequest, DowngradeStatus
from bluebox.core.roles import Resource

#: A reason must say something: it is what the second person judges.
MIN_REASON = 10


def downgradable(record_type: str) -> type[ClassifiedRecord] | None:
    """The model of ``record_type`` ("<app_label>.<model>") if its records may be lowered."""
    try:
        model = django_apps.get_model(record_type)
    except (LookupError, ValueError):
        return None
    if not issubclass(model, ClassifiedRecord) or not getattr(model, "access_downgrade", None):
        return None
    return model


def record_page(record_type: str) -> tuple[str, str]:
    """The name of the page showing a record of this type, and the word for the type."""
    model = downgradable(record_type)
    declared = getattr(model, "access_downgrade", None) or {}
    return str(declared.get("page", "")), str(declared.get("label", record_type))


def _record_for(actor: Any, record_type: str, object_id: int) -> ClassifiedRecord:
    """The record, locked, if the actor sees it; the audited 404 otherwise (an unknown type
    answers like an unknown record)."""
    model = downgradable(record_type)
    if model is None:
        raise access.refuse_lookup(
            actor, DowngradeRequest.objects.all(), action="request", pk=object_id
        )
    queryset: models.QuerySet[Any] = model._default_manager.select_for_update()
    return access.get_visible(actor, queryset, pk=object_id)


def record_scope(record: ClassifiedRecord) -> dict[str, Any]:
    """The record's mission, sector and site, as the scope arguments of ``core.access``."""
    protection = access.Protection.of_record(record)
    return {
        "mission_id": protection.mission_id,
        "sector_id": protection.sector_id,
        "site_id": protection.site_id,
    }


def _target_errors(
    record: ClassifiedRecord, to_classification: Any, to_compartments: Any
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if to_classification not in Classification.values:
        errors["to_classification"] = ["Unknown classification."]
    elif to_classification > record.classification:
        errors["to_classification"] = ["Higher than the record's: this asks for a lower one."]
    if (
        not isinstance(to_compartments, int)
        or isinstance(to_compartments, bool)
        or not 0 <= to_compartments <= ALL_COMPARTMENTS
    ):
        errors["to_compartments"] = ["Unknown compartments."]
    elif to_compartments & ~record.compartments:
        errors["to_compartments"] = ["A compartment the record does not carry: only removal."]
    if not errors and (
        to_classification == record.classification and to_compartments == record.compartments
    ):
        errors["to_classification"] = ["The same marking: lower the level or remove one."]
    return errors


@transaction.atomic
def downgrade_request(
    *,
    actor: Any,
    record_type: str,
    object_id: int,
    to_classification: int,
    to_compartments: int,
    reason: str,
    now: datetime | None = None,
) -> DowngradeRequest:
    """Ask for a lower marking of one record; the record itself is not changed."""
    record = _record_for(actor, record_type, object_id)
    scope = record_scope(record)
    access.require_in_scope(
        actor,
        Resource.DOWNGRADE,
        "request",
        object_id=f"{record_type}:{record.pk}",
        classification=record.classification,
        compartments=record.compartments,
        **scope,
    )
    if getattr(record, "voided_at", None) is not None:
        raise ServiceError("A voided record keeps its marking.")
    errors = _target_errors(record, to_classification, to_compartments)
    stated = reason.strip()
    if len(stated) < MIN_REASON:
        errors["reason"] = [f"Say why (at least {MIN_REASON} characters)."]
    if errors:
        raise ServiceError("The request was not made.", field_errors=errors)
    now = now or timezone.now()
    if selectors.downgrade_waiting(record_type, record.pk, now) is not None:
        raise ServiceError("A request to lower this record's marking is already waiting.")
    request = DowngradeRequest.objects.create(
        record_type=record_type,
        object_id=str(record.pk),
        resource=str(record.access_resource),
        from_classification=record.classification,
        from_compartments=record.compartments,
        to_classification=int(to_classification),
        to_compartments=int(to_compartments),
        reason=stated[:2000],
        requested_by=actor,
        requested_at=now,
        **scope,
    )
    audit.record(
        actor=actor,
        action="downgrade-request",
        resource=Resource.DOWNGRADE,
        object_id=request.pk,
        mission_id=request.mission_id,
        detail=_detail(request),
    )
    return request


def _detail(request: DowngradeRequest, **extra: Any) -> dict[str, Any]:
    return {
        "record": {"type": request.record_type, "id": request.object_id},
        "from": {
            "classification": request.from_classification,
            "compartments": request.from_compartments,
        },
        "to": {
            "classification": request.to_classification,
            "compartments": request.to_compartments,
        },
        **extra,
    }


def _decidable(actor: Any, request_id: int, *, action: str, now: datetime) -> DowngradeRequest:
    """The pending request the actor may decide, locked; every refusal audited."""
    request = access.get_visible(actor, DowngradeRequest.objects.select_for_update(), pk=request_id)
    # The second person holds the deciding role in the record's scope and is cleared for the
    # record as it stands: its level and every compartment it carries.
    access.require_in_scope(
        actor,
        Resource.DOWNGRADE,
        "approve",
        object_id=request.pk,
        mission_id=request.mission_id,
        sector_id=request.sector_id,
        site_id=request.site_id,
        classification=request.from_classification,
        compartments=request.from_compartments,
    )
    if request.requested_by_id == actor.pk:
        raise access.refuse(
            NotPermitted("The person who asked for a downgrade cannot decide it."),
            actor=actor,
            action=action,
            resource=Resource.DOWNGRADE,
            object_id=request.pk,
            mission_id=request.mission_id,
            detail={"rule": "second person"},
        )
    if request.status != DowngradeStatus.PENDING:
        raise ServiceError(
            f"This request is already decided ({DowngradeStatus(request.status).label})."
        )
    if request.expires_at <= now:
        raise ServiceError("This request lapsed without a decision; the record keeps its marking.")
    return request


def _claim(request: DowngradeRequest, status: str, *, actor: Any, note: str, now: datetime) -> None:
    """Decide the request once: a conditional update, so two deciders never both win, even
    where the database does not lock rows (SQLite serialises writers instead)."""
    taken = DowngradeRequest.objects.filter(pk=request.pk, status=DowngradeStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, decision_note=note
    )
    if not taken:
        raise ServiceError("This request was decided by someone else meanwhile.")
    request.status, request.decided_by, request.decided_at = status, actor, now
    request.decision_note = note


@transaction.atomic
def downgrade_approve(
    *, actor: Any, request_id: int, note: str = "", now: datetime | None = None
) -> DowngradeRequest:
    """A second person approves: the record takes the lower marking, if it still has the one
    the request was made against."""
    now = now or timezone.now()
    request = _decidable(actor, request_id, action="approve", now=now)
    model = downgradable(request.record_type)
    record = (
        model._default_manager.select_for_update().filter(pk=request.object_id).first()
        if model is not None
        else None
    )
    if record is None or (record.classification, record.compartments) != (
        request.from_classification,
        request.from_compartments,
    ):
        raise ServiceError("The record's marking changed since this was asked: ask again.")
    _claim(request, DowngradeStatus.APPROVED, actor=actor, note=note.strip()[:1000], now=now)
    type(record)._default_manager.filter(pk=record.pk).update(
        classification=request.to_classification, compartments=request.to_compartments
    )
    audit.record(
        actor=actor,
        action="downgrade-approve",
        resource=Resource.DOWNGRADE,
        object_id=request.pk,
        mission_id=request.mission_id,
        detail=_detail(request, requested_by=request.requested_by_id),
    )
    audit.record_for(
        record,
        actor=actor,
        action="reclassify",
        detail=_detail(
            request,
            downgrade=request.pk,
            requested_by=request.requested_by_id,
            approved_by=actor.pk,
        ),
    )
    return request


@transaction.atomic
def downgrade_refuse(
    *, actor: Any, request_id: int, note: str, now: datetime | None = None
) -> DowngradeRequest:
    """A second person refuses, saying why; the record keeps its marking."""
    now = now or timezone.now()
    stated = note.strip()
    request = _decidable(actor, request_id, action="refuse", now=now)
    if len(stated) < MIN_REASON:
        raise ServiceError(
            "Say why the request is refused.",
            field_errors={"note": [f"At least {MIN_REASON} characters."]},
        )
    _claim(request, DowngradeStatus.REFUSED, actor=actor, note=stated[:1000], now=now)
    audit.record(
        actor=actor,
        action="downgrade-refuse",
        resource=Resource.DOWNGRADE,
        object_id=request.pk,
        mission_id=request.mission_id,
        detail=_detail(request, requested_by=request.requested_by_id),
    )
    return request


@transaction.atomic
def downgrade_withdraw(
    *, actor: Any, request_id: int, now: datetime | None = None
) -> DowngradeRequest:
    """The requester takes back a request nobody decided yet."""
    now = now or timezone.now()
    request = access.get_visible(actor, DowngradeRequest.objects.select_for_update(), pk=request_id)
    if request.requested_by_id != actor.pk:
        raise access.refuse(
            NotPermitted("Only the person who asked withdraws a request."),
            actor=actor,
            action="withdraw",
            resource=Resource.DOWNGRADE,
            object_id=request.pk,
            mission_id=request.mission_id,
        )
    if request.status != DowngradeStatus.PENDING:
        raise ServiceError(
            f"This request is already decided ({DowngradeStatus(request.status).label})."
        )
    _claim(request, DowngradeStatus.WITHDRAWN, actor=actor, note="", now=now)
    audit.record(
        actor=actor,
        action="downgrade-withdraw",
        resource=Resource.DOWNGRADE,
        object_id=request.pk,
        mission_id=request.mission_id,
        detail=_detail(request),
    )
    return request
