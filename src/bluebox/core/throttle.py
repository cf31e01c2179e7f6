"""Counters behind login throttling, and the client address they are kept for.

Counters live in the database (:class:`~bluebox.core.models.ThrottleCounter`): one count for
every web process, kept across restarts, and independent of the cache, so logins keep working
and keep being throttled when Redis is down. Each key counts within a fixed window that starts
at its first hit.

Behind a reverse proxy every request comes from the proxy's address; only when that address is
one of ``BLUEBOX_TRUSTED_PROXIES`` is ``X-Forwarded-For`` read, right to left, to find the first
address that is not a trusted proxy. A client cannot choose its address by sending the header
itself.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from bluebox.core.models import ThrottleCounter

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _now() -> datetime:
    return timezone.now()


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The address a request came from, seen through the configured trusted proxies only."""
    address = str(request.META.get("REMOTE_ADDR", ""))
    if not _trusted(address):
        return address
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # a malformed hop: trust nothing further left of it
        if not _trusted(hop):
            return hop
        address = hop
    return address


def count(key: str) -> int:
    """Hits under ``key`` in its current window (0 once the window has passed)."""
    row = ThrottleCounter.objects.filter(key=key, window_ends__gt=_now()).first()
    return row.hits if row is not None else 0


def hit(key: str, *, window_s: int) -> int:
    """Count one more hit under ``key`` and return the count in the window."""
    now = _now()
    with transaction.atomic():
        ThrottleCounter.objects.filter(window_ends__lte=now).delete()
        row = ThrottleCounter.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    ThrottleCounter.objects.create(
                        key=key, hits=1, window_ends=now + timedelta(seconds=window_s)
                    )
                return 1
            except IntegrityError:  # another process counted the first hit at the same time
                row = ThrottleCounter.objects.select_for_update().get(key=key)
        row.hits += 1
        row.save(update_fields=["hits"])
        return row.hits


def reset(key: str) -> None:
    ThrottleCounter.objects.filter(key=key).delete()
