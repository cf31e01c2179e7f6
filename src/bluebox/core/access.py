"""The one authorization module: every view, API, list, count and export asks it.

A decision combines role × scope × classification × compartment × sharing agreement. List
filtering happens in SQL through :func:`visible`, so a list, a count
and an aggregate can only ever contain what the detail view would show. A record the user may not
see raises :class:`NotVisible`, which every channel renders exactly like a missing record (404),
and the refusal is written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from django.apps import apps as django_apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from bluebox.core import audit
from bluebox.core.classification import Classification, masks_within
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError, StepUpRequired
from bluebox.core.models import (
    AuditEntry,
    AuditOutcome,
    ClassifiedRecord,
    CompartmentGrant,
    DerivedRecord,
    RevealAlert,
    RoleAssignment,
    StepUp,
    User,
    VoidableRecord,
)
from bluebox.core.roles import ROLE_PROFILES, SHARED, Resource, rule_for
from bluebox.core.sharing import (
    TLP,
    TLP_ORDER,
    AgreementStatus,
    DisclosureReceipt,
    SharedField,
    SharingAgreement,
)

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
    # Set on the grants of the "shared" action: the live sharing agreement this grant is.
    agreement: SharingAgreement | None = field(default=None, compare=False, repr=False)


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
    for attr in ("_bluebox_assignments", "_bluebox_compartments", "_bluebox_agreements"):
        if hasattr(user, attr):
            delattr(user, attr)


def grants(user: Any, resource: Resource, action: str) -> list[Grant]:
    rule = rule_for(resource, action)
    if rule is None:
        return []
    if action == SHARED:
        # Holding a recipient role grants nothing by itself: only live agreements do.
        return [
            Grant(
                role="",
                mission_id=a.mission_id,
                sector_id=a.sector_id,
                site_id=a.site_id,
                max_classification=a.max_classification,
                compartments=0,
                agreement=a,
            )
            for a in live_agreements(user, resource)
        ]
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


def _protection_fields(model: type[models.Model]) -> tuple[str, str] | None:
    """The fields holding a model's classification and compartments, if it carries any.

    Operational records carry their own (``ClassifiedRecord``); a record *about* another one
    (a downgrade request) declares ``access_protection``, the fields holding that record's
    protection, and is shown only to those cleared for it.
    """
    if issubclass(model, ClassifiedRecord):
        return ("classification", "compartments")
    declared: Mapping[str, str] | None = getattr(model, "access_protection", None)
    if declared is None:
        return None
    return (declared["classification"], declared["compartments"])


def filter_q(user: Any, model: type[models.Model], action: str = "view") -> Q:
    """The rows of ``model`` the user may act on, as a Q object (empty when none)."""
    resource: Resource | None = getattr(model, "access_resource", None)
    scope = getattr(model, "access_scope", {})
    if resource is None or not scope:
        raise TypeError(f"{model.__name__} declares no access_resource/access_scope")
    protection = _protection_fields(model)
    combined = Q(pk__in=[])
    if action == SHARED:
        for grant in grants(user, resource, action):
            assert grant.agreement is not None  # noqa: S101 - every shared grant is one
            combined |= agreement_q(grant.agreement, model)
        return combined
    for grant in grants(user, resource, action):
        q = _scope_q(grant, scope)
        if protection is not None:
            if grant.max_classification is None:
                continue
            level, compartments = protection
            q &= Q(**{f"{level}__lte": grant.max_classification})
            q &= Q(**{f"{compartments}__in": masks_within(grant.compartments)})
        combined |= q
    if issubclass(model, DerivedRecord):
        combined &= derived_q(user)
    # Rows a model declares public (``access_public``, a Q) are visible to everyone, anonymous
    # included — for viewing only.
    public: Q | None = getattr(model, "access_public", None)
    if public is not None and action == "view":
        combined |= public
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
    """May the user perform ``action`` on a (new) record placed in this scope?

    Never through a sharing agreement: it grants reads of existing records, decided per record
    by :func:`visible` with the ``shared`` action.
    """
    if action == SHARED:
        return False
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


def _sensitive_marking(classification: int, compartments: int) -> bool:
    return classification >= Classification.STRICTLY_CONFIDENTIAL or compartments != 0


def _is_sensitive(obj: models.Model) -> bool:
    return isinstance(obj, ClassifiedRecord) and _sensitive_marking(
        obj.classification, obj.compartments
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
    """Record a list's reads of strictly confidential or compartmented records.

    One ``list-read`` entry per list shown (a page), naming every such record by id, so each
    read of one is recorded. It is committed without waiting for the disk
    (:func:`bluebox.core.audit.record`, ``flush=False``): a list page is read far more often
    than anything is written, and a flush per page was a large part of its cost.
    """
    sensitive = [obj for obj in objects if _is_sensitive(obj)]
    if not sensitive:
        return
    _record_list_read(
        user,
        getattr(sensitive[0], "access_resource", ""),
        _mission_of(sensitive[0]),
        [obj.pk for obj in sensitive],
    )


def audit_row_reads(
    user: Any, model: type[models.Model], rows: Iterable[Mapping[str, Any]]
) -> None:
    """:func:`audit_reads` for a list read as plain values rather than model instances.

    Each row carries ``id``, ``classification``, ``compartments`` and the record's mission
    under the name of the model's mission scope field without ``_id`` (``mission``).
    """
    mission_key = (getattr(model, "access_scope", {}).get("mission") or "").removesuffix("_id")
    sensitive = [
        row for row in rows if _sensitive_marking(row["classification"], row["compartments"])
    ]
    if not sensitive:
        return
    mission = sensitive[0].get(mission_key) if mission_key else None
    _record_list_read(
        user,
        getattr(model, "access_resource", ""),
        int(mission) if mission is not None else None,
        [row["id"] for row in sensitive],
    )


def _record_list_read(user: Any, resource: str, mission_id: int | None, ids: list[Any]) -> None:
    audit.record(
        actor=user,
        action="list-read",
        resource=resource,
        mission_id=mission_id,
        detail={"ids": [str(pk) for pk in ids]},
        flush=False,
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
    :class:`NotPermitted`, as :func:`require_in_scope`); then a fresh second-factor check bound
    to this very record (:func:`bluebox.core.mfa.step_up`, at most five minutes old, used once;
    an audited :class:`StepUpRequired` otherwise); then one allowed entry is written, named
    ``audit_action`` (default ``action``), with ``detail``, the purpose and the step-up it used.
    A person revealing more than the mission's ``reveal_alert`` setting allows in its window
    raises a :class:`~bluebox.core.models.RevealAlert` for the commanders. ``record`` comes from
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
    now = timezone.now()
    step = _take_step_up(user, record, now=now, action=action, mission_id=mission_id)
    audit.record(
        actor=user,
        action=audit_action or action,
        resource=resource,
        object_id=record.pk,
        mission_id=mission_id,
        detail={
            **(detail or {}),
            "purpose": stated,
            "step_up": {
                "id": step.pk,
                "method": step.method,
                "verified_at": step.verified_at.isoformat(),
                "age_s": int((now - step.verified_at).total_seconds()),
            },
        },
    )
    if mission_id is not None:
        _watch_reveal_rate(user, int(mission_id), now)
    return stated


def _take_step_up(
    user: Any, record: models.Model, *, now: datetime, action: str, mission_id: Any
) -> StepUp:
    """The person's unused step-up for this record, at most five minutes old, now used."""
    resource = str(getattr(record, "access_resource", ""))
    cutoff = now - timedelta(seconds=int(settings.STEP_UP_MAX_AGE_S))
    candidates = StepUp.objects.filter(
        user_id=getattr(user, "pk", None) or 0,
        record_type=record._meta.label_lower,
        object_id=str(record.pk),
        used_at__isnull=True,
        verified_at__gte=cutoff,
        verified_at__lte=now,
    ).order_by("-verified_at")
    for step in candidates[:3]:
        # A conditional update takes it once, even with two reveals racing for it.
        if StepUp.objects.filter(pk=step.pk, used_at__isnull=True).update(used_at=now):
            step.used_at = now
            return step
    raise refuse(
        StepUpRequired(
            "A second-factor check for this record, made in the last five minutes, is required."
        ),
        actor=user,
        action=action,
        resource=resource,
        object_id=record.pk,
        mission_id=mission_id,
        detail={"rule": "step-up required"},
    )


