"""Deployment endpoints: caveats, plan versions, the propose/approve workflow and what-ifs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core import inputs
from bluebox.core.serializers import ModelSerializer
from bluebox.deployment import selectors, services
from bluebox.deployment.models import Caveat, CaveatKind, DeploymentPlan


class CaveatSerializer(ModelSerializer[Caveat]):
    country_code = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Caveat
        fields = [
            "id",
            "mission",
            "country",
            "country_code",
            "unit",
            "kind",
            "parameters",
            "description",
        ]
        read_only_fields = fields


class CaveatCreateSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    country = inputs.IdField()
    unit = inputs.IdField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=CaveatKind.choices)
    # Validated kind by kind in the service (clear errors, nothing stored when wrong).
    parameters = serializers.JSONField()
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CaveatListCreate(generics.ListAPIView[Caveat]):
    serializer_class = CaveatSerializer

    def get_queryset(self) -> Any:
        return selectors.caveats_for(self.request.user).order_by("id")

    @extend_schema(request=CaveatCreateSerializer, responses={201: CaveatSerializer})
    def post(self, request: Request) -> Response:
        data = CaveatCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        caveat = services.caveat_create(
            actor=request.user,
            mission_id=v["mission"],
            country_id=v["country"],
            unit_id=v.get("unit"),
            kind=v["kind"],
            parameters=v["parameters"],
            description=v.get("description", ""),
        )
        return Response(CaveatSerializer(caveat).data, status=status.HTTP_201_CREATED)


PLAN_FIELDS = [
    "id",
    "mission",
    "kind",
    "version",
    "title",
    "base",
    "change",
    "plan_start",
    "horizon_days",
    "status",
    "progress",
    "progress_message",
    "error",
    "risk_source",
    "objective",
    "delta",
    "board",
    "classification",
    "created_at",
    "finished_at",
    "proposed_at",
    "decided_at",
    "decision_comment",
]


class DeploymentPlanSerializer(ModelSerializer[DeploymentPlan]):
    class Meta:
        model = DeploymentPlan
        fields = PLAN_FIELDS
        read_only_fields = PLAN_FIELDS


class DeploymentPlanDetailSerializer(DeploymentPlanSerializer):
    class Meta(DeploymentPlanSerializer.Meta):
        fields = [*PLAN_FIELDS, "solution"]
        read_only_fields = fields


class DeploymentPlanRequestSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    plan_start = inputs.DateField()
    horizon_days = serializers.IntegerField(min_value=1, max_value=365, default=90)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    time_limit_s = serializers.FloatField(min_value=0.1, max_value=600, default=30.0)


class PlanListCreate(generics.ListAPIView[DeploymentPlan]):
    serializer_class = DeploymentPlanSerializer

    def get_queryset(self) -> Any:
        return selectors.plans_for(self.request.user)

    @extend_schema(
        request=DeploymentPlanRequestSerializer, responses={201: DeploymentPlanSerializer}
    )
    def post(self, request: Request) -> Response:
        data = DeploymentPlanRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        plan = services.deployment_plan_request(
            actor=request.user,
            mission_id=v["mission"],
            plan_start=v["plan_start"],
            horizon_days=v["horizon_days"],
            title=v.get("title", ""),
            time_limit_s=v["time_limit_s"],
        )
        return Response(DeploymentPlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanDetail(APIView):
    @extend_schema(responses=DeploymentPlanDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DeploymentPlanDetailSerializer(selectors.plan_for(request.user, pk)).data)


class PlanPropose(APIView):
    @extend_schema(request=None, responses=DeploymentPlanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        plan = services.deployment_plan_propose(actor=request.user, plan_id=pk)
        return Response(DeploymentPlanSerializer(plan).data)


class DecisionSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["approve", "return"])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class PlanDecide(APIView):
    @extend_schema(request=DecisionSerializer, responses=DeploymentPlanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.deployment_plan_decide(
            actor=request.user,
            plan_id=pk,
            approve=data.validated_data["decision"] == "approve",
            comment=data.validated_data.get("comment", ""),
        )
        return Response(DeploymentPlanSerializer(plan).data)


class WhatIfSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=["lift_caveat", "allow_split", "add_unit", "remove_unit"]
    )
    target = serializers.CharField(max_length=300)


class PlanWhatIf(APIView):
    @extend_schema(request=WhatIfSerializer, responses={201: DeploymentPlanSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = WhatIfSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.deployment_whatif_request(
            actor=request.user,
            plan_id=pk,
            kind=data.validated_data["kind"],
            target=data.validated_data["target"],
        )
        return Response(DeploymentPlanSerializer(plan).data, status=status.HTTP_201_CREATED)
