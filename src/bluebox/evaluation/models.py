"""Interventions that were not randomised, recorded so they can be evaluated.

A new FPU at a site, a dialogue in an area, a police station opened: nobody drew them at random,
so their evaluation compares the area they concern with the mission's other areas (staggered
difference-in-differences and synthetic control, ``docs/evaluation.md``). An intervention is an
operational record like any other: classified, scoped to its mission, sector and site, voided
with a reason and never deleted.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.bounds import within_date_window
from bluebox.core.models import ClassifiedRecord, VoidableRecord
from bluebox.core.roles import Resource


class InterventionKind(models.TextChoices):
    FPU = "fpu", _("A formed police unit deployed")
    DIALOGUE = "dialogue", _("A community dialogue")
    POLICE_STATION = "police_station", _("A police station opened")
    OTHER = "other", _("Another intervention")


class Intervention(ClassifiedRecord, VoidableRecord):
    """One intervention in one area, from the day it started."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=InterventionKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The H3 cell (operational resolution) at the intervention's centre: the site's own cell
    # when none is given. The evaluation's unit is the larger area around it.
    area = models.CharField(max_length=16)
    started_on = models.DateField(validators=[within_date_window])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.EVALUATION
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "sector_id",
        "site": "site_id",
    }

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return self.title
