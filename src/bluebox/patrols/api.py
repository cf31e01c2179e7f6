"""Patrol endpoints: teams, plans (request, detail, approve, override), executed patrols and
their tracks. Parse, call a service or selector, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core import access, inputs, uploads
from bluebox.core.api_params import date_param, id_param, int_param
from bluebox.core.classification import Classification
from bluebox.core.parsers import BodyTooLarge
from bluebox.core.serializers import ModelSerializer
from bluebox.patrols import selectors, services, tracks
from bluebox.patrols.models import (
    CommunityEngagement,
    Patrol,
    PatrolPlan,
    PatrolTeam,
    PlannedPatrol,
    Shift,
    TeamMode,
)


class TeamSerializer(ModelSerializer[PatrolTeam]):
    in_service = serializers.BooleanField(
        read_only=True,
        help_text="Whether the team may patrol and be recorded: once the mission has an "
        "approved deployment plan, only the teams it places at their site.",
    )

    class Meta:
        model = PatrolTeam
        fields = [
            "id",
            "site",
            "name",
            "mode",
            "unit",
            "country",
            "partner",
            "duty_shifts",
            "days_off",
            "max_slots_per_day",
            "max_slots_per_week",
            "min_rest_slots",
            "max_patrol_min",
            "min_presence_min",
            "active",
            "in_service",
            "placement",
            "officers",
            "officers_women",
        ]
        read_only_fields = fields


class TeamCreateSerializer(serializers.Serializer[Any]):
    site = inputs.IdField()
    name = serializers.CharField(max_length=120)
    mode = serializers.ChoiceField(choices=TeamMode.choices)
    duty_shifts = serializers.ListField(child=serializers.ChoiceField(choices=Shift.choices))
    days_off = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), required=False
    )
    unit = inputs.IdField(required=False, allow_null=True)
    country = inputs.IdField(required=False, allow_null=True)
    partner = inputs.IdField(required=False, allow_null=True)
    max_slots_per_day = serializers.IntegerField(min_value=0, max_value=3, default=1)
    max_slots_per_week = serializers.IntegerField(min_value=0, max_value=21, default=6)
    min_rest_slots = serializers.IntegerField(min_value=0, max_value=20, default=1)
    max_patrol_min = serializers.IntegerField(min_value=60, max_value=1440, default=480)
    min_presence_min = serializers.IntegerField(min_value=0, max_value=1440, default=60)


@extend_schema_view(get=extend_schema(parameters=[id_param("site")]))
class TeamListCreate(generics.ListAPIView[PatrolTeam]):
    serializer_class = TeamSerializer

    def get_queryset(self) -> Any:
        return selectors.teams_with_service(self.request.user, int_param(self.request, "site"))

    @extend_schema(request=TeamCreateSerializer, responses={201: TeamSerializer})
    def post(self, request: Request) -> Response:
        payload = TeamCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = dict(payload.validated_data)
        team = services.patrol_team_create(
            actor=request.user,
            site_id=d.pop("site"),
            data=services.TeamInput(
                name=d["name"],
                mode=d["mode"],
                duty_shifts=d["duty_shifts"],
                days_off=d.get("days_off", []),
                unit_id=d.get("unit"),
                country_id=d.get("country"),
                partner_id=d.get("partner"),
                max_slots_per_day=d["max_slots_per_day"],
                max_slots_per_week=d["max_slots_per_week"],
                min_rest_slots=d["min_rest_slots"],
                max_patrol_min=d["max_patrol_min"],
                min_presence_min=d["min_presence_min"],
            ),
        )
        team = selectors.teams_with_service(request.user).get(pk=team.pk)
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)


class PlannedPatrolSerializer(ModelSerializer[PlannedPatrol]):
    class Meta:
        model = PlannedPatrol
        fields = [
            "id",
            "team",
            "date",
            "slot",
            "shift",
            "area",
            "route_out",
            "route_back",
            "depart",
            "arrive",
            "leave",
            "back",
            "travel_min",
            "overridden",
        ]
        read_only_fields = fields


PLAN_FIELDS = [
    "id",
    "site",
    "week_start",
    "version",
    "previous",
    "status",
    "progress",
    "progress_message",
    "error",
    "generated_at",
    "finished_at",
    "approved_at",
    "risk_source",
    "solver",
    "override_score",
    "changes",
    "classification",
]


class PatrolPlanSerializer(ModelSerializer[PatrolPlan]):
    class Meta:
        model = PatrolPlan
        fields = PLAN_FIELDS
        read_only_fields = PLAN_FIELDS


class PatrolPlanDetailSerializer(ModelSerializer[PatrolPlan]):
    patrols = serializers.SerializerMethodField()

    class Meta:
        model = PatrolPlan
        fields = [*PLAN_FIELDS, "patrols"]
        read_only_fields = [*PLAN_FIELDS, "patrols"]

    def get_patrols(self, plan: PatrolPlan) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return list(PlannedPatrolSerializer(selectors.planned_for(user, plan), many=True).data)


class PatrolPlanRequestSerializer(serializers.Serializer[Any]):
    site = inputs.IdField()
    week_start = inputs.DateField()


@extend_schema_view(
    get=extend_schema(parameters=[id_param("site"), OpenApiParameter("week", OpenApiTypes.DATE)])
)
class PlanListCreate(generics.ListAPIView[PatrolPlan]):
    serializer_class = PatrolPlanSerializer

    def get_queryset(self) -> Any:
        week_start = date_param(self.request, "week")
        return selectors.plans_for(self.request.user, int_param(self.request, "site"), week_start)

    @extend_schema(request=PatrolPlanRequestSerializer, responses={202: PatrolPlanSerializer})
    def post(self, request: Request) -> Response:
        payload = PatrolPlanRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.patrol_plan_request(
            actor=request.user,
            site_id=payload.validated_data["site"],
            week_start=payload.validated_data["week_start"],
        )
        return Response(PatrolPlanSerializer(plan).data, status=status.HTTP_202_ACCEPTED)


class PlanDetail(generics.RetrieveAPIView[PatrolPlan]):
    serializer_class = PatrolPlanDetailSerializer

    def get_object(self) -> PatrolPlan:
        return selectors.plan_visible(self.request.user, self.kwargs["pk"])


class PlanApprove(APIView):
    @extend_schema(request=None, responses=PatrolPlanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        plan = services.patrol_plan_approve(actor=request.user, plan_id=pk)
        return Response(PatrolPlanSerializer(plan).data)


class AssignmentSerializer(serializers.Serializer[Any]):
    team = inputs.IdField()
    area = serializers.CharField(max_length=32)


class OverrideSerializer(serializers.Serializer[Any]):
    slot = serializers.CharField(max_length=32)
    assignments = AssignmentSerializer(many=True)
    reason = serializers.CharField(max_length=500)
    preview = serializers.BooleanField(default=False)


class OverrideResultSerializer(serializers.Serializer[Any]):
    slot = serializers.CharField()
    score = serializers.FloatField()
    saved = serializers.BooleanField()
    detail = serializers.DictField()


class PlanOverride(APIView):
    @extend_schema(request=OverrideSerializer, responses=OverrideResultSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = OverrideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        pairs = [(a["team"], a["area"]) for a in d["assignments"]]
        if d["preview"]:
            preview = services.patrol_override_preview(
                actor=request.user, plan_id=pk, slot=d["slot"], assignments=pairs
            )
            return Response(
                {
                    "slot": d["slot"],
                    "score": preview.score["score"],
                    "saved": False,
                    "detail": preview.score,
                }
            )
        override = services.patrol_plan_override(
            actor=request.user, plan_id=pk, slot=d["slot"], assignments=pairs, reason=d["reason"]
        )
        return Response(
            {
                "slot": override.slot,
                "score": override.score,
                "saved": True,
                "detail": override.detail,
            }
        )


class EngagementSerializer(ModelSerializer[CommunityEngagement]):
    class Meta:
        model = CommunityEngagement
        fields = ["group", "topics", "women", "men", "girls", "boys"]


RECORD_FIELDS = [
    "id",
    "site",
    "team",
    "planned",
    "started_at",
    "ended_at",
    "members",
    "members_women",
    "partner",
    "observations",
    "incidents",
    "track",
    "track_km",
    "dosage",
    "classification",
    "status",
    "recorded_at",
]


class RecordSerializer(ModelSerializer[Patrol]):
    engagements = serializers.SerializerMethodField()

    class Meta:
        model = Patrol
        fields = [*RECORD_FIELDS, "engagements"]
        read_only_fields = [*RECORD_FIELDS, "engagements"]

    def get_engagements(self, patrol: Patrol) -> list[dict[str, Any]]:
        rows = patrol.engagements.filter(voided_at__isnull=True)
        return list(EngagementSerializer(rows, many=True).data)


class InlineTrackSerializer(serializers.Serializer[Any]):
    """A track sent inside the record (as the offline field app does), not as an upload."""

    format = serializers.ChoiceField(choices=[("gpx", "GPX"), ("geojson", "GeoJSON")])
    content = serializers.CharField(max_length=tracks.MAX_BYTES, trim_whitespace=False)


class RecordCreateSerializer(serializers.Serializer[Any]):
    site = inputs.IdField()
    team = inputs.IdField()
    planned = inputs.IdField(required=False, allow_null=True)
    started_at = inputs.DateTimeField()
    ended_at = inputs.DateTimeField()
    members = inputs.CountField(min_value=1, max_value=500)
    members_women = inputs.CountField(default=0)
    partner = inputs.IdField(required=False, allow_null=True)
    observations = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    incidents = serializers.ListField(child=inputs.IdField(), required=False, max_length=200)
    engagements = EngagementSerializer(many=True, required=False)
    classification = serializers.ChoiceField(
        choices=[
            (int(Classification.UNCLASSIFIED), "UNCLASSIFIED"),
            (int(Classification.CONFIDENTIAL), "CONFIDENTIAL"),
        ],
        default=int(Classification.CONFIDENTIAL),
    )
    track = InlineTrackSerializer(required=False)


@extend_schema_view(get=extend_schema(parameters=[id_param("site")]))
class RecordListCreate(generics.ListAPIView[Patrol]):
    serializer_class = RecordSerializer

    def get_queryset(self) -> Any:
        return selectors.records_for(self.request.user, int_param(self.request, "site"))

    @extend_schema(request=RecordCreateSerializer, responses={201: RecordSerializer})
    def post(self, request: Request) -> Response:
        payload = RecordCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        patrol = services.patrol_record(
            actor=request.user,
            site_id=d["site"],
            team_id=d["team"],
            planned_id=d.get("planned"),
            started_at=d["started_at"],
            ended_at=d["ended_at"],
            members=d["members"],
            members_women=d["members_women"],
            partner_id=d.get("partner"),
            observations=d.get("observations", ""),
            incident_ids=d.get("incidents", []),
            engagements=[services.EngagementInput(**e) for e in d.get("engagements", [])],
            classification=int(d["classification"]),
            track=_inline_track(d.get("track")),
        )
        return Response(RecordSerializer(patrol).data, status=status.HTTP_201_CREATED)


def _inline_track(track: dict[str, str] | None) -> tuple[str, bytes] | None:
    if track is None:
        return None
    return f"track.{track['format']}", track["content"].encode()


class RecordDetail(generics.RetrieveAPIView[Patrol]):
    serializer_class = RecordSerializer

    def get_object(self) -> Patrol:
        return selectors.record_visible(self.request.user, self.kwargs["pk"])


class TrackUploadSerializer(serializers.Serializer[Any]):
    track = serializers.FileField()


class RecordTrack(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="The track as a GeoJSON Feature (LineString), each fix's time in "
        "properties.coordinateProperties.times (null where the device gave none).",
    )
    def get(self, request: Request, pk: int) -> Response:
        patrol = access.get_visible(request.user, Patrol.objects.select_related("team"), pk=pk)
        if not patrol.track:
            raise access.NotVisible()
        return Response(selectors.track_feature(patrol))

    @extend_schema(
        request={"multipart/form-data": TrackUploadSerializer}, responses=RecordSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        access.get_visible(request.user, Patrol.objects.all(), action="record", pk=pk)
        receiving = uploads.limit_upload(request, tracks.MAX_BYTES)
        payload = TrackUploadSerializer(data=request.data)
        if receiving.exceeded:
            raise BodyTooLarge(tracks.too_large())
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["track"]
        patrol = services.patrol_track_upload(
            actor=request.user, patrol_id=pk, filename=upload.name, content=upload.read()
        )
        return Response(RecordSerializer(patrol).data)
