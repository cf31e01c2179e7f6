"""Evaluation pages: the sites one may evaluate, and one site's evaluation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bluebox.core.bounds import query_day
from bluebox.evaluation import charts, selectors, words


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evaluation/index.html",
        {"sites": selectors.evaluation_sites(request.user)},
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
