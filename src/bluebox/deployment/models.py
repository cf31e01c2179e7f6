"""Force records and deployment plans.

Force records: police-contributing countries, their caveats, formed police units, specialised
police teams, individual officers and the roster of experts nominated for rapid deployment.
They describe the mission's own force and are read mission-wide by planners, commanders and
analysts ("force" resource). Deployment plans and what-if analyses are operational records:
classified, voided rather than deleted, seen only by mission-level holders of the
"deployment_plan" resource.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.models import ClassifiedRecord, VoidableRecord
from bluebox.core.roles import Resource


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

    created_at = models.DateTimeField(auto_now_add=True, null=True)

    access_resource: ClassVar[Resource] = Resource.FORCE
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["country__code", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.country.code}: {self.get_kind_display()}"


class FormedPoliceUnit(models.Model):
    """An FPU: headquarters with its 20-person quick reaction force, and platoons of sections."""

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
    sections_per_platoon = models.PositiveSmallIntegerField(default=3)
    may_split = models.BooleanField(
        default=False, help_text=_("Platoons may deploy away from the unit's base")
    )
    languages = models.JSONField(default=list, blank=True)
    # {"apc": 6, "water_cannon": 1, ...}: major equipment counts (contingent-owned equipment).
    equipment = models.JSONField(default=dict, blank=True)
    # Self-sustainment categories the mission must provide (catering, water, medical...).
    sustainment_needs = models.JSONField(default=list, blank=True)

    access_resource: ClassVar[Resource] = Resource.FORCE
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SptSpecialty(models.TextChoices):
    FORENSICS = "forensics", _("Forensics")
    SGBV = "sgbv", _("Sexual and gender-based violence")
    SERIOUS_CRIME = "serious_crime", _("Serious and organised crime")
    COMMUNITY_POLICING = "community_policing", _("Community policing")
    INVESTIGATION = "investigation", _("Investigation")
    PUBLIC_ORDER = "public_order", _("Public order management")


class SpecialisedPoliceTeam(models.Model):
    """An SPT, deployed whole to one site."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(ContributingCountry, on_delete=models.PROTECT, related_name="spts")
    name = models.CharField(max_length=120)
    specialty = models.CharField(max_length=24, choices=SptSpecialty.choices)
    strength = models.PositiveSmallIntegerField()
    women = models.PositiveSmallIntegerField(default=0)
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rotation_start = models.DateField(null=True, blank=True)
    rotation_end = models.DateField(null=True, blank=True)

    access_resource: ClassVar[Resource] = Resource.FORCE
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["name", "id"]

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
    leave_start = models.DateField(null=True, blank=True)
    leave_end = models.DateField(null=True, blank=True)
    driving_licence = models.BooleanField(default=False)
    weapons_qualified = models.BooleanField(default=False)
    predeployment_training_on = models.DateField(null=True, blank=True)
    poc_training_on = models.DateField(null=True, blank=True)

    access_resource: ClassVar[Resource] = Resource.FORCE
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["service_number"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "service_number"], name="unique_ipo_number")
        ]

    def __str__(self) -> str:
        return self.service_number


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    CLEARED = "cleared", _("Cleared (screened and tested)")
    SELECTED = "selected", _("Selected")
    DEPLOYED = "deployed", _("Deployed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined")


class RosterNomination(models.Model):
    """An expert a PCC nominates to the rapid-deployment roster, and where the nomination is."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(
        ContributingCountry, on_delete=models.PROTECT, related_name="nominations"
    )
    reference = models.CharField(max_length=32, help_text=_("National service number"))
    rank = models.CharField(max_length=40, blank=True)
    gender = models.CharField(max_length=8, choices=Gender.choices)
    specialty = models.CharField(max_length=24, choices=SptSpecialty.choices)
    languages = models.JSONField(default=list, blank=True)
    available_from = models.DateField()
    status = models.CharField(
        max_length=12, choices=NominationStatus.choices, default=NominationStatus.NOMINATED
    )
    status_note = models.TextField(blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    access_resource: ClassVar[Resource] = Resource.FORCE
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["available_from", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "country", "reference"], name="unique_roster_nomination"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country.code} {self.reference}"


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SOLVING = "solving", _("Solving")
    FAILED = "failed", _("Failed")
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class PlanKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    WHATIF = "whatif", _("What-if")


class RiskSource(models.TextChoices):
    FORECAST = "forecast", _("Early-warning forecast")
    INCIDENT_HISTORY = "incident_history", _("Incident history (fallback)")


class DeploymentPlan(ClassifiedRecord, VoidableRecord):
    """One version of the mission's deployment plan, or a what-if derived from a plan.

    ``problem`` and ``solution`` are the engine's documents (self-contained, so a plan can be
    re-read, compared and exported after the force records change); ``board`` is the per-site
    summary the pages show. A what-if carries its ``base`` plan and the ``change`` applied; it
    is never proposed or approved: it shows what a decision elsewhere would buy.
    """

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=PlanKind.choices, default=PlanKind.PLAN)
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200, blank=True)
    base = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="whatifs"
    )
    change = models.JSONField(default=dict, blank=True)
    plan_start = models.DateField()
    horizon_days = models.PositiveSmallIntegerField(default=90)
    time_limit_s = models.FloatField(default=30.0)
    rel_gap = models.FloatField(default=1e-3)
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # When no plan meets every requirement: the smallest conflicting set, as messages
    # (bluebox.engines.messages) the page says in the reader's language; ``error`` in English.
    conflict = models.JSONField(default=list, blank=True)
    risk_source = models.CharField(max_length=20, choices=RiskSource.choices, blank=True)
    risk_detail = models.JSONField(default=dict, blank=True)
    problem = models.JSONField(null=True, blank=True)
    solution = models.JSONField(null=True, blank=True)
    names = models.JSONField(default=dict, blank=True, help_text=_("Engine ids to record names"))
    board = models.JSONField(default=list, blank=True)
    objective = models.FloatField(null=True, blank=True)
    delta = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    access_resource: ClassVar[Resource] = Resource.DEPLOYMENT_PLAN
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        if self.kind == PlanKind.WHATIF:
            return f"what-if #{self.pk}: {self.change.get('text', '')}"
        return f"plan v{self.version}"


class AnalysisKind(models.TextChoices):
    SWEEP = "sweep", _("Caveat and split sweep")
    FORCE_CURVE = "force_curve", _("Force-requirement curve")


class DeploymentAnalysis(ClassifiedRecord, VoidableRecord):
    """A long calibration run on a plan's problem: the sweep ranking or force curves."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(DeploymentPlan, on_delete=models.PROTECT, related_name="analyses")
    kind = models.CharField(max_length=12, choices=AnalysisKind.choices)
    target = models.FloatField(default=0.8)
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    time_limit_s = models.FloatField(default=10.0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    access_resource: ClassVar[Resource] = Resource.DEPLOYMENT_PLAN
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deployment analyses"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
