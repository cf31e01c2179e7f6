"""Deployment pages: the board, plan versions, what-ifs, comparisons, calibration, exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bluebox.core import access, web
from bluebox.core.pdf import marking_of
from bluebox.core.pdf import render as pdf_render
from bluebox.core.roles import Resource
from bluebox.core.spreadsheet import safe_row
from bluebox.deployment import adapter, charts, forms, selectors, services, wording
from bluebox.deployment.models import DeploymentPlan, PlanKind, PlanStatus
from bluebox.engines import deployment as engine
from bluebox.missions import selectors as mission_selectors

RUNNING = (PlanStatus.QUEUED, PlanStatus.SOLVING)


def _can(user: Any, action: str, mission_id: int) -> bool:
    return access.can_in_scope(user, Resource.DEPLOYMENT_PLAN, action, mission_id=mission_id)


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The current plan's board, the plan versions and the force, for the user's mission."""
    mission = mission_selectors.default_mission_for(request.user)
    if mission is None or not access.can_in_scope(
        request.user, Resource.FORCE, "view", mission_id=mission.pk
    ):
        return render(request, "403.html", status=403)
    plans = list(selectors.plans_for(request.user, mission.pk)[:30])
    current = selectors.current_plan(request.user, mission.pk)
    force = selectors.force_for(request.user, mission.pk)
    site_names = {s.code: s.name for s in mission_selectors.sites_for(request.user, mission.pk)}
    return render(
        request,
        "deployment/board.html",
        {
            "mission": mission,
            "plan": current,
            "plans": plans,
            "force": force,
            "caveats": [
                {
                    "country": c.country.name,
                    "unit": c.unit,
                    "sentence": wording.caveat_sentence(c.kind, c.parameters, site_names),
                }
                for c in force["caveats"]
            ],
            "story": wording.explanations(current) if current and current.board else None,
            "objective_text": wording.objective_text(current.objective) if current else "",
            "can_propose": _can(request.user, "propose", mission.pk),
            "today": date.today().isoformat(),
            "map_svg": charts.board_map(current.board) if current and current.board else "",
        },
    )


@login_required
@require_POST
def plan_new(request: HttpRequest) -> HttpResponse:
    mission = mission_selectors.default_mission_for(request.user)
    if mission is None:
        raise access.NotVisible()
    try:
        plan_start = date.fromisoformat(request.POST.get("plan_start", ""))
        horizon = int(request.POST.get("horizon_days", "90"))
    except ValueError:
        messages.error(request, _("Give a start date (YYYY-MM-DD) and a number of days."))
        return redirect("deployment-board")
    return web.call_and_redirect(
        request,
        lambda: services.deployment_plan_request(
            actor=request.user,
            mission_id=mission.pk,
            plan_start=plan_start,
            horizon_days=horizon,
            title=request.POST.get("title", "")[:200],
        ),
        to=lambda plan: ("deployment-plan", plan.pk),
        failed_to="deployment-board",
    )


