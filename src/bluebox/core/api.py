"""Account and audit endpoints of the REST API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from bluebox.core import selectors, throttle
from bluebox.core.models import AuditEntry, RoleAssignment


class RoleAssignmentSerializer(serializers.ModelSerializer[RoleAssignment]):
    class Meta:
        model = RoleAssignment
        fields = ["role", "mission", "sector", "site"]


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    roles = RoleAssignmentSerializer(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "display_name": getattr(user, "display_name", ""),
            "roles": RoleAssignmentSerializer(selectors.roles_of(user), many=True).data,
        }
        return Response(data)


class TokenThrottle(BaseThrottle):
    """Token requests per client address, counted in the database like failed logins (a cache
    that is down must not stop token logins, nor a restart lift the limit)."""

    rate = 20
    window_s = 60

    def allow_request(self, request: Any, view: Any) -> bool:
        key = f"token-request:addr:{throttle.client_address(request._request)}"
        return throttle.hit(key, window_s=self.window_s) <= self.rate

    def wait(self) -> float:
        return float(self.window_s)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled like the login page)."""

    throttle_classes = [TokenThrottle]


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "at",
            "actor",
            "action",
            "resource",
            "object_id",
            "mission_id",
            "outcome",
            "detail",
            "entry_hash",
        ]


class AuditEntryList(generics.ListAPIView[AuditEntry]):
    serializer_class = AuditEntrySerializer

    def get_queryset(self) -> Any:
        return selectors.audit_entries_for(self.request.user)
