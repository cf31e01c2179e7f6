"""Accounts, role assignments, compartment grants, the audit chain, and shared record mixins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from bluebox.core.classification import Classification, Compartment, marking
from bluebox.core.crypto import EncryptedTextField
from bluebox.core.exceptions import DeletionRefused
from bluebox.core.roles import Resource, Role


class User(AbstractUser):
    """A person with an account; what they may see comes only from their role assignments."""

    display_name = models.CharField(max_length=150, blank=True)
    preferred_language = models.CharField(max_length=8, blank=True)
    # The last person other than the holder who set this account's password (creating it or
    # resetting it): they know, or knew, a password to it, so they may not grant it an
    # operational role or a compartment. Never cleared by the holder's own change, since the
    # one who set the password can make that change too.
    credentials_set_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when someone other than the holder sets the password (an invitation, a reset): the
    # holder chooses their own at the next sign-in, before any other page opens.
    must_change_password = models.BooleanField(default=False)
    # The last day the account may be used (the end of its holder's rotation); from the next
    # day (UTC) it signs nobody in and its tokens authenticate nothing. Empty: no end.
    access_ends_on = models.DateField(null=True, blank=True)
    # When the expiry sweep ended the account's sessions and tokens (cleared by an extension).
    access_ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """An API token, stored as the SHA-256 of its key: the key itself is shown once, at creation.

    The key carries 256 random bits, so an unsalted digest cannot be reversed or guessed; whoever
    reads this table (an administrator, a copy of the database) holds nothing that authenticates.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the key, so a person can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RoleAssignment(models.Model):
    """A role held in one scope: a whole mission, one sector, or one field site."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(
        "missions.Sector", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        "missions.FieldSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "mission", "sector", "site"], name="unique_role_in_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.site_id:
            return f"site {self.site}"
        if self.sector_id:
            return f"sector {self.sector}"
        return f"mission {self.mission}"

    def clean(self) -> None:
        if self.site_id and self.sector_id:
            raise ValidationError(_("A role is held on a sector or on a site, not both."))
        if self.sector is not None and self.sector.mission_id != self.mission_id:
            raise ValidationError(_("The sector belongs to another mission."))
        if self.site is not None and self.site.mission_id != self.mission_id:
            raise ValidationError(_("The site belongs to another mission."))


class CompartmentGrant(models.Model):
    """Need-to-know access to a compartment beyond what the person's roles give."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="compartment_grants")
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    compartment = models.PositiveSmallIntegerField(choices=Compartment.choices)
    reason = models.TextField()
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="compartment_grants_given"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.get_compartment_display()} @ {self.mission_id}"


class ClassifiedRecord(models.Model):
    """An operational record: classified, possibly compartmented, scoped to a mission."""

    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.CONFIDENTIAL
    )
    compartments = models.PositiveSmallIntegerField(default=0)

    # Subclasses name their authorization resource and the fields holding their scope.
    access_resource: ClassVar[Resource]
    access_scope: ClassVar[dict[str, str | None]] = {}

    class Meta:
        abstract = True


class DerivedRecord(models.Model):
    """Computed from other records (a forecast, a risk figure, a draft): carries their protection.

    The ``inputs_*`` fields are the label of :class:`bluebox.core.access.Protection`: the
    resource the inputs are, the scope they were all drawn from, and a classification and
    compartments none of them exceeds. The label is fixed *before* the inputs are read (it is an
    audience's clearance, not a summary of what was found), so it never tells anyone what the
    hidden records are. :func:`bluebox.core.access.visible` shows a row only to those cleared
    for its label, on top of the row's own rules. An empty ``inputs_resource`` means the record
    was written by a person, not derived.
    """

    inputs_resource = models.CharField(max_length=32, blank=True)
    inputs_mission_id = models.BigIntegerField(null=True, blank=True)
    inputs_sector_id = models.BigIntegerField(null=True, blank=True)
    inputs_site_id = models.BigIntegerField(null=True, blank=True)
    inputs_classification = models.PositiveSmallIntegerField(default=0)
    inputs_compartments = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True


