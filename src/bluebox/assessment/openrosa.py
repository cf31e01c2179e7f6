"""The OpenRosa endpoint ODK Collect talks to: form list, form download, manifest and media,
and submissions (``HEAD`` then multipart ``POST``, attachments possibly split over requests).

Collect's server URL is ``https://<host>/openrosa/<mission code>``. Authentication is the HTTP
challenge Collect answers (Basic, over TLS only): the person's own username with either their
password or a collector password made for one phone (``bbc_…``, revocable, usable here only).
Sessions and API tokens are ignored, and a write needs the ``X-OpenRosa-Version`` header that
Collect always sends and a cross-site form cannot, so a browser holding Basic credentials
cannot be made to submit. Digest is not offered: it needs a password-equivalent hash kept on
the server.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from bluebox.assessment import instances, selectors, services
from bluebox.assessment.models import CollectorCredential, FormVersion
from bluebox.core import access, audit, mfa, uploads
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.models import AuditOutcome
from bluebox.core.roles import Resource
from bluebox.missions.models import Mission

OPENROSA_VERSION = "1.0"
XML = "text/xml; charset=utf-8"
LAST_USED_GRANULARITY_S = 300


def max_request_bytes() -> int:
    return int(settings.OPENROSA_MAX_REQUEST_BYTES)


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["Date"] = http_date()
    response["Cache-Control"] = "no-store, private"
    return response


def _answer(status: int, message: str, *, nature: str = "") -> HttpResponse:
    return _headers(
        HttpResponse(instances.response(message, nature=nature), status=status, content_type=XML)
    )


def _challenge() -> HttpResponse:
    response = _answer(401, "Sign in with your bluebox username and password.")
    response["WWW-Authenticate"] = 'Basic realm="bluebox", charset="UTF-8"'
    return response


def _credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep or not username or len(username) > 150 or len(password) > 1024:
        return None
    return username, password


def _collector(username: str, secret: str) -> Any:
    credential = (
        CollectorCredential.objects.select_related("user")
        .filter(
            digest=services.collector_digest(secret),
            revoked_at__isnull=True,
            user__username=username,
            user__is_active=True,
        )
        .first()
    )
    if credential is None:
        return None
    now = timezone.now()
    if (
        credential.last_used_at is None
        or (now - credential.last_used_at).total_seconds() >= LAST_USED_GRANULARITY_S
    ):
        CollectorCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
    return credential.user


def _user(request: HttpRequest) -> Any:
    credentials = _credentials(request)
    if credentials is None:
        return None
    username, password = credentials
    if password.startswith(services.COLLECTOR_PREFIX):
        from bluebox.core.auth import is_throttled

        if not is_throttled(request, username):
            user = _collector(username, password)
            if user is not None:
                return user
    # The account's password, through the throttled, audited backend; a wrong collector
    # password goes the same way, so it counts as a failed login too.
    user = authenticate(request, username=username, password=password)
    if user is not None and mfa.asks_second_factor(user):
        # Basic authentication carries no second factor: a person who signs in with one uses a
        # password made for one phone (revocable, OpenRosa only), never the account's alone.
        audit.record(
            actor=user,
            action="login-refused",
            outcome=AuditOutcome.DENIED,
            resource=Resource.SURVEY_RESPONSE,
            detail={"channel": "openrosa", "reason": "second factor required"},
        )
        return None
    return user


def _refusal(exc: Exception) -> HttpResponse:
    """A refusal as Collect shows it; the audit entry of a refusal survives the rollback."""
    access.record_refusal(exc)
    if isinstance(exc, NotVisible):
        return _answer(404, "Not found.")
    if isinstance(exc, NotPermitted):
        return _answer(403, "You may not send this form here.")
    if isinstance(exc, services.Conflict):
        return _answer(409, exc.message)
    assert isinstance(exc, ServiceError)  # noqa: S101 - the caller catches only these
    return _answer(400, exc.message)


def _guarded(
    view: Callable[[HttpRequest, Any, Mission, Any], HttpResponse],
) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, mission: str, **kwargs: Any) -> HttpResponse:
        if not request.is_secure() and not settings.OPENROSA_ALLOW_HTTP:
            return _answer(403, "Use https:// in the server URL: passwords never travel in clear.")
        user = _user(request)
        if user is None:
            return _challenge()
        # A mission the person holds no role in answers like one that does not exist.
        found = Mission.objects.filter(code=mission).first()
        if found is None or found.pk not in access.missions_for(user, Resource.SURVEY, "view"):
            access.record_refusal(
                access.refuse(
                    NotVisible(),
                    actor=user,
                    action="openrosa",
                    resource="mission",
                    object_id=mission[:64],
                    mission_id=found.pk if found else None,
                )
            )
            return _answer(404, "Not found.")
        try:
            return view(request, user, found, kwargs)
        except (NotVisible, NotPermitted, ServiceError) as exc:
            return _refusal(exc)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


def _form_url(request: HttpRequest, mission: Mission, version: FormVersion, tail: str) -> str:
    return request.build_absolute_uri(
        f"/openrosa/{mission.code}/forms/{version.form.form_id}/{version.version}/{tail}"
    )


@require_GET
@_guarded
def form_list(request: HttpRequest, user: Any, mission: Mission, kwargs: Any) -> HttpResponse:
    """The OpenRosa form discovery document: the forms this person may collect today."""
    wanted = request.GET.get("formID", "")
    items = []
    for version in selectors.collectable_forms(
        user, mission_id=mission.pk, on=timezone.localdate()
    ):
        form = version.form
        if wanted and form.form_id != wanted:
            continue
        manifest = ""
        if version.media_expected:
            url = escape(_form_url(request, mission, version, "manifest"))
            manifest = f"<manifestUrl>{url}</manifestUrl>"
        items.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID>"
            f"<name>{escape(form.title)}</name>"
            f"<version>{escape(version.version)}</version>"
            f"<hash>md5:{version.md5}</hash>"
            f"<downloadUrl>{escape(_form_url(request, mission, version, 'form.xml'))}</downloadUrl>"
            f"{manifest}</xform>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(items) + "</xforms>"
    )
    return _headers(HttpResponse(body, content_type=XML))


def _version(user: Any, mission: Mission, kwargs: dict[str, str]) -> FormVersion:
    return selectors.collectable_version(
        user,
        mission_id=mission.pk,
        form_id=kwargs["form_id"],
        version=kwargs["version"],
        on=timezone.localdate(),
    )


@require_GET
@_guarded
def form_download(request: HttpRequest, user: Any, mission: Mission, kwargs: Any) -> HttpResponse:
    """The XForm of one version, as the form list announced it (its md5 is the list's hash)."""
    version = _version(user, mission, kwargs)
    return _headers(HttpResponse(version.xform.encode(), content_type=XML))


@require_GET
@_guarded
def manifest(request: HttpRequest, user: Any, mission: Mission, kwargs: Any) -> HttpResponse:
    version = _version(user, mission, kwargs)
    files = "".join(
        "<mediaFile>"
        f"<filename>{escape(m.filename)}</filename><hash>md5:{m.md5}</hash>"
        f"<downloadUrl>{escape(_form_url(request, mission, version, 'media/' + m.filename))}"
        "</downloadUrl></mediaFile>"
        for m in selectors.media_of(version)
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest xmlns="http://openrosa.org/xforms/xformsManifest">{files}</manifest>'
    )
    return _headers(HttpResponse(body, content_type=XML))


@require_GET
@_guarded
def media(request: HttpRequest, user: Any, mission: Mission, kwargs: Any) -> HttpResponse:
    version = _version(user, mission, kwargs)
    item = selectors.media_of(version).filter(filename=kwargs["filename"]).first()
    if item is None:
        return _answer(404, "Not found.")
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    response["Content-Disposition"] = "attachment"
    return _headers(response)


@require_http_methods(["HEAD", "POST"])
@_guarded
def submission(request: HttpRequest, user: Any, mission: Mission, kwargs: Any) -> HttpResponse:
    """``HEAD``: 204 with the largest request accepted; ``POST``: one submission, or part of one."""
    if request.headers.get("X-OpenRosa-Version") != OPENROSA_VERSION:
        return _answer(400, "Send the X-OpenRosa-Version: 1.0 header.")
    if request.method == "HEAD":
        response = _headers(HttpResponse(status=204))
        response["X-OpenRosa-Accept-Content-Length"] = str(max_request_bytes())
        return response
    return _receive(request, user, mission)


def _receive(request: HttpRequest, user: Any, mission: Mission) -> HttpResponse:
    if not str(request.META.get("CONTENT_TYPE", "")).startswith("multipart/form-data"):
        return _answer(400, "Send the submission as multipart/form-data.")
    limiter = uploads.limit_upload(request, max_request_bytes())
    files = request.FILES
    if limiter.exceeded:
        return _answer(413, f"Send at most {max_request_bytes()} bytes in one request.")
    xml_file = files.get("xml_submission_file")
    if xml_file is None:
        return _answer(400, "The multipart field xml_submission_file is missing.")
    attachments = [
        (str(f.name), str(f.content_type or ""), f.read())
        for key, items in files.lists()
        if key != "xml_submission_file"
        for f in items
    ]
    received = services.submission_receive(
        actor=user,
        mission=mission,
        xml=xml_file.read(),
        files=attachments,
        device_id=request.GET.get("deviceID", ""),
    )
    if not received.created and not received.attachments_added:
        return _answer(202, "This submission was already received.", nature="submit_success")
    if not received.submission.complete:
        return _answer(201, "Received; waiting for more attachments.", nature="submit_success")
    return _answer(201, "Full submission upload was successful!", nature="submit_success")
