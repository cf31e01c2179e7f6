"""Alert network endpoints: the signed gateway webhook, the triage queue, CAP alerts out."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.alerts import cap, selectors, services
from bluebox.alerts.models import Alert, AlertStatus, CapAlert, OutboundMessage
from bluebox.core import access, inputs, mfa
from bluebox.core.api_params import choice_param
from bluebox.core.serializers import ModelSerializer
from bluebox.incidents.api import IncidentSerializer
from bluebox.incidents.models import IncidentType
from bluebox.missions.models import Mission

SIGNATURE_HEADER = "HTTP_X_BLUEBOX_SIGNATURE"

GatewayAnswer = inline_serializer("GatewayAnswer", {"detail": serializers.CharField()})


def _presented_token(request: Request) -> str:
    """The secret a header-authenticated gateway sends: ``Authorization: Token <secret>`` (or
    ``Bearer``), or ``X-Bluebox-Token: <secret>``."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return str(request.META.get("HTTP_X_BLUEBOX_TOKEN", "")).strip()


class GatewayWebhook(APIView):
    """courier External channel and RapidPro webhooks: ``receive``, ``sent``, ``delivered``,
    ``failed``, ``status``, ``stopped`` — by GET or POST, as those clients call them.

    A channel authenticates by its own method (docs/alerts.md): a signature
    ``X-Bluebox-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`` (refused when
    older than five minutes or seen before), or its secret in a fixed header
    (``Authorization: Token <secret>``) or in the URL (``?token=<secret>``); optionally only
    from listed addresses.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    kind = "receive"

    @extend_schema(request=None, responses={200: GatewayAnswer, 401: GatewayAnswer})
    def post(self, request: Request, channel: Any) -> Response:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = services.MAX_BODY_BYTES + 1
        if length > services.MAX_BODY_BYTES:
            return Response({"detail": "Body too large."}, status=413)
        body = request.body
        if len(body) > services.MAX_BODY_BYTES:
            return Response({"detail": "Body too large."}, status=413)
        content_type = request.META.get("CONTENT_TYPE", "")
        form = None
        if content_type.startswith("multipart/form-data"):
            form = {key: request._request.POST.get(key) for key in request._request.POST}
        query = {key: request.GET.get(key) for key in request.GET if key != "token"}
        try:
            services.webhook_receive(
                channel_uuid=channel,
                signature_header=request.META.get(SIGNATURE_HEADER, ""),
                body=body,
                content_type=content_type,
                kind=self.kind,
                query=query,
                form=form,
                token=_presented_token(request),
                url_token=str(request.GET.get("token", "")),
                remote_addr=str(request.META.get("REMOTE_ADDR", "")),
            )
        except services.WebhookRefused:
            return Response({"detail": "Not authenticated."}, status=401)
        return Response({"detail": "Accepted."})

    @extend_schema(request=None, responses={200: GatewayAnswer, 401: GatewayAnswer})
    def get(self, request: Request, channel: Any) -> Response:
        return self.post(request, channel)


class GatewayStatus(GatewayWebhook):
    kind = "status"


class GatewaySent(GatewayWebhook):
    kind = "sent"


class GatewayDelivered(GatewayWebhook):
    kind = "delivered"


class GatewayFailed(GatewayWebhook):
    kind = "failed"


class GatewayStopped(GatewayWebhook):
    kind = "stopped"


class AlertSerializer(ModelSerializer[Alert]):
    """An alert as triage sees it: the caller by pseudonym only."""

    caller = serializers.CharField(source="caller.pseudonym", read_only=True)
    clock = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id", "mission", "sector", "site", "caller", "text", "language", "received_at",
            "status", "acknowledge_due_at", "respond_due_at", "acknowledged_at", "responded_at",
            "escalation_level", "duplicate_of", "guessed_type", "guessed_place", "match_reason",
            "latitude", "longitude", "incident", "forwarded_at", "closed_at", "classification",
            "clock",
        ]  # fmt: skip
        read_only_fields = fields

    def get_clock(self, alert: Alert) -> dict[str, Any]:
        c = selectors.clock(alert)
        return {"running": c.label, "due_at": c.due_at, "remaining_s": c.remaining_s}


class AlertList(generics.ListAPIView[Alert]):
    serializer_class = AlertSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=AlertStatus.values)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.alerts_for(
            self.request.user, status=choice_param(self.request, "status", AlertStatus.values)
        )


class AlertDetail(generics.RetrieveAPIView[Alert]):
    serializer_class = AlertSerializer

    def get_object(self) -> Alert:
        return selectors.alert_for(self.request.user, self.kwargs["pk"])


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CloseSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)
    duplicate = serializers.BooleanField(required=False, default=False)


class ReplySerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=480)


class ConvertSerializer(serializers.Serializer[Any]):
    site = inputs.IdField(required=False, allow_null=True)
    title = serializers.CharField(required=False, max_length=200)
    incident_type = serializers.ChoiceField(choices=IncidentType.choices, required=False)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)


class MessageSerializer(ModelSerializer[OutboundMessage]):
    class Meta:
        model = OutboundMessage
        fields = ["id", "alert", "recipient", "text", "status", "created_at"]


class CallerRevealSerializer(serializers.Serializer[Any]):
    purpose = serializers.CharField(max_length=500)
    code = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        help_text="A current second-factor code (authenticator app or recovery code). Every "
        "reveal needs a second-factor check for this record within five minutes: this code, "
        "or a passkey step-up made just before.",
    )


class AlertAction(APIView):
    action_name = ""

    @extend_schema(request=NoteSerializer, responses=AlertSerializer)
    def post(self, request: Request, pk: int) -> Response:
        if self.action_name == "acknowledge":
            alert = services.alert_acknowledge(actor=request.user, alert_id=pk)
        else:
            payload = NoteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            alert = services.alert_respond(
                actor=request.user, alert_id=pk, note=payload.validated_data.get("note", "")
            )
        return Response(AlertSerializer(alert).data)


class AlertAcknowledge(AlertAction):
    action_name = "acknowledge"


class AlertRespond(AlertAction):
    action_name = "respond"


class AlertClose(APIView):
    @extend_schema(request=CloseSerializer, responses=AlertSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = CloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        alert = services.alert_close(actor=request.user, alert_id=pk, **payload.validated_data)
        return Response(AlertSerializer(alert).data)


class AlertConvert(APIView):
    @extend_schema(request=ConvertSerializer, responses={201: IncidentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payload = ConvertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        site_id = data.pop("site", None)
        incident = services.alert_convert(
            actor=request.user, alert_id=pk, data=data, site_id=site_id
        )
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class AlertReply(APIView):
    @extend_schema(request=ReplySerializer, responses={201: MessageSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payload = ReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = services.alert_reply(
            actor=request.user, alert_id=pk, text=payload.validated_data["text"]
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class AlertForward(APIView):
    @extend_schema(request=NoteSerializer, responses={201: MessageSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payload = NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = services.alert_forward(
            actor=request.user, alert_id=pk, note=payload.validated_data.get("note", "")
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class CallerReveal(APIView):
    @extend_schema(
        request=CallerRevealSerializer,
        responses=inline_serializer(
            "CallerRevealed",
            {
                "pseudonym": serializers.CharField(),
                "phone": serializers.CharField(),
                "name": serializers.CharField(),
            },
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        payload = CallerRevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mfa.step_up_if_code(
            actor=request.user,
            record_type="alerts.alert",
            object_id=pk,
            code=payload.validated_data["code"],
        )
        revealed = services.caller_reveal(
            actor=request.user, alert_id=pk, purpose=payload.validated_data["purpose"]
        )
        return Response(revealed)  # no-store, as every signed-in answer (core.middleware)


class CapSerializer(ModelSerializer[CapAlert]):
    # Most alerts have no page of their own: "" is a valid answer, which a "uri" format is not.
    web = serializers.CharField(read_only=True)

    class Meta:
        model = CapAlert
        fields = [
            "id", "mission", "identifier", "state", "status", "msg_type", "scope", "restriction",
            "addresses", "references", "language", "category", "event", "urgency", "severity",
            "certainty", "headline", "description", "instruction", "area_desc", "latitude",
            "longitude", "radius_km", "polygon", "effective", "expires", "response_types", "web",
            "contact", "created_at", "published_at", "classification",
        ]  # fmt: skip
        read_only_fields = fields


class CapDraftSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    headline = serializers.CharField(max_length=160)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    instruction = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    severity = serializers.ChoiceField(choices=services.CAP_SEVERITY)
    certainty = serializers.ChoiceField(choices=services.CAP_CERTAINTY)
    urgency = serializers.ChoiceField(choices=services.CAP_URGENCY)
    scope = serializers.ChoiceField(choices=services.CAP_SCOPE, required=False)
    restriction = serializers.CharField(required=False, allow_blank=True, max_length=200)
    addresses = serializers.CharField(required=False, allow_blank=True, max_length=500)
    exercise = serializers.BooleanField(required=False)
    references = inputs.IdField(required=False, allow_null=True)
    msg_type = serializers.ChoiceField(choices=["Alert", "Update", "Cancel"], required=False)
    area_desc = serializers.CharField(max_length=300)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
    radius_km = serializers.FloatField(min_value=0, max_value=1000, required=False)
    polygon = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        required=False,
        max_length=200,
    )
    expires = serializers.DateTimeField(required=False, allow_null=True)
    web = serializers.URLField(required=False, allow_blank=True, max_length=500)
    contact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    response_types = serializers.ListField(
        child=serializers.ChoiceField(choices=services.CAP_RESPONSE_TYPES),
        required=False,
        max_length=len(services.CAP_RESPONSE_TYPES),
    )


class CapListCreate(generics.ListAPIView[CapAlert]):
    serializer_class = CapSerializer

    def get_queryset(self) -> Any:
        return selectors.caps_for(self.request.user)

    @extend_schema(request=CapDraftSerializer, responses={201: CapSerializer})
    def post(self, request: Request) -> Response:
        payload = CapDraftSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        mission = access.get_visible(request.user, Mission.objects.all(), pk=data.pop("mission"))
        references = None
        if data.get("references"):
            references = selectors.cap_for(request.user, data["references"])
        area: dict[str, Any] = {"description": data.pop("area_desc")}
        if data.get("latitude") is not None and data.get("longitude") is not None:
            area["circle"] = (data["latitude"], data["longitude"], data.get("radius_km") or 0)
        if data.get("polygon"):
            area["polygon"] = data["polygon"]
        for name in ("latitude", "longitude", "radius_km", "polygon", "references"):
            data.pop(name, None)
        warning = services.warning_draft(
            actor=request.user,
            mission=mission,
            area=area,
            references=references,
            description=data.pop("description", ""),
            **data,
        )
        return Response(CapSerializer(warning).data, status=status.HTTP_201_CREATED)


class CapDetail(generics.RetrieveAPIView[CapAlert]):
    serializer_class = CapSerializer

    def get_object(self) -> CapAlert:
        return selectors.cap_for(self.request.user, self.kwargs["pk"])


class CapPublish(APIView):
    @extend_schema(request=None, responses=CapSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return Response(CapSerializer(services.warning_publish(actor=request.user, cap_id=pk)).data)


class CapDocument(APIView):
    """The alert as an OASIS CAP 1.2 XML document (public alerts need no token)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/cap+xml"): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        warning = selectors.cap_for(request.user, pk)
        return HttpResponse(cap.cap_xml(warning), content_type="application/cap+xml")


class CapFeed(APIView):
    """Published alerts the caller may see, as an Atom feed embedding each CAP document.

    Without a token: the public ones (scope Public, status Actual)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/atom+xml"): bytes})
    def get(self, request: Request) -> HttpResponse:
        alerts = list(selectors.caps_for(request.user, published_only=True)[:100])
        body = cap.atom_feed(
            alerts,
            feed_url=request.build_absolute_uri(),
            entry_url=request.build_absolute_uri("/api/v1/cap/{pk}/xml/").replace(
                "%7Bpk%7D", "{pk}"
            ),
            updated=max((cap.sent_at(a) for a in alerts), default=timezone.now()),
        )
        return HttpResponse(body, content_type="application/atom+xml")
