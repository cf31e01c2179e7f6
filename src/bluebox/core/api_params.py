"""Small parsing helpers shared by every app's API views."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from bluebox.core.bounds import MAX_ID, within_date_window


def int_param(
    request: Request, name: str, *, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """An optional integer query parameter within ``[minimum, maximum]`` (by default: a record
    identifier); anything else is a clear 400, never a query the database cannot run."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except (TypeError, ValueError) as exc:
        raise serializers.ValidationError({name: ["Must be an integer."]}) from exc
    if not minimum <= value <= maximum:
        raise serializers.ValidationError(
            {name: [f"Must be an integer from {minimum} to {maximum}."]}
        )
    return value


def validated(
    serializer_class: type[serializers.Serializer[Any]], request: Request
) -> dict[str, Any]:
    """The request body validated by ``serializer_class`` (400 with field errors otherwise)."""
    payload = serializer_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


def choice_param(request: Request, name: str, choices: Iterable[str]) -> str | None:
    """An optional query parameter that must be one of ``choices`` (a 400 names them)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise serializers.ValidationError({name: [f"Must be one of: {', '.join(allowed)}."]})
    return str(raw)


def date_param(request: Request, name: str) -> date | None:
    """An optional ``YYYY-MM-DD`` query parameter within the date window."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = date.fromisoformat(str(raw))
        within_date_window(value)
    except ValueError as exc:
        raise serializers.ValidationError({name: ["YYYY-MM-DD."]}) from exc
    except DjangoValidationError as exc:
        raise serializers.ValidationError({name: exc.messages}) from exc
    return value


def id_param(name: str, *, required: bool = False, description: str = "") -> OpenApiParameter:
    """The schema of a query parameter read with :func:`int_param`: a record identifier."""
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        required=required,
        description=description,
    )
