"""Incident endpoints: list with filters, detail, report, verify, void."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core import access
from bluebox.core.classification import ALL_COMPARTMENTS, Classification
from bluebox.incidents import selectors, services
from bluebox.incidents.models import DatePrecision, Incident, IncidentType, PerpetratorCategory
from bluebox.missions.models import Mission

PUBLIC_FIELDS = [
    "id",
    "mission",
    "sector",
    "site",
    "title",
    "description",
    "incident_type",
    "occurred_at",
    "date_precision",
    "latitude",
    "longitude",
    "location_precision",
    "admin1",
    "admin2",
    "h3_cell",
    "priogrid_gid",
    "perpetrator_category",
    "perpetrator_actor",
    "civilian_targeting",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "victims_women",
    "victims_men",
    "victims_girls",
    "victims_boys",
    "victims_unknown",
    "weapons",
    "poc_tier",
    "poc_phase",
    "source_reliability",
    "information_credibility",
    "classification",
    "compartments",
    "status",
    "reported_at",
    "verified_at",
    "voided_at",
    "void_reason",
]


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    class Meta:
        model = Incident
        fields = PUBLIC_FIELDS
        read_only_fields = PUBLIC_FIELDS


class IncidentReportSerializer(serializers.Serializer[Any]):
    """What a reporter sends; validated here, then checked again by the service."""

    mission = serializers.IntegerField()
    site = serializers.IntegerField(required=False, allow_null=True)
    sector = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    incident_type = serializers.ChoiceField(choices=IncidentType.choices)
    occurred_at = serializers.DateTimeField()
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, required=False)
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    location_precision = serializers.IntegerField(min_value=1, max_value=7, required=False)
    perpetrator_category = serializers.ChoiceField(
        choices=PerpetratorCategory.choices, required=False
    )
    perpetrator_actor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    civilian_targeting = serializers.BooleanField(required=False)
    fatalities_best = serializers.IntegerField(min_value=0, required=False)
    fatalities_low = serializers.IntegerField(min_value=0, required=False)
    fatalities_high = serializers.IntegerField(min_value=0, required=False)
    poc_tier = serializers.IntegerField(min_value=1, max_value=3, required=False)
    source_reliability = serializers.ChoiceField(choices=list("ABCDEF"), required=False)
    information_credibility = serializers.IntegerField(min_value=1, max_value=6, required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    compartments = serializers.IntegerField(min_value=0, max_value=ALL_COMPARTMENTS, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low = attrs.get("fatalities_low", 0)
        best = attrs.get("fatalities_best", 0)
        high = attrs.get("fatalities_high", best)
        if not low <= best <= high:
            raise serializers.ValidationError(
                {"fatalities_best": ["Fatalities must satisfy low ≤ best ≤ high."]}
            )
        attrs.setdefault("fatalities_high", high)
        return attrs


class VoidSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise serializers.ValidationError({name: ["Must be an integer id."]}) from exc


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("mission", int),
            OpenApiParameter("sector", int),
            OpenApiParameter("site", int),
            OpenApiParameter("status", str),
            OpenApiParameter("incident_type", str),
        ]
    )
)
class IncidentListCreate(generics.ListAPIView[Incident]):
    serializer_class = IncidentSerializer

    def get_queryset(self) -> Any:
        request = self.request
        filters = selectors.IncidentFilters(
            mission_id=_int_param(request, "mission"),
            sector_id=_int_param(request, "sector"),
            site_id=_int_param(request, "site"),
            status=request.query_params.get("status") or None,
            incident_type=request.query_params.get("incident_type") or None,
        )
        return selectors.incidents_for(request.user, filters)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        access.audit_reads(self.request.user, page or [])
        return page

    @extend_schema(request=IncidentReportSerializer, responses={201: IncidentSerializer})
    def post(self, request: Request) -> Response:
        payload = IncidentReportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        mission_id = data.pop("mission")
        site_id = data.pop("site", None)
        sector_id = data.pop("sector", None)
        mission = access.get_visible(request.user, Mission.objects.all(), pk=mission_id)
        incident = services.incident_report(
            actor=request.user, mission=mission, site_id=site_id, sector_id=sector_id, data=data
        )
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetail(generics.RetrieveAPIView[Incident]):
    serializer_class = IncidentSerializer

    def get_object(self) -> Incident:
        return access.get_visible(self.request.user, Incident.objects.all(), pk=self.kwargs["pk"])


class IncidentVerify(APIView):
    @extend_schema(request=None, responses=IncidentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        incident = services.incident_verify(actor=request.user, incident_id=pk)
        return Response(IncidentSerializer(incident).data)


class IncidentVoid(APIView):
    @extend_schema(request=VoidSerializer, responses=IncidentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = VoidSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = services.incident_void(
            actor=request.user, incident_id=pk, reason=payload.validated_data["reason"]
        )
        return Response(IncidentSerializer(incident).data)
