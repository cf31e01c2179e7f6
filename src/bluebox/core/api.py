"""Account and audit endpoints of the REST API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from bluebox.core import auth, mfa, selectors, services, throttle
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import ApiToken, AuditEntry, RoleAssignment
from bluebox.core.serializers import ModelSerializer


class RoleAssignmentSerializer(ModelSerializer[RoleAssignment]):
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


class TokenLoginSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False, default="API login")
    days = serializers.IntegerField(
        min_value=1, max_value=services.MAX_TOKEN_DAYS, required=False, default=None
    )
    code = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        help_text="A current second-factor code (authenticator app or recovery code): required "
        "for accounts that are asked for a second factor at sign-in.",
    )


class ApiTokenSerializer(ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]


class NewTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="The key: shown this once, never stored.")
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """Exchange a username and password for a new API token, shown once (throttled like the
    login page; only its digest is stored)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(request=TokenLoginSerializer, responses=NewTokenSerializer)
    def post(self, request: Request) -> Response:
        body = TokenLoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            ended = getattr(request._request, auth.ACCESS_ENDED, None)
            if ended is not None:
                raise ServiceError(
                    f"This account's access ended on {ended.isoformat()} (end of rotation)."
                )
            raise ServiceError("Unable to log in with these credentials.")
        if mfa.asks_second_factor(user):
            # A token is a sign-in: the password alone does not make one for these accounts.
            if not mfa.enrolled(user):
                raise ServiceError(
                    "Enrol a second factor on the security page before asking for a token.",
                    field_errors={"code": ["No second factor enrolled."]},
                )
            try:
                mfa.verify(user=user, code=data["code"], action="token-second-factor")
            except ServiceError:
                auth.note_failure(request._request, user.username)
                raise
        token, key = services.token_create(
            actor=user, user=user, name=data["name"], days=data["days"]
        )
        return Response(
            # 200, not 201, as before tokens were hashed: clients already check for it.
            {"token": key, "id": token.pk, "expires_at": token.expires_at}
        )


class TokenList(generics.ListAPIView[ApiToken]):
    """The signed-in person's own tokens (never their keys)."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> Any:
        return selectors.tokens_of(self.request.user)


class TokenRevoke(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.token_revoke(actor=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditEntrySerializer(ModelSerializer[AuditEntry]):
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


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """The API schema's description of token authentication (``Authorization: Token <key>``)."""

    target_class = "bluebox.core.auth.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
