"""Missions, their mandate profile, sectors, field sites, components and partners."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.roles import Resource


class Authority(models.TextChoices):
    EXECUTIVE = "executive", _("Executive")
    NON_EXECUTIVE = "non_executive", _("Non-executive")
    QUASI_EXECUTIVE = "quasi_executive", _("Quasi-executive (urgent temporary measures)")


class Mission(models.Model):
    """A peace operation and the mandate its police component works under."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    host_country = models.CharField(max_length=120)
    timezone = models.CharField(max_length=64, default="UTC")
    chapter_vii = models.BooleanField(_("Chapter VII authority"), default=False)
    poc_mandate = models.BooleanField(_("protection of civilians mandate"), default=True)
    authority = models.CharField(max_length=20, choices=Authority.choices)
    # Quasi-executive missions: arrest and detention only where national forces are absent or
    # not operational, at the host state's request. Kept as data so rules can read it.
    utm_requires_national_absence = models.BooleanField(default=True)
    utm_requires_host_request = models.BooleanField(default=True)
    authority_conditions = models.TextField(blank=True)
    is_synthetic = models.BooleanField(
        default=False, help_text=_("Demo or training data, not a real mission.")
    )
    # Limits and clocks from the mission's SOPs (detention handover hours, alert clocks...).
    settings = models.JSONField(default=dict, blank=True)

    access_resource: ClassVar[Resource] = Resource.MISSION
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "id"}

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="sectors")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=120)
    boundary = models.JSONField(null=True, blank=True, help_text=_("GeoJSON geometry (EPSG:4326)"))

    access_resource: ClassVar[Resource] = Resource.MISSION
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mission", "code"], name="unique_sector_code")
        ]
        ordering = ["mission_id", "code"]

    def __str__(self) -> str:
        return self.name


class SiteKind(models.TextChoices):
    TEAM_SITE = "team_site", _("Team site")
    IDP_CAMP = "idp_camp", _("IDP camp")
    POC_SITE = "poc_site", _("POC site")
    POLICE_STATION = "police_station", _("Police station")
    MARKET = "market", _("Market")
    BASE = "base", _("Base")


class FieldSite(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="sites")
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="sites")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=SiteKind.choices)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    national_police_present = models.BooleanField(default=False)
    national_police_operational = models.BooleanField(default=False)
    population = models.PositiveIntegerField(null=True, blank=True)
    # Market days as ISO weekday numbers (1 = Monday); patrol and forecast engines use them.
    market_days = models.JSONField(default=list, blank=True)

    access_resource: ClassVar[Resource] = Resource.MISSION
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mission", "code"], name="unique_site_code")]
        ordering = ["mission_id", "sector_id", "code"]

    def __str__(self) -> str:
        return self.name


class ComponentKind(models.TextChoices):
    UNPOL = "unpol", _("UN Police")
    MILITARY = "military", _("Military")
    HUMAN_RIGHTS = "human_rights", _("Human rights")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    JMAC = "jmac", _("Joint mission analysis centre")
    JOC = "joc", _("Joint operations centre")


class Component(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="components")
    kind = models.CharField(max_length=20, choices=ComponentKind.choices)
    name = models.CharField(max_length=160)

    access_resource: ClassVar[Resource] = Resource.MISSION
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    def __str__(self) -> str:
        return self.name


class PartnerKind(models.TextChoices):
    HOST_POLICE = "host_police", _("Host-state police unit")
    HOST_GENDARMERIE = "host_gendarmerie", _("Host-state gendarmerie unit")
    HOST_SPECIAL = "host_special", _("Host-state special unit")
    NGO = "ngo", _("Non-governmental organisation")
    UN_AGENCY = "un_agency", _("UN agency")
    MILITARY = "military", _("Military force")


class PartnerOrganisation(models.Model):
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="partners")
    kind = models.CharField(max_length=20, choices=PartnerKind.choices)
    name = models.CharField(max_length=160)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    site = models.ForeignKey(
        FieldSite, on_delete=models.PROTECT, null=True, blank=True, related_name="partners"
    )

    access_resource: ClassVar[Resource] = Resource.MISSION
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    def __str__(self) -> str:
        return self.name
