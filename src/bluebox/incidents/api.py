"""Incident endpoints: list with filters, detail, report, verify, void."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.db.models import DateTimeField
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core import access, inputs, mfa
from bluebox.core.api_params import choice_param, id_param, int_param
from bluebox.core.classification import ALL_COMPARTMENTS, Classification
from bluebox.core.pagination import KeysetPagination
from bluebox.core.serializers import ModelSerializer
from bluebox.engines.guide import THREAT_LEVELS
from bluebox.incidents import exports, photos, selectors, services
from bluebox.incidents.models import (
    DatePrecision,
    ImportJob,
    Incident,
    IncidentLink,
    IncidentMerge,
    IncidentPhoto,
    IncidentResponse,
    IncidentStatus,
    IncidentType,
    PerpetratorCategory,
    PocPhase,
    PrimacyDecision,
    ProtectedPerson,
    ProtectedPersonKind,
    ThreatNature,
)
from bluebox.incidents.primacy import WEAPON_CHOICES
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
    "verification_note",
    "grading_before_verification",
    "voided_at",
    "void_reason",
    "actors",
    "violence_type",
    "occurred_until",
    "location_name",
    "threat_nature",
    "threat_nature_reason",
    "primacy",
    "closed_at",
    "source",
    "external_id",
    "fatalities_civilians",
]


class IncidentSerializer(ModelSerializer[Incident]):
    # Read-only model fields lose ``blank``; declared so the schema admits "" (not yet classified).
    threat_nature = serializers.ChoiceField(
        choices=ThreatNature.choices, allow_blank=True, read_only=True
    )
    primacy = serializers.ChoiceField(
        choices=ThreatNature.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Incident
        fields = PUBLIC_FIELDS
        read_only_fields = PUBLIC_FIELDS


# What a list row carries: enough to show, sort, filter, place and mark a row; the rest of the
# record (description, victims, actors, source record...) comes from the detail endpoint.
SUMMARY_FIELDS = [
    "id",
    "mission",
    "sector",
    "site",
    "title",
    "incident_type",
    "occurred_at",
    "date_precision",
    "latitude",
    "longitude",
    "location_precision",
    "perpetrator_category",
    "civilian_targeting",
    "fatalities_best",
    "status",
    "source_reliability",
    "information_credibility",
    "classification",
    "compartments",
    "primacy",
    "reported_at",
]


# One row of the incident list (``view=summary``). It describes the rows for the schema and the
# tests; the list itself builds them from plain values (``summary_rows``). (A comment: the
# schema would show a docstring as the description of the rows.)
class IncidentSummarySerializer(ModelSerializer[Incident]):
    primacy = serializers.ChoiceField(
        choices=ThreatNature.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Incident
        fields = SUMMARY_FIELDS
        read_only_fields = SUMMARY_FIELDS


_SUMMARY_DATETIMES = [
    name for name in SUMMARY_FIELDS if isinstance(Incident._meta.get_field(name), DateTimeField)
]


def summary_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``values(*SUMMARY_FIELDS)`` as :class:`IncidentSummarySerializer` writes them.

    A model serializer per row builds every field object and walks every value through it:
    for a page of 100 that was most of the request. Foreign keys already come as ids, numbers
    and choices as they are; only the dates need writing out, as DRF's ``DateTimeField`` does
    (in the current time zone, ``Z`` for UTC).
    """
    zone = timezone.get_current_timezone()
    for row in rows:
        for name in _SUMMARY_DATETIMES:
            value = row[name]
            if value is not None:
                text = value.astimezone(zone).isoformat()
                row[name] = text[:-6] + "Z" if text.endswith("+00:00") else text
    return rows