class NoDeleteQuerySet(models.QuerySet[Any]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("operational records are voided with a reason, never deleted")


class VoidableRecord(models.Model):
    """Voiding keeps the record, who voided it, when and why."""

    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("operational records are voided with a reason, never deleted")


class AppendOnlyQuerySet(NoDeleteQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise DeletionRefused("audit entries are append-only")


class AuditOutcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")


class AuditEntry(models.Model):
    """One link of the append-only, hash-chained audit trail."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    resource = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    mission_id = models.BigIntegerField(null=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=AuditOutcome.choices)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    # Which audit key signed this entry; 0 marks entries written before keys had epochs.
    key_epoch = models.PositiveIntegerField(default=0)

    objects = AppendOnlyQuerySet.as_manager()

    access_resource: ClassVar[Resource] = Resource.AUDIT
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise DeletionRefused("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("audit entries are append-only")


class AuditHead(models.Model):
    """The chain's tip; locking it serialises appends and anchors the last entry.

    ``signature`` is a keyed MAC over the tip and the current key epoch, so someone with write
    access to the database but not the key cannot move the head back after deleting entries.
    """

    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)
    key_epoch = models.PositiveIntegerField(default=1)
    # Check value of the current epoch's key: an append under another key is refused.
    key_check = models.CharField(max_length=64, blank=True, default="")
    signature = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"audit head at #{self.seq}"


class ThrottleCounter(models.Model):
    """Failed logins (or requests) under one key within a window, shared by every process.

    Kept in the database, not a per-process cache: a restart does not lift a lock, every web
    process sees the same count, and a cache that is down cannot stop anyone logging in.
    """

    key = models.CharField(max_length=200, unique=True)
    hits = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


class AuditKeyEpoch(models.Model):
    """One audit key in the chain's history, known by a keyed check value (never the key).

    ``bluebox audit verify`` compares the configured key of each epoch with its check value,
    which is how it tells a wrong key from a tampered chain.
    """

    epoch = models.PositiveIntegerField(primary_key=True)
    check_value = models.CharField(max_length=64)
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"audit key epoch {self.epoch}"


class IdempotencyRecord(models.Model):
    """The response to an API write made with an ``Idempotency-Key`` (see core.idempotency).

    The body is a protected field (a response can hold an identity): key rotation re-encrypts it
    with every other one, and a body no key reads is answered as unreadable. The record lives
    ``IDEMPOTENCY_TTL_S``, after which the key may be used again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path, query and body
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    location = models.CharField(max_length=500, blank=True)
    body = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_response_per_user_key")
        ]

    def __str__(self) -> str:
        return f"idempotency key of user {self.user_id}"


# --- second factor, step-up, two-person downgrade, reveal-rate alerts -----------------------------
#
# The second-factor devices build on django-otp's ``Device`` (one interface for every kind, its
# exponential back-off after failed codes). The TOTP secret is stored encrypted like a protected
# identity and recovery codes only as digests, so whoever reads the database holds nothing that
# passes a second-factor check.


class SecondFactorMethod(models.TextChoices):
    TOTP = "totp", _("Authenticator app (TOTP)")
    PASSKEY = "passkey", _("Passkey")
    RECOVERY = "recovery", _("Recovery code")


class TotpDevice(ThrottlingMixin, Device):
    """An authenticator app: RFC 6238 codes from a secret shared once, at enrolment."""

    # Named here (django-otp leaves it unnamed) so no reverse accessor is added to User.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # The base32 secret, encrypted under the field keys (a ProtectedValue once loaded).
    secret = EncryptedTextField()
    # The time step of the last accepted code: a code is accepted once, and never an older one.
    last_t = models.BigIntegerField(default=-1)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "TOTP device"

    def get_throttle_factor(self) -> int:
        return int(settings.OTP_THROTTLE_FACTOR)


class RecoveryCodeSet(ThrottlingMixin, Device):
    """Single-use recovery codes, issued together; each stored as the SHA-256 of an 80-bit code."""

    # Named here (django-otp leaves it unnamed) so no reverse accessor is added to User.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    def get_throttle_factor(self) -> int:
        return int(settings.OTP_THROTTLE_FACTOR)


class RecoveryCode(models.Model):
    code_set = models.ForeignKey(RecoveryCodeSet, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk} of set {self.code_set_id}"


class Passkey(ThrottlingMixin, Device):
    """A WebAuthn credential (a passkey or a security key) registered by its holder."""

    # Named here (django-otp leaves it unnamed) so no reverse accessor is added to User.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    credential_id = models.CharField(max_length=512, unique=True)  # websafe base64
    # fido2's AttestedCredentialData: the public key and its identifiers (nothing secret).
    credential_data = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def get_throttle_factor(self) -> int:
        return int(settings.OTP_THROTTLE_FACTOR)


class StepUp(models.Model):
    """A fresh second-factor check bound to one record, which one reveal of that record uses.

    Written (and committed) before the reveal it allows, so a failed code counts even when the
    reveal is then refused; ``access.reveal`` takes one that is at most five minutes old, for
    the same person and record, and marks it used.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=100)  # "<app_label>.<model>"
    object_id = models.CharField(max_length=64)
    method = models.CharField(max_length=16, choices=SecondFactorMethod.choices)
    device = models.CharField(max_length=100)  # django-otp persistent id of the device
    verified_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "record_type", "object_id"])]

    def __str__(self) -> str:
        return f"step-up of {self.user_id} for {self.record_type} {self.object_id}"


class DowngradeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second person")
    APPROVED = "approved", _("Approved and applied")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DowngradeRequest(models.Model):
    """Lowering a record's classification or removing a compartment: asked by one person,
    approved or refused by another with the right role (never the requester)."""

    record_type = models.CharField(max_length=100)  # "<app_label>.<model>"
    object_id = models.CharField(max_length=64)
    resource = models.CharField(max_length=32)
    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    sector_id = models.BigIntegerField(null=True, blank=True)
    site_id = models.BigIntegerField(null=True, blank=True)
    # The record's protection when asked; approval applies only if it is still the same.
    from_classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    from_compartments = models.PositiveSmallIntegerField()
    to_classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    to_compartments = models.PositiveSmallIntegerField()
    reason = models.TextField()
    status = models.CharField(
        max_length=16, choices=DowngradeStatus.choices, default=DowngradeStatus.PENDING
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    access_resource: ClassVar[Resource] = Resource.DOWNGRADE
    access_scope: ClassVar[dict[str, str | None]] = {
        "mission": "mission_id",
        "sector": "sector_id",
        "site": "site_id",
    }
    # A request tells what the record is and why it is marked so: only those cleared for the
    # record as it stood when asked see it (core/access.py).
    access_protection: ClassVar[dict[str, str]] = {
        "classification": "from_classification",
        "compartments": "from_compartments",
    }

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["record_type", "object_id", "status"])]

    def __str__(self) -> str:
        return f"downgrade {self.pk} of {self.record_type} {self.object_id}"

    @property
    def expires_at(self) -> datetime:
        """A request nobody decided in time lapses: its record keeps its marking."""
        return self.requested_at + timedelta(days=int(settings.DOWNGRADE_REQUEST_DAYS))

    @property
    def from_marking(self) -> str:
        return marking(self.from_classification, self.from_compartments)

    @property
    def to_marking(self) -> str:
        return marking(self.to_classification, self.to_compartments)


class RevealAlert(models.Model):
    """One person revealed more identities in a window than the mission's setting allows."""

    mission = models.ForeignKey("missions.Mission", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    window_hours = models.PositiveIntegerField()
    limit = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    access_resource: ClassVar[Resource] = Resource.REVEAL_ALERT
    access_scope: ClassVar[dict[str, str | None]] = {"mission": "mission_id"}

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"reveal-rate alert {self.pk} for {self.actor_id}"


# Sharing agreements and their receipts live in core so the access module can read them; they
# are kept in their own module (registered here, with the rest of core's models).
from bluebox.core.sharing import DisclosureReceipt, SharingAgreement  # noqa: E402, F401