#: Without a ``reveal_alert`` setting: more than 20 reveals by one person in 24 hours.
DEFAULT_REVEAL_ALERT = {"reveals": 20, "hours": 24}


def reveal_alert_setting(value: Any) -> tuple[int, int]:
    """``Mission.settings["reveal_alert"]`` as ``(reveals, hours)``; ``ValueError`` when bad.

    ``{"reveals": N, "hours": H}``: more than N reveals by one person within H hours raises an
    alert. N from 1 to 10,000, H from 1 to 720 (30 days).
    """
    merged = {**DEFAULT_REVEAL_ALERT, **(value or {})} if isinstance(value, dict | None) else None
    if merged is None or set(merged) != {"reveals", "hours"}:
        raise ValueError('reveal_alert is {"reveals": N, "hours": H}')
    reveals, hours = merged["reveals"], merged["hours"]
    if not isinstance(reveals, int) or isinstance(reveals, bool) or not 1 <= reveals <= 10_000:
        raise ValueError("reveal_alert.reveals is a whole number from 1 to 10000")
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 720:
        raise ValueError("reveal_alert.hours is a whole number from 1 to 720")
    return reveals, hours


def _reveal_limits(mission_id: int) -> tuple[int, int]:
    mission = django_apps.get_model("missions", "Mission").objects.filter(pk=mission_id).first()
    try:
        return reveal_alert_setting(
            (mission.settings or {}).get("reveal_alert") if mission else None
        )
    except ValueError:
        # A bad stored value (the definition check refuses them) must not stop reveals nor
        # silence the alert: the default applies.
        return reveal_alert_setting(None)


