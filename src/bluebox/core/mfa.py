"""The second factor: who needs one, enrolment, checking a code, and the step-up before a reveal.

Three kinds of factor, all django-otp devices (:mod:`bluebox.core.models`): an authenticator app
(TOTP, RFC 6238), a passkey (WebAuthn, :mod:`bluebox.core.passkeys`) and single-use recovery
codes. A person whose roles or grants reach a compartment must hold one to sign in
(:func:`required_for`); anyone else may enrol one and is then asked for it too.

Checking a code writes the device's state (the time step of the last accepted TOTP code, which
refuses a replayed code; the back-off after a failure) in its own short transaction. Never call
:func:`verify` or :func:`step_up` inside a transaction that a later refusal rolls back: a failed
code must count, whatever happens after it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from bluebox.core import audit
from bluebox.core.crypto import ProtectedValue
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import (
    AuditOutcome,
    CompartmentGrant,
    Passkey,
    RecoveryCode,
    RecoveryCodeSet,
    RoleAssignment,
    SecondFactorMethod,
    StepUp,
    TotpDevice,
    User,
)
from bluebox.core.roles import ROLE_PROFILES, Resource

TOTP_STEP_S = 30
TOTP_DIGITS = 6
#: Codes one step either side of the current one are accepted (phone clocks drift).
TOTP_TOLERANCE = 1
RECOVERY_CODE_COUNT = 10
ISSUER = "bluebox"


def step_up_max_age() -> timedelta:
    return timedelta(seconds=int(settings.STEP_UP_MAX_AGE_S))


# --- who needs a second factor ---------------------------------------------------------------


def required_for(user: Any) -> bool:
    """Does this person's access reach a compartment (by a role's profile or a grant)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    for role in RoleAssignment.objects.filter(user=user).values_list("role", flat=True):
        if ROLE_PROFILES[role].compartments:
            return True
    return CompartmentGrant.objects.filter(user=user, revoked_at__isnull=True).exists()


def enrolled(user: Any) -> bool:
    """Has the person a confirmed TOTP device or passkey (recovery codes alone do not count)?"""
    return (
        TotpDevice.objects.filter(user=user, confirmed=True).exists()
        or Passkey.objects.filter(user=user, confirmed=True).exists()
    )


def asks_second_factor(user: Any) -> bool:
    """Is a second factor asked for at sign-in (required, or enrolled by choice)?"""
    return required_for(user) or enrolled(user)


@dataclass(frozen=True)
class Factor:
    """One of a person's factors as their security page lists it."""

    persistent_id: str
    method: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    remaining: int | None = None  # unused recovery codes


def factors_of(user: Any) -> list[Factor]:
    result = [
        Factor(d.persistent_id, SecondFactorMethod.TOTP, d.name, d.created_at, d.last_used_at)
        for d in TotpDevice.objects.filter(user=user, confirmed=True).order_by("created_at")
    ]
    result += [
        Factor(p.persistent_id, SecondFactorMethod.PASSKEY, p.name, p.created_at, p.last_used_at)
        for p in Passkey.objects.filter(user=user, confirmed=True).order_by("created_at")
    ]
    for code_set in RecoveryCodeSet.objects.filter(user=user, confirmed=True):
        remaining = code_set.codes.filter(used_at__isnull=True).count()
        result.append(
            Factor(
                code_set.persistent_id,
                SecondFactorMethod.RECOVERY,
                code_set.name,
                code_set.created_at,
                None,
                remaining,
            )
        )
    return result


# --- TOTP ------------------------------------------------------------------------------------


def new_secret() -> str:
    """A 160-bit secret in base32, as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def _totp(secret: str, at: datetime) -> TOTP:
    totp = TOTP(_key(secret), step=TOTP_STEP_S, digits=TOTP_DIGITS)
    totp.time = at.timestamp()
    return totp


def totp_code(secret: str, at: datetime) -> str:
    """The code an authenticator app shows at ``at`` (``bluebox demo-code`` and tests)."""
    return str(_totp(secret, at).token()).zfill(TOTP_DIGITS)


def otpauth_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` link an authenticator app imports (also shown as text to type)."""
    label = quote(f"{ISSUER}:{user.username}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": TOTP_DIGITS})
    return f"otpauth://totp/{label}?{query}"


def _secret_of(device: TotpDevice) -> str:
    value: Any = device.secret
    return value.reveal() if isinstance(value, ProtectedValue) else str(value)


@transaction.atomic
def totp_enrol_begin(*, actor: User) -> tuple[TotpDevice, str]:
    """A new, unconfirmed authenticator for ``actor`` and its secret (shown once to them)."""
    TotpDevice.objects.filter(user=actor, confirmed=False).delete()
    secret = new_secret()
    device = TotpDevice.objects.create(
        user=actor,
        name=_("Authenticator app"),
        confirmed=False,
        secret=secret,
        created_at=timezone.now(),
    )
    return device, secret


