"""Assessment endpoints: survey forms (list, one, upload) and submissions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.assessment import imports, selectors, services, submission_files
from bluebox.assessment.models import Submission, SurveyForm
from bluebox.core import access, inputs
from bluebox.core.classification import Classification
from bluebox.core.serializers import ModelSerializer

MAX_UPLOAD = 5 * 1024 * 1024


class SurveyFormSerializer(ModelSerializer[SurveyForm]):
    version = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()

    class Meta:
        model = SurveyForm
        fields = [
            "id",
            "mission",
            "form_id",
            "title",
            "status",
            "classification",
            "version",
            "languages",
        ]
        read_only_fields = fields

    def get_version(self, obj: SurveyForm) -> str | None:
        current = obj.current_version
        return current.version if current else None

    def get_languages(self, obj: SurveyForm) -> list[str]:
        current = obj.current_version
        return list(current.languages) if current else []


class UploadSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    xlsform = serializers.FileField()
    classification = serializers.ChoiceField(
        choices=Classification.choices, required=False, default=Classification.UNCLASSIFIED
    )


class SubmissionSerializer(ModelSerializer[Submission]):
    class Meta:
        model = Submission
        fields = [
            "id",
            "form",
            "instance_id",
            "site",
            "round_label",
            "received_at",
            "complete",
            "source",
            "answers",
        ]
        read_only_fields = fields


class FormList(generics.ListAPIView[SurveyForm]):
    serializer_class = SurveyFormSerializer

    def get_queryset(self) -> Any:
        return selectors.forms_for(self.request.user).order_by("id")


class FormUpload(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request=UploadSerializer, responses={201: SurveyFormSerializer})
    def post(self, request: Request) -> Response:
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["xlsform"]
        if upload.size > MAX_UPLOAD:
            raise serializers.ValidationError({"xlsform": ["At most 5 MB."]})
        version = services.form_upload(
            actor=request.user,
            mission_id=body.validated_data["mission"],
            content=upload.read(),
            filename=upload.name,
            classification=body.validated_data["classification"],
        )
        return Response(SurveyFormSerializer(version.form).data, status=status.HTTP_201_CREATED)


class FormDetail(generics.RetrieveAPIView[SurveyForm]):
    serializer_class = SurveyFormSerializer

    def get_object(self) -> SurveyForm:
        return selectors.form_get(self.request.user, int(self.kwargs["pk"]))


class FormSubmissions(generics.ListAPIView[Submission]):
    serializer_class = SubmissionSerializer

    def get_queryset(self) -> Any:
        form = selectors.form_get(self.request.user, int(self.kwargs["pk"]))
        return selectors.submissions_for(self.request.user, form=form).order_by("id")

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        # Reads of strictly confidential or compartmented answers are in the audit trail.
        access.audit_reads(self.request.user, page if page is not None else queryset)
        return page


class ImportFileSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class ImportRowErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    instance_id = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer[Any]):
    format = serializers.ChoiceField(choices=["kobo", "central"])
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    edits = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    attachments = serializers.IntegerField()
    versions = serializers.DictField(child=serializers.IntegerField())
    error_count = serializers.IntegerField()
    # DRF's metaclass takes declared fields off the class, so this does not shadow .errors.
    errors = ImportRowErrorSerializer(many=True)  # type: ignore[assignment]
    sha256 = serializers.CharField()


class SubmissionsImport(APIView):
    """Import a KoBoToolbox or ODK Central export: 200 when stored, 422 with the bad rows
    (nothing stored), 400 for a file that is not an export."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request=ImportFileSerializer,
        responses={200: ImportReportSerializer, 422: ImportReportSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        form = selectors.form_get(request.user, int(pk))
        body = ImportFileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size > submission_files.MAX_FILE_BYTES:
            raise serializers.ValidationError({"file": ["At most 20 MB: split the export."]})
        report = imports.submissions_import(
            actor=request.user, form_pk=form.pk, content=upload.read(), filename=upload.name
        )
        return Response(
            report.as_dict(),
            status=status.HTTP_200_OK if report.ok else status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
