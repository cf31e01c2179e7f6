"""Mission-model endpoints: missions, sectors, field sites and partners (read-only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from bluebox.core import access
from bluebox.core.api_params import id_param, int_param
from bluebox.core.serializers import ModelSerializer
from bluebox.missions import selectors
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation, Sector


class MissionSerializer(ModelSerializer[Mission]):
    class Meta:
        model = Mission
        fields = [
            "id",
            "code",
            "name",
            "host_country",
            "timezone",
            "chapter_vii",
            "poc_mandate",
            "authority",
            "utm_requires_national_absence",
            "utm_requires_host_request",
            "authority_conditions",
            "is_synthetic",
        ]


class SectorSerializer(ModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ["id", "mission", "code", "name", "boundary"]


class FieldSiteSerializer(ModelSerializer[FieldSite]):
    class Meta:
        model = FieldSite
        fields = [
            "id",
            "mission",
            "sector",
            "code",
            "name",
            "kind",
            "latitude",
            "longitude",
            "national_police_present",
            "national_police_operational",
            "population",
            "market_days",
        ]


class PartnerSerializer(ModelSerializer[PartnerOrganisation]):
    class Meta:
        model = PartnerOrganisation
        fields = ["id", "mission", "kind", "name", "parent", "site"]


class MissionList(generics.ListAPIView[Mission]):
    serializer_class = MissionSerializer

    def get_queryset(self) -> Any:
        return selectors.missions_for(self.request.user)


class MissionDetail(generics.RetrieveAPIView[Mission]):
    serializer_class = MissionSerializer

    def get_object(self) -> Mission:
        return access.get_visible(self.request.user, Mission.objects.all(), pk=self.kwargs["pk"])


@extend_schema_view(get=extend_schema(parameters=[id_param("mission")]))
class SectorList(generics.ListAPIView[Sector]):
    serializer_class = SectorSerializer

    def get_queryset(self) -> Any:
        return selectors.sectors_for(self.request.user, int_param(self.request, "mission"))


@extend_schema_view(get=extend_schema(parameters=[id_param("mission")]))
class FieldSiteList(generics.ListAPIView[FieldSite]):
    serializer_class = FieldSiteSerializer

    def get_queryset(self) -> Any:
        return selectors.sites_for(self.request.user, int_param(self.request, "mission"))


class FieldSiteDetail(generics.RetrieveAPIView[FieldSite]):
    serializer_class = FieldSiteSerializer

    def get_object(self) -> FieldSite:
        return access.get_visible(self.request.user, FieldSite.objects.all(), pk=self.kwargs["pk"])


@extend_schema_view(get=extend_schema(parameters=[id_param("mission")]))
class PartnerList(generics.ListAPIView[PartnerOrganisation]):
    serializer_class = PartnerSerializer

    def get_queryset(self) -> Any:
        return selectors.partners_for(self.request.user, int_param(self.request, "mission"))
