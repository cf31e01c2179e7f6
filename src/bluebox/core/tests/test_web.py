"""The one way a page calls a service: errors as messages, refusals as the 403 page."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import Client, RequestFactory
from django.urls import reverse

from bluebox.core import web
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import AuditEntry, AuditOutcome
from bluebox.deployment.tests.access_matrix import _plan as plan_setup


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _said(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_a_service_error_becomes_its_message_and_the_field_errors_it_does_not_say():
    request = _request()

    def refuse() -> None:
        raise ServiceError(
            "Invalid solver settings.",
            field_errors={"horizon_days": ["Between 1 and 365 days."], "x": ["Invalid solver"]},
        )

    response = web.call_and_redirect(
        request, refuse, done="Queued.", to="/done/", failed_to=("/failed/",)
    )
    assert response.status_code == 302 and response.url == "/failed/"
    assert _said(request) == ["Invalid solver settings.", "Between 1 and 365 days."]


def test_success_says_done_and_may_go_to_what_was_created():
    request = _request()
    response = web.call_and_redirect(
        request, lambda: 7, done="Created.", to=lambda pk: f"/things/{pk}/", failed_to="/"
    )
    assert response.url == "/things/7/"
    assert _said(request) == ["Created."]


def test_a_target_that_needs_the_result_needs_somewhere_to_go_on_failure():
    def refuse() -> int:
        raise ServiceError("No.")

    with pytest.raises(TypeError):
        web.call_and_redirect(_request(), refuse, to=lambda pk: f"/things/{pk}/")


def test_a_refusal_rises_past_the_helper():
    def refuse() -> None:
        raise NotPermitted("not here")

    with pytest.raises(NotPermitted):
        web.call_and_redirect(_request(), refuse, to="/")


def test_a_page_refused_through_the_helper_answers_403_and_is_audited(world):
    plan_setup(world)
    client = Client()
    client.force_login(world.analyst)  # sees the plan, may not propose it
    response = client.post(reverse("deployment-plan-propose", args=[world.plan.pk]))
    assert response.status_code == 403
    assert AuditEntry.objects.filter(outcome=AuditOutcome.DENIED, action="propose").exists()


class _NoteForm(forms.Form):
    note = forms.CharField()


def test_an_invalid_form_says_why_goes_back_and_calls_nothing():
    request = _request()
    called = []
    response = web.submit(
        request, _NoteForm({}), called.append, to=("/back/",), invalid="Give a note.", done="Done."
    )
    assert response.status_code == 302 and response.url == "/back/"
    assert _said(request) == ["Give a note."] and called == []


def test_a_valid_form_calls_the_service_with_what_it_cleaned():
    request = _request()
    called = []
    response = web.submit(
        request,
        _NoteForm({"note": "checked"}),
        called.append,
        to="/back/",
        invalid="Give a note.",
        done="Done.",
    )
    assert response.url == "/back/" and called == [{"note": "checked"}]
    assert _said(request) == ["Done."]


def test_a_valid_form_the_service_refuses_shows_the_error_and_goes_back():
    def refuse(data: dict) -> None:
        raise ServiceError("Not now.")

    request = _request()
    response = web.submit(
        request, _NoteForm({"note": "checked"}), refuse, to="/back/", invalid="-", done="Done."
    )
    assert response.url == "/back/" and _said(request) == ["Not now."]
