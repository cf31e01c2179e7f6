"""Patrol teams, weekly patrol plans, planned patrols, overrides and executed patrols.

A plan stores the engine's plan document (self-contained: problem, coverage, mixtures) and the
week drawn from it; planned patrols are that week as rows, so calendars, orders and the record
of what was executed can refer to them. Schedules are CONFIDENTIAL by default: an armed group
that reads next week's patrols defeats the randomisation.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.models import ClassifiedRecord, VoidableRecord
from bluebox.core.roles import Resource

SCOPE: dict[str, str | None] = {"mission": "mission_id", "sector": "sector_id", "site": "site_id"}


class TeamMode(models.TextChoices):
    FOOT = "foot", _("Foot")
    VEHICLE = "vehicle", _("Vehicle")
    JOINT = "joint", _("Joint (with host-state police)")


class Shift(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    NIGHT = "night", _("Night")


class PatrolTeam(models.Model):
    """A team that patrols from a site: an FPU platoon or section, an IPO pair, a joint team."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    mode = models.CharField(max_length=8, choices=TeamMode.choices)
    unit = models.ForeignKey(
        "deployment.FormedPoliceUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Country whose caveats apply when the team is made of IPOs (no unit).
    country = models.ForeignKey(
        "deployment.ContributingCountry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    partner = models.ForeignKey(
        "missions.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Host-state unit of a joint team"),
    )
    duty_shifts = models.JSONField(default=list, help_text=_("Shifts the team is on duty"))
    days_off = models.JSONField(default=list, help_text=_("ISO weekdays off (1 = Monday)"))
    # The approved deployment plan that places the team's officers at this site. Once a
    # mission has an approved plan, only the teams it places patrol (patrols/formation.py).
    deployment_plan = models.ForeignKey(
        "deployment.DeploymentPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the plan placed to form this team ("fpu-7/2": platoon 2 of FPU 7; "ipo-ASR/1": the
    # first team of Astoria's IPOs); blank for a team defined by hand.
    placement = models.CharField(max_length=40, blank=True)
    officers = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Officers in the team, when the plan says")
    )
    officers_women = models.PositiveSmallIntegerField(null=True, blank=True)
    max_slots_per_day = models.PositiveSmallIntegerField(default=1)
    max_slots_per_week = models.PositiveSmallIntegerField(default=6)
    min_rest_slots = models.PositiveSmallIntegerField(default=1)
    max_patrol_min = models.PositiveSmallIntegerField(default=480)
    min_presence_min = models.PositiveSmallIntegerField(default=60)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    access_resource: ClassVar[Resource] = Resource.PATROL
    access_scope: ClassVar[dict[str, str | None]] = SCOPE

    class Meta:
        ordering = ["site_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_patrol_team_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SOLVING = "solving", _("Solving")
    FAILED = "failed", _("Failed")
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")
    VOIDED = "voided", _("Voided")


class RiskSource(models.TextChoices):
    FORECAST = "forecast", _("Early-warning forecast")
    INCIDENT_HISTORY = "incident_history", _("Incident history (fallback)")


class PatrolPlan(ClassifiedRecord, VoidableRecord):
    """One version of a site's patrol plan for one week (Monday to Sunday)."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(help_text=_("Monday of the planned week"))
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text=_("Percent done")
    )
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    risk_source = models.CharField(max_length=20, choices=RiskSource.choices, blank=True)
    risk_detail = models.JSONField(default=dict, blank=True)
    # The engine's plan document (patrol-plan.schema.json): problem, coverage and mixtures.
    plan = models.JSONField(null=True, blank=True)
    solver = models.JSONField(default=dict, blank=True)
    # Never derived from the site or the date: a predictable seed is a predictable schedule.
    seed = models.BigIntegerField(null=True, blank=True)
    # The week as the engine drew it (patrol-schedule.schema.json), before any override.
    drawn = models.JSONField(null=True, blank=True)
    # The cost of all overrides against the drawn week (engine's score_override).
    override_score = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    access_resource: ClassVar[Resource] = Resource.PATROL
    access_scope: ClassVar[dict[str, str | None]] = SCOPE

    class Meta:
        ordering = ["-week_start", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "week_start", "version"], name="unique_patrol_plan_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.week_start} v{self.version}"

    @property
    def is_running(self) -> bool:
        return self.status in (PlanStatus.QUEUED, PlanStatus.SOLVING)


class PlannedPatrol(ClassifiedRecord, VoidableRecord):
    """One patrol order of a plan's week: team, day, slot, area, route and times."""

    plan = models.ForeignKey(PatrolPlan, on_delete=models.PROTECT, related_name="patrols")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(PatrolTeam, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    slot = models.CharField(max_length=32)
    shift = models.CharField(max_length=12, choices=Shift.choices)
    area = models.CharField(max_length=32, help_text=_("H3 cell id"))
    route_out = models.JSONField(default=list)
    route_back = models.JSONField(default=list)
    depart = models.CharField(max_length=5)
    arrive = models.CharField(max_length=5)
    leave = models.CharField(max_length=5)
    back = models.CharField(max_length=5)
    travel_min = models.FloatField(default=0)
    overridden = models.BooleanField(default=False)

    access_resource: ClassVar[Resource] = Resource.PATROL
    access_scope: ClassVar[dict[str, str | None]] = SCOPE

    class Meta:
        ordering = ["date", "depart", "team_id"]

    def __str__(self) -> str:
        return f"{self.team_id} {self.slot} {self.area}"


class PatrolOverride(ClassifiedRecord, VoidableRecord):
    """A planner's manual change of one slot, with what it costs in predictability."""

    plan = models.ForeignKey(PatrolPlan, on_delete=models.PROTECT, related_name="overrides")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    slot = models.CharField(max_length=32)
    before = models.JSONField(default=list)
    after = models.JSONField(default=list)
    reason = models.TextField()
    score = models.FloatField(help_text=_("Share of the plan's protection lost, 0 to 1"))
    score_before = models.FloatField(default=0)
    detail = models.JSONField(default=dict)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.PATROL
    access_scope: ClassVar[dict[str, str | None]] = SCOPE

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"override {self.slot} of plan {self.plan_id}"


class PatrolStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    VOIDED = "voided", _("Voided")


class Patrol(ClassifiedRecord, VoidableRecord):
    """A patrol as executed: when, who, with whom, where it went and what it saw."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(PatrolTeam, on_delete=models.PROTECT, related_name="+")
    planned = models.ForeignKey(
        PlannedPatrol, on_delete=models.PROTECT, null=True, blank=True, related_name="executions"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    members = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    members_women = models.PositiveSmallIntegerField(default=0)
    partner = models.ForeignKey(
        "missions.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    observations = models.TextField(blank=True)
    incidents = models.ManyToManyField("incidents.Incident", blank=True, related_name="+")
    track = models.JSONField(null=True, blank=True, help_text=_("GeoJSON LineString"))
    track_times = models.JSONField(default=list, blank=True)
    track_km = models.FloatField(null=True, blank=True)
    # Minutes spent per H3 cell (resolution 7), computed from the track.
    dosage = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=12, choices=PatrolStatus.choices, default=PatrolStatus.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.PATROL
    access_scope: ClassVar[dict[str, str | None]] = SCOPE

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")),
                name="patrol_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(members_women__lte=models.F("members")),
                name="patrol_women_within_members",
            ),
        ]

    def __str__(self) -> str:
        return f"patrol {self.pk} by {self.team_id}"


class CommunityEngagement(ClassifiedRecord, VoidableRecord):
    """People a patrol met, disaggregated by sex and age, and what was discussed."""

    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, related_name="engagements")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(max_length=160, help_text=_("Who: community group, leaders..."))
    topics = models.TextField(blank=True)
    women = models.PositiveSmallIntegerField(default=0)
    men = models.PositiveSmallIntegerField(default=0)
    girls = models.PositiveSmallIntegerField(default=0)
    boys = models.PositiveSmallIntegerField(default=0)

    access_resource: ClassVar[Resource] = Resource.PATROL
    access_scope: ClassVar[dict[str, str | None]] = SCOPE

    def __str__(self) -> str:
        return self.group

    @property
    def total(self) -> int:
        return self.women + self.men + self.girls + self.boys


class PatrolDesignCell(ClassifiedRecord):
    """One area x slot of an executed week: the experiment's assignment record.

    ``probability`` is the coverage the patrol engine computed for the target (the chance the
    plan's draw would send a patrol there); ``planned`` says whether the week as approved sent
    one, ``overridden`` whether a planner replaced the slot by hand (then it was not drawn at
    random), and ``executed``/``minutes``/``patrols`` what the patrol records and tracks say was
    done. Written by :func:`bluebox.patrols.jobs.patrol_design_log` once the week has ended,
    again when late records arrive; it holds no incident (those are counted for each reader
    when an evaluation runs).
    """

    plan = models.ForeignKey(PatrolPlan, on_delete=models.PROTECT, related_name="design")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField()
    date = models.DateField()
    slot = models.CharField(max_length=32)
    slot_index = models.PositiveSmallIntegerField(help_text=_("Slot of the week, 0 to 20"))
    area = models.CharField(max_length=32, help_text=_("H3 cell id"))
    probability = models.FloatField(
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Chance the plan would send a patrol here"),
    )
    planned = models.BooleanField(default=False)
    overridden = models.BooleanField(default=False)
    executed = models.BooleanField(default=False)
    minutes = models.FloatField(default=0.0, help_text=_("Minutes of patrol presence"))
    patrols = models.PositiveSmallIntegerField(default=0)
    logged_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.PATROL
    access_scope: ClassVar[dict[str, str | None]] = SCOPE

    class Meta:
        ordering = ["week_start", "slot_index", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "slot", "area"], name="unique_patrol_design_cell"
            ),
            models.CheckConstraint(
                condition=models.Q(probability__gte=0.0) & models.Q(probability__lte=1.0),
                name="patrol_design_probability_range",
            ),
        ]
        indexes = [models.Index(fields=["site", "week_start"], name="patrol_design_site_week")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.slot} {self.area}"
