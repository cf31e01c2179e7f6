"""Small parsing helpers shared by every app's API views."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def int_param(request: Request, name: str) -> int | None:
    """An optional integer query parameter; anything else is a clear 400."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise serializers.ValidationError({name: ["Must be an integer."]}) from exc


def validated(
    serializer_class: type[serializers.Serializer[Any]], request: Request
) -> dict[str, Any]:
    """The request body validated by ``serializer_class`` (400 with field errors otherwise)."""
    payload = serializer_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)