def _plan_context(request: HttpRequest, plan: DeploymentPlan) -> dict[str, Any]:
    choices: dict[str, list[tuple[str, str]]] = {}
    if plan.kind == PlanKind.PLAN and plan.problem and plan.objective is not None:
        problem = engine.problem_from_dict(plan.problem)
        choices = adapter.change_choices(problem, plan.names)
    user = request.user
    analyses = list(access.visible(user, plan.analyses.all()))
    sweep = next((a.result for a in analyses if a.kind == "sweep" and a.result is not None), None)
    offered = wording.offered_changes(plan.problem or {}, plan.names or {}, choices, sweep)
    return {
        "plan": plan,
        "offered": offered,
        "sweep_done": sweep is not None,
        "story": wording.explanations(plan) if plan.board else None,
        "objective_text": wording.objective_text(plan.objective),
        "delta_points": None if plan.delta is None else 100 * plan.delta,
        "proof_text": wording.proof_text(plan.solution),
        "running": plan.status in RUNNING,
        "choices": choices,
        "can_propose": plan.kind == PlanKind.PLAN
        and plan.status == PlanStatus.DRAFT
        and access.can(user, "propose", plan),
        "can_decide": plan.status == PlanStatus.PROPOSED and access.can(user, "approve", plan),
        "can_whatif": bool(offered) and access.can(user, "whatif", plan),
        "whatifs": list(
            selectors.plans_for(user, plan.mission_id, kind=PlanKind.WHATIF).filter(base=plan)
        ),
        "analyses": analyses,
        "others": list(selectors.plans_for(user, plan.mission_id).exclude(pk=plan.pk)[:20]),
        "map_svg": charts.board_map(plan.board) if plan.board else "",
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(request.user, pk)
    return render(request, "deployment/plan.html", _plan_context(request, plan))


@login_required
def plan_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the plan page polls while a solve runs."""
    plan = selectors.plan_for(request.user, pk)
    response = render(request, "deployment/_progress.html", {"obj": plan})
    if plan.status not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def plan_propose(request: HttpRequest, pk: int) -> HttpResponse:
    return web.call_and_redirect(
        request,
        lambda: services.deployment_plan_propose(actor=request.user, plan_id=pk),
        to=("deployment-plan", pk),
        done=_("Plan proposed to the commander."),
    )


@login_required
@require_POST
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    return web.call_and_redirect(
        request,
        lambda: services.deployment_plan_decide(
            actor=request.user,
            plan_id=pk,
            approve=approve,
            comment=request.POST.get("comment", ""),
        ),
        to=("deployment-plan", pk),
        done=_("Plan approved.") if approve else _("Plan returned."),
    )


@login_required
@require_POST
def plan_whatif(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("change", "")
    kind, _sep, target = raw.partition("|")
    return web.call_and_redirect(
        request,
        lambda: services.deployment_whatif_request(
            actor=request.user, plan_id=pk, kind=kind, target=target
        ),
        to=lambda what: ("deployment-plan", what.pk),
        failed_to=("deployment-plan", pk),
    )


@login_required
@require_POST
def plan_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        target = float(request.POST.get("target", "0.8"))
    except ValueError:
        target = -1.0
    return web.call_and_redirect(
        request,
        lambda: services.deployment_analysis_request(
            actor=request.user, plan_id=pk, kind=request.POST.get("kind", ""), target=target
        ),
        to=lambda analysis: ("deployment-analysis", analysis.pk),
        failed_to=("deployment-plan", pk),
    )


@login_required
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = selectors.analysis_for(request.user, pk)
    chart = ""
    changes: list[dict[str, Any]] = []
    if analysis.result and analysis.kind == "sweep":
        problem, names = analysis.plan.problem or {}, analysis.plan.names or {}
        for c in analysis.result.get("changes", []):
            kind, _sep, target = c["change"].partition(":")
            moved = [wording.unit_name(u, problem, names) for u in c.get("moved_ids", [])]
            changes.append(
                {
                    **c,
                    "text": wording.change_text(kind, target, problem, names),
                    "moved": ", ".join(moved or c.get("moved_units", [])),
                }
            )
    if analysis.result and analysis.kind == "force_curve":
        chart = charts.force_curve_svg(analysis.result, analysis.target)
    return render(
        request,
        "deployment/analysis.html",
        {
            "analysis": analysis,
            "running": analysis.status in RUNNING,
            "chart": chart,
            "changes": changes,
        },
    )


@login_required
def analysis_progress(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = selectors.analysis_for(request.user, pk)
    response = render(request, "deployment/_progress.html", {"obj": analysis})
    if analysis.status not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def compare(request: HttpRequest, a: int, b: int) -> HttpResponse:
    first = selectors.plan_for(request.user, a)
    second = selectors.plan_for(request.user, b)
    return render(request, "deployment/compare.html", selectors.compare(first, second))


CSV_HEADER = [
    ("Site code", "#loc+code"),
    ("Site", "#loc+name"),
    ("Kind", "#loc+type"),
    ("Risk", "#severity+risk"),
    ("Need (officers)", "#targeted+need"),
    ("Officers (average)", "#reached+officers"),
    ("Coverage", "#indicator+coverage"),
    ("Unit", "#org+unit"),
    ("Unit officers", "#reached+unit"),
]


@login_required
def plan_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The board as CSV, one row per site and unit, with an HXL hashtag row."""
    plan = selectors.plan_for(request.user, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([h for h, _tag in CSV_HEADER])
    writer.writerow([tag for _h, tag in CSV_HEADER])
    for row in plan.board:
        site = [row["site"], row["name"], row["kind"], row["risk"], row["need"], row["officers"]]
        units = row["units"] or [{"name": "", "officers": 0}]
        for unit in units:
            writer.writerow(safe_row([*site, row["coverage"], unit["name"], unit["officers"]]))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="deployment-plan-{plan.pk}.csv"'
    return response


@login_required
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(request.user, pk)
    html = render_to_string(
        "deployment/plan_pdf.html",
        {
            "plan": plan,
            "map_svg": charts.board_map(plan.board) if plan.board else "",
            "story": wording.explanations(plan) if plan.board else None,
            "objective_text": wording.objective_text(plan.objective),
        },
        request=request,
    )
    pdf = pdf_render(
        html, marking=marking_of(plan.classification), base_url=request.build_absolute_uri("/")
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="deployment-plan-{plan.pk}.pdf"'
    return response


# --- the force register: the IPO roster, units and national caveats -----------------------


def _force_mission(request: HttpRequest, action: str = "view") -> Any:
    mission = mission_selectors.default_mission_for(request.user)
    if mission is None:
        raise access.NotVisible()
    access.require_in_scope(request.user, Resource.FORCE, action, mission_id=mission.pk)
    return mission


@login_required
def forces(request: HttpRequest) -> HttpResponse:
    """The mission's force register, with the forms that keep it, for those who may."""
    mission = _force_mission(request)
    can_change = access.can_in_scope(request.user, Resource.FORCE, "change", mission_id=mission.pk)
    return render(
        request,
        "deployment/forces.html",
        {
            "mission": mission,
            "register": selectors.force_register(request.user, mission.pk),
            "can_change": can_change,
            "roster_form": forms.RosterUploadForm(),
            "fpu_form": forms.FpuForm(mission=mission),
            "spt_form": forms.SptForm(mission=mission),
            "caveat_form": forms.CaveatForm(mission=mission),
        },
    )


@login_required
@require_POST
def forces_roster(request: HttpRequest) -> HttpResponse:
    mission = _force_mission(request, "change")
    form = forms.RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the roster file (CSV)."))
        return redirect("deployment-forces")
    upload = form.cleaned_data["file"]
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text; save it as CSV (UTF-8)."))
        return redirect("deployment-forces")

    def load() -> None:
        report = services.ipo_roster_import(
            actor=request.user, mission_id=mission.pk, text=text, filename=upload.name
        )
        messages.success(
            request,
            _("%(rows)d officers read: %(created)d new, %(updated)d changed, %(same)d unchanged.")
            % {
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "same": report.unchanged,
            },
        )

    return web.call_and_redirect(request, load, to="deployment-forces")


@login_required
@require_POST
def forces_unit_save(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    mission = _force_mission(request, "change")
    form_class = forms.UNIT_FORMS.get(kind)
    if form_class is None:
        raise access.NotVisible()
    instance = None
    if pk is not None:
        model = services.UNIT_MODELS[kind]
        instance = access.get_visible(request.user, model.objects.filter(mission=mission), pk=pk)
    form = form_class(request.POST, mission=mission, instance=instance)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(e) for e in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return redirect("deployment-forces")
    values = {name: form.cleaned_data[name] for name in form._meta.fields or ()}
    return web.call_and_redirect(
        request,
        lambda: services.force_unit_save(
            actor=request.user,
            mission_id=mission.pk,
            kind=kind,
            values=values,
            unit_id=pk,
        ),
        to="deployment-forces",
        done=_("Unit saved."),
    )


@login_required
@require_POST
def forces_caveat_new(request: HttpRequest) -> HttpResponse:
    mission = _force_mission(request, "change")
    form = forms.CaveatForm(request.POST, mission=mission)
    if not form.is_valid():
        messages.error(request, _("Choose a country and a restriction."))
        return redirect("deployment-forces")
    unit = form.cleaned_data["unit"]
    return web.call_and_redirect(
        request,
        lambda: services.caveat_create(
            actor=request.user,
            mission_id=mission.pk,
            country_id=form.cleaned_data["country"].pk,
            unit_id=unit.pk if unit else None,
            kind=form.cleaned_data["kind"],
            parameters=form.parameters(),
            description=form.cleaned_data["description"],
        ),
        to="deployment-forces",
        done=_("Caveat recorded."),
    )


@login_required
@require_POST
def forces_caveat_lift(request: HttpRequest, pk: int) -> HttpResponse:
    _force_mission(request, "change")
    form = forms.LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the caveat is lifted."))
        return redirect("deployment-forces")
    return web.call_and_redirect(
        request,
        lambda: services.caveat_lift(
            actor=request.user, caveat_id=pk, reason=form.cleaned_data["reason"]
        ),
        to="deployment-forces",
        done=_("Caveat lifted."),
    )
