"""Pages of the second factor: the sign-in step after the password, enrolment, the security page.

Signing in is two steps for anyone asked for a second factor
(:func:`bluebox.core.mfa.asks_second_factor`): the password form only remembers, in the
not-yet-signed-in session, who passed it and when; the session is signed in (and its key
changed) only once the second factor is checked here.
Someone whose roles require a second factor and who has none enrols an authenticator app at
this step, before anything else opens.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bluebox.core import audit, auth, mfa
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import Passkey, TotpDevice, User
from bluebox.core.roles import Resource

#: Who passed the password step, when, and where they were going (until the second factor).
PENDING = "bluebox_pending_login"
#: How the signed-in session's second factor was checked, and when.
VERIFIED = "bluebox_second_factor"
PENDING_MAX_AGE_S = 300
#: The authenticator being enrolled, and recovery codes waiting to be shown once.
ENROLLING = "bluebox_enrolling_totp"
FRESH_CODES = "bluebox_fresh_recovery_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def start_pending(request: HttpRequest, user: User, *, backend: str, next_url: str) -> None:
    """Remember that ``user`` passed the password step (called by the login view)."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "at": time.time(),
        "backend": backend,
        "next": next_url,
    }


def pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    state = request.session.get(PENDING)
    if not isinstance(state, dict) or time.time() - float(state.get("at", 0)) > PENDING_MAX_AGE_S:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=int(state.get("user") or 0), is_active=True).first()
    if user is None or auth.access_ended(user):
        request.session.pop(PENDING, None)
        return None
    return user, state


def _next(request: HttpRequest, state: dict[str, Any]) -> str:
    target = str(state.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def complete_login(
    request: HttpRequest, user: User, state: dict[str, Any], *, method: str, device: str
) -> str:
    """Sign the session in after its second factor; return where to go next."""
    target = _next(request, state)
    login(request, user, backend=state.get("backend") or None)
    request.session[VERIFIED] = {"method": method, "device": device, "at": time.time()}
    audit.record(
        actor=user,
        action="login-second-factor",
        resource=Resource.ACCOUNT,
        object_id=user.pk,
        detail={"method": method},
    )
    return target


def second_factor(request: HttpRequest) -> HttpResponse:
    """The step after the password: a code, a recovery code or a passkey."""
    found = pending(request)
    if found is None:
        messages.error(request, _("Sign in again: the second step waits five minutes at most."))
        return redirect("login")
    user, state = found
    if not mfa.enrolled(user):
        return redirect("login-enrol")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            method, device = mfa.verify(
                user=user, code=form.cleaned_data["code"], action="login-second-factor"
            )
        except ServiceError as exc:
            auth.note_failure(request, user.username)
            form.add_error("code", exc.message)
            status = 400
        else:
            return redirect(complete_login(request, user, state, method=method, device=device))
    return render(
        request,
        "core/second_factor.html",
        {
            "form": form,
            "person": user,
            "has_passkey": Passkey.objects.filter(user=user, confirmed=True).exists(),
            "has_totp": TotpDevice.objects.filter(user=user, confirmed=True).exists(),
        },
        status=status,
    )


def _enrolment(request: HttpRequest, user: User) -> tuple[TotpDevice, str]:
    """The authenticator being enrolled in this session, or a new one."""
    device_id = request.session.get(ENROLLING)
    device = TotpDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device, secret = mfa.totp_enrol_begin(actor=user)
        request.session[ENROLLING] = device.pk
        return device, secret
    value: Any = device.secret
    return device, value.reveal()


def _enrol_page(
    request: HttpRequest, user: User, form: CodeForm, *, status: int, during_login: bool
) -> HttpResponse:
    _device, secret = _enrolment(request, user)
    spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "core/enrol_totp.html",
        {
            "form": form,
            "secret": spaced,
            "uri": mfa.otpauth_uri(user, secret),
            "during_login": during_login,
            "required": mfa.required_for(user),
        },
        status=status,
    )


def login_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of someone whose roles require a second factor and who has none."""
    found = pending(request)
    if found is None:
        return redirect("login")
    user, state = found
    if mfa.enrolled(user):
        return redirect("login-second-factor")
    form = CodeForm(request.POST or None)
    form.fields["code"].label = _("Code the app shows now")
    if request.method == "POST" and form.is_valid():
        device, _secret = _enrolment(request, user)
        try:
            codes = mfa.totp_enrol_confirm(
                actor=user, device_id=device.pk, code=form.cleaned_data["code"]
            )
        except ServiceError as exc:
            form.add_error("code", exc.message)
            return _enrol_page(request, user, form, status=400, during_login=True)
        request.session.pop(ENROLLING, None)
        target = complete_login(request, user, state, method="totp", device=device.persistent_id)
        request.session[FRESH_CODES] = {"codes": codes, "next": target}
        return redirect("recovery-codes")
    return _enrol_page(request, user, form, status=200, during_login=True)


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Recovery codes just issued, shown once: the session forgets them as the page renders."""
    fresh = request.session.pop(FRESH_CODES, None)
    if not isinstance(fresh, dict) or not fresh.get("codes"):
        return redirect("account-security")
    return render(
        request,
        "core/recovery_codes.html",
        {"codes": fresh["codes"], "next": fresh.get("next") or "/"},
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """One's own factors: list them, add an authenticator or a passkey, new recovery codes."""
    user: Any = request.user
    return render(
        request,
        "core/security.html",
        {
            "factors": mfa.factors_of(user),
            "required": mfa.required_for(user),
            "code_form": CodeForm(),
        },
    )


@login_required
def security_enrol_totp(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CodeForm(request.POST or None)
    form.fields["code"].label = _("Code the app shows now")
    if request.method == "POST" and form.is_valid():
        device, _secret = _enrolment(request, user)
        try:
            codes = mfa.totp_enrol_confirm(
                actor=user, device_id=device.pk, code=form.cleaned_data["code"]
            )
        except ServiceError as exc:
            form.add_error("code", exc.message)
            return _enrol_page(request, user, form, status=400, during_login=False)
        request.session.pop(ENROLLING, None)
        messages.success(request, _("The authenticator app is enrolled."))
        if codes:
            request.session[FRESH_CODES] = {"codes": codes, "next": "/account/security/"}
            return redirect("recovery-codes")
        return redirect("account-security")
    return _enrol_page(request, user, form, status=200, during_login=False)


def _checked(request: HttpRequest) -> bool:
    """The code of the security page's form, checked now (new codes and removals need one)."""
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type a current code to confirm."))
        return False
    try:
        mfa.verify(user=request.user, code=form.cleaned_data["code"], action="security-confirm")  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    return True


@login_required
@require_POST
def security_recovery_codes(request: HttpRequest) -> HttpResponse:
    if not _checked(request):
        return redirect("account-security")
    try:
        codes = mfa.recovery_codes_issue(actor=request.user)  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("account-security")
    request.session[FRESH_CODES] = {"codes": codes, "next": "/account/security/"}
    return redirect("recovery-codes")


@login_required
@require_POST
def security_remove(request: HttpRequest) -> HttpResponse:
    if not _checked(request):
        return redirect("account-security")
    try:
        mfa.factor_remove(actor=request.user, persistent_id=request.POST.get("device", "")[:100])  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Removed."))
    return redirect("account-security")
