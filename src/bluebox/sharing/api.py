"""Sharing endpoints: agreements (the owners' side, or one's own live ones), redacted extracts
of what is shared with the caller, and who saw a record. Reads only; every one through
core.access, and every extract returned writes its disclosure receipt."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core.pagination import BoundedLimitOffsetPagination
from bluebox.core.serializers import ModelSerializer
from bluebox.core.sharing import SharingAgreement
from bluebox.sharing import selectors


class ReceivedAgreementSerializer(ModelSerializer[SharingAgreement]):
    """What a recipient learns of an agreement: never who else reads under it."""

    class Meta:
        model = SharingAgreement
        fields = [
            "id",
            "mission",
            "title",
            "purpose",
            "party",
            "record_type",
            "incident_types",
            "perpetrator_categories",
            "covers_from",
            "max_classification",
            "tlp",
            "shared_fields",
            "location_resolution",
            "pseudonymise_names",
            "withhold_text",
            "starts_at",
            "expires_at",
        ]
        read_only_fields = fields


class AgreementSerializer(ReceivedAgreementSerializer):
    class Meta(ReceivedAgreementSerializer.Meta):
        fields = [
            *ReceivedAgreementSerializer.Meta.fields,
            "partner",
            "recipients",
            "sector",
            "site",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "revoked_by",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields


class AgreementList(generics.ListAPIView[SharingAgreement]):
    serializer_class = AgreementSerializer

    def get_queryset(self) -> Any:
        return selectors.agreements_for(self.request.user).prefetch_related("recipients")


class ReceivedList(APIView):
    @extend_schema(responses={200: ReceivedAgreementSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(
            ReceivedAgreementSerializer(selectors.received_for(request.user), many=True).data
        )


class AgreementDetail(generics.RetrieveAPIView[SharingAgreement]):
    serializer_class = AgreementSerializer

    def get_object(self) -> SharingAgreement:
        return selectors.agreement_for(self.request.user, self.kwargs["pk"])


class ExtractSerializer(serializers.Serializer[Any]):
    """A redacted extract: HURIDOCS event, acts, victims, perpetrators, source, interventions.
    A part the reader's agreements do not share is absent."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # Declared here, not as class attributes: "source" would shadow Field.source.
        optional = ("acts", "victims", "perpetrators", "source", "interventions")
        return {
            "id": serializers.IntegerField(),
            "marking": serializers.JSONField(),
            "event": serializers.JSONField(),
            **{name: serializers.JSONField(required=False) for name in optional},
        }


class ExtractList(generics.GenericAPIView[Any]):
    serializer_class = ExtractSerializer
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses={200: ExtractSerializer(many=True)})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.shared_incidents(request.user))
        items = selectors.extracts_disclosed(request.user, list(page or []), "api")
        return self.get_paginated_response(items)


class ExtractDetail(APIView):
    @extend_schema(responses={200: ExtractSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(selectors.extract_for(request.user, pk, "api"))


class DisclosureSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    user = serializers.CharField()
    agreement = serializers.IntegerField()
    channel = serializers.CharField()
    audit_seq = serializers.IntegerField()


class DisclosureList(APIView):
    @extend_schema(responses={200: DisclosureSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        _incident, rows = selectors.disclosures_of(request.user, pk)
        return Response(
            [
                {
                    "at": r.at,
                    "user": str(r.who),
                    "agreement": r.agreement.pk,
                    "channel": r.channel,
                    "audit_seq": r.audit_seq,
                }
                for r in rows
            ]
        )
