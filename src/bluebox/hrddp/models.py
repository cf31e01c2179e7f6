"""HRDDP: risk assessments of host-state security units, mitigation, decisions that gate support.

The registry of units is :class:`bluebox.missions.models.PartnerOrganisation` (host-state kinds,
with ``parent`` for the hierarchy); nothing here duplicates it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.classification import Compartment
from bluebox.core.models import ClassifiedRecord, VoidableRecord
from bluebox.core.roles import Resource
from bluebox.missions.models import PartnerKind

HOST_STATE_KINDS = (
    PartnerKind.HOST_POLICE,
    PartnerKind.HOST_GENDARMERIE,
    PartnerKind.HOST_SPECIAL,
)


class Activity(models.TextChoices):
    JOINT_PATROL = "joint_patrol", _("Joint patrol")
    TRAINING = "training", _("Training")
    EQUIPMENT = "equipment", _("Equipment")
    DETAINEE_HANDOVER = "detainee_handover", _("Detainee handover")


ALL_ACTIVITIES = [a.value for a in Activity]


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Commitment(models.TextChoices):
    NONE = "none", _("No commitment")
    PARTIAL = "partial", _("Partial commitment")
    FULL = "full", _("Full commitment, with measures taken")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Support approved")
    APPROVED_WITH_MITIGATION = "approved_with_mitigation", _("Approved with mitigation")
    DELAYED = "delayed", _("Delayed pending investigation")
    DECLINED = "declined", _("Declined")


class LinkKind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    HUMAN_RIGHTS_REPORT = "human_rights_report", _("Human rights report")


class HrddpRecord(ClassifiedRecord, VoidableRecord):
    """Every HRDDP record lives in the HRDDP compartment, scoped to its mission."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    # The compartment is what makes this an HRDDP record at all.
    compartments = models.PositiveSmallIntegerField(default=int(Compartment.HRDDP))

    access_resource: ClassVar[Resource] = Resource.HRDDP
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        abstract = True


class Assessment(HrddpRecord):
    """One risk assessment of a unit, following the policy's steps."""

    partner = models.ForeignKey(
        "missions.PartnerOrganisation", on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Step 1: record of grave violations by the unit.
    violations_history = models.TextField()
    violations_level = models.CharField(max_length=8, choices=Level.choices)
    # Step 2: the authorities' commitment to corrective action.
    corrective_commitment = models.TextField(blank=True)
    commitment_level = models.CharField(max_length=8, choices=Commitment.choices)
    # Step 3 (mitigation measures) is the Mitigation model; step 4: monitoring.
    monitoring_plan = models.TextField(blank=True)
    monitoring_interval_days = models.PositiveSmallIntegerField(default=90)
    overall_risk = models.CharField(max_length=8, choices=Level.choices)

    # What a sharing agreement on HRDDP records covers (core.access.agreement_q): assessments
    # only, in the HRDDP compartment they all carry and no other; the field groups they offer.
    access_share: ClassVar[dict[str, Any]] = {
        "criteria": {"covers_from": "assessed_at"},
        "compartments": int(Compartment.HRDDP),
        "fields": ["when", "perpetrator", "act"],
    }

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"HRDDP assessment #{self.pk}"


class Mitigation(HrddpRecord):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="mitigations")
    measure = models.TextField()
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"mitigation #{self.pk}"


class Decision(HrddpRecord):
    """Whether the mission may support the unit, for which activities, until when."""

    partner = models.ForeignKey(
        "missions.PartnerOrganisation", on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=32, choices=Outcome.choices)
    activities = models.JSONField(default=list)
    rationale = models.TextField()
    valid_from = models.DateField()
    valid_until = models.DateField()
    review_on = models.DateField()
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__lte=models.F("valid_until")),
                name="hrddp_decision_valid_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"HRDDP decision #{self.pk}"


class UnitLink(HrddpRecord):
    """An incident or a human rights report that names the unit."""

    partner = models.ForeignKey(
        "missions.PartnerOrganisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=LinkKind.choices)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    reported_on = models.DateField(null=True, blank=True)
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-linked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "incident"],
                condition=models.Q(incident__isnull=False, voided_at__isnull=True),
                name="hrddp_unique_incident_link",
            )
        ]

    def __str__(self) -> str:
        return f"link #{self.pk}"


class SupportOverride(HrddpRecord):
    """A commander's written decision to support despite the gate; always audited."""

    partner = models.ForeignKey(
        "missions.PartnerOrganisation", on_delete=models.PROTECT, related_name="+"
    )
    activity = models.CharField(max_length=24, choices=Activity.choices)
    justification = models.TextField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-id"]

    def __str__(self) -> str:
        return f"support override #{self.pk}"
