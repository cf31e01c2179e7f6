"""Engagement endpoints: dialogues, sessions (recorded whole), commitments and their status
workflow, committees, courses and trainees, the report.

Participants' and committee members' names and phone numbers are never in any answer here:
they are revealed on the pages, to the engagement team, with a purpose.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core import inputs
from bluebox.core.api_params import choice_param, id_param, int_param, validated
from bluebox.core.serializers import ModelSerializer
from bluebox.engagement import selectors, services
from bluebox.engagement.models import (
    AgeBand,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    Committee,
    Course,
    Dialogue,
    HarmOutcome,
    Level,
    OwnerKind,
    Session,
    Sex,
    StakeholderGroup,
    Trainee,
)
from bluebox.incidents.models import IncidentType

CLASSIFICATION_HELP = "0 unclassified, 1 confidential, 2 strictly confidential"

#: Choice fields are plain strings in the schema: enums named "status", "sex", "kind"... would
#: collide with other apps' and rename theirs.


class DialogueSerializer(ModelSerializer[Dialogue]):
    classification = serializers.IntegerField(read_only=True)
    phase = serializers.CharField(read_only=True)

    class Meta:
        model = Dialogue
        fields = [
            "id",
            "mission",
            "sector",
            "site",
            "classification",
            "title",
            "community",
            "phase",
            "facilitator",
            "facilitator_name",
            "stakeholder_groups",
            "objective",
            "started_on",
            "created_at",
        ]
        read_only_fields = fields


class DialogueCreateSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    site = inputs.IdField(required=False, allow_null=True)
    sector = inputs.IdField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    community = serializers.CharField(max_length=200)
    started_on = inputs.DateField()
    stakeholder_groups = serializers.ListField(
        child=serializers.CharField(max_length=24),
        max_length=20,
        help_text="Each one of: " + ", ".join(StakeholderGroup.values),
    )
    facilitator = inputs.IdField(required=False, allow_null=True)
    facilitator_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    objective = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    classification = serializers.IntegerField(
        min_value=0, max_value=2, required=False, help_text=CLASSIFICATION_HELP
    )


class HarmInput(serializers.Serializer[Any]):
    exposed = serializers.CharField(max_length=2000)
    how = serializers.CharField(max_length=2000)
    measures = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    risk = serializers.CharField(max_length=8, help_text="One of: " + ", ".join(Level.values))
    outcome = serializers.CharField(
        max_length=24, help_text="One of: " + ", ".join(HarmOutcome.values)
    )


class AttendanceInput(serializers.Serializer[Any]):
    group = serializers.CharField(
        max_length=24, help_text="One of: " + ", ".join(StakeholderGroup.values)
    )
    sex = serializers.CharField(max_length=12, help_text="One of: " + ", ".join(Sex.values))
    age_band = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="One of: " + ", ".join(AgeBand.values),
    )
    count = inputs.CountField()


class ProblemInput(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=2000)
    root_cause = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    incident_type = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="One of: " + ", ".join(IncidentType.values),
    )
    area_site = inputs.IdField(required=False, allow_null=True)


class CommitmentInput(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=2000)
    owner_kind = serializers.CharField(
        max_length=16, help_text="One of: " + ", ".join(OwnerKind.values)
    )
    owner_user = inputs.IdField(required=False, allow_null=True)
    owner_organisation = inputs.IdField(required=False, allow_null=True)
    owner_external = serializers.CharField(max_length=200, required=False, allow_blank=True)
    due_on = inputs.DateField()
    status = serializers.CharField(
        max_length=12, required=False, help_text="proposed or agreed (default agreed)"
    )
    classification = serializers.IntegerField(
        min_value=0, max_value=2, required=False, help_text=CLASSIFICATION_HELP
    )


class SessionCreateSerializer(serializers.Serializer[Any]):
    held_on = inputs.DateField()
    place = serializers.CharField(max_length=200)
    agenda = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    minutes = serializers.CharField(max_length=50000, required=False, allow_blank=True)
    classification = serializers.IntegerField(
        min_value=0, max_value=2, required=False, help_text=CLASSIFICATION_HELP
    )
    harm = HarmInput()
    attendance = AttendanceInput(many=True, max_length=200)  # type: ignore[call-arg]
    problems = ProblemInput(many=True, required=False, max_length=200)  # type: ignore[call-arg]
    commitments = CommitmentInput(many=True, required=False, max_length=200)  # type: ignore[call-arg]


class SessionSerializer(ModelSerializer[Session]):
    classification = serializers.IntegerField(read_only=True)
    attendance = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "dialogue",
            "classification",
            "held_on",
            "place",
            "agenda",
            "minutes",
            "attendance",
        ]
        read_only_fields = fields

    @extend_schema(exclude=True)
    def get_attendance(self, obj: Session) -> list[dict[str, Any]]:
        return [
            {"group": a.group, "sex": a.sex, "age_band": a.age_band, "count": a.count}
            for a in obj.attendance.all()
        ]


class CommitmentSerializer(ModelSerializer[Commitment]):
    classification = serializers.IntegerField(read_only=True)
    owner_kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    owner = serializers.CharField(source="owner_label", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "dialogue",
            "session",
            "classification",
            "text",
            "owner_kind",
            "owner",
            "due_on",
            "status",
            "status_at",
            "done_at",
            "overdue",
            "overdue_flagged_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Commitment) -> bool:
        return selectors.is_overdue(obj, timezone.now())


class UpdateSerializer(ModelSerializer[CommitmentUpdate]):
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = CommitmentUpdate
        fields = [
            "id",
            "commitment",
            "from_status",
            "to_status",
            "evidence",
            "changed_at",
            "sms_sent",
            "inbox_sent",
        ]
        read_only_fields = fields


class StatusInput(serializers.Serializer[Any]):
    status = serializers.CharField(
        max_length=12, help_text="One of: " + ", ".join(CommitmentStatus.values)
    )
    evidence = serializers.CharField(max_length=5000)
    incidents = serializers.ListField(child=inputs.IdField(), required=False, max_length=50)


class CommitteeSerializer(ModelSerializer[Committee]):
    classification = serializers.IntegerField(read_only=True)

    class Meta:
        model = Committee
        fields = ["id", "mission", "sector", "site", "classification", "name", "community"]
        read_only_fields = fields


class CourseSerializer(ModelSerializer[Course]):
    classification = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = ["id", "mission", "classification", "title", "topic", "pass_mark"]
        read_only_fields = fields


class TraineeSerializer(ModelSerializer[Trainee]):
    result = serializers.CharField(read_only=True)
    certificate = serializers.CharField(read_only=True)

    class Meta:
        model = Trainee
        fields = [
            "id",
            "session",
            "unit",
            "name",
            "rank",
            "pre_score",
            "post_score",
            "result",
            "certificate",
            "suspension_reason",
            "gate_reason",
        ]
        read_only_fields = fields


class TraineeInput(serializers.Serializer[Any]):
    unit = inputs.IdField()
    name = serializers.CharField(max_length=200)
    rank = serializers.CharField(max_length=80, required=False, allow_blank=True)
    sex = serializers.CharField(
        max_length=12, required=False, help_text="One of: " + ", ".join(Sex.values)
    )
    pre_score = serializers.IntegerField(min_value=0, max_value=100, required=False)


class DialogueListCreate(generics.ListAPIView[Dialogue]):
    serializer_class = DialogueSerializer

    def get_queryset(self) -> Any:
        return selectors.dialogues_for(self.request.user).order_by("-started_on", "-id")

    @extend_schema(request=DialogueCreateSerializer, responses={201: DialogueSerializer})
    def post(self, request: Request) -> Response:
        data = validated(DialogueCreateSerializer, request)
        dialogue = services.dialogue_create(
            actor=request.user,
            mission_id=data.pop("mission"),
            site_id=data.pop("site", None),
            sector_id=data.pop("sector", None),
            facilitator_id=data.pop("facilitator", None),
            **data,
        )
        return Response(DialogueSerializer(dialogue).data, status=status.HTTP_201_CREATED)


class DialogueDetail(generics.RetrieveAPIView[Dialogue]):
    serializer_class = DialogueSerializer

    def get_object(self) -> Dialogue:
        return selectors.dialogue_get(self.request.user, self.kwargs["pk"])


class SessionCreate(APIView):
    @extend_schema(request=SessionCreateSerializer, responses={201: SessionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = validated(SessionCreateSerializer, request)
        session = services.session_record(
            actor=request.user,
            dialogue_id=pk,
            held_on=data["held_on"],
            place=data["place"],
            agenda=data.get("agenda", ""),
            minutes=data.get("minutes", ""),
            classification=data.get("classification"),
            harm=dict(data["harm"]),
            attendance=[dict(a) for a in data["attendance"]],
            problems=[dict(p) for p in data.get("problems", [])],
            commitments=[dict(c) for c in data.get("commitments", [])],
        )
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class CommitmentList(generics.ListAPIView[Commitment]):
    serializer_class = CommitmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, description="One of: " + ", ".join(CommitmentStatus.values)
            ),
            OpenApiParameter("overdue", bool),
            id_param("dialogue"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        request = self.request
        filters = selectors.CommitmentFilters(
            status=choice_param(request, "status", CommitmentStatus.values),
            overdue=request.query_params.get("overdue") in ("1", "true"),
            dialogue_id=int_param(request, "dialogue"),
        )
        return selectors.commitments_for(request.user, filters)


class CommitmentDetail(generics.RetrieveAPIView[Commitment]):
    serializer_class = CommitmentSerializer

    def get_object(self) -> Commitment:
        return selectors.commitment_get(self.request.user, self.kwargs["pk"])


class CommitmentStatusChange(APIView):
    @extend_schema(request=StatusInput, responses={201: UpdateSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = validated(StatusInput, request)
        update = services.commitment_update(
            actor=request.user,
            commitment_id=pk,
            status=data["status"],
            evidence=data["evidence"],
            incident_ids=data.get("incidents", []),
        )
        return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class CommitteeList(generics.ListAPIView[Committee]):
    serializer_class = CommitteeSerializer

    def get_queryset(self) -> Any:
        return selectors.committees_for(self.request.user).order_by("name", "id")


class CourseList(generics.ListAPIView[Course]):
    serializer_class = CourseSerializer

    def get_queryset(self) -> Any:
        return selectors.courses_for(self.request.user).order_by("title", "id")


class TraineeEnrol(APIView):
    @extend_schema(request=TraineeInput, responses={201: TraineeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = validated(TraineeInput, request)
        trainee = services.trainee_enrol(
            actor=request.user,
            session_id=pk,
            unit_id=data["unit"],
            name=data["name"],
            rank=data.get("rank", ""),
            sex=data.get("sex", Sex.UNDISCLOSED),
            pre_score=data.get("pre_score"),
        )
        return Response(TraineeSerializer(trainee).data, status=status.HTTP_201_CREATED)


class ReportSerializer(serializers.Serializer[Any]):
    commitments_made = serializers.IntegerField(source="commitments.made")
    commitments_done = serializers.IntegerField(source="commitments.done")
    commitments_overdue = serializers.IntegerField(source="commitments.overdue")
    commitments_dropped = serializers.IntegerField(source="commitments.dropped")
    median_days_to_done = serializers.FloatField(
        source="commitments.median_days_to_done", allow_null=True
    )
    sessions = serializers.IntegerField()
    attendance_by_month = serializers.DictField(child=serializers.DictField())
    attendance_by_group = serializers.DictField(child=serializers.DictField())
    mean_score_gain = serializers.FloatField(allow_null=True)


class ReportView(APIView):
    """Figures for one dialogue (``dialogue``) or one mission (``mission``), from what the
    caller may see."""

    @extend_schema(
        parameters=[id_param("mission"), id_param("dialogue")], responses=ReportSerializer
    )
    def get(self, request: Request) -> Response:
        query = _ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        now = timezone.now()
        dialogue_id = query.validated_data.get("dialogue")
        if dialogue_id is not None:
            dialogue = selectors.dialogue_get(request.user, dialogue_id)
            report = selectors.report(request.user, now=now, dialogue=dialogue)
        else:
            report = selectors.report(
                request.user, now=now, mission_id=query.validated_data.get("mission")
            )
        return Response(ReportSerializer(report).data)


class _ReportQuery(serializers.Serializer[Any]):
    mission = inputs.IdField(required=False)
    dialogue = inputs.IdField(required=False)