def _watch_reveal_rate(user: Any, mission_id: int, now: datetime) -> None:
    """Raise one alert per window when a person's reveals in a mission pass its limit."""
    limit, hours = _reveal_limits(mission_id)
    since = now - timedelta(hours=hours)
    count = AuditEntry.objects.filter(
        actor_id=user.pk,
        mission_id=mission_id,
        outcome=AuditOutcome.ALLOWED,
        at__gte=since,
        detail__has_key="step_up",
    ).count()
    if count <= limit:
        return
    if RevealAlert.objects.filter(actor=user, mission_id=mission_id, raised_at__gte=since).exists():
        return
    alert = RevealAlert.objects.create(
        mission_id=mission_id,
        actor=user,
        raised_at=now,
        window_hours=hours,
        limit=limit,
        count=count,
    )
    audit.record(
        actor=None,
        action="reveal-rate-alert",
        resource=Resource.REVEAL_ALERT,
        object_id=alert.pk,
        mission_id=mission_id,
        detail={"person": user.pk, "reveals": count, "limit": limit, "hours": hours},
    )


# --- derived data ----------------------------------------------------------------------------
#
# A forecast, a risk figure, a count or a draft computed from records must not tell anyone more
# than those records would. The rule, for every derived artefact:
#
# 1. It is computed for an *audience*, described by a :class:`Protection` (the clearance of its
#    viewers: a scope, a highest classification, compartments), and reads only the inputs
#    within it (:func:`derived_inputs`) — and, when a person computes it, only those that person
#    may see as well.
# 2. It carries that protection as its label (:class:`bluebox.core.models.DerivedRecord`) and
#    is shown only to those cleared for it (:func:`cleared`; :func:`visible` applies the same
#    rule in SQL through :func:`derived_q`).
# 3. Where viewers differ (a commander and a reporter read one risk map), it is computed once
#    per distinct clearance among them (:func:`audiences`), and each viewer is served the widest
#    variant they are cleared for. A viewer's variant is then computed from exactly what they
#    may see, so adding or voiding a record hidden from them changes nothing they are shown.
#
# The label is chosen from the audience before any input is read, so it says nothing about the
# hidden records themselves.


