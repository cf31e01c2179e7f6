"""The one authorization module: every view, API, list, count and export asks it.

A decision combines role × scope × classification × compartment (sharing grants join here when
that capability lands). List filtering happens in SQL through :func:`visible`, so a list, a count
and an aggregate can only ever contain what the detail view would show. A record the user may not
see raises :class:`NotVisible`, which every channel renders exactly like a missing record (404),
and the refusal is written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from bluebox.core import audit
from bluebox.core.classification import Classification, masks_within
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.models import (
    AuditEntry,
    AuditOutcome,
    ClassifiedRecord,
    CompartmentGrant,
    RoleAssignment,
)
from bluebox.core.roles import ROLE_PROFILES, Resource, rule_for

M = TypeVar("M", bound=models.Model)
E = TypeVar("E", bound=BaseException)


MIN_REVEAL_PURPOSE = 10


def reveal_purpose(purpose: str) -> str:
    """The stated purpose of revealing a protected identity, or a clear 400.

    One rule for every compartment (sources, survivors, callers, detainees): the purpose goes to
    the audit trail, so it must say something.
    """
    stated = purpose.strip()
    if len(stated) < MIN_REVEAL_PURPOSE:
        raise ServiceError(
            f"State the purpose of this reveal (at least {MIN_REVEAL_PURPOSE} characters).",
            field_errors={"purpose": [f"At least {MIN_REVEAL_PURPOSE} characters."]},
        )
    return stated[:500]


@dataclass(frozen=True)
class Grant:
    """One role assignment turned into what it allows for one resource and action."""

    role: str
    mission_id: int
    sector_id: int | None
    site_id: int | None
    max_classification: int | None
    compartments: int


def _assignments(user: Any) -> list[RoleAssignment]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cache = getattr(user, "_bluebox_assignments", None)
    if cache is None:
        cache = list(RoleAssignment.objects.filter(user=user).select_related(None))
        user._bluebox_assignments = cache
    return cache


def _granted_compartments(user: Any) -> dict[int, int]:
    cache = getattr(user, "_bluebox_compartments", None)
    if cache is None:
        cache = {}
        for grant in CompartmentGrant.objects.filter(user=user, revoked_at__isnull=True):
            cache[grant.mission_id] = cache.get(grant.mission_id, 0) | grant.compartment
        user._bluebox_compartments = cache
    return cache


def forget(user: Any) -> None:
    """Drop the per-request cache of a user's assignments (after they change)."""
    for attr in ("_bluebox_assignments", "_bluebox_compartments"):
        if hasattr(user, attr):
            delattr(user, attr)


def grants(user: Any, resource: Resource, action: str) -> list[Grant]:
    rule = rule_for(resource, action)
    if rule is None:
        return []
    result = []
    extra = None
    for assignment in _assignments(user):
        if assignment.role not in rule.roles:
            continue
        if extra is None:
            extra = _granted_compartments(user)
        profile = ROLE_PROFILES[assignment.role]
        wide = rule.mission_wide
        result.append(
            Grant(
                role=assignment.role,
                mission_id=assignment.mission_id,
                sector_id=None if wide else assignment.sector_id,
                site_id=None if wide else assignment.site_id,
                max_classification=(
                    None if profile.max_classification is None else int(profile.max_classification)
                ),
                compartments=profile.compartments | extra.get(assignment.mission_id, 0),
            )
        )
    return result


def _scope_q(grant: Grant, scope: dict[str, str | None]) -> Q:
    if grant.site_id is not None:
        field = scope.get("site")
        return Q(**{field: grant.site_id}) if field else Q(pk__in=[])
    if grant.sector_id is not None:
        field = scope.get("sector")
        return Q(**{field: grant.sector_id}) if field else Q(pk__in=[])
    field = scope.get("mission")
    return Q(**{field: grant.mission_id}) if field else Q(pk__in=[])