def totp_enrol_confirm(
    *, actor: User, device_id: int, code: str, now: datetime | None = None
) -> list[str]:
    """Confirm an authenticator with a code it shows; the first factor also issues recovery
    codes, returned once (an empty list when the person already holds some)."""
    now = now or timezone.now()
    device = TotpDevice.objects.filter(pk=device_id, user=actor, confirmed=False).first()
    if device is None:
        raise ServiceError(
            _("Start the enrolment again."), field_errors={"code": [_("Start again.")]}
        )
    if not _check_totp(device.pk, code, now):
        _failed(actor, "second-factor-enrol")
        raise ServiceError(
            _("That code does not match. Check the phone's clock and type the current code."),
            field_errors={"code": [_("Wrong code.")]},
        )
    with transaction.atomic():
        TotpDevice.objects.filter(pk=device.pk).update(confirmed=True)
        audit.record(
            actor=actor,
            action="second-factor-enrol",
            resource=Resource.ACCOUNT,
            object_id=actor.pk,
            detail={"method": SecondFactorMethod.TOTP, "device": device.persistent_id},
        )
        if RecoveryCodeSet.objects.filter(user=actor, confirmed=True).exists():
            return []
        return _issue_recovery_codes(actor)


# --- recovery codes ---------------------------------------------------------------------------


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _recovery_digest(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode()  # 80 bits, 16 characters
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _issue_recovery_codes(actor: User) -> list[str]:
    RecoveryCodeSet.objects.filter(user=actor).delete()
    code_set = RecoveryCodeSet.objects.create(
        user=actor, name=_("Recovery codes"), confirmed=True, created_at=timezone.now()
    )
    codes = [_new_recovery_code() for _i in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(code_set=code_set, digest=_recovery_digest(code)) for code in codes
    )
    audit.record(
        actor=actor,
        action="recovery-codes-issue",
        resource=Resource.ACCOUNT,
        object_id=actor.pk,
        detail={"count": len(codes)},
    )
    return codes


@transaction.atomic
def recovery_codes_issue(*, actor: User) -> list[str]:
    """New recovery codes for ``actor`` (the old ones stop working), shown once."""
    if not enrolled(actor):
        raise ServiceError(_("Enrol an authenticator app or a passkey first."))
    return _issue_recovery_codes(actor)


# --- removing a factor ------------------------------------------------------------------------


@transaction.atomic
def factor_remove(*, actor: User, persistent_id: str) -> None:
    """Remove one of one's own factors; the last one is kept while a second factor is required."""
    for model in (TotpDevice, Passkey, RecoveryCodeSet):
        label = model.model_label()
        if persistent_id.startswith(label + "/"):
            pk = persistent_id[len(label) + 1 :]
            device = model.objects.filter(user=actor, pk=pk if pk.isdigit() else -1).first()
            break
    else:
        device = None
    if device is None:
        raise ServiceError(_("No such factor."))
    if not isinstance(device, RecoveryCodeSet) and required_for(actor):
        others = (
            TotpDevice.objects.filter(user=actor, confirmed=True).count()
            + Passkey.objects.filter(user=actor, confirmed=True).count()
        )
        if others <= 1:
            raise ServiceError(
                _("Your roles require a second factor: add another before removing this one.")
            )
    device.delete()
    audit.record(
        actor=actor,
        action="second-factor-remove",
        resource=Resource.ACCOUNT,
        object_id=actor.pk,
        detail={"device": persistent_id},
    )


# --- checking a code ---------------------------------------------------------------------------


def _check_totp(device_pk: int, code: str, now: datetime) -> bool:
    """One device, one code, in its own transaction: a success moves ``last_t`` past the code's
    time step (so the same or an older code never passes again), a failure backs off."""
    digits = code.strip().replace(" ", "")
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(pk=device_pk).first()
        if device is None or not device.verify_is_allowed()[0]:
            return False
        totp = _totp(_secret_of(device), now)
        ok = (
            len(digits) == TOTP_DIGITS
            and digits.isdigit()
            and totp.verify(int(digits), tolerance=TOTP_TOLERANCE, min_t=device.last_t + 1)
        )
        if ok:
            device.last_t = totp.t()
            device.last_used_at = now
            device.throttle_reset(commit=False)
            device.save()
        else:
            device.throttle_increment(commit=True)
        return bool(ok)


def _check_recovery(user: User, code: str, now: datetime) -> RecoveryCodeSet | None:
    digest = _recovery_digest(code)
    with transaction.atomic():
        for code_set in RecoveryCodeSet.objects.select_for_update().filter(
            user=user, confirmed=True
        ):
            if not code_set.verify_is_allowed()[0]:
                continue
            used = RecoveryCode.objects.filter(
                code_set=code_set, digest=digest, used_at__isnull=True
            ).update(used_at=now)
            if used:
                code_set.throttle_reset(commit=True)
                return code_set
            code_set.throttle_increment(commit=True)
    return None


def _locked(user: User) -> bool:
    devices = [
        *TotpDevice.objects.filter(user=user, confirmed=True),
        *RecoveryCodeSet.objects.filter(user=user, confirmed=True),
    ]
    return bool(devices) and all(not d.verify_is_allowed()[0] for d in devices)


def _failed(user: User, action: str, **detail: Any) -> None:
    audit.record(
        actor=user,
        action=action,
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        outcome=AuditOutcome.DENIED,
        detail=detail or None,
    )


def verify(
    *, user: User, code: str, now: datetime | None = None, action: str = "second-factor"
) -> tuple[str, str]:
    """Check a TOTP code or a recovery code of ``user``; return ``(method, device id)``.

    A wrong code is an audited :class:`ServiceError` naming the ``code`` field; after one, every
    device of the person waits before it checks another (1, 2, 4... seconds), so guessing six
    digits takes years. A replayed code — the one just used, or an older one — is wrong.
    """
    now = now or timezone.now()
    code = (code or "").strip()
    if not code:
        raise ServiceError(
            _("Type the code from your authenticator app, or a recovery code."),
            field_errors={"code": [_("Required.")]},
        )
    if len(code) > 64:
        raise ServiceError(_("That code does not match."), field_errors={"code": [_("Wrong.")]})
    if _locked(user):
        _failed(user, action + "-throttled")
        raise ServiceError(
            _("Too many wrong codes. Wait a little and try again."),
            field_errors={"code": [_("Wait a little.")]},
        )
    compact = code.replace(" ", "")
    if compact.isdigit():
        for device in TotpDevice.objects.filter(user=user, confirmed=True):
            if _check_totp(device.pk, compact, now):
                return SecondFactorMethod.TOTP, device.persistent_id
    else:
        code_set = _check_recovery(user, code, now)
        if code_set is not None:
            audit.record(
                actor=user,
                action="recovery-code-used",
                resource=Resource.ACCOUNT,
                object_id=user.pk,
                detail={"left": code_set.codes.filter(used_at__isnull=True).count()},
            )
            return SecondFactorMethod.RECOVERY, code_set.persistent_id
    _failed(user, action + "-failed")
    raise ServiceError(_("That code does not match."), field_errors={"code": [_("Wrong code.")]})


# --- step-up ------------------------------------------------------------------------------------


def record_type(record: Any) -> str:
    """The model a step-up is bound to, with the record's id (``incidents.protectedperson``)."""
    return str(record._meta.label_lower)


def check_record_type(label: str) -> str:
    from django.apps import apps

    from bluebox.core.models import ClassifiedRecord

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise ServiceError(
            _("Unknown record type."), field_errors={"record_type": [label]}
        ) from exc
    if not issubclass(model, ClassifiedRecord):
        raise ServiceError(_("Unknown record type."), field_errors={"record_type": [label]})
    return str(model._meta.label_lower)


def record_step_up(
    *, user: User, record_type: str, object_id: object, method: str, device: str, now: datetime
) -> StepUp:
    label = check_record_type(record_type)
    step = StepUp.objects.create(
        user=user,
        record_type=label,
        object_id=str(object_id)[:64],
        method=method,
        device=device,
        verified_at=now,
    )
    audit.record(
        actor=user,
        action="step-up",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={"method": method, "step_up_id": step.pk, "record": f"{label}:{step.object_id}"},
    )
    return step


def step_up(
    *,
    actor: User,
    record_type: str,
    object_id: object,
    code: str,
    now: datetime | None = None,
) -> StepUp:
    """A fresh second-factor check bound to one record (its model label and id).

    :func:`bluebox.core.access.reveal` takes it within :func:`step_up_max_age`, for that record
    only, once. Call it before the reveal's own transaction (see the module docstring).
    """
    now = now or timezone.now()
    label = check_record_type(record_type)
    method, device = verify(user=actor, code=code, now=now, action="step-up")
    return record_step_up(
        user=actor, record_type=label, object_id=object_id, method=method, device=device, now=now
    )


def step_up_if_code(*, actor: Any, record_type: str, object_id: object, code: str) -> None:
    """The API's reveal bodies may carry ``code``: step up with it first (nothing when empty,
    so a passkey step-up made just before is used)."""
    if (code or "").strip():
        step_up(actor=actor, record_type=record_type, object_id=object_id, code=code)
