"""The JSON endpoints behind ``static/bluebox/passkeys.js``: register, sign in, step up.

Each ceremony's state (its challenge) lives in the person's session between *begin* and
*complete*, and is taken out at *complete*, so an answer is accepted once. Bodies are the
browser's ``PublicKeyCredential`` in its JSON form; answers are JSON, errors a 400 with a
message (never what was stored).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from bluebox.core import mfa, mfa_views, passkeys
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import SecondFactorMethod

STATE = "bluebox_passkey_ceremony"
MAX_BODY = 64 * 1024


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise ServiceError("The request is too large.")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise ServiceError("The request is not JSON.") from exc
    if not isinstance(data, dict):
        raise ServiceError("The request is not a JSON object.")
    return data


def _error(exc: ServiceError) -> JsonResponse:
    return JsonResponse({"detail": exc.message}, status=400)


def _begin(
    request: HttpRequest, kind: str, options: dict[str, Any], state: dict[str, Any], **bound: Any
) -> JsonResponse:
    request.session[STATE] = {"kind": kind, "state": state, **bound}
    return JsonResponse({"publicKey": options["publicKey"]})


def _take(request: HttpRequest, kind: str) -> dict[str, Any]:
    saved = request.session.pop(STATE, None)
    if not isinstance(saved, dict) or saved.get("kind") != kind:
        raise ServiceError("Start again: this ceremony was not begun here.")
    return saved


def _rp(request: HttpRequest) -> str:
    return passkeys.rp_id_for(request.get_host())


@login_required
@require_POST
def register_begin(request: HttpRequest) -> JsonResponse:
    options, state = passkeys.registration_begin(actor=request.user, rp_id=_rp(request))  # type: ignore[arg-type]
    return _begin(request, "register", options, state)


@login_required
@require_POST
def register_complete(request: HttpRequest) -> JsonResponse:
    try:
        data = _body(request)
        saved = _take(request, "register")
        passkey, codes = passkeys.registration_complete(
            actor=request.user,  # type: ignore[arg-type]
            rp_id=_rp(request),
            state=saved["state"],
            response=data.get("credential") or {},
            name=str(data.get("name") or "")[:64],
        )
    except ServiceError as exc:
        return _error(exc)
    target = reverse("account-security")
    if codes:
        request.session[mfa_views.FRESH_CODES] = {"codes": codes, "next": target}
        target = reverse("recovery-codes")
    return JsonResponse({"ok": True, "name": passkey.name, "redirect": target})


@require_POST
def login_begin(request: HttpRequest) -> JsonResponse:
    found = mfa_views.pending(request)
    if found is None:
        return JsonResponse({"detail": "Sign in again."}, status=400)
    user, _state = found
    try:
        options, state = passkeys.authentication_begin(user=user, rp_id=_rp(request))
    except ServiceError as exc:
        return _error(exc)
    return _begin(request, "login", options, state, user=user.pk)


@require_POST
def login_complete(request: HttpRequest) -> JsonResponse:
    found = mfa_views.pending(request)
    if found is None:
        return JsonResponse({"detail": "Sign in again."}, status=400)
    user, pending_state = found
    try:
        data = _body(request)
        saved = _take(request, "login")
        if saved.get("user") != user.pk:
            raise ServiceError("Start again: this ceremony was not begun here.")
        passkey = passkeys.authentication_complete(
            user=user,
            rp_id=_rp(request),
            state=saved["state"],
            response=data.get("credential") or {},
            action="login-second-factor",
        )
    except ServiceError as exc:
        return _error(exc)
    target = mfa_views.complete_login(
        request,
        user,
        pending_state,
        method=SecondFactorMethod.PASSKEY,
        device=passkey.persistent_id,
    )
    return JsonResponse({"ok": True, "redirect": target})


@login_required
@require_POST
def step_up_begin(request: HttpRequest) -> JsonResponse:
    """Begin a passkey step-up bound to one record (``record_type`` and ``object_id``)."""
    try:
        data = _body(request)
        record_type = mfa.check_record_type(str(data.get("record_type", ""))[:100])
        object_id = str(data.get("object_id", ""))[:64]
        if not object_id:
            raise ServiceError("Which record?")
        options, state = passkeys.authentication_begin(user=request.user, rp_id=_rp(request))  # type: ignore[arg-type]
    except ServiceError as exc:
        return _error(exc)
    return _begin(request, "step-up", options, state, record_type=record_type, object_id=object_id)


@login_required
@require_POST
def step_up_complete(request: HttpRequest) -> JsonResponse:
    user: Any = request.user
    try:
        data = _body(request)
        saved = _take(request, "step-up")
        passkey = passkeys.authentication_complete(
            user=user,
            rp_id=_rp(request),
            state=saved["state"],
            response=data.get("credential") or {},
            action="step-up",
        )
    except ServiceError as exc:
        return _error(exc)
    step = mfa.record_step_up(
        user=user,
        record_type=saved["record_type"],
        object_id=saved["object_id"],
        method=SecondFactorMethod.PASSKEY,
        device=passkey.persistent_id,
        now=passkey.last_used_at or passkey.created_at,
    )
    return JsonResponse({"ok": True, "step_up": step.pk})
