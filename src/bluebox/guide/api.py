"""Field guide endpoints: the answer to a situation, the versions of the rules (with what each
changes), proposal and approval."""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bluebox.core import access, inputs
from bluebox.core.api_params import id_param, validated
from bluebox.core.bounds import json_depth
from bluebox.core.roles import Resource
from bluebox.core.serializers import ModelSerializer
from bluebox.engines.guide.answer import YES_NO_FACTS
from bluebox.guide import selectors, services
from bluebox.guide.models import Action, Phase, RuleVersion, Threat
from bluebox.missions.models import Mission


class _AskQuery(serializers.Serializer[Any]):
    site = inputs.IdField()
    action = serializers.ChoiceField(choices=Action.choices)
    on = inputs.DateField(required=False)
    threat = serializers.ChoiceField(choices=Threat.choices, required=False)
    phase = serializers.ChoiceField(choices=Phase.choices, required=False)
    lang = serializers.ChoiceField(choices=["en", "fr", "ar"], required=False)
    imminent_threat = serializers.BooleanField(required=False, allow_null=True, default=None)
    national_police_present = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )
    national_police_operational = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )
    host_request = serializers.BooleanField(required=False, allow_null=True, default=None)
    hrddp_cleared = serializers.BooleanField(required=False, allow_null=True, default=None)
    commander_order = serializers.BooleanField(required=False, allow_null=True, default=None)


class AnswerSerializer(serializers.Serializer[Any]):
    allowed = serializers.BooleanField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    headline = serializers.CharField()
    rule_titles = serializers.ListField(child=serializers.CharField())
    rule_keys = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())
    conditions = serializers.ListField(child=serializers.CharField())
    steps = serializers.ListField(child=serializers.CharField())
    limits = serializers.ListField(child=serializers.CharField())
    citations = serializers.ListField(child=serializers.CharField())
    custody = serializers.DictField(allow_null=True)
    hand_to_military = serializers.BooleanField()
    version = serializers.CharField()
    version_id = serializers.IntegerField(allow_null=True)
    rules_in_force = serializers.BooleanField()


class Answer(APIView):
    """May I act here, and how? The answer of the rules in force at a site on a day."""

    @extend_schema(
        parameters=[
            id_param("site", required=True),
            OpenApiParameter("action", str, required=True, enum=Action.values),
            OpenApiParameter("on", str, description="YYYY-MM-DD; default today"),
            OpenApiParameter("threat", str, enum=Threat.values),
            OpenApiParameter("phase", str, enum=Phase.values),
            OpenApiParameter("lang", str, enum=["en", "fr", "ar"]),
            *(OpenApiParameter(name, bool) for name in YES_NO_FACTS),
        ],
        responses=AnswerSerializer,
    )
    def get(self, request: Request) -> Response:
        query = _AskQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        lang = data.pop("lang", None) or (translation.get_language() or "en")[:2]
        site_id, action = data.pop("site"), data.pop("action")
        on = data.pop("on", None) or timezone.localdate()
        with translation.override(lang):  # the phrases follow the rules' language
            return self._answer(request, site_id, action, on, lang, data)

    def _answer(
        self, request: Request, site_id: int, action: str, on: Any, lang: str, data: dict[str, Any]
    ) -> Response:
        result = selectors.answer_for(
            request.user, site_id=site_id, action=action, on=on, lang=lang, **data
        )
        if result.words is None:
            body: dict[str, Any] = {
                "allowed": False,
                "action": action,
                "action_label": str(Action(action).label),
                "headline": _("No version of the rules is in force on that day."),
                "rule_titles": [],
                "rule_keys": [],
                "reasons": [_("No version of the rules is in force on that day.")],
                "conditions": [],
                "steps": [],
                "limits": [],
                "citations": [],
                "custody": None,
                "hand_to_military": False,
                "version": "",
            }
        else:
            body = result.words.as_dict()
        body["version_id"] = result.version.pk if result.version else None
        body["rules_in_force"] = result.version is not None
        return Response(AnswerSerializer(body).data)


