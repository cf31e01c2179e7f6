"""Evaluation pages: the sites and interventions one may evaluate, and each one's evaluation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bluebox.core import access, web
from bluebox.core.bounds import query_day, query_id
from bluebox.core.roles import Resource
from bluebox.evaluation import charts, selectors, services, words
from bluebox.evaluation.forms import InterventionForm
from bluebox.missions.models import FieldSite, Mission


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evaluation/index.html",
        {
            "sites": selectors.evaluation_sites(request.user),
            "interventions": list(selectors.interventions_for(request.user)),
            "may_record": bool(access.missions_for(request.user, Resource.EVALUATION, "manage")),
        },
    )


def site(request: HttpRequest, pk: int) -> HttpResponse:
    until = query_day(request.GET, "until")
    ev = selectors.site_evaluation(user=request.user, site_id=pk, until=until)
    r = ev.results
    names = {a["area"]: a["area"] for a in ev.areas}
    context = {
        "ev": ev,
        "same": r.same_slot,
        "same_label": words.verdict_label(r.same_slot.verdict),
        "same_sentence": words.verdict_sentence(
            r.same_slot, where=_("in the areas and slots a patrol was sent to")
        ),
        "next_sentence": words.verdict_sentence(r.next_slot, where=_("in the slot after a patrol")),
        "spill_sentence": words.verdict_sentence(r.spillover, where=_("next to a patrolled area")),
        "spill_label": words.verdict_label(r.spillover.verdict),
        "dose_sentence": words.dose_sentence(r.dose),
        "interval": words.interval(r.same_slot),
        "dose_chart": charts.dose_curve_svg(r.curve),
        "area_map": charts.area_map_svg(ev.areas, names),
        "compliance": (ev.executed_of_planned / ev.planned) if ev.planned else None,
    }
    return render(request, "evaluation/site.html", context)


def _recording_sites(request: HttpRequest, mission: Mission) -> list[tuple[int, str]]:
    return [
        (s.pk, s.name)
        for s in FieldSite.objects.filter(mission=mission).order_by("name")
        if access.can_in_scope(
            request.user,
            Resource.EVALUATION,
            "manage",
            mission_id=mission.pk,
            sector_id=s.sector_id,
            site_id=s.pk,
        )
    ]


def intervention_new(request: HttpRequest) -> HttpResponse:
    ids = access.missions_for(request.user, Resource.EVALUATION, "manage")
    wanted = query_id(request.GET, "mission")
    mission = (
        Mission.objects.filter(pk__in=ids)
        .filter(**({"pk": wanted} if wanted is not None else {}))
        .order_by("name")
        .first()
    )
    if mission is None:
        return render(request, "403.html", status=403)
    form = InterventionForm(request.POST or None, sites=_recording_sites(request, mission))
    template = "evaluation/intervention_new.html"
    if request.method == "POST":
        if not form.is_valid():
            return render(request, template, {"form": form, "mission": mission}, status=400)
        data = form.cleaned_data
        return web.call_and_redirect(
            request,
            lambda: services.intervention_create(
                actor=request.user,
                mission_id=mission.pk,
                kind=data["kind"],
                title=data["title"],
                site_id=data["site"],
                area=data["area"],
                started_on=data["started_on"],
                description=data["description"],
                classification=data["classification"],
            ),
            to=lambda record: ("evaluation-intervention", record.pk),
            failed_to=f"{request.path}?mission={mission.pk}",
            done=_("Intervention recorded."),
        )
    return render(request, template, {"form": form, "mission": mission})


def intervention(request: HttpRequest, pk: int) -> HttpResponse:
    until = query_day(request.GET, "until")
    ev = selectors.intervention_evaluation(user=request.user, intervention_id=pk, until=until)
    r = ev.results
    inputs = ev.inputs
    post = inputs.period_starts[inputs.start_period :]
    context = {
        "ev": ev,
        "i": ev.intervention,
        "sc": r.synthetic,
        "did": r.did,
        "sc_label": words.verdict_label(r.synthetic.verdict),
        "sc_sentence": words.intervention_sentence(r.synthetic),
        "sc_interval": words.interval(r.synthetic),
        "did_label": words.verdict_label(r.did.verdict),
        "did_sentence": words.intervention_sentence(r.did),
        "did_interval": words.interval(r.did),
        "chart": charts.treated_vs_synthetic_svg(
            inputs.period_starts, r.series, inputs.start_period
        ),
        "post_periods": len(post),
        "comparison_units": len(inputs.panel["unit"].unique()) - 1 if len(inputs.panel) else 0,
        "weights": sorted(r.series.get("weights", {}).items(), key=lambda kv: -kv[1])[:5],
    }
    return render(request, "evaluation/intervention.html", context)
