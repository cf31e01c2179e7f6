"""Incident pages: list with filters, detail, report form, verify and void actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bluebox.core import access
from bluebox.core.errors import ServiceError
from bluebox.incidents import selectors, services
from bluebox.incidents.forms import IncidentReportForm, VoidForm
from bluebox.incidents.models import Incident, IncidentStatus, IncidentType
from bluebox.missions import selectors as mission_selectors


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.IncidentFilters(
        mission_id=_int_or_none(request.GET.get("mission")),
        sector_id=_int_or_none(request.GET.get("sector")),
        site_id=_int_or_none(request.GET.get("site")),
        status=request.GET.get("status") or None,
        incident_type=request.GET.get("type") or None,
    )
    page = Paginator(
        selectors.incidents_for(request.user, filters).select_related("site"), 50
    ).get_page(request.GET.get("page"))
    access.audit_reads(request.user, page.object_list)
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "filters": filters,
            "sites": mission_selectors.sites_for(request.user),
            "statuses": IncidentStatus.choices,
            "types": IncidentType.choices,
        },
    )


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = access.get_visible(
        request.user, Incident.objects.select_related("site", "sector"), pk=pk
    )
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "can_verify": access.can(request.user, "verify", incident),
            "can_void": access.can(request.user, "void", incident),
            "void_form": VoidForm(),
        },
    )


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    sites = [
        s
        for s in mission_selectors.sites_for(request.user)
        if access.can_in_scope(
            request.user,
            "incident",
            "create",
            mission_id=s.mission_id,
            sector_id=s.sector_id,
            site_id=s.pk,
        )
    ]
    if not sites:
        return render(request, "403.html", status=403)
    form = IncidentReportForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        site = next(s for s in sites if s.pk == data.pop("site"))
        try:
            incident = services.incident_report(
                actor=request.user, mission=site.mission, site_id=site.pk, data=data
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for field, errors in exc.field_errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except access.NotPermitted:
            form.add_error(
                None, _("Your roles do not allow reporting at this classification here.")
            )
        else:
            messages.success(request, _("Incident reported."))
            return redirect("incident-detail", pk=incident.pk)
    return render(
        request, "incidents/form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def incident_verify(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.incident_verify(actor=request.user, incident_id=pk)
        messages.success(request, _("Incident verified."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("incident-detail", pk=pk)


@login_required
@require_POST
def incident_void(request: HttpRequest, pk: int) -> HttpResponse:
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required to void an incident."))
        return redirect("incident-detail", pk=pk)
    try:
        services.incident_void(
            actor=request.user, incident_id=pk, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Incident voided."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("incident-detail", pk=pk)
