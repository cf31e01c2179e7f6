"""Mission settings pages: the mission's definition, shown, uploaded and downloaded."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bluebox.core import access
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.missions import definition, selectors, services
from bluebox.missions.models import Mission


@login_required
def mission_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """The mission's definition: download it, or upload a new version and see what changes.

    For the mission's commanders and administrators; it holds the mission's structure and SOP
    settings, never operational content.
    """
    mission = access.get_visible(request.user, Mission.objects.all(), pk=pk)
    access.require_in_scope(
        request.user, Resource.MISSION, "change", object_id=mission.pk, mission_id=mission.pk
    )
    context: dict[str, Any] = {"mission": mission, "problems": [], "report": None}
    if request.method == "POST":
        upload = request.FILES.get("definition")
        if upload is None:
            context["problems"] = [_("Choose a definition file to upload.")]
        else:
            context.update(_apply_upload(request, mission, upload))
    context["summary"] = selectors.mission_definition(mission=mission)
    return render(request, "missions/settings.html", context)


#: The files an administrator may upload beside the definition, each standing for the file the
#: definition names under that key.
GEOGRAPHY_UPLOADS = ("boundary", "sites")


def _read_upload(upload: Any, geography: dict[str, Any]) -> dict[str, Any] | list[str]:
    """The uploaded definition as data (its geography files put in place), or every reason it
    cannot be used."""
    if upload.size > definition.MAX_FILE_BYTES:
        return [_("The file is too large.")]
    try:
        raw = upload.read().decode("utf-8")
        data = json.loads(raw) if upload.name.lower().endswith(".json") else yaml.safe_load(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError):
        return [_("The file is not a readable YAML or JSON document.")]
    if not isinstance(data, dict):
        return [_("A mission definition is a mapping of keys to values.")]
    problems = []
    for key, file in geography.items():
        problems += definition.attach_uploaded(data, key, file.name, file.read())
    if problems:
        return [p.as_text() for p in problems]
    # An uploaded file stands alone: geometry is written inline or uploaded beside it, never
    # read from a path on the server (a path would let the uploader read the server's files).
    sectors = data.get("sectors")
    if any(isinstance(data.get(k), str) for k in GEOGRAPHY_UPLOADS) or (
        isinstance(sectors, list)
        and any(isinstance(s, dict) and isinstance(s.get("boundary"), str) for s in sectors)
    ):
        return [
            _(
                "Write boundaries and sites inline in an uploaded definition, or upload the "
                "boundary and sites files beside it."
            )
        ]
    return data


def _apply_upload(request: HttpRequest, mission: Mission, upload: Any) -> dict[str, Any]:
    geography = {k: request.FILES[k] for k in GEOGRAPHY_UPLOADS if k in request.FILES}
    data = _read_upload(upload, geography)
    if isinstance(data, list):
        return {"problems": data}
    try:
        parsed = definition.parse(data, base=None)
        report = services.mission_update(
            actor=request.user, mission=mission, definition=parsed, via="web"
        )
    except definition.DefinitionError as refused:
        return {"problems": [p.as_text() for p in refused.errors]}
    except ServiceError as exc:
        return {"problems": [str(exc)]}
    return {"report": report}


@login_required
def mission_definition_download(request: HttpRequest, pk: int) -> HttpResponse:
    mission = access.get_visible(request.user, Mission.objects.all(), pk=pk)
    access.require_in_scope(
        request.user, Resource.MISSION, "change", object_id=mission.pk, mission_id=mission.pk
    )
    text = yaml.safe_dump(
        selectors.mission_definition(mission=mission), sort_keys=False, allow_unicode=True
    )
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{mission.code}-mission.yaml"'
    return response
