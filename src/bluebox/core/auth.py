"""Authentication with login throttling per username and per client address."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from bluebox.core import audit
from bluebox.core.models import AuditOutcome


def _keys(request: HttpRequest | None, username: str | None) -> list[str]:
    keys = []
    if username:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        keys.append(f"login-fail:user:{digest}")
    if request is not None:
        address = request.META.get("REMOTE_ADDR", "")
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
    return any((cache.get(key) or 0) >= _limit(key) for key in _keys(request, username))


def _note_failure(request: HttpRequest | None, username: str | None) -> None:
    for key in _keys(request, username):
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_S)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_S)


def _clear(request: HttpRequest | None, username: str | None) -> None:
    for key in _keys(request, username):
        if key.startswith("login-fail:user:"):
            cache.delete(key)


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
        if is_throttled(request, username):
            audit.record(
                actor=None,
                action="login-throttled",
                outcome=AuditOutcome.DENIED,
                detail={"username": (username or "")[:150]},
            )
            raise PermissionDenied("too many failed logins")
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
