"""Incident pages: list with filters, detail, report form, verify and void actions."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bluebox.core import access, uploads, web
from bluebox.core.bounds import query_day, query_id
from bluebox.core.classification import Classification, marking
from bluebox.core.exceptions import ServiceError, StepUpRequired
from bluebox.core.middleware import passive
from bluebox.core.roles import Resource
from bluebox.core.spreadsheet import safe_row
from bluebox.incidents import charts, exports, photos, selectors, services
from bluebox.incidents.forms import (
    HandoverForm,
    ImportForm,
    IncidentReportForm,
    LinkForm,
    MergeForm,
    RespondForm,
    RevealForm,
    UnmergeForm,
    VerifyForm,
    VoidForm,
)
from bluebox.incidents.models import (
    IncidentStatus,
    IncidentType,
    PerpetratorCategory,
    ProtectedPerson,
)
from bluebox.missions import selectors as mission_selectors


def _without_page(request: HttpRequest) -> str:
    """The list's filters as a query string, for the paging links to keep them."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def list_filters(request: HttpRequest) -> selectors.IncidentFilters:
    """The filters the list and its map share: place, status, type, perpetrator, dates, grading."""
    since = query_day(request.GET, "since")
    until = query_day(request.GET, "until")
    credibility = request.GET.get("credibility", "")
    reliability = request.GET.get("reliability", "")
    return selectors.IncidentFilters(
        mission_id=query_id(request.GET, "mission"),
        sector_id=query_id(request.GET, "sector"),
        site_id=query_id(request.GET, "site"),
        status=request.GET.get("status") or None,
        incident_type=request.GET.get("type") or None,
        text=request.GET.get("q") or None,
        perpetrator_category=request.GET.get("perpetrator") or None,
        since=datetime.combine(since, time(0), tzinfo=UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(0), tzinfo=UTC) if until else None,
        reliability_at_least=reliability if reliability in list("ABCDEF") else None,
        credibility_at_least=int(credibility) if credibility in list("123456") else None,
    )


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    filters = list_filters(request)
    page = Paginator(
        selectors.incidents_for(request.user, filters).select_related("site"), 50
    ).get_page(request.GET.get("page"))
    access.audit_reads(request.user, page.object_list)
    sites = list(mission_selectors.sites_for(request.user))
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "filters": filters,
            "sites": sites,
            "statuses": IncidentStatus.choices,
            "types": IncidentType.choices,
            "perpetrators": PerpetratorCategory.choices,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
            "reliability": request.GET.get("reliability", ""),
            "credibility": request.GET.get("credibility", ""),
            "can_import": bool(selectors.import_missions(request.user)),
            "query": _without_page(request),
            "map_data": {
                "tile_url": settings.MAP_TILE_URL,
                "sites": [
                    {
                        "name": s.name,
                        "kind": s.get_kind_display(),
                        "lat": s.latitude,
                        "lon": s.longitude,
                    }
                    for s in sites
                ],
                # Fetched for the view from the operational picture's endpoint, with the
                # list's filters: every incident is counted, none silently left off.
                "incidents_url": reverse("operational-picture-data")
                + "?layer=incidents"
                + (f"&{_without_page(request)}" if _without_page(request) else ""),
                "count_words": _(
                    "Incidents matching: %(total)s; in view: %(in_view)s, drawn as "
                    "%(markers)s markers and %(clusters)s clusters"
                ),
            },
        },
    )


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_for(request.user, pk)
    may = {
        step: access.can_in_scope(
            request.user,
            services.WORKFLOW,
            step,
            mission_id=incident.mission_id,
            sector_id=incident.sector_id,
            site_id=incident.site_id,
            classification=incident.classification,
            compartments=incident.compartments,
        )
        for step in ("respond", "close", "link", "handover", "merge")
    }
    may_lower = (
        incident.voided_at is None
        and (incident.classification > Classification.UNCLASSIFIED or incident.compartments != 0)
        and access.can_in_scope(
            request.user,
            Resource.DOWNGRADE,
            "request",
            mission_id=incident.mission_id,
            sector_id=incident.sector_id,
            site_id=incident.site_id,
            classification=incident.classification,
            compartments=incident.compartments,
        )
    )
    candidates = []
    if may["merge"] and incident.voided_at is None:
        candidates = selectors.duplicate_candidates(user=request.user, incident=incident)
        access.audit_reads(request.user, [c.incident for c in candidates])
    offered = request.GET.get("duplicate", "")
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "duplicate_candidates": candidates,
            "marking": marking(incident.classification, incident.compartments),
            "may_lower": may_lower,
            "history": selectors.incident_history(request.user, incident),
            "photos": selectors.photos_of(incident),
            "can_verify": access.can(request.user, "verify", incident),
            "can_void": access.can(request.user, "void", incident),
            "may": may,
            "void_form": VoidForm(),
            "verify_form": VerifyForm(
                initial={
                    "source_reliability": incident.source_reliability,
                    "information_credibility": incident.information_credibility,
                }
            ),
            "respond_form": RespondForm(),
            "link_form": LinkForm(),
            # "Merge it into this record" on a possible duplicate fills in its number.
            "merge_form": MergeForm(initial={"duplicate": offered} if offered.isdigit() else None),
            "unmerge_form": UnmergeForm(),
            "handover_form": HandoverForm(),
        },
    )


