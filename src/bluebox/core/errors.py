"""Errors shared by services and how every channel renders them.

Services raise :class:`ServiceError` (bad input or a broken business rule: 400),
:class:`~bluebox.core.access.NotPermitted` (403) or :class:`~bluebox.core.access.NotVisible`
(404, identical for "missing" and "not yours"). Messages never carry protected values.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from bluebox.core.access import NotPermitted, NotVisible, record_refusal
from bluebox.core.models import DeletionRefused


class ServiceError(Exception):
    """A request that breaks a rule; ``field_errors`` maps field names to messages."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


MIN_REVEAL_PURPOSE = 10


def reveal_purpose(purpose: str) -> str:
    """The stated purpose of revealing a protected identity, or a clear 400.

    One rule for every compartment (sources, survivors, callers, detainees): the purpose goes to
    the audit trail, so it must say something.
    """
    stated = purpose.strip()
    if len(stated) < MIN_REVEAL_PURPOSE:
        raise ServiceError(
            f"State the purpose of this reveal (at least {MIN_REVEAL_PURPOSE} characters).",
            field_errors={"purpose": [f"At least {MIN_REVEAL_PURPOSE} characters."]},
        )
    return stated[:500]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    record_refusal(exc)
    if isinstance(exc, NotVisible):
        exc = exceptions.NotFound()
    elif isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DeletionRefused):
        return Response({"detail": str(exc)}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
    elif isinstance(exc, ServiceError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field_errors:
            body["errors"] = exc.field_errors
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, DjangoValidationError):
        return Response(
            {
                "detail": "Invalid input.",
                "errors": exc.message_dict if hasattr(exc, "error_dict") else exc.messages,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return exception_handler(exc, context)