def filter_q(user: Any, model: type[models.Model], action: str = "view") -> Q:
    """The rows of ``model`` the user may act on, as a Q object (empty when none)."""
    resource: Resource | None = getattr(model, "access_resource", None)
    scope = getattr(model, "access_scope", {})
    if resource is None or not scope:
        raise TypeError(f"{model.__name__} declares no access_resource/access_scope")
    classified = issubclass(model, ClassifiedRecord)
    combined = Q(pk__in=[])
    for grant in grants(user, resource, action):
        q = _scope_q(grant, scope)
        if classified:
            if grant.max_classification is None:
                continue
            q &= Q(classification__lte=grant.max_classification)
            q &= Q(compartments__in=masks_within(grant.compartments))
        combined |= q
    return combined


def visible(user: Any, queryset: QuerySet[M], action: str = "view") -> QuerySet[M]:
    """Filter a queryset to what the user may see (or act on) — lists, counts, aggregates."""
    return queryset.filter(filter_q(user, queryset.model, action))


def can(user: Any, action: str, obj: models.Model) -> bool:
    model = type(obj)
    return visible(user, model._default_manager.filter(pk=obj.pk), action).exists()


def can_in_scope(
    user: Any,
    resource: Resource,
    action: str,
    *,
    mission_id: int,
    sector_id: int | None = None,
    site_id: int | None = None,
    classification: int = Classification.UNCLASSIFIED,
    compartments: int = 0,
) -> bool:
    """May the user perform ``action`` on a (new) record placed in this scope?"""
    for grant in grants(user, resource, action):
        if grant.mission_id != mission_id:
            continue
        if grant.sector_id is not None and grant.sector_id != sector_id:
            continue
        if grant.site_id is not None and grant.site_id != site_id:
            continue
        if grant.max_classification is not None and classification > grant.max_classification:
            continue
        if compartments & ~grant.compartments:
            continue
        return True
    return False


def missions_for(user: Any, resource: Resource, action: str = "view") -> set[int]:
    return {grant.mission_id for grant in grants(user, resource, action)}


def _is_sensitive(obj: models.Model) -> bool:
    return isinstance(obj, ClassifiedRecord) and (
        obj.classification >= Classification.STRICTLY_CONFIDENTIAL or obj.compartments != 0
    )


def _mission_of(obj: models.Model) -> int | None:
    value = _scope_value(obj, getattr(obj, "access_scope", {}).get("mission"))
    return int(value) if value is not None else None