@dataclass(frozen=True)
class Protection:
    """The protection of a derived artefact's inputs: what they are, where, how classified.

    ``resource`` names what the inputs are (``incident``); the scope is the mission, or one
    sector of it, or one field site (with its sector); every input is at most
    ``classification`` and holds no compartment outside ``compartments``.
    """

    resource: Resource
    mission_id: int
    sector_id: int | None = None
    site_id: int | None = None
    classification: int = Classification.UNCLASSIFIED
    compartments: int = 0

    @property
    def scope_rank(self) -> int:
        """0 for a field site, 1 for a sector, 2 for the whole mission (wider is larger)."""
        if self.site_id is not None:
            return 0
        return 1 if self.sector_id is not None else 2

    def covers(self, other: Protection) -> bool:
        """Whether everything within ``other`` is within this protection too."""
        if other.resource != self.resource or other.mission_id != self.mission_id:
            return False
        if self.site_id is not None and other.site_id != self.site_id:
            return False
        if self.sector_id is not None and other.sector_id != self.sector_id:
            return False
        return (
            other.classification <= self.classification
            and other.compartments & ~self.compartments == 0
        )

    def label(self) -> dict[str, Any]:
        """The :class:`~bluebox.core.models.DerivedRecord` fields carrying this protection."""
        return {
            "inputs_resource": str(self.resource),
            "inputs_mission_id": self.mission_id,
            "inputs_sector_id": self.sector_id,
            "inputs_site_id": self.site_id,
            "inputs_classification": int(self.classification),
            "inputs_compartments": int(self.compartments),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "resource": str(self.resource),
            "mission": self.mission_id,
            "sector": self.sector_id,
            "site": self.site_id,
            "classification": int(self.classification),
            "compartments": int(self.compartments),
        }

    @classmethod
    def of(cls, record: DerivedRecord) -> Protection | None:
        """The label a derived record carries (``None`` for a record written by a person)."""
        if not record.inputs_resource or record.inputs_mission_id is None:
            return None
        return cls(
            resource=Resource(record.inputs_resource),
            mission_id=int(record.inputs_mission_id),
            sector_id=record.inputs_sector_id,
            site_id=record.inputs_site_id,
            classification=record.inputs_classification,
            compartments=record.inputs_compartments,
        )

    @classmethod
    def of_record(cls, record: ClassifiedRecord, resource: Resource | None = None) -> Protection:
        """The protection of one classified record's own audience (e.g. a site's patrol plan)."""
        scope = record.access_scope
        mission = _scope_value(record, scope.get("mission"))
        return cls(
            resource=resource or record.access_resource,
            mission_id=int(mission),
            sector_id=_scope_value(record, scope.get("sector")),
            site_id=_scope_value(record, scope.get("site")),
            classification=record.classification,
            compartments=record.compartments,
        )


def _site_sectors(site_ids: Iterable[int]) -> dict[int, int]:
    # Mission structure, named as core's models name it (core sits below the missions app).
    site_model = django_apps.get_model("missions", "FieldSite")
    wanted = {s for s in site_ids if s is not None}
    if not wanted:
        return {}
    return dict(site_model.objects.filter(pk__in=wanted).values_list("pk", "sector_id"))


def _grant_protections(grant_list: list[Grant], resource: Resource) -> list[Protection]:
    sectors = _site_sectors(g.site_id for g in grant_list if g.site_id is not None)
    out = []
    for g in grant_list:
        if g.max_classification is None:
            continue
        out.append(
            Protection(
                resource=resource,
                mission_id=g.mission_id,
                sector_id=sectors.get(g.site_id) if g.site_id is not None else g.sector_id,
                site_id=g.site_id,
                classification=g.max_classification,
                compartments=g.compartments,
            )
        )
    return out


def clearances(user: Any, resource: Resource) -> list[Protection]:
    """What the user may read of ``resource``, one :class:`Protection` per role assignment."""
    cache: dict[Resource, list[Protection]] | None = getattr(user, "_bluebox_clearances", None)
    if cache is None:
        cache = {}
        if user is not None:
            user._bluebox_clearances = cache
    if resource not in cache:
        cache[resource] = _grant_protections(grants(user, resource, "view"), resource)
    return cache[resource]


