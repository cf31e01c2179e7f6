"""Reads on accounts and the audit trail, always through :mod:`bluebox.core.access`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from bluebox.core import access
from bluebox.core.models import (
    ApiToken,
    AuditEntry,
    DowngradeRequest,
    DowngradeStatus,
    RevealAlert,
    RoleAssignment,
)
from bluebox.core.roles import Resource, Role


def audit_entries_for(user: Any) -> QuerySet[AuditEntry]:
    """Entries of the missions the user audits, plus mission-less entries (logins, accounts)."""
    q = access.filter_q(user, AuditEntry, "view")
    if access.grants(user, Resource.AUDIT, "view"):
        q |= Q(mission_id__isnull=True)
    return AuditEntry.objects.filter(q).order_by("-seq")


def roles_of(user: Any) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related("mission", "sector", "site")


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A person's own API tokens; nobody lists another's (the keys are never stored anyway)."""
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def may_see_system_status(user: Any) -> bool:
    return bool(access.grants(user, Resource.SYSTEM, "view"))


def system_status() -> dict[str, Any]:
    """Readiness checks and, per kind of job, counts by status: figures, never records."""
    from django.db.models import Count

    from bluebox.core import background, health

    ready = health.readiness()
    kinds = []
    for kind in background.kinds():
        model = kind.model_class
        names = dict(getattr(model._meta.get_field("status"), "choices", None) or [])
        counts = [
            (names.get(row["status"], row["status"]), row["n"])
            for row in model._default_manager.values("status")
            .annotate(n=Count("pk"))
            .order_by("status")
        ]
        kinds.append({"label": kind.label, "counts": counts})
    return {
        "ready": ready,
        "job_kinds": kinds,
        "escalations": [
            {"label": p.label, **ready["checks"]["escalations"].get("jobs", {}).get(p.name, {})}
            for p in sorted(health.PERIODIC.values(), key=lambda p: p.name)
        ],
    }


# --- the people pages: accounts of the missions one administers (or commands, read-only) -------


def people_missions(user: Any, action: str = "view") -> set[int]:
    """The missions whose people ``user`` may list (``view``) or manage (``manage``)."""
    return access.missions_for(user, Resource.ACCOUNT, action)


def people_for(user: Any, pk: int | None = None) -> list[dict[str, Any]]:
    """Each person holding a role in one of the user's missions, with only those missions' roles
    and open compartment grants: account facts, never operational content."""
    from bluebox.core.models import CompartmentGrant, User

    missions = people_missions(user)
    if not missions:
        return []
    # An account invited by one of these missions' administrators that holds no role anywhere
    # yet is theirs too: another administrator grants it its first operational role.
    admins = RoleAssignment.objects.filter(role=Role.ADMIN, mission_id__in=missions).values(
        "user_id"
    )
    people = (
        User.objects.filter(
            Q(role_assignments__mission_id__in=missions)
            | Q(role_assignments__isnull=True, credentials_set_by__in=admins)
        )
        .distinct()
        .order_by("username")
    )
    if pk is not None:
        people = people.filter(pk=pk)
    roles: dict[int, list[RoleAssignment]] = {}
    for assignment in RoleAssignment.objects.filter(
        user__in=people, mission_id__in=missions
    ).select_related("mission", "sector", "site"):
        roles.setdefault(assignment.user_id, []).append(assignment)
    grants: dict[int, list[CompartmentGrant]] = {}
    for grant in CompartmentGrant.objects.filter(
        user__in=people, mission_id__in=missions, revoked_at__isnull=True
    ).select_related("mission"):
        grants.setdefault(grant.user_id, []).append(grant)
    return [
        {"person": p, "roles": roles.get(p.pk, []), "compartments": grants.get(p.pk, [])}
        for p in people
    ]


