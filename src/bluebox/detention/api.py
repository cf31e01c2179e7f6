"""Detention endpoints: register, clocks, identity reveal, risk assessment, handover gate,
override, release, transfer, breaches, notifications and evidence chain of custody.

Responses carry pseudonyms; the identity leaves the server only through ``reveal``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core import access, inputs, mfa
from bluebox.core.api_params import validated
from bluebox.core.models import User
from bluebox.core.serializers import ModelSerializer
from bluebox.detention import selectors, services
from bluebox.detention.models import (
    Apprehension,
    Breach,
    EvidenceItem,
    EvidenceKind,
    EvidenceTransfer,
    HandoverOverride,
    Interpreter,
    LegalBasis,
    Notification,
    Risk,
    RiskAssessment,
    Sex,
)
from bluebox.guide.models import Threat
from bluebox.missions.models import Mission


class ApprehensionSerializer(ModelSerializer[Apprehension]):
    # Plain strings in the schema: enums named "Status" would collide with other apps'.
    status = serializers.CharField(read_only=True)
    target_at = serializers.SerializerMethodField()
    limit_at = serializers.SerializerMethodField()
    clock_state = serializers.SerializerMethodField()

    class Meta:
        model = Apprehension
        fields = [
            "id",
            "mission",
            "sector",
            "site",
            "pseudonym",
            "apprehended_at",
            "location",
            "apprehending_unit",
            "legal_basis",
            "host_request_reference",
            "reason",
            "medical_check_done",
            "medical_check_at",
            "property_taken",
            "sex",
            "age_years",
            "age_estimated",
            "juvenile",
            "rights_read_at",
            "rights_language",
            "interpreter",
            "interpreter_language",
            "icrc_notified_at",
            "family_notified_at",
            "notification_note",
            "limits",
            "rules",
            "status",
            "ended_at",
            "receiving_partner",
            "destination",
            "classification",
            "target_at",
            "limit_at",
            "clock_state",
        ]
        read_only_fields = fields

    def _clock(self, obj: Apprehension) -> Any:
        return selectors.custody_clock(obj, timezone.now())

    def get_target_at(self, obj: Apprehension) -> str:
        return str(self._clock(obj).target_at.isoformat())

    def get_limit_at(self, obj: Apprehension) -> str:
        return str(self._clock(obj).limit_at.isoformat())

    def get_clock_state(self, obj: Apprehension) -> str:
        if obj.status != "in_custody":
            return "ended"
        return str(self._clock(obj).state)


class ApprehensionCreateSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    site = inputs.IdField()
    apprehended_at = inputs.DateTimeField()
    detainee_name = serializers.CharField(max_length=300)
    detainee_details = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200)
    apprehending_unit = serializers.CharField(max_length=160)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    host_request_reference = serializers.CharField(max_length=120, required=False, allow_blank=True)
    # The armed threat level faced, which the mission's rules read (not stated: not established).
    threat = serializers.ChoiceField(choices=Threat.choices, required=False, allow_null=True)
    reason = serializers.CharField(max_length=5000)
    medical_check_done = serializers.BooleanField(required=False)
    medical_check_at = inputs.DateTimeField(required=False, allow_null=True)
    medical_notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    property_taken = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    # A commander records an apprehension the mission's rules refuse, saying why (audited).
    override_justification = serializers.CharField(
        max_length=5000, required=False, allow_blank=True
    )
    # Safeguards: sex is required of a new record; the rest may follow on the record's page.
    sex = serializers.ChoiceField(choices=Sex.choices)
    age_years = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True
    )
    age_estimated = serializers.BooleanField(required=False)
    believed_child = serializers.BooleanField(required=False)
    rights_read_at = inputs.DateTimeField(required=False, allow_null=True)
    rights_language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    interpreter = serializers.ChoiceField(choices=Interpreter.choices, required=False)
    interpreter_language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    icrc_notified_at = inputs.DateTimeField(required=False, allow_null=True)
    family_notified_at = inputs.DateTimeField(required=False, allow_null=True)
    notification_note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


SAFEGUARD_FIELDS = (
    "sex",
    "age_years",
    "age_estimated",
    "believed_child",
    "rights_read_at",
    "rights_language",
    "interpreter",
    "interpreter_language",
    "icrc_notified_at",
    "family_notified_at",
    "notification_note",
)


class DetentionRevealSerializer(serializers.Serializer[Any]):
    purpose = serializers.CharField(max_length=500)
    code = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        help_text="A current second-factor code (authenticator app or recovery code). Every "
        "reveal needs a second-factor check for this record within five minutes: this code, "
        "or a passkey step-up made just before.",
    )


class IdentitySerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    details = serializers.CharField()


class RiskAssessmentSerializer(ModelSerializer[RiskAssessment]):
    overall = serializers.CharField(read_only=True)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "apprehension",
            "receiving_partner",
            "risk_ill_treatment",
            "risk_unfair_trial",
            "risk_death_penalty",
            "risk_persecution",
            "overall",
            "rationale",
            "hrddp_allowed",
            "hrddp_reason",
            "hrddp_decision_id",
            "assessed_at",
        ]
        read_only_fields = fields


class RiskAssessCreateSerializer(serializers.Serializer[Any]):
    receiving_partner = inputs.IdField()
    risk_ill_treatment = serializers.ChoiceField(choices=Risk.choices)
    risk_unfair_trial = serializers.ChoiceField(choices=Risk.choices)
    risk_death_penalty = serializers.ChoiceField(choices=Risk.choices)
    risk_persecution = serializers.ChoiceField(choices=Risk.choices)
    rationale = serializers.CharField(max_length=5000)


class DetentionOverrideCreateSerializer(serializers.Serializer[Any]):
    assessment = inputs.IdField()
    justification = serializers.CharField(max_length=5000)


class DetentionOverrideSerializer(ModelSerializer[HandoverOverride]):
    class Meta:
        model = HandoverOverride
        fields = [
            "id",
            "apprehension",
            "assessment",
            "justification",
            "overridden_reasons",
            "granted_at",
        ]
        read_only_fields = fields


class DetentionHandoverSerializer(serializers.Serializer[Any]):
    assessment = inputs.IdField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    at = inputs.DateTimeField(required=False)


class ReleaseSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)
    at = inputs.DateTimeField(required=False)


class TransferSerializer(ReleaseSerializer):
    destination = serializers.CharField(max_length=200)


class DetentionVoidSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class BreachSerializer(ModelSerializer[Breach]):
    class Meta:
        model = Breach
        fields = [
            "id",
            "apprehension",
            "deadline",
            "deadline_at",
            "detected_at",
            "reason",
            "reason_at",
        ]
        read_only_fields = fields


class NotificationSerializer(ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = ["id", "apprehension", "text", "created_at", "read_at"]
        read_only_fields = fields


class EvidenceSerializer(ModelSerializer[EvidenceItem]):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = EvidenceItem
        fields = [
            "id",
            "apprehension",
            "kind",
            "label",
            "description",
            "filename",
            "size",
            "sha256",
            "registered_at",
            "custodian",
        ]
        read_only_fields = fields


class EvidenceCreateSerializer(serializers.Serializer[Any]):
    apprehension = inputs.IdField()
    kind = serializers.CharField(
        max_length=8, help_text="One of: " + ", ".join(EvidenceKind.values)
    )
    label = serializers.CharField(max_length=120)  # type: ignore[assignment]
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    filename = serializers.CharField(max_length=200, required=False, allow_blank=True)
    content_base64 = serializers.CharField(required=False, allow_blank=True)

    def validate_content_base64(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError("Not valid base64.") from exc


class TransferOfferSerializer(serializers.Serializer[Any]):
    receiver = inputs.IdField()
    purpose = serializers.CharField(max_length=200)


class EvidenceTransferSerializer(ModelSerializer[EvidenceTransfer]):
    class Meta:
        model = EvidenceTransfer
        fields = [
            "id",
            "item",
            "giver",
            "receiver",
            "purpose",
            "offered_at",
            "giver_signature",
            "accepted_at",
            "receiver_signature",
        ]
        read_only_fields = fields


class ApprehensionListCreate(generics.ListAPIView[Apprehension]):
    serializer_class = ApprehensionSerializer

    def get_queryset(self) -> Any:
        return selectors.apprehensions_for(self.request.user)

    @extend_schema(request=ApprehensionCreateSerializer, responses={201: ApprehensionSerializer})
    def post(self, request: Request) -> Response:
        data = validated(ApprehensionCreateSerializer, request)
        mission = access.get_visible(request.user, Mission.objects.all(), pk=data.pop("mission"))
        safeguards = services.Safeguards(**{k: data.pop(k) for k in SAFEGUARD_FIELDS if k in data})
        apprehension = services.apprehension_record(
            actor=request.user,
            mission=mission,
            site_id=data.pop("site"),
            safeguards=safeguards,
            **data,
        )
        return Response(ApprehensionSerializer(apprehension).data, status=status.HTTP_201_CREATED)


class ApprehensionDetail(generics.RetrieveAPIView[Apprehension]):
    serializer_class = ApprehensionSerializer

    def get_object(self) -> Apprehension:
        return selectors.apprehension_get(self.request.user, self.kwargs["pk"])


class ApprehensionReveal(APIView):
    @extend_schema(request=DetentionRevealSerializer, responses=IdentitySerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(DetentionRevealSerializer, request)
        mfa.step_up_if_code(
            actor=request.user,
            record_type="detention.apprehension",
            object_id=pk,
            code=data["code"],
        )
        identity = services.detainee_reveal(
            actor=request.user, apprehension_id=pk, purpose=data["purpose"]
        )
        return Response({"name": identity.name, "details": identity.details})


class ApprehensionAssess(APIView):
    @extend_schema(request=RiskAssessCreateSerializer, responses={201: RiskAssessmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = validated(RiskAssessCreateSerializer, request)
        assessment = services.risk_assess(
            actor=request.user,
            apprehension_id=pk,
            partner_id=data["receiving_partner"],
            risks={k: data[f"risk_{k}"] for k in services.RISK_FIELDS},
            rationale=data["rationale"],
        )
        return Response(RiskAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class ApprehensionOverride(APIView):
    @extend_schema(
        request=DetentionOverrideCreateSerializer, responses={201: DetentionOverrideSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(DetentionOverrideCreateSerializer, request)
        apprehension = selectors.apprehension_get(request.user, pk)
        assessment = access.get_visible(
            request.user,
            RiskAssessment.objects.filter(apprehension=apprehension),
            pk=data["assessment"],
        )
        override = services.handover_override(
            actor=request.user, assessment_id=assessment.pk, justification=data["justification"]
        )
        return Response(DetentionOverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class ApprehensionHandover(APIView):
    @extend_schema(request=DetentionHandoverSerializer, responses=ApprehensionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(DetentionHandoverSerializer, request)
        apprehension = services.apprehension_hand_over(
            actor=request.user,
            apprehension_id=pk,
            assessment_id=data["assessment"],
            note=data.get("note", ""),
            at=data.get("at"),
        )
        return Response(ApprehensionSerializer(apprehension).data)


class ApprehensionRelease(APIView):
    @extend_schema(request=ReleaseSerializer, responses=ApprehensionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(ReleaseSerializer, request)
        apprehension = services.apprehension_release(
            actor=request.user, apprehension_id=pk, reason=data["reason"], at=data.get("at")
        )
        return Response(ApprehensionSerializer(apprehension).data)


class ApprehensionTransfer(APIView):
    @extend_schema(request=TransferSerializer, responses=ApprehensionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(TransferSerializer, request)
        apprehension = services.apprehension_transfer(
            actor=request.user,
            apprehension_id=pk,
            destination=data["destination"],
            reason=data["reason"],
            at=data.get("at"),
        )
        return Response(ApprehensionSerializer(apprehension).data)


class ApprehensionVoid(APIView):
    @extend_schema(request=DetentionVoidSerializer, responses=ApprehensionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(DetentionVoidSerializer, request)
        apprehension = services.apprehension_void(
            actor=request.user, apprehension_id=pk, reason=data["reason"]
        )
        return Response(ApprehensionSerializer(apprehension).data)


class BreachList(generics.ListAPIView[Breach]):
    serializer_class = BreachSerializer

    def get_queryset(self) -> Any:
        return selectors.breaches_for(self.request.user)


class BreachExplain(APIView):
    @extend_schema(request=DetentionVoidSerializer, responses=BreachSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(DetentionVoidSerializer, request)
        breach = services.breach_explain(actor=request.user, breach_id=pk, reason=data["reason"])
        return Response(BreachSerializer(breach).data)


class NotificationList(generics.ListAPIView[Notification]):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> Any:
        return selectors.notifications_for(self.request.user)


class EvidenceCreate(APIView):
    @extend_schema(request=EvidenceCreateSerializer, responses={201: EvidenceSerializer})
    def post(self, request: Request) -> Response:
        data = validated(EvidenceCreateSerializer, request)
        item = services.evidence_register(
            actor=request.user,
            apprehension_id=data["apprehension"],
            kind=data["kind"],
            label=data["label"],
            description=data.get("description", ""),
            filename=data.get("filename", ""),
            content=data.get("content_base64") or None,
        )
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class EvidenceTransferOffer(APIView):
    @extend_schema(request=TransferOfferSerializer, responses={201: EvidenceTransferSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = validated(TransferOfferSerializer, request)
        receiver = User.objects.filter(pk=data["receiver"], is_active=True).first()
        transfer = services.evidence_transfer_offer(
            actor=request.user, item_id=pk, receiver=receiver, purpose=data["purpose"]
        )
        return Response(EvidenceTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class EvidenceTransferAccept(APIView):
    @extend_schema(request=None, responses=EvidenceTransferSerializer)
    def post(self, request: Request, pk: int) -> Response:
        transfer = services.evidence_transfer_accept(actor=request.user, transfer_id=pk)
        return Response(EvidenceTransferSerializer(transfer).data)