class _BundleQuery(serializers.Serializer[Any]):
    lang = serializers.ChoiceField(choices=["en", "fr", "ar"], required=False)


class RulesBundle(APIView):
    """The rules in force for the caller's missions, for the field app to answer offline."""

    @extend_schema(
        parameters=[OpenApiParameter("lang", str, enum=["en", "fr", "ar"])],
        responses=OpenApiTypes.OBJECT,
        description="For each mission whose rules the caller may read: the version in force "
        "today with its rules (facts tested, texts and citations in `lang`), the caller's "
        "sites there with the site's record of national police, and the phrases of an "
        "answer; `as_of` is when it was made. Nothing in it names a person.",
    )
    def get(self, request: Request) -> Response:
        if not selectors.may_read_rules(request.user):
            raise PermissionDenied()
        query = _BundleQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lang = query.validated_data.get("lang") or (translation.get_language() or "en")[:2]
        with translation.override(lang):
            return Response(selectors.bundle_for(request.user, lang))


class VersionSerializer(ModelSerializer[RuleVersion]):
    class Meta:
        model = RuleVersion
        fields = [
            "id",
            "mission",
            "label",
            "title",
            "valid_from",
            "valid_until",
            "status",
            "digest",
            "note",
            "proposed_at",
            "decided_at",
            "decision_note",
            "ended_by",
        ]
        read_only_fields = fields


class ChangeSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    subject = serializers.CharField()
    key = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class VersionDetailSerializer(VersionSerializer):
    document = serializers.JSONField(read_only=True)
    follows = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "document", "follows", "changes"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_follows(self, obj: RuleVersion) -> int | None:
        before = selectors.previous_of(obj)
        return before.pk if before else None

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, obj: RuleVersion) -> list[dict[str, Any]]:
        _, changes = selectors.changes_of(obj)
        return [dict(ChangeSerializer(c).data) for c in changes]


class VersionList(generics.ListAPIView[RuleVersion]):
    serializer_class = VersionSerializer

    def get_queryset(self) -> Any:
        return selectors.versions_for(self.request.user)

    @extend_schema(request=None, responses=VersionSerializer(many=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ProposeSerializer(serializers.Serializer[Any]):
    mission = inputs.IdField()
    document = serializers.JSONField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VersionPropose(APIView):
    @extend_schema(request=ProposeSerializer, responses={201: VersionSerializer})
    def post(self, request: Request) -> Response:
        data = validated(ProposeSerializer, request)
        if json_depth(data["document"]) > 12:
            raise serializers.ValidationError({"document": ["Nested too deeply."]})
        mission = _proposable(request, data["mission"])
        version = services.rules_propose(
            actor=request.user, mission=mission, document=data["document"], note=data["note"]
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


def _proposable(request: Request, mission_id: int) -> Mission:
    if mission_id not in access.missions_for(request.user, Resource.GUIDE, "propose"):
        raise access.refuse(
            access.NotVisible(),
            actor=request.user,
            action="propose",
            resource=Resource.GUIDE,
            object_id=f"mission:{mission_id}",
        )
    return Mission.objects.get(pk=mission_id)


class VersionDetail(generics.RetrieveAPIView[RuleVersion]):
    serializer_class = VersionDetailSerializer

    def get_object(self) -> RuleVersion:
        return selectors.version_get(self.request.user, self.kwargs["pk"])


class RuleDecisionSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VersionApprove(APIView):
    @extend_schema(request=RuleDecisionSerializer, responses=VersionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(RuleDecisionSerializer, request)
        version = services.rules_approve(actor=request.user, version_id=pk, note=data["note"])
        return Response(VersionSerializer(version).data)


class VersionRefuse(APIView):
    @extend_schema(request=RuleDecisionSerializer, responses=VersionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = validated(RuleDecisionSerializer, request)
        version = services.rules_refuse(actor=request.user, version_id=pk, note=data["note"])
        return Response(VersionSerializer(version).data)
