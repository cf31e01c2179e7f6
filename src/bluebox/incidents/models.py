"""Incidents: what happened to civilians, where, when, by whom, graded and classified."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.models import ClassifiedRecord, VoidableRecord


class IncidentType(models.TextChoices):
    KILLING = "killing", _("Killing")
    ABDUCTION = "abduction", _("Abduction")
    SGBV = "sgbv", _("Sexual and gender-based violence")
    LOOTING = "looting", _("Looting")
    ARMED_ROBBERY = "armed_robbery", _("Armed robbery")
    ATTACK_ON_SITE = "attack_on_site", _("Attack on an IDP or POC site")
    ROADBLOCK = "roadblock", _("Illegal roadblock or extortion")
    INTERCOMMUNAL_CLASH = "intercommunal_clash", _("Intercommunal clash")
    THREAT = "threat", _("Threat or intimidation")
    ARSON = "arson", _("Arson")
    ARMED_CLASH = "armed_clash", _("Armed clash")


class PerpetratorCategory(models.TextChoices):
    ARMED_GROUP = "armed_group", _("Armed group")
    CRIMINAL_GROUP = "criminal_group", _("Criminal group")
    HOST_STATE_FORCES = "host_state_forces", _("Host-state security forces")
    MILITIA = "militia", _("Militia")
    UNKNOWN = "unknown", _("Unknown")


class DatePrecision(models.TextChoices):
    MINUTE = "minute", _("To the minute")
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class LocationPrecision(models.IntegerChoices):
    """UCDP's where_prec scale: 1 exact place ... 7 country or waters."""

    EXACT = 1, _("Exact location")
    NEAR = 2, _("Within about 25 km")
    ADMIN2 = 3, _("Second-order administrative area")
    ADMIN1 = 4, _("First-order administrative area")
    LINEAR = 5, _("Linear feature or larger area")
    COUNTRY = 6, _("Country")
    WATERS = 7, _("International waters or airspace")


class PocTier(models.IntegerChoices):
    DIALOGUE = 1, _("Tier I: dialogue and engagement")
    PHYSICAL = 2, _("Tier II: physical protection")
    ENVIRONMENT = 3, _("Tier III: protective environment")


class PocPhase(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    PRE_EMPTION = "pre_emption", _("Pre-emption")
    RESPONSE = "response", _("Response")
    CONSOLIDATION = "consolidation", _("Consolidation")


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    RESPONDED = "responded", _("Responded")
    CLOSED = "closed", _("Closed")
    VOIDED = "voided", _("Voided")


RELIABILITY = [(c, c) for c in "ABCDEF"]


class Incident(ClassifiedRecord, VoidableRecord):
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    incident_type = models.CharField(max_length=32, choices=IncidentType.choices)
    occurred_at = models.DateTimeField(db_index=True)
    date_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    location_precision = models.PositiveSmallIntegerField(
        choices=LocationPrecision.choices, default=LocationPrecision.EXACT
    )
    admin1 = models.CharField(max_length=120, blank=True)
    admin2 = models.CharField(max_length=120, blank=True)
    h3_cell = models.CharField(max_length=16, blank=True, db_index=True)
    priogrid_gid = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    perpetrator_category = models.CharField(
        max_length=24, choices=PerpetratorCategory.choices, default=PerpetratorCategory.UNKNOWN
    )
    perpetrator_actor = models.CharField(max_length=200, blank=True)
    civilian_targeting = models.BooleanField(default=True)
    fatalities_best = models.PositiveIntegerField(default=0)
    fatalities_low = models.PositiveIntegerField(default=0)
    fatalities_high = models.PositiveIntegerField(default=0)
    victims_women = models.PositiveIntegerField(default=0)
    victims_men = models.PositiveIntegerField(default=0)
    victims_girls = models.PositiveIntegerField(default=0)
    victims_boys = models.PositiveIntegerField(default=0)
    victims_unknown = models.PositiveIntegerField(default=0)
    weapons = models.JSONField(default=list, blank=True)
    poc_tier = models.PositiveSmallIntegerField(choices=PocTier.choices, default=PocTier.PHYSICAL)
    poc_phase = models.CharField(max_length=16, choices=PocPhase.choices, default=PocPhase.RESPONSE)
    source_reliability = models.CharField(max_length=1, choices=RELIABILITY, default="F")
    information_credibility = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    status = models.CharField(
        max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # Where an imported or generated record came from; (source, external_id) makes imports
    # idempotent.
    source = models.CharField(max_length=32, default="bluebox")
    external_id = models.CharField(max_length=64, blank=True)

    access_resource: ClassVar[str] = "incident"
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "sector_id",
        "site": "site_id",
    }

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_incident_external_id",
            ),
            models.CheckConstraint(
                condition=models.Q(fatalities_low__lte=models.F("fatalities_best"))
                & models.Q(fatalities_best__lte=models.F("fatalities_high")),
                name="fatalities_low_best_high_ordered",
            ),
        ]
        indexes = [models.Index(fields=["mission", "occurred_at"], name="incident_mission_time")]

    def __str__(self) -> str:
        return self.title
