"""Police-contributing countries, their caveats, formed police units and individual officers."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContributingCountry(models.Model):
    """A police-contributing country (reference data shared by all missions)."""

    code = models.CharField(max_length=3, unique=True, help_text=_("ISO 3166-1 alpha-3 or local"))
    name = models.CharField(max_length=120)
    capital_approval_delay_days = models.PositiveSmallIntegerField(default=0)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "contributing countries"

    def __str__(self) -> str:
        return self.name


class CaveatKind(models.TextChoices):
    EXCLUDED_SITES = "excluded_sites", _("No deployment to these sites")
    EXCLUDED_SITE_KINDS = "excluded_site_kinds", _("No deployment to these kinds of site")
    NO_OVERNIGHT_OUTSIDE_BASE = "no_overnight_outside_base", _("No overnight outside a base")
    EXCLUDED_TASKS = "excluded_tasks", _("Tasks excluded")
    CAPITAL_APPROVAL = "capital_approval", _("Redeployment only with the capital's approval")


class Caveat(models.Model):
    """A national restriction on where or how a country's officers may be used."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(
        ContributingCountry, on_delete=models.PROTECT, related_name="caveats"
    )
    unit = models.ForeignKey(
        "FormedPoliceUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="caveats"
    )
    kind = models.CharField(max_length=32, choices=CaveatKind.choices)
    # Structured parameters by kind: {"sites": [codes]}, {"site_kinds": [...]},
    # {"tasks": [...]}, {"delay_days": n}; validated by the deployment services.
    parameters = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True)

    access_resource: ClassVar[str] = "force"
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    def __str__(self) -> str:
        return f"{self.country.code}: {self.get_kind_display()}"


class FormedPoliceUnit(models.Model):
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(ContributingCountry, on_delete=models.PROTECT, related_name="fpus")
    name = models.CharField(max_length=120)
    strength = models.PositiveSmallIntegerField()
    platoons = models.PositiveSmallIntegerField(default=4)
    women = models.PositiveSmallIntegerField(default=0)
    quick_reaction_force = models.PositiveSmallIntegerField(default=20)
    home_site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rotation_start = models.DateField(null=True, blank=True)
    rotation_end = models.DateField(null=True, blank=True)

    access_resource: ClassVar[str] = "force"
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class IndividualPoliceOfficer(models.Model):
    """An IPO. Identified by service number only: names are not needed for planning."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(ContributingCountry, on_delete=models.PROTECT, related_name="ipos")
    service_number = models.CharField(max_length=32)
    rank = models.CharField(max_length=40)
    gender = models.CharField(max_length=8, choices=Gender.choices)
    years_of_service = models.PositiveSmallIntegerField(default=0)
    languages = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rotation_start = models.DateField(null=True, blank=True)
    rotation_end = models.DateField(null=True, blank=True)

    access_resource: ClassVar[str] = "force"
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "service_number"], name="unique_ipo_number")
        ]

    def __str__(self) -> str:
        return self.service_number
