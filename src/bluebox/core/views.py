"""Account pages, health check and error pages (which never echo request data)."""

from __future__ import annotations

import sys
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_GET, require_POST

from bluebox.core import access, auth, health, mfa, mfa_views, monitoring, selectors, services, web
from bluebox.core.exceptions import ServiceError
from bluebox.core.forms import ThrottledAuthenticationForm
from bluebox.core.roles import Resource


class LoginView(auth_views.LoginView):
    """The password step. Someone asked for a second factor is not signed in here: the session
    only remembers that the password passed, and the second-factor page completes the sign-in
    (:mod:`bluebox.core.mfa_views`)."""

    template_name = "core/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not mfa.asks_second_factor(user):
            return super().form_valid(form)
        mfa_views.start_pending(
            self.request,
            user,
            backend=getattr(user, "backend", ""),
            next_url=self.get_success_url(),
        )
        if mfa.enrolled(user):
            return redirect("login-second-factor")
        return redirect("login-enrol")


@login_required
def account_password(request: HttpRequest) -> HttpResponse:
    """One's own password: the current one, then the new one twice (the site's password rules).

    The page every other page leads to while the account's password is one someone else set
    (:class:`bluebox.core.middleware.PasswordChangeRequiredMiddleware`).
    """
    user: Any = request.user
    forced = bool(user.must_change_password)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    form = PasswordChangeForm(user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_password_set(
                    actor=user, user=user, password=form.cleaned_data["new_password1"]
                )
            except ServiceError as exc:
                form.add_error("new_password1", exc.message)
            else:
                # The other sessions of the account end with the old password; this one stays.
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password is changed."))
                return redirect(target or "dashboard")
        elif "old_password" in form.errors:
            auth.note_failure(request, user.get_username())
        status = 400
    return render(
        request,
        "core/password_change.html",
        {"form": form, "forced": forced, "next": target},
        status=status,
    )


RETRY_AFTER_S = 30


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. It reads nothing, so an outage elsewhere is not a crash."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when every check passes, else 503 with ``Retry-After``.

    Everyone reads the status; the checks' figures only the monitoring token or loopback.
    """
    report = health.readiness()
    body = report if monitoring.may_monitor(request) else {"status": report["status"]}
    response = JsonResponse(body, status=200 if report["status"] == "ok" else 503)
    if response.status_code == 503:
        response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not monitoring.may_monitor(request):
        return JsonResponse({"detail": "Monitoring token required."}, status=403)
    response = HttpResponse(
        monitoring.render(), content_type="text/plain; version=0.0.4; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def system_status(request: HttpRequest) -> HttpResponse:
    """The administrator's view of the machinery: checks and job counts, no operational content."""
    if not selectors.may_see_system_status(request.user):
        raise PermissionDenied
    return render(request, "core/status.html", selectors.system_status())


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = list(selectors.audit_entries_for(request.user)[:200])
    return render(request, "core/audit_log.html", {"entries": entries})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def _database_unavailable(exc: BaseException | None) -> bool:
    """The error, or one it was raised from (a session that could not be saved), is the
    database being unreachable or locked."""
    import sqlite3

    from django.db import InterfaceError, OperationalError

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError | sqlite3.OperationalError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400, unless the request failed because its session could not be saved to a database
    that is down or locked: that is the service being unavailable, not a bad request."""
    if _database_unavailable(exception):
        return _error_response(request, unavailable=True)
    from django.views.defaults import bad_request as default_bad_request

    return default_bad_request(request, exception or Exception())


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with ``Retry-After`` when the database is unreachable or locked."""
    return _error_response(request, unavailable=_database_unavailable(sys.exc_info()[1]))


def _error_response(request: HttpRequest, *, unavailable: bool) -> HttpResponse:
    """Rendered without the request's context (which would read the session from the database
    that just failed); JSON under /api/, where clients parse the body."""
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        detail = (
            "The service is temporarily unavailable; retry later."
            if unavailable
            else "Server error; it has been recorded."
        )
        response: HttpResponse = JsonResponse(
            {"detail": detail, "request_id": getattr(request, "request_id", "")}, status=status
        )
    else:
        template = "503.html" if unavailable else "500.html"
        response = HttpResponse(render_to_string(template), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_S)
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and the choice kept on the account of whoever is signed in:
    the next page speaks it even at an address without a language prefix."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {c for c, _n in settings.LANGUAGES}:
        services.user_language_set(actor=request.user, language=language)
    return response


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What was checked or done"), max_length=1000)


@login_required
def reveal_alerts(request: HttpRequest) -> HttpResponse:
    """Reveal-rate alerts: who revealed more identities than the mission's setting, and when."""
    if not access.grants(request.user, Resource.REVEAL_ALERT, "view"):
        raise PermissionDenied
    alerts = list(selectors.reveal_alerts_for(request.user)[:200])
    may_acknowledge = access.missions_for(request.user, Resource.REVEAL_ALERT, "acknowledge")
    return render(
        request,
        "core/reveal_alerts.html",
        {"alerts": alerts, "may_acknowledge": may_acknowledge, "form": AcknowledgeForm()},
    )


@login_required
@require_POST
def reveal_alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    form = AcknowledgeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return web.call_and_redirect(
        request,
        lambda: services.reveal_alert_acknowledge(actor=request.user, alert_id=pk, note=note),
        done=_("Acknowledged."),
        to="reveal-alerts",
    )
