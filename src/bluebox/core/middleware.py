"""Session idle and absolute timeouts, the forced password change, refusal audit, and the
security headers of every page."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from bluebox.core.auth import access_ended

STARTED = "bluebox_started"
LAST_SEEN = "bluebox_last_seen"
# Activity is recorded to within this many seconds: precise enough for a 30-minute idle limit.
LAST_SEEN_GRANULARITY_S = 30


def passive(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view a page polls by itself (a progress bar): it is not the person's activity.

    Such requests neither keep an idle session alive nor write the session, so a page left
    open does not hold a session forever, and polling never waits on a database busy with a
    long import.
    """
    view.bluebox_passive = True  # type: ignore[attr-defined]
    return view


class SessionTimeoutMiddleware:
    """Ends a session idle for too long, any session older than the absolute limit, and the
    session of an account whose access has ended (end of rotation)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.get(STARTED)
            last_seen = request.session.get(LAST_SEEN)
            if started is not None and (
                now - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT_S
                or (
                    last_seen is not None
                    and now - float(last_seen) > settings.SESSION_IDLE_TIMEOUT_S
                )
            ):
                logout(request)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return None
        if access_ended(user):
            # The end of rotation passed during the session: it ends at its next request.
            logout(request)
            if request.path.startswith("/api/"):
                return None
            messages.error(
                request,
                _("Your account's access has ended (end of rotation); you are signed out."),
            )
            return redirect_to_login(request.get_full_path())
        if getattr(view, "bluebox_passive", False):
            return None
        now = time.time()
        if request.session.get(STARTED) is None:
            request.session[STARTED] = now
        last_seen = request.session.get(LAST_SEEN)
        # Every page view writing the session would make every read a database write.
        if last_seen is None or now - float(last_seen) >= LAST_SEEN_GRANULARITY_S:
            request.session[LAST_SEEN] = now
        return None


class RefusalAuditMiddleware:
    """Re-records refusals whose audit entry a rolled-back transaction took away (web pages)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from bluebox.core.access import NotPermitted, record_refusal

        record_refusal(exception)
        if isinstance(exception, NotPermitted):
            # A page that did not catch it answers as a refused action, not a server error.
            return render(request, "403.html", status=403)
        return None


class SecurityHeadersMiddleware:
    """The Content-Security-Policy on every response, and ``no-store`` on every response to a
    signed-in user (pages, API and every reveal alike).

    Anything a signed-in person receives may hold protected content — a revealed identity, a
    detainee's custody page, a map of incidents — and field phones are often shared: nothing of
    it may stay in a browser's or a proxy's cache. Static assets are served before this runs
    and stay cacheable. The policy allows scripts and styles from the server only, so an
    injected ``<script>``, ``onclick=`` or ``style=`` does nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = str(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        # Read after the view: DRF puts the token's user on the request while it runs.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


# Addresses outside the translated pages: the API, static files, the service worker, health.
UNPREFIXED = ("/api/", "/static/", "/i18n/", "/admin/", "/sw.js", "/healthz", "/readyz", "/metrics")


class PreferredLanguageMiddleware:
    """The language a signed-in person chose, on every page, not only under ``/fr/`` or
    ``/ar/``: a page opened at an address without a language prefix (a bookmark, a link in a
    notification) is redirected to the same page in their language, and other requests (the
    API, a form posted there) are answered in it. Runs after authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        wanted = getattr(user, "preferred_language", "") if user is not None else ""
        if (
            user is None
            or not user.is_authenticated
            or wanted not in self.codes
            or wanted == settings.LANGUAGE_CODE
            or translation.get_language_from_path(request.path_info)
        ):
            return self.get_response(request)
        if request.method in ("GET", "HEAD") and not request.path.startswith(UNPREFIXED):
            query = request.META.get("QUERY_STRING", "")
            target = f"/{wanted}{request.path}" + (f"?{query}" if query else "")
            return HttpResponseRedirect(target)
        translation.activate(wanted)
        request.LANGUAGE_CODE = wanted
        return self.get_response(request)


#: What a person who must choose their own password may still open: that page, signing out,
#: the language switch, and the recovery codes shown once right after enrolling a factor.
PASSWORD_CHANGE_ALLOWS = frozenset(
    {"account-password", "logout", "set_language", "recovery-codes", "healthz", "readyz"}
)


class PasswordChangeRequiredMiddleware:
    """A signed-in session whose account's password was set by someone else (an invitation, a
    reset) reaches no page but the password change until its holder has chosen their own.

    Only sessions are held here: an API token is created by its holder once signed in, so an
    account that must change its password holds none (a reset revokes them).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in PASSWORD_CHANGE_ALLOWS:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Choose your own password first (the password page)."}, status=403
            )
        from django.urls import reverse
        from django.utils.http import urlencode

        target = reverse("account-password")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
