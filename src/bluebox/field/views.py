"""The offline reporting app: its page (the same for everyone, so a phone may keep it), the
web app manifest and the service worker that serves both when there is no connection."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bluebox.core.classification import Classification
from bluebox.field import selectors
from bluebox.incidents import photos
from bluebox.incidents.models import IncidentType

SHELL_HEADER = "X-Bluebox-Shell"
# The longest side of a photo as the phone sends it, and the room left in a report's body for
# everything but its photos (the description is at most 20,000 characters).
PHOTO_SIDE = 1600
REPORT_ROOM = 256 * 1024
# What the service worker keeps for offline use: the page's own assets, nothing personal.
ASSETS = [
    "bluebox/app.css",
    "field/field.css",
    "field/field.js",
    "field/guide.js",
    "field/icon-192.png",
    "field/icon-512.png",
]


@login_required
@require_GET
def field_app(request: HttpRequest) -> HttpResponse:
    """The app's page. It carries no name, record or token of the person who asked: the phone
    keeps it to open offline, and whatever is personal (who is signed in, the key that seals
    their drafts, the sites they report at) comes from the API and stays encrypted."""
    if not selectors.may_use(request.user):
        return render(request, "403.html", status=403)
    context = {
        "incident_types": IncidentType.choices,
        "classifications": [
            (int(Classification.CONFIDENTIAL), Classification.CONFIDENTIAL.label),
            (int(Classification.UNCLASSIFIED), Classification.UNCLASSIFIED.label),
        ],
        "strings": _strings(),
        # Photos travel inside the report's JSON, so all of them must fit in the API's bounded
        # body beside the rest of the report: the script makes them smaller until they do.
        "photo_max": photos.MAX_PHOTOS,
        "photo_side": PHOTO_SIDE,
        "photo_budget": int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) - REPORT_ROOM,
    }
    response = render(request, "field/app.html", context)
    response[SHELL_HEADER] = "1"
    return response


def _strings() -> dict[str, str]:
    """The words the script shows, translated on the server like every other string."""
    return {
        "draft": _("Draft"),
        "waiting": _("Waiting to send"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "conflict": _("Changed meanwhile: not sent"),
        "refused": _("Refused: needs your attention"),
        "incident": _("Incident report"),
        "patrol": _("Patrol report"),
        "open": _("Open"),
        "edit": _("Edit"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this report from the phone?"),
        "online": _("Connected"),
        "offline": _("No connection: reports wait on this phone, encrypted."),
        "signin": _("Sign in again while connected to send what is waiting."),
        "no_key": _(
            "Sign in while connected once: the phone needs your key before it can keep reports."
        ),
        "saved": _("Saved on this phone, encrypted."),
        "queued": _("Waiting to send; it goes as soon as there is a connection."),
        "nothing": _("Nothing waiting."),
        "gps_wait": _("Finding your position…"),
        "gps_fail": _("No position from the phone: enter it by hand."),
        "tracking": _("Recording the track: %(n)s points"),
        "track_points": _("%(n)s points in the track"),
        "required": _("Fill in the fields marked required."),
        "record": _("record"),
        "none": _("None"),
        "untitled": _("(untitled)"),
        "rules_as_of": _("Rules as of %(when)s: version %(version)s."),
        "no_rules": _(
            "No rules kept on this phone: open the app once while connected and signed in."
        ),
        "rules_stale": _(
            "The rules kept on this phone are not in force today: connect to get the rules "
            "in force."
        ),
        "not_given": _("Not given"),
        "photos_n": _("Photos: %(n)s"),
        "photo_working": _("Making the photos smaller…"),
        "photo_unreadable": _(
            "This phone cannot read that photo here: take it again with the camera, or choose "
            "a JPEG or PNG."
        ),
        "photo_no_room": _(
            "That photo does not fit in the report: at most %(n)s photos, and all of them "
            "together are limited in size."
        ),
    }


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: install bluebox's field app on the home screen. Public, like a
    stylesheet (browsers fetch it without credentials); it names nothing but the app."""
    start = reverse("field-app")
    body = {
        "name": _("bluebox field reports"),
        "short_name": "bluebox",
        "description": _("Report incidents and patrols, with or without a connection."),
        "start_url": start,
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7f9",
        "theme_color": "#0b4f8a",
        "lang": request.LANGUAGE_CODE,
        "dir": "rtl" if request.LANGUAGE_CODE == "ar" else "ltr",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so it may answer for every language's app
    page. Its version is the hash of what it caches: a new release replaces the old cache."""
    assets = [static(a) for a in ASSETS]
    digest = hashlib.sha256()
    for name in ASSETS:
        found = finders.find(name)
        if found:
            digest.update(Path(str(found)).read_bytes())
    script = render_to_string(
        "field/sw.js",
        {"version": digest.hexdigest()[:16], "assets": json.dumps(assets)},
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
