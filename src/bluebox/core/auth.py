"""Authentication with login throttling per username and per client address."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from bluebox.core import access, audit, throttle
from bluebox.core.models import ApiToken, AuditOutcome
from bluebox.core.roles import Resource


def _keys(request: HttpRequest | None, username: str | None) -> list[str]:
    keys = []
    if username:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        keys.append(f"login-fail:user:{digest}")
    if request is not None:
        address = throttle.client_address(request)
        if address:
            keys.append(f"login-fail:addr:{address}")
    return keys


def _limit(key: str) -> int:
    # A field site often shares one address among many people: the address limit is higher
    # so one person's typos do not lock out the whole team site.
    if key.startswith("login-fail:addr:"):
        return int(settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    return int(settings.LOGIN_FAILURE_LIMIT)


def is_throttled(request: HttpRequest | None, username: str | None) -> bool:
    return any(throttle.count(key) >= _limit(key) for key in _keys(request, username))


def refuse_if_throttled(request: HttpRequest | None, username: str | None) -> None:
    """Raise an audited :class:`PermissionDenied` while the username or address is throttled.

    The one check for the login form and every backend path (API tokens included), so each
    throttled attempt is in the audit trail whichever way it came.
    """
    if is_throttled(request, username):
        raise access.refuse(
            PermissionDenied("too many failed logins"),
            actor=None,
            action="login-throttled",
            detail={
                "username": (username or "")[:150],
                "address": throttle.client_address(request) if request is not None else "",
            },
        )


def _note_failure(request: HttpRequest | None, username: str | None) -> None:
    for key in _keys(request, username):
        throttle.hit(key, window_s=int(settings.LOGIN_FAILURE_WINDOW_S))


def note_failure(request: HttpRequest | None, username: str | None) -> None:
    """Count a failed second step of a sign-in like a wrong password."""
    _note_failure(request, username)


def _clear(request: HttpRequest | None, username: str | None) -> None:
    for key in _keys(request, username):
        if key.startswith("login-fail:user:"):
            throttle.reset(key)


def access_ended(user: Any, *, today: date | None = None) -> bool:
    """The account's last day (``access_ends_on``, the end of rotation) has passed (UTC)."""
    ends = getattr(user, "access_ends_on", None)
    return ends is not None and (today or timezone.now().date()) > ends


#: Set on the request when the right password was given for an account whose access has ended,
#: so the page (or the API) says so instead of "wrong password".
ACCESS_ENDED = "bluebox_access_ended_on"


class ThrottledModelBackend(ModelBackend):
    """Django's model backend (inactive users refused) behind a failure counter.

    Once the limit is reached every attempt is refused, right password or not, until the window
    passes; that is what makes guessing expensive. An account past its last day is refused
    too, after its password is checked, and the refusal audited.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        refuse_if_throttled(request, username)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and access_ended(user):
            if request is not None:
                setattr(request, ACCESS_ENDED, user.access_ends_on)
            audit.record(
                actor=None,
                action="login-access-ended",
                outcome=AuditOutcome.DENIED,
                resource=Resource.ACCOUNT,
                object_id=user.pk,
            )
            return None
        if user is None:
            _note_failure(request, username)
            audit.record(
                actor=None,
                action="login-failed",
                outcome=AuditOutcome.DENIED,
                detail={"username": (username or "")[:150]},
            )
        else:
            _clear(request, username)
        return user


# --- API tokens ---------------------------------------------------------------------------------

TOKEN_PREFIX = "bbx_"  # noqa: S105 - a marker, not a secret
# Writing "last used" on every API call would turn every read into a write.
TOKEN_LAST_USED_GRANULARITY_S = 300


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class HashedTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` against the digests in :class:`~bluebox.core.models.ApiToken`.

    A revoked or expired token, or one whose account is disabled, authenticates no one (401).
    """

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header.") from exc
        return self.credentials_for(key)

    def credentials_for(self, key: str) -> tuple[Any, ApiToken]:
        """The person and token a key stands for; :class:`AuthenticationFailed` otherwise."""
        now = timezone.now()
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if (
            token is None
            or token.revoked_at is not None
            or token.expires_at <= now
            or not token.user.is_active
            or access_ended(token.user)
        ):
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() >= TOKEN_LAST_USED_GRANULARITY_S
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