@login_required
def incident_photo(request: HttpRequest, pk: int, photo: int) -> HttpResponse:
    """A photo of an incident, to whoever may read the incident; never cached, never public."""
    return photos.serve(selectors.photo_for(request.user, pk, photo))


@login_required
def incident_trends(request: HttpRequest) -> HttpResponse:
    """Weekly trends by sector and type under the list's filters (loaded into the list page)."""
    trend = selectors.trends(request.user, list_filters(request), now=timezone.now())
    return render(
        request,
        "incidents/_trends.html",
        {
            "trend": trend,
            "sector_svg": charts.trend_svg(trend.periods, trend.by_sector, trend.unit),
            "type_svg": charts.trend_svg(trend.periods, trend.by_type, trend.unit),
            "tables": [
                ("trend-sector-table", _("Sector"), [(k, sum(c)) for k, c in trend.by_sector]),
                ("trend-type-table", _("Type"), [(k, sum(c)) for k, c in trend.by_type]),
            ],
        },
    )


@login_required
# The photos arrive whole in memory, and stop arriving past the limit of a report's photos.
@uploads.receives_files(lambda: photos.MAX_TOTAL_BYTES)
def incident_new(request: HttpRequest, *, receiving: uploads.LimitedUploadHandler) -> HttpResponse:
    sites = [
        s
        for s in mission_selectors.sites_for(request.user)
        if access.can_in_scope(
            request.user,
            Resource.INCIDENT,
            "create",
            mission_id=s.mission_id,
            sector_id=s.sector_id,
            site_id=s.pk,
        )
    ]
    if not sites:
        return render(request, "403.html", status=403)
    form = IncidentReportForm(
        request.POST if request.method == "POST" else None, request.FILES or None, sites=sites
    )
    if request.method == "POST" and receiving.exceeded:
        form.is_valid()
        form.add_error("photos", photos.too_large_together())
    elif request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        sent = [photos.PhotoUpload(f.name or "", f.read()) for f in data.pop("photos", [])]
        site = next(s for s in sites if s.pk == data.pop("site"))
        if "occurred_at" in data:
            # Typed as the site's local time (08:30 in UTC+1 is 07:30 UTC, not the future).
            data["occurred_at"] = local_wall_time(data["occurred_at"], site.mission.timezone)
        try:
            incident = services.incident_report(
                actor=request.user, mission=site.mission, site_id=site.pk, data=data, photos=sent
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for field, errors in exc.field_errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except access.NotPermitted as exc:
            access.record_refusal(exc)
            form.add_error(
                None, _("Your roles do not allow reporting at this classification here.")
            )
        else:
            messages.success(request, _("Incident reported."))
            return redirect("incident-detail", pk=incident.pk)
    return render(
        request,
        "incidents/form.html",
        {
            "form": form,
            "zones": sorted({s.mission.timezone for s in sites}),
            "pin_data": {
                "tile_url": settings.MAP_TILE_URL,
                "sites": [
                    {"id": s.pk, "name": s.name, "lat": s.latitude, "lon": s.longitude}
                    for s in sites
                ],
            },
        },
        status=400 if form.errors else 200,
    )


def local_wall_time(value: datetime, zone: str) -> datetime:
    """A wall time typed in a form (parsed as if it were UTC) read in the mission's zone."""
    wall = timezone.make_naive(value, UTC)
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


@login_required
@require_POST
def incident_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return web.submit(
        request,
        VerifyForm(request.POST),
        lambda grading: services.incident_verify(
            actor=request.user,
            incident_id=pk,
            source_reliability=grading["source_reliability"] or None,
            information_credibility=grading["information_credibility"],
            note=grading["note"],
        ),
        to=("incident-detail", pk),
        invalid=_("Grades are A to F and 1 to 6: nothing was changed."),
        done=_("Incident verified."),
    )


@login_required
@require_POST
def incident_void(request: HttpRequest, pk: int) -> HttpResponse:
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required to void an incident."))
        return redirect("incident-detail", pk=pk)
    return web.call_and_redirect(
        request,
        lambda: services.incident_void(
            actor=request.user, incident_id=pk, reason=form.cleaned_data["reason"]
        ),
        to=("incident-detail", pk),
        done=_("Incident voided."),
    )


@login_required
@require_POST
def incident_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Workflow steps from the incident page: respond, close, link, merge, primacy handover."""
    forms_for: dict[str, Any] = {
        "respond": RespondForm,
        "link": LinkForm,
        "merge": MergeForm,
        "unmerge": UnmergeForm,
        "primacy": HandoverForm,
    }
    if step not in (*forms_for, "close"):
        raise access.NotVisible()
    selectors.incident_for(request.user, pk)  # 404 first for what the user cannot see
    try:
        if step == "close":
            services.incident_close(actor=request.user, incident_id=pk)
        else:
            form = forms_for[step](request.POST)
            if not form.is_valid():
                messages.error(request, _("Please correct the form."))
                return redirect("incident-detail", pk=pk)
            data = form.cleaned_data
            if step == "respond":
                services.incident_respond(actor=request.user, incident_id=pk, **data)
            elif step == "link":
                services.incident_link(
                    actor=request.user, incident_id=pk, other_id=data["other"], kind=data["kind"]
                )
            elif step == "merge":
                services.incident_merge(
                    actor=request.user,
                    incident_id=pk,
                    duplicate_id=data["duplicate"],
                    note=data["note"],
                )
            elif step == "unmerge":
                services.incident_unmerge(
                    actor=request.user, duplicate_id=pk, reason=data["reason"]
                )
            else:
                services.incident_primacy_handover(actor=request.user, incident_id=pk, **data)
    except ServiceError as exc:
        web.flash_errors(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("incident-detail", pk=pk)


@login_required
def incident_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    if fmt not in exports.FORMATS:
        raise access.NotVisible()
    filters = selectors.IncidentFilters(
        mission_id=query_id(request.GET, "mission"),
        site_id=query_id(request.GET, "site"),
        status=request.GET.get("status") or None,
        incident_type=request.GET.get("type") or None,
        text=request.GET.get("q") or None,
    )
    queryset = selectors.incidents_for(request.user, filters)
    mark, chunks = exports.export(actor=request.user, queryset=queryset, fmt=fmt, channel="web")
    response = StreamingHttpResponse(chunks, content_type=exports.content_type(fmt))
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt, mark)}"'
    response["X-Bluebox-Classification"] = mark.label
    return response


@login_required
def protected_person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """A compartment holder states a purpose and sees the identity (audited)."""
    person = access.get_visible(
        request.user, ProtectedPerson.objects.select_related("incident"), pk=pk
    )
    form = RevealForm(request.POST or None)
    revealed = None
    status = 200
    if request.method == "POST" and form.is_valid():
        if not web.step_up(request, form, record=person):
            status = 400
        else:
            try:
                revealed = services.protected_person_reveal(
                    actor=request.user, person_id=pk, purpose=form.cleaned_data["purpose"]
                )
            except StepUpRequired as exc:
                access.record_refusal(exc)  # the service's rollback took its entry
                form.add_error("code", _("Type a current code (or use a passkey) to reveal."))
                status = 403
            except ServiceError as exc:
                form.add_error("purpose", exc.message)
                status = 400
    return render(
        request,
        "incidents/reveal.html",
        {"person": person, "form": form, "revealed": revealed},
        status=status,
    )


# --- imports of published datasets -----------------------------------------------------------


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a UCDP GED or ACLED file; the import runs in the background with a progress bar."""
    missions = selectors.import_missions(request.user)
    if not missions:
        return render(request, "403.html", status=403)
    form = ImportForm(request.POST or None, request.FILES or None, missions=missions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_job_submit(
                actor=request.user,
                mission_id=data["mission"],
                fmt=data["fmt"],
                upload=data["file"],
                accept_outside=data["accept_outside"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("incident-import-job", pk=job.pk)
    jobs = list(selectors.import_jobs_for(request.user)[:20])
    return render(
        request,
        "incidents/import.html",
        {"form": form, "jobs": jobs, "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
        status=400 if form.errors else 200,
    )


def _job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    job = selectors.import_job_visible(request.user, pk)
    boundary = (job.mission.settings or {}).get("boundary")
    outside_map = (
        {"boundary": boundary, "points": job.outside_sample} if job.outside_sample else None
    )
    return {"job": job, "percent": selectors.import_progress(job), "outside_map": outside_map}


@passive  # watching a job: the page reloads itself when it ends
@never_cache
@login_required
def import_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "incidents/import_job.html", _job_context(request, pk))


@passive
@never_cache
@login_required
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the job page polls; reloads the page once the job has ended."""
    context = _job_context(request, pk)
    response = render(request, "incidents/_import_progress.html", context)
    if not context["job"].is_active:
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The per-row error report of a refused import, as CSV to fix the file with."""
    job = selectors.import_job_visible(request.user, pk)
    body = io.StringIO()
    writer = csv.writer(body)
    writer.writerow(["row", "external_id", "field", "message"])
    for error in job.errors:
        writer.writerow(
            safe_row(error.get(key, "") for key in ("row", "external_id", "field", "message"))
        )
    response = HttpResponse(body.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