def cleared(user: Any, protection: Protection) -> bool:
    """The decision for derived data: may the user see what was computed within ``protection``?

    Yes when one of their assignments reads every record the protection admits: the same scope
    or a wider one, at least the classification, every compartment.
    """
    return any(c.covers(protection) for c in clearances(user, protection.resource))


def labels_within_q(protection: Protection) -> Q:
    """Derived rows whose label lies within ``protection`` (SQL twin of :meth:`covers`)."""
    q = Q(
        inputs_resource=str(protection.resource),
        inputs_mission_id=protection.mission_id,
        inputs_classification__lte=protection.classification,
        inputs_compartments__in=masks_within(protection.compartments),
    )
    if protection.site_id is not None:
        q &= Q(inputs_site_id=protection.site_id)
    elif protection.sector_id is not None:
        q &= Q(inputs_sector_id=protection.sector_id)
    return q


def derived_q(user: Any) -> Q:
    """Derived rows the user is cleared for, or written by a person (no label)."""
    q = Q(inputs_resource="")
    for resource in Resource:
        for clearance in clearances(user, resource):
            q |= labels_within_q(clearance)
    return q


def derived_inputs(
    queryset: QuerySet[M], protection: Protection, *, user: Any = None
) -> QuerySet[M]:
    """The records of ``queryset`` a derived artefact for ``protection`` may be computed from.

    Only those within the protection (scope, classification, compartments); when ``user`` is
    given (a person asked for it), only those the user may see as well.
    """
    model = queryset.model
    scope = getattr(model, "access_scope", {})
    if protection.site_id is not None:
        q = Q(**{scope["site"]: protection.site_id}) if scope.get("site") else Q(pk__in=[])
    elif protection.sector_id is not None:
        q = Q(**{scope["sector"]: protection.sector_id}) if scope.get("sector") else Q(pk__in=[])
    else:
        q = Q(**{scope["mission"]: protection.mission_id})
    if issubclass(model, ClassifiedRecord):
        q &= Q(classification__lte=protection.classification)
        q &= Q(compartments__in=masks_within(protection.compartments))
    qs = queryset.filter(q)
    return visible(user, qs) if user is not None else qs