class IncidentPhotoSerializer(ModelSerializer[IncidentPhoto]):
    """A photo's description; its bytes are at ``url`` (the same access as the incident)."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = IncidentPhoto
        fields = ["id", "filename", "content_type", "size", "width", "height", "url"]
        read_only_fields = fields

    def get_url(self, photo: IncidentPhoto) -> str:
        return reverse("api-incident-photo", args=[photo.incident_id, photo.pk])


class IncidentDetailSerializer(IncidentSerializer):
    """One incident with its photos (the list leaves them out: one query a page, not a row)."""

    photos = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = [*PUBLIC_FIELDS, "photos"]
        read_only_fields = [*PUBLIC_FIELDS, "photos"]

    @extend_schema_field(IncidentPhotoSerializer(many=True))
    def get_photos(self, incident: Incident) -> list[dict[str, Any]]:
        return list(IncidentPhotoSerializer(selectors.photos_of(incident), many=True).data)


# A photo's bytes in base64, as the offline field app sends them inside the report; the whole
# body stays within the API's JSON bound (core/parsers.py), which the app keeps to by resizing.
MAX_PHOTO_BASE64 = (photos.MAX_PHOTO_BYTES + 2) // 3 * 4


class PhotoInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    content_type = serializers.ChoiceField(
        choices=photos.DECLARED_TYPES,
        help_text="What the sender believes it is; the content decides (JPEG, PNG or WebP).",
    )
    # DRF takes declared fields out of the class, so this does not hide ``Serializer.data``.
    data = serializers.CharField(  # type: ignore[assignment]
        max_length=MAX_PHOTO_BASE64, trim_whitespace=False, help_text="The file, base64."
    )

    def validate_data(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Not base64.") from None


class IncidentReportSerializer(serializers.Serializer[Any]):
    """What a reporter sends; validated here, then checked again by the service."""

    mission = inputs.IdField()
    site = inputs.IdField(required=False, allow_null=True)
    sector = inputs.IdField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    incident_type = serializers.ChoiceField(choices=IncidentType.choices)
    occurred_at = inputs.DateTimeField()
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, required=False)
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    location_precision = serializers.IntegerField(min_value=1, max_value=7, required=False)
    perpetrator_category = serializers.ChoiceField(
        choices=PerpetratorCategory.choices, required=False
    )
    perpetrator_actor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    civilian_targeting = serializers.BooleanField(required=False)
    fatalities_best = inputs.CountField(required=False)
    fatalities_low = inputs.CountField(required=False)
    fatalities_high = inputs.CountField(required=False)
    poc_tier = serializers.IntegerField(min_value=1, max_value=3, required=False)
    poc_phase = serializers.ChoiceField(choices=PocPhase.choices, required=False)
    weapons = serializers.ListField(
        child=serializers.ChoiceField(choices=WEAPON_CHOICES), required=False, max_length=20
    )
    actors = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    victims_women = inputs.CountField(required=False)
    victims_men = inputs.CountField(required=False)
    victims_girls = inputs.CountField(required=False)
    victims_boys = inputs.CountField(required=False)
    victims_unknown = inputs.CountField(required=False)
    location_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    source_reliability = serializers.ChoiceField(choices=list("ABCDEF"), required=False)
    information_credibility = serializers.IntegerField(min_value=1, max_value=6, required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    compartments = serializers.IntegerField(min_value=0, max_value=ALL_COMPARTMENTS, required=False)
    photos = PhotoInputSerializer(  # type: ignore[call-arg]  # ListSerializer's max_length
        many=True,
        required=False,
        max_length=photos.MAX_PHOTOS,
        help_text="Stored with the incident in the same write, encrypted, without metadata.",
    )

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


class IncidentVerifySerializer(serializers.Serializer[Any]):
    """The analyst's re-grade on verifying, all optional (left out: the grading stays)."""

    source_reliability = serializers.ChoiceField(choices=list("ABCDEF"), required=False)
    information_credibility = serializers.IntegerField(min_value=1, max_value=6, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class IncidentVoidSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class IncidentPagination(KeysetPagination):
    """Newest first, by cursor: no COUNT, and page 10,000 costs what page 1 does.

    The ordering is the selector's (``-occurred_at, -id``); the indexes on (mission | sector |
    site, occurred_at, id) let the scope filter and the cursor start the scan at the page.
    """

    ordering = ("-occurred_at", "-id")


LIST_VIEWS = ["summary", "full"]


@extend_schema_view(
    get=extend_schema(
        description=(
            "Visible incidents, newest first (occurred_at, then id), paged by cursor: follow "
            "`next` until it is null. There is no total count. `page_size` sets the page "
            "(default 100, at most 500); `limit` and `offset` are refused. Each row is a "
            "summary (the fields below); `view=full` gives every row as the detail endpoint "
            "does (`Incident`)."
        ),
        responses=IncidentSummarySerializer(many=True),
        parameters=[
            OpenApiParameter(
                "view",
                str,
                enum=LIST_VIEWS,
                description="`summary` (default): the fields a list shows; `full`: the whole "
                "record of each row, as `GET /api/v1/incidents/{id}/` answers",
            ),
            id_param("mission"),
            id_param("sector"),
            id_param("site"),
            OpenApiParameter("status", str, enum=IncidentStatus.values),
            OpenApiParameter(
                "q",
                str,
                description="words that must all appear in the title, description, "
                "place or actor (never searches protected identities)",
            ),
            OpenApiParameter("incident_type", str, enum=IncidentType.values),
        ],
    )
)
class IncidentListCreate(generics.ListAPIView[Incident]):
    serializer_class = IncidentSerializer
    pagination_class = IncidentPagination

    def _filters(self) -> selectors.IncidentFilters:
        request = self.request
        return selectors.IncidentFilters(
            mission_id=int_param(request, "mission"),
            sector_id=int_param(request, "sector"),
            site_id=int_param(request, "site"),
            status=choice_param(request, "status", IncidentStatus.values),
            incident_type=choice_param(request, "incident_type", IncidentType.values),
            text=request.query_params.get("q") or None,
        )

    def get_queryset(self) -> Any:
        return selectors.incidents_for(self.request.user, self._filters())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if choice_param(request, "view", LIST_VIEWS) == "full":
            return super().list(request, *args, **kwargs)
        # The same visible, filtered queryset, read as plain values (no model instances) by a
        # statement compiled once for this person's access filter and these filters.
        filters = self._filters()
        pager = self.paginator
        assert isinstance(pager, IncidentPagination)  # noqa: S101 - the class's own paginator
        rows = pager.paginate_values(
            lambda: self.filter_queryset(selectors.incidents_for(request.user, filters)).values(
                *SUMMARY_FIELDS
            ),
            selectors.incidents_key(request.user, filters),
            request,
            self,
            model=Incident,
        )
        access.audit_row_reads(request.user, Incident, rows)
        return self.get_paginated_response(summary_rows(rows))

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset) or []
        access.audit_reads(self.request.user, page)
        return page

    @extend_schema(request=IncidentReportSerializer, responses={201: IncidentDetailSerializer})
    def post(self, request: Request) -> Response:
        payload = IncidentReportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        mission_id = data.pop("mission")
        site_id = data.pop("site", None)
        sector_id = data.pop("sector", None)
        sent = [photos.PhotoUpload(p["name"], p["data"]) for p in data.pop("photos", [])]
        mission = access.get_visible(request.user, Mission.objects.all(), pk=mission_id)
        incident = services.incident_report(
            actor=request.user,
            mission=mission,
            site_id=site_id,
            sector_id=sector_id,
            data=data,
            photos=sent,
        )
        return Response(IncidentDetailSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetail(generics.RetrieveAPIView[Incident]):
    serializer_class = IncidentDetailSerializer

    def get_object(self) -> Incident:
        return access.get_visible(self.request.user, Incident.objects.all(), pk=self.kwargs["pk"])


class IncidentPhotoFile(APIView):
    """A photo of an incident, to whoever may read the incident (each read audited)."""

    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/webp"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: Request, pk: int, photo: int) -> HttpResponse:
        return photos.serve(selectors.photo_for(request.user, pk, photo))


class IncidentVerify(APIView):
    @extend_schema(request=IncidentVerifySerializer, responses=IncidentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = IncidentVerifySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = services.incident_verify(
            actor=request.user, incident_id=pk, **payload.validated_data
        )
        return Response(IncidentSerializer(incident).data)


class IncidentVoid(APIView):
    @extend_schema(request=IncidentVoidSerializer, responses=IncidentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payload = IncidentVoidSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = services.incident_void(
            actor=request.user, incident_id=pk, reason=payload.validated_data["reason"]
        )
        return Response(IncidentSerializer(incident).data)


class IncidentResponseSerializer(ModelSerializer[IncidentResponse]):
    class Meta:
        model = IncidentResponse
        fields = ["id", "incident", "mode", "unit", "responded_at", "description", "recorded_at"]
        read_only_fields = ["id", "incident", "recorded_at"]


class IncidentLinkRequestSerializer(serializers.Serializer[Any]):
    other = inputs.IdField()
    kind = serializers.ChoiceField(choices=IncidentLink.Kind.choices, required=False)


class LinkOutSerializer(ModelSerializer[IncidentLink]):
    class Meta:
        model = IncidentLink
        fields = ["id", "from_incident", "to_incident", "kind", "linked_at"]


class IncidentMergeRequestSerializer(serializers.Serializer[Any]):
    duplicate = inputs.IdField(help_text="The record merged into this one (it is voided).")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class IncidentUnmergeRequestSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class IncidentMergeSerializer(ModelSerializer[IncidentMerge]):
    class Meta:
        model = IncidentMerge
        fields = ["id", "kept", "duplicate", "note", "merged_at", "undone_at", "undo_reason"]
        read_only_fields = fields


class PrimacyHandoverSerializer(serializers.Serializer[Any]):
    to_primacy = serializers.ChoiceField(choices=["blue", "green"])
    reason = serializers.CharField(max_length=2000)
    # The threat level the mission's rules read (left out: from the incident's classification).
    threat = serializers.ChoiceField(choices=THREAT_LEVELS, required=False, allow_null=True)
    # A commander hands over where the mission's rules refuse, saying why (audited).
    override_justification = serializers.CharField(
        max_length=5000, required=False, allow_blank=True
    )


class PrimacyDecisionSerializer(ModelSerializer[PrimacyDecision]):
    class Meta:
        model = PrimacyDecision
        fields = ["id", "incident", "from_primacy", "to_primacy", "reason", "decided_at"]


class IncidentRespond(APIView):
    @extend_schema(request=IncidentResponseSerializer, responses={201: IncidentResponseSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payload = IncidentResponseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        response = services.incident_respond(
            actor=request.user, incident_id=pk, **payload.validated_data
        )
        return Response(IncidentResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class IncidentClose(APIView):
    @extend_schema(request=None, responses=IncidentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        incident = services.incident_close(actor=request.user, incident_id=pk)
        return Response(IncidentSerializer(incident).data)


class IncidentLinkCreate(APIView):
    @extend_schema(request=IncidentLinkRequestSerializer, responses={201: LinkOutSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payload = IncidentLinkRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        link = services.incident_link(
            actor=request.user,
            incident_id=pk,
            other_id=payload.validated_data["other"],
            kind=payload.validated_data.get("kind", IncidentLink.Kind.SAME_INCIDENT),
        )
        return Response(LinkOutSerializer(link).data, status=status.HTTP_201_CREATED)


class IncidentMergeCreate(APIView):
    """Merge a duplicate record into this one (both must be visible to the caller)."""

    @extend_schema(request=IncidentMergeRequestSerializer, responses={201: IncidentMergeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payload = IncidentMergeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        merge = services.incident_merge(
            actor=request.user,
            incident_id=pk,
            duplicate_id=payload.validated_data["duplicate"],
            note=payload.validated_data.get("note", ""),
        )
        return Response(IncidentMergeSerializer(merge).data, status=status.HTTP_201_CREATED)


class IncidentUnmerge(APIView):
    """Undo the merge of this record into another."""

    @extend_schema(
        request=IncidentUnmergeRequestSerializer, responses={200: IncidentMergeSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        payload = IncidentUnmergeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        merge = services.incident_unmerge(
            actor=request.user, duplicate_id=pk, reason=payload.validated_data["reason"]
        )
        return Response(IncidentMergeSerializer(merge).data)


class IncidentPrimacy(APIView):
    @extend_schema(request=PrimacyHandoverSerializer, responses={201: PrimacyDecisionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        payload = PrimacyHandoverSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        decision = services.incident_primacy_handover(
            actor=request.user, incident_id=pk, **payload.validated_data
        )
        return Response(PrimacyDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class IncidentExport(APIView):
    """Every incident the caller may see, as bluebox CSV (HXL), ACLED CSV or GeoJSON.

    The highest classification in the export is in the ``X-Bluebox-Classification`` header,
    the file name and (GeoJSON) the collection's ``classification`` member.
    """

    @extend_schema(
        parameters=[id_param("mission")],
        responses={(200, "text/csv"): bytes, (200, "application/geo+json"): bytes},
    )
    def get(self, request: Request, fmt: str) -> StreamingHttpResponse:
        if fmt not in exports.FORMATS:
            raise serializers.ValidationError({"format": ["csv, acled or geojson."]})
        queryset = selectors.incidents_for(
            request.user, selectors.IncidentFilters(mission_id=int_param(request, "mission"))
        )
        mark, chunks = exports.export(actor=request.user, queryset=queryset, fmt=fmt, channel="api")
        response = StreamingHttpResponse(chunks, content_type=exports.content_type(fmt))
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt, mark)}"'
        response["X-Bluebox-Classification"] = mark.label
        return response


class ProtectedPersonSerializer(ModelSerializer[ProtectedPerson]):
    """What anyone who sees the record gets: the pseudonym, never the identity."""

    class Meta:
        model = ProtectedPerson
        fields = [
            "id",
            "pseudonym",
            "kind",
            "incident",
            "mission",
            "sex",
            "age_group",
            "classification",
        ]
        read_only_fields = fields


class ProtectedPersonCreateSerializer(serializers.Serializer[Any]):
    incident = inputs.IdField()
    kind = serializers.ChoiceField(choices=ProtectedPersonKind.choices)
    identity = serializers.CharField(max_length=500)
    contact = serializers.CharField(max_length=500, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=["", "female", "male", "unknown"], required=False)
    age_group = serializers.ChoiceField(choices=["", "adult", "child", "unknown"], required=False)


class ProtectedPersonRevealSerializer(serializers.Serializer[Any]):
    purpose = serializers.CharField(max_length=500)
    code = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        help_text="A current second-factor code (authenticator app or recovery code). Every "
        "reveal needs a second-factor check for this record within five minutes: this code, "
        "or a passkey step-up made just before.",
    )


class ProtectedPersonRevealedSerializer(serializers.Serializer[Any]):
    pseudonym = serializers.CharField()
    identity = serializers.CharField()
    contact = serializers.CharField()


class ProtectedPersonListCreate(generics.ListAPIView[ProtectedPerson]):
    serializer_class = ProtectedPersonSerializer

    def get_queryset(self) -> Any:
        return selectors.protected_people_for(self.request.user)

    @extend_schema(
        request=ProtectedPersonCreateSerializer, responses={201: ProtectedPersonSerializer}
    )
    def post(self, request: Request) -> Response:
        payload = ProtectedPersonCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        person = services.protected_person_create(
            actor=request.user, incident_id=data.pop("incident"), **data
        )
        return Response(ProtectedPersonSerializer(person).data, status=status.HTTP_201_CREATED)


class ProtectedPersonReveal(APIView):
    @extend_schema(
        request=ProtectedPersonRevealSerializer, responses=ProtectedPersonRevealedSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        payload = ProtectedPersonRevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mfa.step_up_if_code(
            actor=request.user,
            record_type="incidents.protectedperson",
            object_id=pk,
            code=payload.validated_data["code"],
        )
        revealed = services.protected_person_reveal(
            actor=request.user, person_id=pk, purpose=payload.validated_data["purpose"]
        )
        return Response(revealed)  # no-store, as every signed-in answer (core.middleware)


class ImportJobSerializer(ModelSerializer[ImportJob]):
    """An import and its outcome; ``progress`` is the percent of the file read while it runs."""

    format = serializers.CharField(source="fmt")
    progress = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "mission",
            "format",
            "filename",
            "size",
            "sha256",
            "status",
            "progress",
            "rows",
            "created",
            "unchanged",
            "error_count",
            "errors",
            "message",
            "accept_outside",
            "outside",
            "outside_sample",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job: ImportJob) -> int:
        return selectors.import_progress(job)


class ImportUploadSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    format = serializers.ChoiceField(choices=["ucdp", "acled"])
    file = serializers.FileField()
    accept_outside = serializers.BooleanField(
        default=False,
        help_text="Import events outside the mission's boundary too (they refuse the file "
        "otherwise, with their count and a sample of their positions).",
    )


@extend_schema_view(get=extend_schema(parameters=[id_param("mission")]))
class ImportJobListCreate(generics.ListAPIView[ImportJob]):
    """Imports the user may see; POST a file to import it in the background (202)."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> Any:
        return selectors.import_jobs_for(self.request.user, int_param(self.request, "mission"))

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportJobSerializer},
    )
    def post(self, request: Request) -> Response:
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = services.import_job_submit(
            actor=request.user,
            mission_id=data["mission"],
            fmt=data["format"],
            upload=data["file"],
            accept_outside=data["accept_outside"],
        )
        job.refresh_from_db()  # the embedded queue may already have run it
        response = Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api-import-job-detail", args=[job.pk])
        return response


class ImportJobDetail(generics.RetrieveAPIView[ImportJob]):
    serializer_class = ImportJobSerializer

    def get_object(self) -> ImportJob:
        return selectors.import_job_visible(self.request.user, self.kwargs["pk"])
