"""Passkeys (WebAuthn) as a second factor, on Yubico's ``fido2`` server.

Each ceremony is two requests: *begin* returns the options for ``navigator.credentials`` and a
state the caller keeps in the person's session (the challenge, never sent back by the browser
in a way we trust), *complete* checks the browser's answer against it — origin, relying party,
challenge, user presence, the signature over the stored public key, and a signature counter
that only moves forward (a cloned authenticator shows an old counter). A passkey is bound to
the host name people use (``BLUEBOX_WEBAUTHN_RP_ID``, default the request's host): it works on
``localhost`` or a real host name over HTTPS, never on a bare IP address.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from fido2.server import Fido2Server
from fido2.utils import websafe_encode
from fido2.webauthn import (
    AttestedCredentialData,
    AuthenticationResponse,
    PublicKeyCredentialRpEntity,
    PublicKeyCredentialUserEntity,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from bluebox.core import audit, mfa
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditOutcome, Passkey, RecoveryCodeSet, SecondFactorMethod, User
from bluebox.core.roles import Resource

RP_NAME = "bluebox"


def rp_id_for(host: str) -> str:
    """The relying party id: the setting, or the request's host name without its port."""
    configured = str(getattr(settings, "WEBAUTHN_RP_ID", "") or "")
    if configured:
        return configured
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.strip("[]").lower()


def _server(rp_id: str) -> Fido2Server:
    return Fido2Server(PublicKeyCredentialRpEntity(name=RP_NAME, id=rp_id))


def _credentials(user: User) -> list[AttestedCredentialData]:
    return [
        AttestedCredentialData(bytes(p.credential_data))
        for p in Passkey.objects.filter(user=user, confirmed=True)
    ]


def _user_handle(user: User) -> bytes:
    # Opaque and stable; names nobody to the authenticator.
    return hashlib.sha256(f"bluebox-user:{user.pk}:{settings.SECRET_KEY}".encode()).digest()[:16]


def _bad(message: str) -> ServiceError:
    return ServiceError(message, field_errors={"credential": [message]})


def registration_begin(*, actor: User, rp_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Options for ``navigator.credentials.create`` and the state to keep in the session."""
    options, state = _server(rp_id).register_begin(
        PublicKeyCredentialUserEntity(
            id=_user_handle(actor), name=actor.username, display_name=str(actor)
        ),
        _credentials(actor),
        resident_key_requirement=ResidentKeyRequirement.PREFERRED,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return dict(options), dict(state)


def registration_complete(
    *, actor: User, rp_id: str, state: dict[str, Any], response: dict[str, Any], name: str
) -> tuple[Passkey, list[str]]:
    """Store the new passkey; the person's first factor also issues recovery codes (returned
    once, an empty list otherwise)."""
    try:
        auth_data = _server(rp_id).register_complete(state, response)
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad(_("The passkey could not be registered.")) from exc
    credential = auth_data.credential_data
    if credential is None:
        raise _bad(_("The passkey could not be registered."))
    credential_id = websafe_encode(credential.credential_id)
    now = timezone.now()
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise _bad(_("This passkey is already registered."))
        passkey = Passkey.objects.create(
            user=actor,
            name=(name or "").strip()[:64] or _("Passkey"),
            confirmed=True,
            credential_id=credential_id,
            credential_data=bytes(credential),
            sign_count=auth_data.counter,
            created_at=now,
        )
        audit.record(
            actor=actor,
            action="second-factor-enrol",
            resource=Resource.ACCOUNT,
            object_id=actor.pk,
            detail={"method": SecondFactorMethod.PASSKEY, "device": passkey.persistent_id},
        )
        codes: list[str] = []
        if not RecoveryCodeSet.objects.filter(user=actor, confirmed=True).exists():
            codes = mfa.recovery_codes_issue(actor=actor)
    return passkey, codes


def authentication_begin(*, user: User, rp_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    credentials = _credentials(user)
    if not credentials:
        raise _bad(_("No passkey is registered for this account."))
    options, state = _server(rp_id).authenticate_begin(
        credentials, user_verification=UserVerificationRequirement.PREFERRED
    )
    return dict(options), dict(state)


def authentication_complete(
    *,
    user: User,
    rp_id: str,
    state: dict[str, Any],
    response: dict[str, Any],
    action: str,
    now: datetime | None = None,
) -> Passkey:
    """Check an assertion by one of ``user``'s passkeys; the signature counter must advance."""
    now = now or timezone.now()
    credentials = _credentials(user)
    try:
        parsed = AuthenticationResponse.from_dict(response)
        matched = _server(rp_id).authenticate_complete(state, credentials, parsed)
    except (ValueError, KeyError, TypeError) as exc:
        _refused(user, action, "assertion")
        raise _bad(_("The passkey was not accepted.")) from exc
    signed = parsed.response.authenticator_data.counter
    credential_id = websafe_encode(matched.credential_id)
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update()
            .filter(user=user, credential_id=credential_id, confirmed=True)
            .first()
        )
        if passkey is None:
            raise _bad(_("The passkey was not accepted."))
        # Authenticators that keep no counter always send 0; any other must move forward.
        if (signed or passkey.sign_count) and signed <= passkey.sign_count:
            _refused(user, action, "counter")
            raise _bad(_("The passkey was not accepted."))
        passkey.sign_count = signed
        passkey.last_used_at = now
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


def _refused(user: User, action: str, why: str) -> None:
    audit.record(
        actor=user,
        action=action + "-failed",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        outcome=AuditOutcome.DENIED,
        detail={"method": SecondFactorMethod.PASSKEY, "check": why},
    )