def audiences(mission_id: int, resource: Resource, inputs: Resource) -> list[Protection]:
    """The distinct clearances, on ``inputs``, of the people who may view ``resource`` here.

    A derived artefact with many viewers (a risk map) is computed once per clearance in this
    list, narrowest first; it depends on the mission's role assignments, never on its records.
    """
    rule = rule_for(resource, "view")
    if rule is None:
        return []
    found: set[Protection] = set()
    holders = (
        RoleAssignment.objects.filter(
            mission_id=mission_id, role__in=rule.roles, user__is_active=True
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user in User.objects.filter(pk__in=list(holders)).order_by("pk"):
        found.update(c for c in clearances(user, inputs) if c.mission_id == mission_id)
    return sorted(
        found,
        key=lambda p: (
            p.classification,
            bin(p.compartments).count("1"),
            -p.scope_rank,
            p.sector_id or 0,
            p.site_id or 0,
            p.compartments,
        ),
    )


# --- sharing agreements ----------------------------------------------------------------------
#
# An agreement is a grant of the ``shared`` action on one record type, to the people it names,
# while it is live (approved, not revoked, between its start and expiry). It is read on every
# request (nothing outlives the request's user object), so a revocation or an expiry takes effect
# on the next request. The same Q that :func:`visible` applies decides which records of a page
# each agreement covers (:func:`shared_views`), so rows, counts and fields come from one rule.
# Agreements never grant ``view``: ordinary pages, the API, exports and derived data (forecasts,
# counts, maps) read through ``view`` clearances only, and stay as they were for recipients.


def live_agreements(
    user: Any, resource: Resource, at: datetime | None = None
) -> list[SharingAgreement]:
    """The live agreements naming ``user`` on ``resource``, in missions where the user holds a
    recipient role (the policy's ``shared`` rule) now."""
    rule = rule_for(resource, SHARED)
    if rule is None:
        return []
    cache: dict[str, list[SharingAgreement]] | None = getattr(user, "_bluebox_agreements", None)
    if at is None and cache is not None and str(resource) in cache:
        return cache[str(resource)]
    missions = {a.mission_id for a in _assignments(user) if a.role in rule.roles}
    found: list[SharingAgreement] = []
    if missions:
        now = at or timezone.now()
        found = list(
            SharingAgreement.objects.filter(
                recipients=user,
                record_type=str(resource),
                mission_id__in=missions,
                status=AgreementStatus.APPROVED,
                revoked_at__isnull=True,
                starts_at__lte=now,
                expires_at__gt=now,
            ).order_by("pk")
        )
    if at is None and user is not None:
        if cache is None:
            cache = {}
            user._bluebox_agreements = cache
        cache[str(resource)] = found
    return found


def agreement_q(agreement: SharingAgreement, model: type[models.Model]) -> Q:
    """The records of ``model`` one agreement covers, as a Q (empty for another record type).

    Within its mission (and sector or site), at most its classification ceiling, never a
    compartmented record (beyond the compartment the type carries by nature, which
    ``access_share["compartments"]`` names), never a voided one, and its criteria mapped to the
    model's fields by the model's ``access_share`` declaration; a criterion the model does not
    map covers nothing.
    """
    share: Mapping[str, Any] | None = getattr(model, "access_share", None)
    scope = getattr(model, "access_scope", {})
    if (
        share is None
        or getattr(model, "access_resource", None) != agreement.record_type
        or not issubclass(model, ClassifiedRecord)
    ):
        return Q(pk__in=[])
    q = Q(**{scope["mission"]: agreement.mission_id})
    if agreement.site_id is not None:
        q &= Q(**{scope["site"]: agreement.site_id}) if scope.get("site") else Q(pk__in=[])
    elif agreement.sector_id is not None:
        q &= Q(**{scope["sector"]: agreement.sector_id}) if scope.get("sector") else Q(pk__in=[])
    # No compartment, except the one a record type carries by nature (every HRDDP assessment
    # sits in the HRDDP compartment), which its ``access_share`` names.
    q &= Q(
        classification__lte=agreement.max_classification,
        compartments__in=masks_within(int(share.get("compartments", 0))),
    )
    if issubclass(model, VoidableRecord):
        q &= Q(voided_at__isnull=True)
    criteria = share["criteria"]
    for criterion in ("incident_types", "perpetrator_categories"):
        chosen = list(getattr(agreement, criterion))
        if chosen and criterion not in criteria:
            return Q(pk__in=[])  # a criterion the record type cannot meet covers none of it
        if chosen:
            q &= Q(**{f"{criteria[criterion]}__in": chosen})
    if agreement.covers_from is not None:
        if "covers_from" not in criteria:
            return Q(pk__in=[])
        since = datetime.combine(
            agreement.covers_from, time.min, tzinfo=timezone.get_current_timezone()
        )
        q &= Q(**{f"{criteria['covers_from']}__gte": since})
    return q


@dataclass(frozen=True)
class SharedView:
    """What one person sees of one record through the agreements covering it.

    Several agreements may cover a record: the person sees each field group any of them shares,
    at the finest location any of them allows, names in clear and free text only where an
    agreement sharing them allows it, under the strictest TLP marking among them.
    """

    agreements: tuple[SharingAgreement, ...]
    fields: frozenset[str]
    location_resolution: int | None  # None: the coordinates as recorded
    pseudonymise_names: bool
    withhold_text: bool
    tlp: str
    pseudonym_key: str
    # The field groups whose free text is shared: those of the agreements that share text, and
    # "where" only from one that also shares the place exactly (a place name is as precise as the
    # point), so two agreements never combine into more than one of them shares.
    text_groups: frozenset[str] = frozenset()

    @property
    def agreement_ids(self) -> list[int]:
        return [a.pk for a in self.agreements]

    def shows(self, group: SharedField | str) -> bool:
        return str(group) in self.fields

    def shows_text(self, group: SharedField | str) -> bool:
        return str(group) in self.text_groups


def _combine(agreements: list[SharingAgreement]) -> SharedView:
    fields: set[str] = set()
    for a in agreements:
        fields |= set(a.shared_fields)
    locating = [a for a in agreements if SharedField.WHERE in a.shared_fields]
    resolution: int | None = None
    if locating and all(a.location_resolution is not None for a in locating):
        resolution = max(int(a.location_resolution or 0) for a in locating)
    naming = [a for a in agreements if SharedField.PERPETRATOR in a.shared_fields]
    pseudonymise = all(a.pseudonymise_names for a in naming)
    keyed = next((a for a in naming if a.pseudonymise_names), agreements[0])
    text_groups: set[str] = set()
    for a in agreements:
        if not a.withhold_text:
            text_groups |= {
                f
                for f in a.shared_fields
                if f != SharedField.WHERE or a.location_resolution is None
            }
    return SharedView(
        agreements=tuple(agreements),
        fields=frozenset(fields),
        location_resolution=resolution,
        pseudonymise_names=pseudonymise,
        withhold_text=all(a.withhold_text for a in agreements),
        tlp=max((a.tlp for a in agreements), key=lambda t: TLP_ORDER.index(TLP(t))),
        pseudonym_key=keyed.pseudonym_key,
        text_groups=frozenset(text_groups),
    )


def shared_views(user: Any, objects: Iterable[models.Model]) -> dict[int, SharedView]:
    """For each record of ``objects`` (one model) the user reads through agreements, its view.

    A record no live agreement of the user covers is absent. Each agreement's coverage is the
    same :func:`agreement_q` that :func:`visible` applies with the ``shared`` action.
    """
    records = list(objects)
    if not records:
        return {}
    model = type(records[0])
    resource: Resource = model.access_resource  # type: ignore[attr-defined]
    pks = [r.pk for r in records]
    covering: dict[int, list[SharingAgreement]] = {}
    for agreement in live_agreements(user, resource):
        matched = model._default_manager.filter(pk__in=pks).filter(agreement_q(agreement, model))
        for pk in matched.values_list("pk", flat=True):
            covering.setdefault(pk, []).append(agreement)
    return {pk: _combine(found) for pk, found in covering.items()}


def get_shared(user: Any, queryset: QuerySet[M], pk: int) -> tuple[M, SharedView]:
    """One record the user reads through an agreement, with its view; :class:`NotVisible`
    (audited, like a missing record) otherwise."""
    obj = get_visible(user, queryset, action=SHARED, pk=pk)
    view = shared_views(user, [obj]).get(obj.pk)
    if view is None:  # an agreement ended between the two queries
        raise refuse_lookup(user, queryset, action=SHARED, pk=pk)
    return obj, view


def disclose(
    user: Any,
    views: Mapping[int, SharedView],
    *,
    resource: Resource,
    channel: str,
) -> None:
    """Write the disclosure receipts of what ``user`` is being shown: one entry of the hash
    chain per mission naming every record and the agreements it was shown under, and one
    indexed receipt per record and agreement for the owner's "who saw this record" page."""
    if not views:
        return
    by_mission: dict[int, dict[int, SharedView]] = {}
    for pk, view in views.items():
        by_mission.setdefault(view.agreements[0].mission_id, {})[pk] = view
    with transaction.atomic():
        for mission_id, shown in sorted(by_mission.items()):
            entry = audit.record(
                actor=user,
                action="disclosure",
                resource=resource,
                object_id=str(next(iter(shown))) if len(shown) == 1 else "",
                mission_id=mission_id,
                detail={
                    "channel": channel,
                    "records": {str(pk): v.agreement_ids for pk, v in sorted(shown.items())},
                },
            )
            DisclosureReceipt.objects.bulk_create(
                DisclosureReceipt(
                    audit_seq=entry.seq,
                    at=entry.at,
                    mission_id=mission_id,
                    user=user,
                    agreement=agreement,
                    record_type=str(resource),
                    record_id=pk,
                    channel=channel,
                )
                for pk, view in sorted(shown.items())
                for agreement in view.agreements
            )
