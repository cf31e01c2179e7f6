"""Forecast runs, the risk of each area they forecast, and early-warning candidates.

A run keeps what it was asked (origin, horizons, unit, model) and what produced it (model
version string); its area rows keep probability, expected count, quantiles and reasons, so a
later evaluation can put each forecast next to what happened in that cell and week. Area rows
carry the sector and the nearest field site of their cell: a reporter at a site sees that site's
cells only.

A run is computed in *variants*, one per distinct clearance among the people who read the
mission's forecasts (:func:`bluebox.core.access.audiences`): each variant reads only the
incidents within its clearance and carries it as its label (:class:`DerivedRecord`), and each
viewer is served the widest variant they are cleared for. A reporter's risk map is computed from
the incidents the reporter may see, a commander's from the commander's.

Everything here is CONFIDENTIAL by default: a risk map tells an armed group where
the mission expects to be looking.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.models import ClassifiedRecord, DerivedRecord, VoidableRecord
from bluebox.core.roles import Resource

AREA_SCOPE: dict[str, str | None] = {
    "mission": "mission_id",
    "sector": "sector_id",
    "site": "site_id",
}


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    MANUAL = "manual", _("Started by a user")
    NIGHTLY = "nightly", _("Nightly schedule")
    COMMAND = "command", _("Command line")


class ForecastRun(ClassifiedRecord, VoidableRecord):
    """One forecast of a mission's areas, made at ``origin`` for the next ``horizons`` weeks."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(max_length=20, default="h3-week")
    h3_resolution = models.PositiveSmallIntegerField(default=6)
    origin = models.CharField(max_length=10, help_text=_("Last week with known events (ISO week)"))
    origin_date = models.DateField(help_text=_("Monday of the origin week"))
    horizons = models.JSONField(default=list)
    model_key = models.CharField(max_length=32)
    model_version = models.CharField(max_length=120, blank=True)
    random_state = models.IntegerField(default=0)
    trigger = models.CharField(max_length=10, choices=RunTrigger.choices, default=RunTrigger.MANUAL)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # Inputs as counted (events, areas, sites), never the events themselves.
    inputs = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    access_resource: ClassVar[Resource] = Resource.FORECAST_RUN
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.mission_id} {self.origin} {self.model_key}"

    @property
    def is_running(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


VARIANT_SCOPE: dict[str, str | None] = {
    "mission": "mission_id",
    "sector": "inputs_sector_id",
    "site": "inputs_site_id",
}


class ForecastVariant(ClassifiedRecord, DerivedRecord):
    """One run's forecast computed from the incidents within one clearance (its label)."""

    run = models.ForeignKey(ForecastRun, on_delete=models.PROTECT, related_name="variants")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    # Inputs as counted (events, one-sided events, areas): shown only to those it is served to.
    inputs = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    access_resource: ClassVar[Resource] = Resource.FORECAST
    access_scope: ClassVar[dict[str, str | None]] = VARIANT_SCOPE

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"variant {self.pk} of run {self.run_id}"

    @property
    def scope_rank(self) -> int:
        if self.inputs_site_id is not None:
            return 0
        return 1 if self.inputs_sector_id is not None else 2

    @property
    def serving_key(self) -> tuple[int, int, int]:
        """Larger serves first: most inputs, then the widest scope, then the oldest."""
        return (int(self.inputs.get("events", 0)), self.scope_rank, -int(self.pk or 0))


class AreaForecast(ClassifiedRecord, DerivedRecord, VoidableRecord):
    """The risk of one H3 cell in one week, as forecast by one variant of one run."""

    run = models.ForeignKey(ForecastRun, on_delete=models.PROTECT, related_name="areas")
    variant = models.ForeignKey(
        ForecastVariant, on_delete=models.PROTECT, null=True, blank=True, related_name="areas"
    )
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "missions.FieldSite",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Nearest field site"),
    )
    cell = models.CharField(max_length=20, help_text=_("H3 cell id"))
    period = models.CharField(max_length=10, help_text=_("Target week (ISO week)"))
    period_start = models.DateField(help_text=_("Monday of the target week"))
    horizon = models.PositiveSmallIntegerField()
    probability = models.FloatField()
    expected_count = models.FloatField()
    quantiles = models.JSONField(default=dict, blank=True)
    site_km = models.FloatField(default=0, help_text=_("Distance to the nearest field site"))
    reasons_text = models.TextField(blank=True)
    # [{"feature", "contribution", "sentence", "message"}], largest first; "message" is the
    # reason to translate (engines.messages), "sentence" its English (rows before it: only that).
    contributions = models.JSONField(default=list, blank=True)

    access_resource: ClassVar[Resource] = Resource.FORECAST
    access_scope: ClassVar[dict[str, str | None]] = AREA_SCOPE

    class Meta:
        ordering = ["-probability", "cell"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "cell", "horizon"], name="unique_area_forecast_per_variant"
            ),
        ]
        indexes = [models.Index(fields=["mission", "period_start", "cell"])]

    def __str__(self) -> str:
        return f"{self.cell} {self.period} p={self.probability:.2f}"

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    DRAFTED = "drafted", _("Warning drafted")
    DISMISSED = "dismissed", _("Dismissed")


class WarningCandidate(ClassifiedRecord, DerivedRecord, VoidableRecord):
    """An area whose forecast crossed the mission's threshold, for an analyst to review."""

    run = models.ForeignKey(ForecastRun, on_delete=models.PROTECT, related_name="candidates")
    area = models.ForeignKey(AreaForecast, on_delete=models.PROTECT, related_name="+")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    threshold = models.FloatField()
    status = models.CharField(
        max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    cap_alert = models.ForeignKey(
        "alerts.CapAlert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    access_resource: ClassVar[Resource] = Resource.FORECAST
    access_scope: ClassVar[dict[str, str | None]] = AREA_SCOPE

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["area"], name="unique_warning_candidate_per_area"),
        ]

    def __str__(self) -> str:
        return f"candidate {self.area_id} ({self.status})"
