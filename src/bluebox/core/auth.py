"""Authentication with login throttling per username and per client address."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from bluebox.core import access, audit, throttle
from bluebox.core.models import AuditOutcome


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


def _clear(request: HttpRequest | None, username: str | None) -> None:
    for key in _keys(request, username):
        if key.startswith("login-fail:user:"):
            throttle.reset(key)


class ThrottledModelBackend(ModelBackend):
    """Django's model backend (inactive users refused) behind a failure counter.

    Once the limit is reached every attempt is refused, right password or not, until the window
    passes; that is what makes guessing expensive.
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
