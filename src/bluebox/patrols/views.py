"""Patrol pages: sites, weekly calendar and map, plan progress, override with the
predictability meter, printable orders, executed patrols and their tracks."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bluebox.core import access, labels, uploads, web
from bluebox.core.bounds import query_day
from bluebox.core.exceptions import ServiceError
from bluebox.core.pdf import marking_of
from bluebox.core.pdf import render as pdf_render
from bluebox.missions.selectors import partners_for
from bluebox.patrols import adapter, charts, selectors, services, tracks
from bluebox.patrols.forms import OverrideForm, PatrolRecordForm, TrackForm
from bluebox.patrols.models import Patrol, PatrolPlan, PlanStatus


def _week(query: Any, name: str = "week") -> date:
    day = query_day(query, name)
    return adapter.monday_of(day) if day else _next_week()


def _next_week() -> date:
    return adapter.monday_of(timezone.localdate()) + timedelta(days=7)


@login_required
def patrol_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "patrols/index.html",
        {"sites": selectors.patrol_sites(request.user), "week": _next_week()},
    )


def _plan_context(request: HttpRequest, plan: PatrolPlan) -> dict[str, Any]:
    user = request.user
    patrols = list(selectors.planned_for(user, plan))
    records = list(selectors.records_for(user, plan.site_id)[:50])
    places = selectors.area_places(plan)
    for p in patrols:
        p.area_name = places.get(p.area, {}).get("place", p.area)  # type: ignore[attr-defined]
        p.coordinates = places.get(p.area, {}).get("coordinates", "")  # type: ignore[attr-defined]
    can_plan = selectors.can_at_site(user, "plan", plan.site)
    context: dict[str, Any] = {
        "plan": plan,
        "site": plan.site,
        "week": plan.week_start,
        "calendar": selectors.calendar(plan, patrols),
        "map_data": selectors.map_data(plan, patrols, records),
        "records": records[:10],
        "score_pct": round(100 * float(plan.override_score.get("score", 0.0)), 1),
        "exposed": [
            {
                "place": places.get(e["area"], {}).get("place", e["area"]),
                "slot": labels.slot(e["slot"]),
                "before": round(100 * float(e.get("coverage_plan", 0))),
                "after": round(100 * float(e.get("coverage_override", 0))),
            }
            for e in plan.override_score.get("exposed", [])
        ],
        "overrides": list(plan.overrides.filter(voided_at__isnull=True)),
        "can_plan": can_plan,
        "can_approve": selectors.can_at_site(user, "approve", plan.site),
        "can_record": selectors.can_at_site(user, "record", plan.site),
        "versions": list(selectors.plans_for(user, plan.site_id, plan.week_start)),
    }
    if can_plan and plan.status == PlanStatus.DRAFT and plan.plan:
        context["override_form"] = _override_form(plan, {a: p["place"] for a, p in places.items()})
    return context


def _override_form(plan: PatrolPlan, names: dict[str, str], data: Any = None) -> OverrideForm:
    assert plan.plan is not None  # noqa: S101
    slots = [(s["id"], labels.slot(s["id"])) for s in plan.plan["problem"]["slots"]]
    teams = [(adapter.team_pk(t["id"]), t["name"]) for t in plan.plan["problem"]["teams"]]
    return OverrideForm(data, slots=slots, teams=teams, areas=list(names.items()))


@login_required
def site_calendar(request: HttpRequest, site_id: int) -> HttpResponse:
    site = selectors.site_visible(request.user, site_id)
    week = _week(request.GET)
    plan = selectors.current_plan(request.user, site.pk, week)
    if plan is not None:
        return render(request, "patrols/plan.html", _plan_context(request, plan))
    return render(
        request,
        "patrols/plan.html",
        {
            "plan": None,
            "site": site,
            "week": week,
            "can_plan": selectors.can_at_site(request.user, "plan", site),
            "teams": selectors.teams_in_service(request.user, site.pk).count(),
        },
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_visible(request.user, pk)
    return render(request, "patrols/plan.html", _plan_context(request, plan))


@login_required
def plan_progress(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_visible(request.user, pk)
    response = render(request, "patrols/_progress.html", {"plan": plan})
    if not plan.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def plan_generate(request: HttpRequest, site_id: int) -> HttpResponse:
    week = _week(request.POST, "week_start")
    return web.call_and_redirect(
        request,
        lambda: services.patrol_plan_request(actor=request.user, site_id=site_id, week_start=week),
        to=lambda plan: ("patrol-plan", plan.pk),
        failed_to=f"{reverse('patrol-site', args=[site_id])}?week={week.isoformat()}",
    )


@login_required
@require_POST
def plan_replan(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        plan = services.patrol_plan_replan(actor=request.user, plan_id=pk)
    except ServiceError as exc:
        web.flash_errors(request, exc)
        return redirect("patrol-plan", pk=pk)
    return redirect("patrol-plan", pk=plan.pk)


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return web.call_and_redirect(
        request,
        lambda: services.patrol_plan_approve(actor=request.user, plan_id=pk),
        to=("patrol-plan", pk),
        done=_("Plan approved."),
    )


@login_required
@require_POST
def plan_override(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_visible(request.user, PatrolPlan.objects.all(), action="plan", pk=pk)
    if not plan.plan:
        messages.error(request, _("This plan has not been solved yet."))
        return redirect("patrol-plan", pk=pk)
    form = _override_form(plan, selectors.area_names(plan), request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a slot, a team and give a reason."))
        return redirect("patrol-plan", pk=pk)
    slot, team = form.cleaned_data["slot"], form.cleaned_data["team"]
    current = [
        (p.team_id, p.area) for p in selectors.planned_for(request.user, plan) if p.slot == slot
    ]
    wanted = [(t, a) for t, a in current if t != team and a != form.cleaned_data["area"]]
    if form.cleaned_data["area"]:
        wanted.append((team, form.cleaned_data["area"]))
    try:
        override = services.patrol_plan_override(
            actor=request.user,
            plan_id=pk,
            slot=slot,
            assignments=wanted,
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request,
            _("Slot overridden: the plan now loses %(pct)s%% of its protection.")
            % {"pct": round(override.score * 100, 1)},
        )
    except ServiceError as exc:
        web.flash_errors(request, exc)
    return redirect("patrol-plan", pk=pk)


@login_required
def plan_orders_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_visible(request.user, pk)
    places = selectors.area_places(plan)
    names = {area: p["place"] for area, p in places.items()}
    by_team: dict[str, list[Any]] = {}
    for p in selectors.planned_for(request.user, plan):
        p.area_name = names.get(p.area, p.area)  # type: ignore[attr-defined]
        p.coordinates = places.get(p.area, {}).get("coordinates", "")  # type: ignore[attr-defined]
        p.route_names = [names.get(n, _("base")) for n in p.route_out]  # type: ignore[attr-defined]
        by_team.setdefault(p.team.name, []).append(p)
    html = render_to_string(
        "patrols/orders_pdf.html",
        {
            "plan": plan,
            "by_team": sorted(by_team.items()),
            "printed": timezone.now(),
            "area_map": charts.areas_map(plan, places),
        },
        request=request,
    )
    pdf = pdf_render(
        html, marking=marking_of(plan.classification), base_url=request.build_absolute_uri("/")
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"patrol-orders-{plan.site.code}-{plan.week_start.isoformat()}-v{plan.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def site_teams(request: HttpRequest, site_id: int) -> HttpResponse:
    site = selectors.site_visible(request.user, site_id)
    if request.method == "POST":
        try:
            created = services.patrol_teams_from_deployment(actor=request.user, site_id=site.pk)
            messages.success(
                request,
                ngettext("%(n)d team formed.", "%(n)d teams formed.", len(created))
                % {"n": len(created)},
            )
        except ServiceError as exc:
            web.flash_errors(request, exc)
        return redirect("patrol-site-teams", site_id=site.pk)
    in_service = selectors.teams_in_service(request.user, site.pk)
    return render(
        request,
        "patrols/teams.html",
        {
            "site": site,
            "teams": in_service.select_related("country"),
            "retired": selectors.teams_for(request.user, site.pk).exclude(
                pk__in=in_service.values("pk")
            ),
            "deployment_plan": selectors.approved_deployment_plan(request.user, site),
            "can_plan": selectors.can_at_site(request.user, "plan", site),
        },
    )


@login_required
def record_new(request: HttpRequest, site_id: int) -> HttpResponse:
    site = selectors.site_visible(request.user, site_id)
    if not selectors.can_at_site(request.user, "record", site):
        return render(request, "403.html", status=403)
    week = adapter.monday_of(timezone.localdate())
    plan = selectors.current_plan(request.user, site.pk, week)
    planned = (
        [
            (p.pk, f"{p.date} {p.slot} {p.team.name}")
            for p in selectors.planned_for(request.user, plan)
        ]
        if plan
        else []
    )
    form = PatrolRecordForm(
        request.POST or None,
        teams=[(t.pk, t.name) for t in selectors.teams_in_service(request.user, site.pk)],
        planned=planned,
        partners=[
            (p.pk, p.name)
            for p in partners_for(request.user, site.mission_id).filter(
                kind__in=services.HOST_STATE_KINDS
            )
        ],
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        engagements = []
        if d["group"]:
            engagements.append(
                services.EngagementInput(
                    d["group"], women=d["women"], men=d["men"], girls=d["girls"], boys=d["boys"]
                )
            )
        try:
            patrol = services.patrol_record(
                actor=request.user,
                site_id=site.pk,
                team_id=d["team"],
                planned_id=d["planned"],
                started_at=d["started_at"],
                ended_at=d["ended_at"],
                members=d["members"],
                members_women=d["members_women"],
                partner_id=d["partner"],
                observations=d["observations"],
                engagements=engagements,
                classification=d["classification"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for field, errs in exc.field_errors.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(request, _("Patrol recorded."))
            return redirect("patrol-record", pk=patrol.pk)
    return render(
        request,
        "patrols/record_form.html",
        {"form": form, "site": site},
        status=400 if form.errors else 200,
    )


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = selectors.record_visible(request.user, pk)
    return render(
        request,
        "patrols/record.html",
        {
            "patrol": patrol,
            "engagements": patrol.engagements.filter(voided_at__isnull=True),
            "incidents": patrol.incidents.all(),
            "track_form": TrackForm(),
            "can_record": access.can(request.user, "record", patrol),
        },
    )


@login_required
@require_POST
@uploads.receives_files(lambda: tracks.MAX_BYTES)
def record_track(
    request: HttpRequest, pk: int, *, receiving: uploads.LimitedUploadHandler
) -> HttpResponse:
    access.get_visible(request.user, Patrol.objects.all(), action="record", pk=pk)
    form = TrackForm(request.POST, request.FILES)
    if receiving.exceeded:
        messages.error(request, tracks.too_large())
        return redirect("patrol-record", pk=pk)
    if not form.is_valid():
        messages.error(request, _("Choose a GPX or GeoJSON file."))
        return redirect("patrol-record", pk=pk)
    upload = form.cleaned_data["track"]
    return web.call_and_redirect(
        request,
        lambda: services.patrol_track_upload(
            actor=request.user, patrol_id=pk, filename=upload.name, content=upload.read()
        ),
        to=("patrol-record", pk),
        done=_("Track uploaded."),
    )


@login_required
def record_track_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The patrol's track as a GPX or GeoJSON file, each fix with its time."""
    patrol = access.get_visible(request.user, Patrol.objects.select_related("team"), pk=pk)
    if not patrol.track:
        raise access.NotVisible()
    filename = f"patrol-{patrol.pk}-track"
    if fmt == "gpx":
        response = HttpResponse(selectors.track_gpx(patrol), content_type="application/gpx+xml")
    else:
        response = HttpResponse(
            json.dumps(selectors.track_feature(patrol)), content_type="application/geo+json"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
