"""Detention register, custody clocks, handover risk assessments, evidence chain of custody.

The detainee's identity is encrypted (:class:`~bluebox.core.crypto.EncryptedTextField`) and
revealed only to holders of the DETENTION compartment, with a stated purpose and an audit
entry; every other person, page, list, notification and log sees the pseudonym.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.crypto import EncryptedTextField
from bluebox.core.models import ClassifiedRecord, NoDeleteQuerySet, VoidableRecord
from bluebox.core.roles import Resource

SCOPE: dict[str, str | None] = {"mission": "mission_id", "sector": "sector_id", "site": "site_id"}
CHILD_SCOPE: dict[str, str | None] = {
    "mission": "mission_id",
    "sector": "apprehension__sector_id",
    "site": "apprehension__site_id",
}


class LegalBasis(models.TextChoices):
    EXECUTIVE_ARREST = "executive_arrest", _("Arrest under the mission's executive authority")
    URGENT_TEMPORARY_MEASURE = "urgent_temporary_measure", _("Urgent temporary measure")
    POC_SITE_RULES = "poc_site_rules", _("POC site rules")
    IMMINENT_THREAT = "imminent_threat", _("Imminent threat to civilians")


class CustodyStatus(models.TextChoices):
    IN_CUSTODY = "in_custody", _("In custody")
    HANDED_OVER = "handed_over", _("Handed over")
    RELEASED = "released", _("Released")
    TRANSFERRED = "transferred", _("Transferred elsewhere")
    VOIDED = "voided", _("Voided")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


RISK_ORDER = {Risk.LOW: 0, Risk.MEDIUM: 1, Risk.HIGH: 2}

#: Under this age a detainee is a child: separate custody, guardian and child protection told.
ADULT_AGE = 18


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Not known")


class Interpreter(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed: the detainee understands the officers")
    PROVIDED = "provided", _("Needed and provided")
    NOT_PROVIDED = "not_provided", _("Needed, not yet provided")


class Apprehension(ClassifiedRecord, VoidableRecord):
    """One person apprehended by the mission, from the moment of apprehension to handover."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("missions.Sector", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("missions.FieldSite", on_delete=models.PROTECT, related_name="+")
    pseudonym = models.CharField(max_length=32)
    detainee_name = EncryptedTextField()
    detainee_details = EncryptedTextField(blank=True)
    apprehended_at = models.DateTimeField(db_index=True)
    location = models.CharField(max_length=200)
    apprehending_unit = models.CharField(max_length=160)
    legal_basis = models.CharField(max_length=32, choices=LegalBasis.choices)
    host_request_reference = models.CharField(max_length=120, blank=True)
    reason = models.TextField()
    medical_check_done = models.BooleanField(default=False)
    medical_check_at = models.DateTimeField(null=True, blank=True)
    medical_notes = EncryptedTextField(blank=True)  # health data: protected like the identity
    property_taken = models.TextField(blank=True)
    # Safeguards every custody record must show (sex and age decide separate custody; a child
    # is a juvenile whether the age is known or only believed under 18).
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    age_estimated = models.BooleanField(default=False)
    juvenile = models.BooleanField(default=False)
    rights_read_at = models.DateTimeField(null=True, blank=True)
    rights_language = models.CharField(max_length=60, blank=True)
    interpreter = models.CharField(max_length=16, choices=Interpreter.choices, blank=True)
    interpreter_language = models.CharField(max_length=60, blank=True)
    icrc_notified_at = models.DateTimeField(null=True, blank=True)
    family_notified_at = models.DateTimeField(null=True, blank=True)
    # Why the family was not told (the detainee declined, no contact known): never a name.
    notification_note = models.TextField(blank=True)
    # The limits in force when the custody began: later changes to the mission's settings
    # never move a running clock.
    limits = models.JSONField(default=dict)
    # What the mission's rules in force said (version, rule, citations, any commander's
    # override); empty for a mission without rules.
    rules = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=CustodyStatus.choices, default=CustodyStatus.IN_CUSTODY
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiving_partner = models.ForeignKey(
        "missions.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    destination = models.CharField(max_length=200, blank=True)
    end_note = models.TextField(blank=True)
    handover_assessment = models.ForeignKey(
        "RiskAssessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    access_resource: ClassVar[Resource] = Resource.DETENTION
    access_scope: ClassVar[dict[str, str | None]] = SCOPE

    class Meta:
        ordering = ["apprehended_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "pseudonym"], name="unique_detainee_pseudonym"
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym


class CustodyMove(ClassifiedRecord):
    """A move of a person in custody from one place of detention to another."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    apprehension = models.ForeignKey(Apprehension, on_delete=models.PROTECT, related_name="moves")
    moved_at = models.DateTimeField()
    from_place = models.CharField(max_length=200)
    to_place = models.CharField(max_length=200)
    reason = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = NoDeleteQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.DETENTION
    access_scope: ClassVar[dict[str, str | None]] = CHILD_SCOPE

    class Meta:
        ordering = ["moved_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_place} → {self.to_place}"


class RiskAssessment(ClassifiedRecord):
    """The assessment a handover to a national authority requires."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    apprehension = models.ForeignKey(
        Apprehension, on_delete=models.PROTECT, related_name="assessments"
    )
    receiving_partner = models.ForeignKey(
        "missions.PartnerOrganisation", on_delete=models.PROTECT, related_name="+"
    )
    risk_ill_treatment = models.CharField(max_length=8, choices=Risk.choices)
    risk_unfair_trial = models.CharField(max_length=8, choices=Risk.choices)
    risk_death_penalty = models.CharField(max_length=8, choices=Risk.choices)
    risk_persecution = models.CharField(max_length=8, choices=Risk.choices)
    rationale = models.TextField()
    # What the HRDDP gate said about the receiving unit when the assessment was made.
    hrddp_allowed = models.BooleanField()
    hrddp_reason = models.TextField()
    hrddp_decision_id = models.BigIntegerField(null=True, blank=True)
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = NoDeleteQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.DETENTION
    access_scope: ClassVar[dict[str, str | None]] = CHILD_SCOPE

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"risk assessment #{self.pk}"

    @property
    def risks(self) -> dict[str, str]:
        return {
            "ill_treatment": self.risk_ill_treatment,
            "unfair_trial": self.risk_unfair_trial,
            "death_penalty": self.risk_death_penalty,
            "persecution": self.risk_persecution,
        }

    @property
    def overall(self) -> str:
        return max(self.risks.values(), key=lambda r: RISK_ORDER[Risk(r)])


class HandoverOverride(ClassifiedRecord):
    """A commander's written decision to hand over despite a blocking gate."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    apprehension = models.ForeignKey(
        Apprehension, on_delete=models.PROTECT, related_name="overrides"
    )
    assessment = models.OneToOneField(
        RiskAssessment, on_delete=models.PROTECT, related_name="override"
    )
    justification = models.TextField()
    overridden_reasons = models.JSONField(default=list)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = NoDeleteQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.DETENTION
    access_scope: ClassVar[dict[str, str | None]] = CHILD_SCOPE

    def __str__(self) -> str:
        return f"handover override #{self.pk}"


class Escalation(models.Model):
    """An escalation point reached by a custody clock (raised once, kept)."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    apprehension = models.ForeignKey(
        Apprehension, on_delete=models.PROTECT, related_name="escalations"
    )
    key = models.CharField(max_length=32)
    deadline = models.CharField(max_length=8)
    hours_before = models.FloatField()
    due_at = models.DateTimeField()
    raised_at = models.DateTimeField()

    objects = NoDeleteQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.DETENTION
    access_scope: ClassVar[dict[str, str | None]] = CHILD_SCOPE

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["apprehension", "key"], name="unique_escalation_point")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.apprehension_id})"


