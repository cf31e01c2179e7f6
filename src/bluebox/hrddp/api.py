"""HRDDP endpoints: units with their status, assessments, decisions, overrides, the support
gate and the due-diligence calendar."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core import access, inputs
from bluebox.core.api_params import id_param, validated
from bluebox.core.roles import Resource
from bluebox.core.serializers import ModelSerializer
from bluebox.hrddp import selectors, services
from bluebox.hrddp.models import (
    Activity,
    Assessment,
    Commitment,
    Decision,
    Level,
    Mitigation,
    Outcome,
    SupportOverride,
)
from bluebox.missions.models import PartnerOrganisation


class UnitSerializer(ModelSerializer[PartnerOrganisation]):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = PartnerOrganisation
        fields = ["id", "mission", "kind", "name", "parent", "site"]
        read_only_fields = fields


class GateSerializer(serializers.Serializer[Any]):
    allowed = serializers.BooleanField()
    reason = serializers.CharField()
    decision_id = serializers.IntegerField(allow_null=True)
    override_id = serializers.IntegerField(allow_null=True)


class UnitStatusSerializer(UnitSerializer):
    gates = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "gates"]
        read_only_fields = fields

    @extend_schema(exclude=True)
    def get_gates(self, obj: PartnerOrganisation) -> dict[str, dict[str, Any]]:
        now = timezone.now()
        return {
            a.value: GateSerializer(
                selectors.support_gate(partner_id=obj.pk, activity=a.value, at=now)
            ).data
            for a in Activity
        }


class MitigationSerializer(ModelSerializer[Mitigation]):
    class Meta:
        model = Mitigation
        fields = ["id", "measure", "owner", "due_on", "completed_at"]
        read_only_fields = fields


class AssessmentSerializer(ModelSerializer[Assessment]):
    mitigations = MitigationSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "mission",
            "partner",
            "assessed_at",
            "violations_history",
            "violations_level",
            "corrective_commitment",
            "commitment_level",
            "monitoring_plan",
            "monitoring_interval_days",
            "overall_risk",
            "mitigations",
        ]
        read_only_fields = fields


class MitigationInput(serializers.Serializer[Any]):
    measure = serializers.CharField(max_length=2000)
    owner = serializers.CharField(max_length=200)
    due_on = inputs.DateField()


class AssessmentCreateSerializer(serializers.Serializer[Any]):
    partner = inputs.IdField()
    violations_history = serializers.CharField(max_length=10000)
    violations_level = serializers.ChoiceField(choices=Level.choices)
    corrective_commitment = serializers.CharField(
        max_length=10000, required=False, allow_blank=True
    )
    commitment_level = serializers.ChoiceField(choices=Commitment.choices)
    monitoring_plan = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    monitoring_interval_days = serializers.IntegerField(min_value=1, max_value=366, required=False)
    overall_risk = serializers.ChoiceField(choices=Level.choices)
    mitigations = MitigationInput(many=True, required=False)


class DecisionSerializer(ModelSerializer[Decision]):
    # Plain strings in the schema: an enum named "Outcome" would collide with the audit's.
    outcome = serializers.CharField(read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "mission",
            "partner",
            "assessment",
            "outcome",
            "activities",
            "rationale",
            "valid_from",
            "valid_until",
            "review_on",
            "decided_at",
        ]
        read_only_fields = fields


class DecisionCreateSerializer(serializers.Serializer[Any]):
    assessment = inputs.IdField()
    outcome = serializers.CharField(max_length=32, help_text="One of: " + ", ".join(Outcome.values))
    activities = serializers.ListField(
        child=serializers.ChoiceField(choices=Activity.choices), required=False
    )
    rationale = serializers.CharField(max_length=10000)
    valid_from = inputs.DateField()
    valid_until = inputs.DateField()
    review_on = inputs.DateField(required=False)


class OverrideSerializer(ModelSerializer[SupportOverride]):
    class Meta:
        model = SupportOverride
        fields = [
            "id",
            "partner",
            "activity",
            "justification",
            "valid_from",
            "valid_until",
            "granted_at",
        ]
        read_only_fields = fields


class OverrideCreateSerializer(serializers.Serializer[Any]):
    partner = inputs.IdField()
    activity = serializers.ChoiceField(choices=Activity.choices)
    justification = serializers.CharField(max_length=5000)
    valid_days = serializers.IntegerField(min_value=1, max_value=services.MAX_OVERRIDE_DAYS)


class CalendarItemSerializer(serializers.Serializer[Any]):
    on = inputs.DateField()
    kind = serializers.CharField()
    overdue = serializers.BooleanField()
    partner = serializers.IntegerField(source="partner.pk")
    partner_name = serializers.CharField(source="partner.name")
    label = serializers.CharField()  # type: ignore[assignment]
    object_id = serializers.IntegerField()


class UnitList(generics.ListAPIView[PartnerOrganisation]):
    serializer_class = UnitSerializer

    def get_queryset(self) -> Any:
        return selectors.units_for(self.request.user)


class UnitDetail(generics.RetrieveAPIView[PartnerOrganisation]):
    serializer_class = UnitStatusSerializer

    def get_object(self) -> PartnerOrganisation:
        return selectors.unit_get(self.request.user, self.kwargs["pk"])


class AssessmentListCreate(generics.ListAPIView[Assessment]):
    serializer_class = AssessmentSerializer

    def get_queryset(self) -> Any:
        return selectors.assessments_for(self.request.user)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def post(self, request: Request) -> Response:
        data = validated(AssessmentCreateSerializer, request)
        assessment = services.assessment_create(
            actor=request.user,
            partner_id=data.pop("partner"),
            mitigations=[dict(m) for m in data.pop("mitigations", [])],
            **data,
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class DecisionListCreate(generics.ListAPIView[Decision]):
    serializer_class = DecisionSerializer

    def get_queryset(self) -> Any:
        return selectors.decisions_for(self.request.user)

    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer})
    def post(self, request: Request) -> Response:
        data = validated(DecisionCreateSerializer, request)
        decision = services.decision_record(
            actor=request.user, assessment_id=data.pop("assessment"), **data
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class OverrideCreate(APIView):
    @extend_schema(request=OverrideCreateSerializer, responses={201: OverrideSerializer})
    def post(self, request: Request) -> Response:
        data = validated(OverrideCreateSerializer, request)
        override = services.support_override_grant(
            actor=request.user,
            partner_id=data["partner"],
            activity=data["activity"],
            justification=data["justification"],
            valid_days=data["valid_days"],
        )
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class Gate(APIView):
    """What the support gate says about a unit and an activity, now or at ``at``."""

    @extend_schema(
        parameters=[
            id_param("partner", required=True),
            OpenApiParameter("activity", str, required=True, enum=Activity.values),
            OpenApiParameter("at", str, description="ISO 8601 moment; default now"),
        ],
        responses=GateSerializer,
    )
    def get(self, request: Request) -> Response:
        query = _GateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        partner_id = query.validated_data["partner"]
        partner = PartnerOrganisation.objects.filter(pk=partner_id).first()
        # A unit the caller may not see and a missing one are refused alike, both audited.
        if partner is None or partner.mission_id not in access.missions_for(
            request.user, Resource.HRDDP, "gate"
        ):
            raise access.refuse(
                access.NotVisible(),
                actor=request.user,
                action="gate",
                resource=Resource.HRDDP,
                object_id=f"partner:{partner_id}",
                mission_id=partner.mission_id if partner is not None else None,
            )
        gate = selectors.support_gate(
            partner_id=partner.pk,
            activity=query.validated_data["activity"],
            at=query.validated_data.get("at") or timezone.now(),
        )
        return Response(GateSerializer(gate).data)


class _GateQuery(serializers.Serializer[Any]):
    partner = inputs.IdField()
    activity = serializers.ChoiceField(choices=Activity.choices)
    at = inputs.DateTimeField(required=False)


class Calendar(APIView):
    @extend_schema(responses=CalendarItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        items = selectors.calendar(request.user, timezone.now().date())
        return Response(CalendarItemSerializer(items, many=True).data)
