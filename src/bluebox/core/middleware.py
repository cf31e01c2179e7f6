"""Session idle and absolute timeouts."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

STARTED = "bluebox_started"
LAST_SEEN = "bluebox_last_seen"


class SessionTimeoutMiddleware:
    """Ends a session idle for too long, and any session older than the absolute limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.get(STARTED)
            last_seen = request.session.get(LAST_SEEN)
            if started is None:
                request.session[STARTED] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT_S or (
                last_seen is not None and now - float(last_seen) > settings.SESSION_IDLE_TIMEOUT_S
            ):
                logout(request)
                return self.get_response(request)
            request.session[LAST_SEEN] = now
        return self.get_response(request)


class RefusalAuditMiddleware:
    """Re-records refusals whose audit entry a rolled-back transaction took away (web pages)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        from bluebox.core.access import record_refusal

        record_refusal(exception)
