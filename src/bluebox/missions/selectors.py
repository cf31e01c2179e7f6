"""Reads on the mission model, always filtered by :mod:`bluebox.core.access`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bluebox.core import access
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation, Sector


def missions_for(user: Any) -> QuerySet[Mission]:
    return access.visible(user, Mission.objects.all()).order_by("name")


def sectors_for(user: Any, mission_id: int | None = None) -> QuerySet[Sector]:
    qs = access.visible(user, Sector.objects.all())
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def sites_for(user: Any, mission_id: int | None = None) -> QuerySet[FieldSite]:
    qs = access.visible(user, FieldSite.objects.select_related("sector"))
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def partners_for(user: Any, mission_id: int | None = None) -> QuerySet[PartnerOrganisation]:
    qs = access.visible(user, PartnerOrganisation.objects.all())
    return qs.filter(mission_id=mission_id) if mission_id is not None else qs


def default_mission_for(user: Any) -> Mission | None:
    return missions_for(user).first()
