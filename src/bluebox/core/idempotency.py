"""Idempotency keys on the API's writes: a client may retry a request the server died during.

A POST under ``/api/`` carrying ``Idempotency-Key`` runs, with the record of its response, in
one transaction: either both the writes and the record committed, or neither did. The same key
and the same request (method, path, query, body) again answers the recorded response, with
``Idempotent-Replayed: true``, and writes nothing; the same key with a different request is a
422; a second request with a key still in flight is a 409 (retry it). Keys belong to the
authenticated user (the same key from two people is two keys), live ``IDEMPOTENCY_TTL_S``, and
their recorded bodies are encrypted like protected fields: a response can hold an identity.

Server errors (5xx) are not recorded: their writes are rolled back, and a retry runs again.
File uploads are refused with a key: the import is already idempotent by its file's hash.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _api_user(request: HttpRequest) -> Any:
    """The user the API would authenticate, or None (the view then answers 401/403 itself)."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    classes = cast(list[Any], api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    parsers = cast(list[Any], api_settings.DEFAULT_PARSER_CLASSES)
    # Session authentication checks the CSRF token, which reads the request's data: it needs
    # the parsers, and the body read first so the view and the fingerprint can read it again.
    request.body  # noqa: B018
    drf = Request(
        request,
        parsers=[cls() for cls in parsers],
        authenticators=[cls() for cls in classes],
    )
    signed_in = getattr(request, "user", None)
    try:
        user = drf.user
    except APIException:
        # DRF put an anonymous user on the request: put the session's back, so the view
        # refuses as it would without a key (a missing CSRF token is a 403, not a 401).
        request.user = signed_in  # type: ignore[assignment]
        return None
    return user if getattr(user, "is_authenticated", False) else None


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (
        request.method or "",
        request.path,
        request.META.get("QUERY_STRING", ""),
        request.content_type or "",
    ):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _replay(record: Any) -> HttpResponse:
    if record.body is not None and not record.body.readable:
        return _problem(
            409,
            "This Idempotency-Key was used, but its response can no longer be read; "
            "use a new key after checking whether the first request took effect.",
        )
    body = record.body.reveal() if record.body is not None else ""
    response = HttpResponse(body, status=record.status_code, content_type=record.content_type)
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            return _problem(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.")
        if (request.content_type or "").startswith("multipart/"):
            return _problem(
                400,
                f"{HEADER} is not accepted on file uploads: an import of the same file "
                "is already recognised by its hash.",
            )
        user = _api_user(request)
        if user is None:
            return self.get_response(request)
        return self._once(request, user, key, fingerprint(request))

    def _once(self, request: HttpRequest, user: Any, key: str, print_: str) -> HttpResponse:
        from bluebox.core.models import IdempotencyRecord

        try:
            with transaction.atomic():
                record = (
                    IdempotencyRecord.objects.select_for_update()
                    .filter(user=user, key=key, created_at__gte=_oldest())
                    .first()
                )
                if record is not None:
                    if record.fingerprint != print_:
                        return _problem(
                            422, f"This {HEADER} was already used with a different request."
                        )
                    return _replay(record)
                IdempotencyRecord.objects.filter(user=user, key=key).delete()  # expired
                response = self.get_response(request)
                if response.status_code >= 500 or response.streaming:
                    transaction.set_rollback(True)
                    return response
                IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    fingerprint=print_,
                    status_code=response.status_code,
                    content_type=response.get("Content-Type", "application/json")[:100],
                    location=response.get("Location", "")[:500],
                    body=response.content.decode("utf-8", "replace"),
                    created_at=timezone.now(),
                )
                return response
        except IntegrityError:
            # A concurrent request with the same key committed first: this one wrote nothing.
            return _problem(409, f"A request with this {HEADER} is in progress; retry it.")


def _oldest() -> Any:
    return timezone.now() - timedelta(seconds=int(settings.IDEMPOTENCY_TTL_S))


def purge(*, now: Any = None) -> int:
    """Forget keys older than their time to live (a daily task)."""
    from bluebox.core.models import IdempotencyRecord

    moment = now or timezone.now()
    cutoff = moment - timedelta(seconds=int(settings.IDEMPOTENCY_TTL_S))
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return int(deleted)