def access_ending(
    people: list[dict[str, Any]], *, within_days: int, today: date | None = None
) -> list[dict[str, Any]]:
    """The rows of :func:`people_for` whose access ends within ``within_days`` or has ended
    (soonest first), each with ``ended``: what the administrator extends or lets go."""
    day = today or timezone.now().date()
    horizon = day + timedelta(days=within_days)
    rows = [
        {**row, "ended": row["person"].access_ends_on < day}
        for row in people
        if row["person"].is_active
        and row["person"].access_ends_on is not None
        and row["person"].access_ends_on <= horizon
    ]
    return sorted(rows, key=lambda row: (row["person"].access_ends_on, row["person"].username))


def person_for(user: Any, pk: int) -> dict[str, Any]:
    """One person of the user's missions, or :class:`NotVisible` (missing and not yours alike)."""
    from bluebox.core.exceptions import NotVisible

    for row in people_for(user, pk=pk):
        if row["person"].pk == pk:
            return row
    raise NotVisible


def scopes_for(user: Any) -> list[tuple[str, str]]:
    """The scopes (mission, sector, site) of the missions ``user`` manages, as form choices
    ``kind:id``; mission structure holds no operational content."""
    from django.apps import apps

    missions = people_missions(user, "manage")
    mission_model = apps.get_model("missions", "Mission")
    choices: list[tuple[str, str]] = []
    for mission in mission_model.objects.filter(pk__in=missions).order_by("name"):
        choices.append((f"mission:{mission.pk}", str(mission.name)))
        for sector in mission.sectors.order_by("name"):
            choices.append((f"sector:{sector.pk}", f"{mission.name} › {sector.name}"))
        for site in mission.sites.select_related("sector").order_by("sector__name", "name"):
            choices.append(
                (f"site:{site.pk}", f"{mission.name} › {site.sector.name} › {site.name}")
            )
    return choices


def scope_of(user: Any, value: str) -> dict[str, Any] | None:
    """``mission``, ``sector`` and ``site`` for a ``kind:id`` choice of :func:`scopes_for`, or
    None when it names no scope the user manages."""
    from django.apps import apps

    if value not in {key for key, _label in scopes_for(user)}:
        return None
    kind, _sep, pk = value.partition(":")
    model = {"mission": "Mission", "sector": "Sector", "site": "FieldSite"}[kind]
    obj = apps.get_model("missions", model).objects.get(pk=int(pk))
    if kind == "mission":
        return {"mission": obj, "sector": None, "site": None}
    return {
        "mission": obj.mission,
        "sector": obj if kind == "sector" else None,
        "site": obj if kind == "site" else None,
    }


def reveal_alerts_for(user: Any, *, open_only: bool = False) -> QuerySet[RevealAlert]:
    """Reveal-rate alerts of the missions where the person reads them (commanders, auditors)."""
    alerts = access.visible(user, RevealAlert.objects.select_related("actor", "acknowledged_by"))
    return alerts.filter(acknowledged_at__isnull=True) if open_only else alerts


def open_downgrades_q(now: datetime) -> Q:
    """Requests still waiting for a decision at ``now``: pending and not lapsed."""
    lapse = timedelta(days=int(settings.DOWNGRADE_REQUEST_DAYS))
    return Q(status=DowngradeStatus.PENDING, requested_at__gt=now - lapse)


def downgrades_for(user: Any) -> QuerySet[DowngradeRequest]:
    """Requests to lower a marking that the person may read: in their scope, about records
    they are cleared for as they stood when asked."""
    return access.visible(
        user, DowngradeRequest.objects.select_related("requested_by", "decided_by")
    )


def downgrades_to_decide(user: Any, now: datetime) -> QuerySet[DowngradeRequest]:
    """Open requests this person may approve or refuse: never their own."""
    waiting = access.visible(
        user,
        DowngradeRequest.objects.select_related("requested_by"),
        action="approve",
    )
    return waiting.filter(open_downgrades_q(now)).exclude(requested_by_id=user.pk)


def downgrade_waiting(record_type: str, object_id: Any, now: datetime) -> DowngradeRequest | None:
    """The request about this record still waiting for a decision, if any (for a person who
    already sees the record: the caller checked)."""
    return (
        DowngradeRequest.objects.filter(
            open_downgrades_q(now), record_type=record_type, object_id=str(object_id)
        )
        .select_related("requested_by")
        .first()
    )