def refuse(
    exc: E,
    *,
    actor: Any,
    action: str,
    resource: str = "",
    object_id: object = "",
    mission_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> E:
    """Audit a refusal now, keep it on the exception for :func:`record_refusal`, return ``exc``.

    How a check or a service refuses: ``raise access.refuse(NotPermitted(...), actor=..., ...)``,
    never ``audit.record(outcome=DENIED)`` then ``raise``. The refusal is often raised inside a
    service's transaction, whose rollback would take the entry with it; the request boundary (API
    exception handler, web middleware, views that render a refusal themselves) calls
    :func:`record_refusal` after the rollback and writes the entry again if it was lost.
    """
    entry: dict[str, Any] = {
        "actor": actor,
        "action": action,
        "resource": resource,
        "object_id": object_id,
        "mission_id": mission_id,
        "detail": detail,
    }
    written = audit.record(outcome=AuditOutcome.DENIED, **entry)
    exc.bluebox_refusal = (entry, written.seq, written.entry_hash)  # type: ignore[attr-defined]
    return exc


def record_refusal(exc: BaseException) -> None:
    """Make sure the refusal carried by ``exc`` is in the audit trail (see :func:`refuse`)."""
    pending = getattr(exc, "bluebox_refusal", None)
    if pending is None:
        return
    entry, seq, entry_hash = pending
    if not AuditEntry.objects.filter(seq=seq, entry_hash=entry_hash).exists():
        audit.record(outcome=AuditOutcome.DENIED, **entry)
    exc.bluebox_refusal = None  # type: ignore[attr-defined]


def get_visible(user: Any, queryset: QuerySet[M], *, action: str = "view", **lookup: Any) -> M:
    """Fetch one record or raise :class:`NotVisible`; every failed lookup is audited alike."""
    obj = visible(user, queryset, action).filter(**lookup).first()
    if obj is None:
        raise refuse_lookup(user, queryset, action=action, **lookup)
    if action == "view" and _is_sensitive(obj):
        audit.record(
            actor=user,
            action="read",
            resource=getattr(obj, "access_resource", ""),
            object_id=obj.pk,
            mission_id=_mission_of(obj),
        )
    return obj


def _lookup_id(lookup: Mapping[str, Any]) -> str:
    if len(lookup) == 1 and next(iter(lookup)) in ("pk", "id"):
        return str(next(iter(lookup.values())))[:64]
    return ",".join(f"{key}={value}" for key, value in sorted(lookup.items()))[:64]


def refuse_lookup(
    user: Any,
    queryset: QuerySet[Any],
    *,
    action: str,
    resource: Resource | None = None,
    **lookup: Any,
) -> NotVisible:
    """The audited :class:`NotVisible` for a lookup that found nothing the user may see.

    A hidden record and a missing one take this same path: one query for the mission the
    record would belong to (``None`` when there is none; the auditor needs it to see probing of
    their mission), one *denied* entry naming what was asked for, the same exception. Neither
    the answer nor the time it takes depends on whether the record exists. ``resource`` names
    the policy entry refused when it is not the model's own (a unit's HRDDP file).
    """
    model = queryset.model
    mission_field = getattr(model, "access_scope", {}).get("mission")
    mission_id = None
    if mission_field:
        mission_id = queryset.filter(**lookup).values_list(mission_field, flat=True).first()
    return refuse(
        NotVisible(),
        actor=user,
        action=action,
        resource=resource if resource is not None else getattr(model, "access_resource", ""),
        object_id=_lookup_id(lookup),
        mission_id=mission_id,
    )


def audit_reads(user: Any, objects: Iterable[models.Model]) -> None:
    """Record a list's reads of strictly confidential or compartmented records."""
    sensitive = [obj for obj in objects if _is_sensitive(obj)]
    if not sensitive:
        return
    resource = getattr(sensitive[0], "access_resource", "")
    audit.record(
        actor=user,
        action="list-read",
        resource=resource,
        mission_id=_mission_of(sensitive[0]),
        detail={"ids": [str(obj.pk) for obj in sensitive]},
    )


def require_in_scope(
    user: Any, resource: Resource, action: str, *, object_id: object = "", **scope: Any
) -> None:
    """Raise :class:`NotPermitted` (audited) unless :func:`can_in_scope` allows the action.

    ``object_id`` names the existing record the action is about, for the audit entry only.
    """
    if not can_in_scope(user, resource, action, **scope):
        raise refuse(
            NotPermitted(f"not permitted to {action} {resource} here"),
            actor=user,
            action=action,
            resource=resource,
            object_id=object_id,
            mission_id=scope.get("mission_id"),
        )


def _scope_value(obj: models.Model, field: str | None) -> Any:
    """The value of one ``access_scope`` field on ``obj``; ``"apprehension__site_id"`` walks."""
    if not field:
        return None
    value: Any = obj
    for part in field.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def reveal(
    user: Any,
    record: ClassifiedRecord,
    *,
    purpose: str,
    compartments: int,
    action: str = "reveal",
    audit_action: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> str:
    """Allow and audit revealing a protected identity held on ``record``; return the purpose.

    The one sequence for every reveal (sources, survivors, callers, detainees): the stated purpose
    must say something (:func:`reveal_purpose`, a 400 otherwise, nothing
    audited); the user needs ``action`` on the record's resource in its scope, at its
    classification, *and* the ``compartments`` holding the identity (otherwise an audited
    :class:`NotPermitted`, as :func:`require_in_scope`); then one allowed entry is written, named
    ``audit_action`` (default ``action``), with ``detail`` and the purpose. ``record`` comes from
    :func:`get_visible` (404 for those who may not see it); the caller decrypts the identity
    only after this returns, and never passes it here.
    """
    stated = reveal_purpose(purpose)
    resource = record.access_resource
    scope = record.access_scope
    mission_id = _scope_value(record, scope.get("mission"))
    require_in_scope(
        user,
        resource,
        action,
        object_id=record.pk,
        mission_id=mission_id,
        sector_id=_scope_value(record, scope.get("sector")),
        site_id=_scope_value(record, scope.get("site")),
        classification=record.classification,
        compartments=compartments,
    )
    audit.record(
        actor=user,
        action=audit_action or action,
        resource=resource,
        object_id=record.pk,
        mission_id=mission_id,
        detail={**(detail or {}), "purpose": stated},
    )
    return stated
