"""How a page calls a service: show its errors or refusal, then redirect.

The one shape every page's POST takes::

    return web.call_and_redirect(
        request,
        lambda: services.incident_verify(actor=request.user, incident_id=pk),
        done=_("Verified."),
        to=("incident-detail", pk),
    )

and a form posted from a record's page goes through :func:`submit`, which first sends an
invalid form back with its message.

A :class:`~bluebox.core.exceptions.ServiceError` becomes messages (:func:`flash_errors`) and
the redirect; a refusal (:class:`~bluebox.core.exceptions.NotPermitted`) is left to rise:
:class:`bluebox.core.middleware.RefusalAuditMiddleware` records it and answers with the 403
page, and a record the user may not see (``NotVisible``) is the 404 page, as anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from bluebox.core import mfa
from bluebox.core.exceptions import ServiceError

R = TypeVar("R")
#: A redirect target: a URL name and its arguments, or a URL.
Target = tuple[Any, ...] | str


def flash_errors(request: HttpRequest, exc: ServiceError) -> None:
    """Show a service's refusal: its message, then each field error it does not already say."""
    messages.error(request, exc.message)
    for errors in exc.field_errors.values():
        for error in errors:
            if error not in exc.message:
                messages.error(request, error)


def _redirect(target: Target) -> HttpResponse:
    if isinstance(target, str):
        return redirect(target)
    name, *args = target
    return redirect(name, *args)


def call_and_redirect(
    request: HttpRequest,
    call: Callable[[], R],
    *,
    to: Target | Callable[[R], Target],
    done: str = "",
    failed_to: Target | None = None,
) -> HttpResponse:
    """Run ``call``; on success say ``done`` and go to ``to`` (or ``to(result)``, for a page of
    what the service created), on a ServiceError show it and go to ``failed_to`` (default
    ``to``, which must then be a target, not a function of the result)."""
    try:
        result = call()
    except ServiceError as exc:
        flash_errors(request, exc)
        if failed_to is None:
            if callable(to):
                raise TypeError("a target that needs the result needs a failed_to") from exc
            failed_to = to
        return _redirect(failed_to)
    if done:
        messages.success(request, done)
    return _redirect(to(result) if callable(to) else to)


def submit(
    request: HttpRequest,
    form: Any,
    call: Callable[[dict[str, Any]], R],
    *,
    to: Target,
    invalid: str,
    done: str = "",
) -> HttpResponse:
    """A form posted from a record's page: if it does not validate, say ``invalid`` and go back
    to ``to``; otherwise :func:`call_and_redirect` with ``call(form.cleaned_data)``."""
    if not form.is_valid():
        messages.error(request, invalid)
        return _redirect(to)
    return call_and_redirect(request, lambda: call(form.cleaned_data), to=to, done=done)


def step_up(request: HttpRequest, form: Any, *, record: Any) -> bool:
    """Check the second factor a reveal form carries (its ``code`` field), bound to the record.

    The check commits on its own before the reveal runs (:func:`bluebox.core.mfa.step_up`); an
    empty code leaves the reveal to use a passkey step-up made just before. A wrong code is
    an error on the form's ``code`` field and ``False``.
    """
    code = (form.cleaned_data.get("code") or "").strip()
    if not code:
        return True
    try:
        mfa.step_up(
            actor=request.user,  # type: ignore[arg-type]
            record_type=mfa.record_type(record),
            object_id=record.pk,
            code=code,
        )
    except ServiceError as exc:
        form.add_error("code", exc.message)
        return False
    return True
