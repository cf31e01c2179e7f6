"""Sharing agreements and disclosure receipts: the records :mod:`bluebox.core.access` reads.

An agreement lets named people of another section or organisation (the human rights section, the
military component, a partner) read a redacted view of some records of one mission: which record
type, which of them (types, perpetrators, period, sector or site, a classification ceiling, never
a compartment), which fields, how redacted (coordinates blurred to a coarser H3 cell, names
replaced by pseudonyms, free text withheld), under which TLP 2.0 marking, from when until when.
The owning commander approves it; revoking it or reaching its expiry ends it on the very next
request, because :mod:`bluebox.core.access` reads agreements on every request and caches nothing
beyond one request.

Agreements live in ``core`` so that the one authorization module can turn them into grants;
the pages, services and extracts that use them are in the ``sharing`` app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bluebox.core.classification import Classification
from bluebox.core.exceptions import DeletionRefused
from bluebox.core.roles import Resource


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0 (FIRST): how far the recipient may pass the content on."""

    CLEAR = "clear", _("TLP:CLEAR — no limit on disclosure")
    GREEN = "green", _("TLP:GREEN — the recipient's community, not public")
    AMBER = "amber", _("TLP:AMBER — the recipient's organisation and its clients, need to know")
    AMBER_STRICT = "amber+strict", _("TLP:AMBER+STRICT — the recipient's organisation only")
    RED = "red", _("TLP:RED — the named recipients only, not passed on")


#: Strictness order of the TLP markings: several agreements covering one record show it under the
#: strictest of them.
TLP_ORDER = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]

#: The highest UN level each marking may carry: a CONFIDENTIAL record is not for public release.
TLP_CEILING = {
    TLP.CLEAR: Classification.UNCLASSIFIED,
    TLP.GREEN: Classification.UNCLASSIFIED,
    TLP.AMBER: Classification.CONFIDENTIAL,
    TLP.AMBER_STRICT: Classification.STRICTLY_CONFIDENTIAL,
    TLP.RED: Classification.STRICTLY_CONFIDENTIAL,
}


def tlp_label(value: str) -> str:
    """The marking as printed on a page or an export (``TLP:AMBER+STRICT``)."""
    return "TLP:" + value.upper()


class Party(models.TextChoices):
    """Who receives: a section of the mission or an organisation outside it."""

    HUMAN_RIGHTS = "human_rights", _("Human rights section")
    MILITARY = "military", _("Military component")
    PARTNER = "partner", _("Partner organisation")


class SharedField(models.TextChoices):
    """The groups of fields an agreement may share, in the HURIDOCS "who did what to whom" terms.

    A record type maps each group to its own fields (``access_share`` on the model).
    """

    WHEN = "when", _("When it happened")
    WHERE = "where", _("Where it happened")
    ACT = "act", _("What was done (the act)")
    VICTIMS = "victims", _("Victims (counts by sex and age)")
    PERPETRATOR = "perpetrator", _("Perpetrator")
    SOURCE = "source", _("Source and its grading")
    INTERVENTION = "intervention", _("Interventions (the mission's responses)")


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the commander's approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")


class ShareableRecord(models.TextChoices):
    """The record types an agreement may cover (each is a resource of the policy)."""

    INCIDENT = Resource.INCIDENT.value, _("Incidents")
    # The human rights section's own work: risk assessments of host-state units.
    HRDDP = Resource.HRDDP.value, _("HRDDP risk assessments")


#: The H3 resolutions an agreement may blur coordinates to (5 ≈ 250 km², 9 ≈ 0.1 km²).
BLUR_RESOLUTIONS = [
    (4, _("About 1,800 km² (H3 resolution 4)")),
    (5, _("About 250 km² (H3 resolution 5)")),
    (6, _("About 36 km² (H3 resolution 6)")),
    (7, _("About 5 km² (H3 resolution 7)")),
    (8, _("About 0.7 km² (H3 resolution 8)")),
]


class _NoDelete(models.QuerySet[Any]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("sharing agreements are revoked with a reason, never deleted")


class SharingAgreement(models.Model):
    """What one mission's police component shares with a party, how redacted, until when."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=160)
    purpose = models.TextField()
    party = models.CharField(max_length=16, choices=Party.choices)
    # The named organisation, when the party is one (a partner, the force).
    partner = models.ForeignKey(
        "missions.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The people who read under it; they must hold a recipient role in the mission at every
    # request (the policy's "shared" rule), so withdrawing the role ends their access too.
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    record_type = models.CharField(
        max_length=32, choices=ShareableRecord.choices, default=ShareableRecord.INCIDENT
    )
    # Which records: empty lists mean "every type" / "every perpetrator".
    incident_types = models.JSONField(default=list, blank=True)
    perpetrator_categories = models.JSONField(default=list, blank=True)
    covers_from = models.DateField(null=True, blank=True)
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    max_classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.UNCLASSIFIED
    )
    tlp = models.CharField(max_length=16, choices=TLP.choices, default=TLP.AMBER)
    shared_fields = models.JSONField(default=list)
    # Redaction: None shares the coordinates as recorded; a resolution blurs them to that cell.
    location_resolution = models.PositiveSmallIntegerField(null=True, blank=True)
    pseudonymise_names = models.BooleanField(default=True)
    withhold_text = models.BooleanField(default=True)
    # Per-agreement key of the pseudonyms: one actor has one pseudonym under one agreement and
    # unrelated ones under others, so two recipients cannot join their extracts on names.
    pseudonym_key = models.CharField(max_length=64)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)

    objects = _NoDelete.as_manager()

    access_resource: ClassVar[Resource] = Resource.SHARING
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("starts_at")),
                name="agreement_expires_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(location_resolution__isnull=True)
                | models.Q(location_resolution__gte=0, location_resolution__lte=15),
                name="agreement_h3_resolution",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("sharing agreements are revoked with a reason, never deleted")

    def is_live(self, at: datetime) -> bool:
        return (
            self.status == AgreementStatus.APPROVED
            and self.revoked_at is None
            and self.starts_at <= at < self.expires_at
        )

    @property
    def tlp_marking(self) -> str:
        return tlp_label(self.tlp)

    @property
    def shared_field_labels(self) -> list[str]:
        return [str(SharedField(f).label) for f in self.shared_fields if f in SharedField.values]


class DisclosureReceipt(models.Model):
    """One record disclosed to one person under one agreement, in one channel.

    The receipt of record is the *disclosure* entry of the hash-chained audit trail
    (``audit_seq``), which lists every record and agreement of the request; these rows index it
    by record, so the owner's "who saw this record" page is one query. Append-only.
    """

    class Channel(models.TextChoices):
        DETAIL = "detail", _("Opened the record")
        LIST = "list", _("Listed")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded")
        MAP = "map", _("On the map")
        API = "api", _("Through the API")

    audit_seq = models.PositiveBigIntegerField(db_index=True)
    at = models.DateTimeField()
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=32)
    record_id = models.BigIntegerField()
    channel = models.CharField(max_length=12, choices=Channel.choices)

    objects = _NoDelete.as_manager()

    access_resource: ClassVar[Resource] = Resource.SHARING
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["record_type", "record_id", "-at"], name="receipt_by_record"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id} to {self.user_id} ({self.channel})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise DeletionRefused("disclosure receipts are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("disclosure receipts are append-only")
