"""Versions of a mission's rules, and the commanders' overrides of what they refuse.

A :class:`RuleVersion` holds one rule document (``docs/schemas/rule-set.schema.json``) with the
dates it is in force. It takes effect only once a commander approves it, and the approved
versions of a mission never overlap in time (:func:`bluebox.guide.services.rules_approve`
closes the version a renewal replaces, and refuses anything else that would overlap).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bluebox.core.models import NoDeleteQuerySet
from bluebox.core.roles import Resource

MISSION_SCOPE: dict[str, str | None] = {"mission": "mission_id"}


class VersionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting a commander's approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Action(models.TextChoices):
    ARREST = "arrest", _("Arrest")
    DETAIN = "detain", _("Detain")
    SEARCH = "search", _("Search")
    USE_FORCE_PHYSICAL = "use_force_physical", _("Use physical force")
    USE_FORCE_LESS_LETHAL = "use_force_less_lethal", _("Use less-lethal means")
    USE_FORCE_LETHAL = "use_force_lethal", _("Use a firearm")
    ESCORT = "escort", _("Escort")
    JOINT_PATROL = "joint_patrol", _("Patrol jointly with a host-state unit")
    HANDOVER = "handover", _("Hand a detainee over to national authorities")


#: What a commander may act on against the rules: the guide's actions, and who holds primacy
#: for a threat (the blue box / green box handover of an incident).
OVERRIDE_ACTIONS = [*Action.choices, ("primacy", _("Hold or hand over primacy for a threat"))]


class Threat(models.TextChoices):
    NONE = "none", _("No threat of violence")
    UNARMED = "unarmed", _("Violence without weapons")
    ARMED = "armed", _("Armed (knives, machetes, a few firearms)")
    HEAVY = "heavy", _("Sustained, large-scale firearms or military weapons")


class Phase(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    PRE_EMPTION = "pre_emption", _("Pre-emption")
    RESPONSE = "response", _("Response")
    CONSOLIDATION = "consolidation", _("Consolidation")


class RuleVersion(models.Model):
    """One version of a mission's rules: a mandate, or an SOP revision, as data."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    valid_from = models.DateField()
    # Inclusive; empty while no end is known. Approval of a renewal sets it.
    valid_until = models.DateField(null=True, blank=True)
    document = models.JSONField()
    digest = models.CharField(max_length=64)
    status = models.CharField(
        max_length=12, choices=VersionStatus.choices, default=VersionStatus.PROPOSED
    )
    note = models.TextField(blank=True)
    proposed_at = models.DateTimeField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    # The approved version whose start ended this one (a renewal), if any.
    ended_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = NoDeleteQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.GUIDE
    access_scope: ClassVar[dict[str, str | None]] = MISSION_SCOPE

    class Meta:
        ordering = ["mission_id", "-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "label"], name="unique_rule_version"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="rule_version_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.title})"


class RuleOverride(models.Model):
    """A commander's written decision to act where the rules in force refuse."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="overrides"
    )
    action = models.CharField(max_length=32, choices=OVERRIDE_ACTIONS)
    situation = models.JSONField(default=dict)
    # What the rules said: the reasons and citations of the refusal, as shown at the time.
    refusal = models.JSONField(default=dict)
    justification = models.TextField()
    # What the override let through (e.g. "apprehension" and its id), once it exists.
    subject = models.CharField(max_length=40)
    subject_id = models.BigIntegerField(null=True, blank=True)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = NoDeleteQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.GUIDE_OVERRIDE
    access_scope: ClassVar[dict[str, str | None]] = MISSION_SCOPE

    class Meta:
        ordering = ["-granted_at", "-id"]

    def __str__(self) -> str:
        return f"rules override #{self.pk}"
