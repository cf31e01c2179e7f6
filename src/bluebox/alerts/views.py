"""Alert pages: the triage board with live clocks, an alert's page and its actions, CAP alerts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bluebox.alerts import cap, selectors, services
from bluebox.alerts.forms import CapDetailsForm, CloseForm, ConvertForm, NoteForm, ReplyForm
from bluebox.core import access, web
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource


@login_required
def alert_board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = selectors.board(request.user, now)
    template = (
        "alerts/_board_rows.html" if request.headers.get("HX-Request") else "alerts/board.html"
    )
    return render(request, template, {"rows": rows, "now": now})


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_for(request.user, pk)
    scope: dict[str, Any] = {
        "mission_id": alert.mission_id,
        "sector_id": alert.sector_id,
        "site_id": alert.site_id,
        "classification": alert.classification,
    }
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "clock": selectors.clock(alert),
            "can_triage": access.can_in_scope(request.user, Resource.ALERT, "triage", **scope),
            "can_forward": access.can_in_scope(request.user, Resource.ALERT, "forward", **scope),
            "close_form": CloseForm(),
            "reply_form": ReplyForm(),
            "convert_form": ConvertForm(initial={"incident_type": alert.guessed_type or "threat"}),
        },
    )


ACTIONS = ("acknowledge", "respond", "close", "reply", "forward", "convert")


@login_required
@require_POST
def alert_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise access.NotVisible()
    selectors.alert_for(request.user, pk)  # 404 first for what the user cannot see
    user: Any = request.user
    try:
        if action == "acknowledge":
            services.alert_acknowledge(actor=user, alert_id=pk)
        elif action == "respond":
            note = NoteForm(request.POST)
            note.is_valid()
            services.alert_respond(actor=user, alert_id=pk, note=note.cleaned_data.get("note", ""))
        elif action == "close":
            form = CloseForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("A reason is required."))
            services.alert_close(actor=user, alert_id=pk, **form.cleaned_data)
        elif action == "reply":
            reply = ReplyForm(request.POST)
            if not reply.is_valid():
                raise ServiceError(_("A reply is 1 to 480 characters."))
            services.alert_reply(actor=user, alert_id=pk, text=reply.cleaned_data["text"])
        elif action == "forward":
            services.alert_forward(actor=user, alert_id=pk)
        else:
            convert = ConvertForm(request.POST)
            if not convert.is_valid():
                raise ServiceError(_("Please correct the form."))
            incident = services.alert_convert(actor=user, alert_id=pk, data=convert.cleaned_data)
            messages.success(request, _("Incident created from the alert."))
            return redirect("incident-detail", pk=incident.pk)
    except ServiceError as exc:
        web.flash_errors(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("alert-detail", pk=pk)


@login_required
def cap_list(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/cap_list.html", {"caps": selectors.caps_for(request.user)[:200]})


@login_required
def cap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.cap_for(request.user, pk)
    can_publish = access.can_in_scope(
        request.user,
        Resource.CAP_ALERT,
        "publish",
        mission_id=warning.mission_id,
        classification=warning.classification,
    )
    details = CapDetailsForm(
        initial={
            "expires": warning.expires,
            "web": warning.web,
            "contact": warning.contact,
            "response_types": warning.response_types,
        }
    )
    return render(
        request,
        "alerts/cap_detail.html",
        {
            "cap": warning,
            "xml": cap.cap_xml(warning).decode(),
            "can_publish": can_publish,
            "details": details,
        },
    )


@login_required
@require_POST
def cap_amend(request: HttpRequest, pk: int) -> HttpResponse:
    return web.submit(
        request,
        CapDetailsForm(request.POST),
        lambda data: services.warning_amend(
            actor=request.user,
            cap_id=pk,
            expires=data["expires"],
            web=data["web"],
            contact=data["contact"],
            response_types=data["response_types"],
        ),
        to=("cap-detail", pk),
        invalid=_("Please correct the form."),
        done=_("Saved."),
    )


@login_required
@require_POST
def cap_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return web.call_and_redirect(
        request,
        lambda: services.warning_publish(actor=request.user, cap_id=pk),
        to=("cap-detail", pk),
        done=_("Published."),
    )