class Breach(models.Model):
    """The permanent record of a custody deadline passed, and why."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    apprehension = models.ForeignKey(
        Apprehension, on_delete=models.PROTECT, related_name="breaches"
    )
    deadline = models.CharField(max_length=8)  # "target" or "limit"
    deadline_at = models.DateTimeField()
    detected_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    reason_at = models.DateTimeField(null=True, blank=True)
    reason_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = NoDeleteQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.DETENTION
    access_scope: ClassVar[dict[str, str | None]] = CHILD_SCOPE

    class Meta:
        ordering = ["deadline_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["apprehension", "deadline"], name="unique_breach")
        ]

    def __str__(self) -> str:
        return f"{self.deadline} breach ({self.apprehension_id})"


class Notification(models.Model):
    """A message to one person. Text never holds identities (pseudonyms only).

    Meant to be replaced by a mission-wide notification service when one exists.
    """

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    apprehension = models.ForeignKey(
        Apprehension, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=300)
    # The text as a message to say in the reader's language (bluebox.engines.messages); empty
    # on notifications made before it was kept, which read as their English ``text``.
    message = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    access_resource: ClassVar[Resource] = Resource.DETENTION_NOTIFICATION
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"notification #{self.pk}"


class EvidenceKind(models.TextChoices):
    ITEM = "item", _("Physical item")
    FILE = "file", _("File")


class EvidenceItem(ClassifiedRecord, VoidableRecord):
    """An item or a file taken into custody, fixed by its content hash."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    apprehension = models.ForeignKey(
        Apprehension, on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    access_resource: ClassVar[Resource] = Resource.DETENTION
    access_scope: ClassVar[dict[str, str | None]] = CHILD_SCOPE

    class Meta:
        ordering = ["registered_at", "id"]

    def __str__(self) -> str:
        return self.label


class EvidenceTransfer(models.Model):
    """One hand-to-hand transfer, signed by the giver when offered and the receiver when taken."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="transfers")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=200)
    previous_signature = models.CharField(max_length=64)
    offered_at = models.DateTimeField()
    giver_signature = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(null=True, blank=True)
    receiver_signature = models.CharField(max_length=64, blank=True)

    objects = NoDeleteQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.DETENTION
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "item__apprehension__sector_id",
        "site": "item__apprehension__site_id",
    }

    class Meta:
        ordering = ["offered_at", "id"]

    def __str__(self) -> str:
        return f"transfer #{self.pk}"
