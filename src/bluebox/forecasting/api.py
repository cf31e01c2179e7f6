"""Early-warning endpoints: forecast runs (request, list, detail with progress) and the areas of
a run the caller may see. Parse, call a service or selector, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from bluebox.core import access, inputs
from bluebox.core.api_params import id_param, int_param
from bluebox.core.serializers import ModelSerializer
from bluebox.engines.forecast import MODEL_KEYS
from bluebox.forecasting import selectors, services
from bluebox.forecasting.models import AreaForecast, ForecastRun

RUN_FIELDS = [
    "id",
    "mission",
    "unit",
    "h3_resolution",
    "origin",
    "origin_date",
    "horizons",
    "model_key",
    "model_version",
    "trigger",
    "status",
    "progress",
    "progress_message",
    "error",
    "inputs",
    "created_at",
    "finished_at",
    "classification",
]
AREA_FIELDS = [
    "id",
    "cell",
    "period",
    "period_start",
    "horizon",
    "probability",
    "expected_count",
    "quantiles",
    "sector",
    "site",
    "site_km",
    "reasons_text",
    "contributions",
]


class RunSerializer(ModelSerializer[ForecastRun]):
    class Meta:
        model = ForecastRun
        fields = RUN_FIELDS
        read_only_fields = RUN_FIELDS

    def to_representation(self, instance: ForecastRun) -> dict[str, Any]:
        data = super().to_representation(instance)
        # What the run read, counted for the caller's own variant only (derived data).
        request = self.context.get("request")
        user = request.user if request is not None else None
        data["inputs"] = selectors.run_inputs(user, instance)
        return data


class RunRequestSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    model = serializers.ChoiceField(choices=list(MODEL_KEYS), required=False)
    horizons = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=services.MAX_HORIZON),
        required=False,
        allow_empty=False,
    )


class AreaSerializer(ModelSerializer[AreaForecast]):
    class Meta:
        model = AreaForecast
        fields = AREA_FIELDS
        read_only_fields = AREA_FIELDS


@extend_schema_view(get=extend_schema(parameters=[id_param("mission")]))
class RunListCreate(generics.ListAPIView[ForecastRun]):
    serializer_class = RunSerializer

    def get_queryset(self) -> Any:
        return selectors.runs_for(self.request.user, int_param(self.request, "mission"))

    @extend_schema(request=RunRequestSerializer, responses={202: RunSerializer})
    def post(self, request: Request) -> Response:
        payload = RunRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = services.forecast_run_request(
            actor=request.user,
            mission_id=payload.validated_data["mission"],
            model_key=payload.validated_data.get("model"),
            horizons=payload.validated_data.get("horizons"),
        )
        return Response(
            RunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class RunDetail(generics.RetrieveAPIView[ForecastRun]):
    serializer_class = RunSerializer

    def get_object(self) -> ForecastRun:
        return selectors.run_visible(self.request.user, self.kwargs["pk"])


@extend_schema_view(get=extend_schema(parameters=[id_param("horizon")]))
class RunAreas(generics.ListAPIView[AreaForecast]):
    """The run's areas in the caller's scope, highest probability first."""

    serializer_class = AreaSerializer

    def get_queryset(self) -> Any:
        run = selectors.run_visible(self.request.user, self.kwargs["pk"])
        areas = selectors.areas_for(self.request.user, run, int_param(self.request, "horizon"))
        # Rows of a strictly confidential or compartmented variant are read like such records.
        access.audit_reads(self.request.user, areas)
        return areas
