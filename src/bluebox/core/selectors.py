"""Reads on accounts and the audit trail, always through :mod:`bluebox.core.access`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from bluebox.core import access
from bluebox.core.models import ApiToken, AuditEntry, RoleAssignment
from bluebox.core.roles import Resource


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
