"""How the API renders the exceptions of :mod:`bluebox.core.exceptions` (DRF's handler)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from bluebox.core.access import record_refusal
from bluebox.core.exceptions import (
    Conflict,
    DeletionRefused,
    NotPermitted,
    NotVisible,
    ServiceError,
    StepUpRequired,
)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    record_refusal(exc)
    if isinstance(exc, NotVisible):
        exc = exceptions.NotFound()
    elif isinstance(exc, StepUpRequired):
        # Says what is missing (a fresh second factor for this record), never more.
        return Response(
            {"detail": str(exc), "step_up_required": True}, status=status.HTTP_403_FORBIDDEN
        )
    elif isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DeletionRefused):
        return Response({"detail": str(exc)}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
    elif isinstance(exc, ServiceError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field_errors:
            body["errors"] = exc.field_errors
        if isinstance(exc, Conflict):
            body["conflict"] = True
            return Response(body, status=status.HTTP_409_CONFLICT)
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
