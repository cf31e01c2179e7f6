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
