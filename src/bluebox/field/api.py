"""The field app's two reads: who is signed in (with the key that seals their drafts) and the
reference data its forms need offline. Reports themselves go to the incident and patrol
endpoints, each with its own ``Idempotency-Key``."""

from __future__ import annotations

import base64
from typing import Any

from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.field import selectors

KEY_SALT = "bluebox.field.drafts"


def draft_key(user: Any) -> str:
    """The person's draft key: 256 bits only the server can derive again (from its secret key
    and the account), so drafts on a phone read only for the account that wrote them."""
    digest = salted_hmac(
        KEY_SALT, f"{user.pk}:{user.date_joined.isoformat()}", algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class FieldSession(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="The signed-in person's id, the key that encrypts their drafts on the "
        "device (AES-GCM, 256 bits, base64url) and a CSRF token for the writes that follow.",
    )
    def get(self, request: Request) -> Response:
        user = _field_user(request)
        return Response(
            {
                "user": user.pk,
                "username": user.get_username(),
                "key": draft_key(user),
                "csrf": get_token(request._request),
            }
        )


class FieldReference(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="Sites the person may report at (and what they may file there), the "
        "sites' patrol teams and the patrols planned there last week and this week.",
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.reference_for(_field_user(request)))


def _field_user(request: Request) -> Any:
    """The person, if they may file anything from the field app; 403 otherwise."""
    if not selectors.may_use(request.user):
        raise PermissionDenied()
    return request.user
