"""The evaluation of a site's patrols as JSON (the estimates of ``impact-estimate.schema.json``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core.api_params import date_param
from bluebox.evaluation import selectors


class EstimateSerializer(serializers.Serializer[Any]):
    method = serializers.CharField()
    estimand = serializers.CharField()
    estimate = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    verdict = serializers.ChoiceField(
        choices=["insufficient_data", "no_detectable_effect", "reduction", "increase"]
    )
    relative = serializers.FloatField(allow_null=True)
    relative_low = serializers.FloatField(allow_null=True)
    relative_high = serializers.FloatField(allow_null=True)
    baseline = serializers.FloatField(allow_null=True)


class CurvePointSerializer(serializers.Serializer[Any]):
    low_min = serializers.FloatField()
    high_min = serializers.FloatField(allow_null=True)
    visits = serializers.IntegerField()
    events = serializers.IntegerField()
    mean_hours = serializers.FloatField()
    low_hours = serializers.FloatField()
    high_hours = serializers.FloatField()


class SiteEvaluationSerializer(serializers.Serializer[Any]):
    site = serializers.IntegerField()
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    weeks = serializers.IntegerField()
    area_slots = serializers.IntegerField()
    planned = serializers.IntegerField()
    executed_of_planned = serializers.IntegerField()
    overridden = serializers.IntegerField()
    incidents = serializers.IntegerField()
    same_slot = EstimateSerializer()
    next_slot = EstimateSerializer()
    spillover = EstimateSerializer()
    dose = EstimateSerializer()
    dose_curve = CurvePointSerializer(many=True)


class SiteEvaluationView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("until", str, description="last week's Monday (YYYY-MM-DD)"),
        ],
        responses=SiteEvaluationSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        until = date_param(request, "until")
        ev = selectors.site_evaluation(user=request.user, site_id=pk, until=until)
        r = ev.results
        body = {
            "site": ev.site.pk,
            "since": ev.since,
            "until": ev.until,
            "weeks": len(ev.weeks),
            "area_slots": ev.cells,
            "planned": ev.planned,
            "executed_of_planned": ev.executed_of_planned,
            "overridden": ev.overridden,
            "incidents": ev.incidents,
            "same_slot": r.same_slot.to_dict(),
            "next_slot": r.next_slot.to_dict(),
            "spillover": r.spillover.to_dict(),
            "dose": r.dose.to_dict(),
            "dose_curve": [p.__dict__ for p in r.curve],
        }
        return Response(SiteEvaluationSerializer(body).data)
