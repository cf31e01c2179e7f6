"""Indicator pages: the dashboard, its factsheet (PDF) and CSV with HXL hashtags."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bluebox.assessment import charts, selectors, services
from bluebox.assessment.models import Indicator, IndicatorSource, IndicatorValue
from bluebox.core import access, inputs, pdf, web
from bluebox.core.classification import Classification
from bluebox.core.roles import Resource
from bluebox.core.spreadsheet import safe_row
from bluebox.engines.survey import Estimate
from bluebox.missions.models import Mission, Sector

HXL = [
    ("indicator", "#indicator+code"),
    ("name", "#indicator+name"),
    ("unit", "#indicator+unit"),
    ("period_start", "#date+start"),
    ("period_end", "#date+end"),
    ("sector", "#adm1+name"),
    ("value", "#indicator+value+num"),
    ("lower", "#indicator+value+lower"),
    ("upper", "#indicator+value+upper"),
    ("baseline", "#indicator+baseline+num"),
    ("target", "#indicator+target+num"),
    ("source", "#meta+source"),
    ("records", "#meta+count"),
]


class ComputeForm(forms.Form):
    period_start = inputs.FormDateField(label=gettext_lazy("From"))
    period_end = inputs.FormDateField(label=gettext_lazy("To"))


class EnterForm(ComputeForm):
    value = forms.FloatField(label=gettext_lazy("Value"))
    evidence = forms.CharField(label=gettext_lazy("Evidence"), max_length=4000)


def _rows(user: Any, mission_id: int | None = None) -> list[dict[str, Any]]:
    sectors = dict(Sector.objects.values_list("pk", "name"))
    out = []
    for indicator in selectors.indicators_for(user, mission_id=mission_id):
        values = selectors.indicator_values(user, indicator)
        mission_values = [v for v in values if v.sector_id is None]
        latest = mission_values[-1] if mission_values else None
        by_sector = [
            v for v in values if latest and v.sector_id and v.period_start == latest.period_start
        ]
        trend = [
            Estimate(
                "", v.period_start.isoformat(), int(v.numerator or 0),
                v.value / 100 if v.value is not None and indicator.unit == "percent" else None,
                None,
                v.lower / 100 if v.lower is not None else None,
                v.upper / 100 if v.upper is not None else None,
                suppressed=v.value is None,
            )
            for v in mission_values
        ]  # fmt: skip
        out.append(
            {
                "indicator": indicator,
                "latest": latest,
                "sectors": [(sectors.get(v.sector_id or 0, ""), v) for v in by_sector],
                "chart": charts.trend_svg(trend, title=indicator.name)
                if indicator.unit == "percent"
                else "",
                "values": values,
            }
        )
    return out


def _may(user: Any, action: str) -> list[Mission]:
    ids = [
        m
        for m in access.missions_for(user, Resource.INDICATOR, action)
        if access.can_in_scope(user, Resource.INDICATOR, action, mission_id=m)
    ]
    return list(Mission.objects.filter(pk__in=ids).order_by("name"))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.missions_for(request.user, Resource.INDICATOR, "view"):
        return render(request, "403.html", status=403)
    rows = _rows(request.user)
    computed = sum(1 for r in rows if r["indicator"].source == IndicatorSource.COMPUTED)
    return render(
        request,
        "assessment/indicators.html",
        {
            "rows": rows,
            "computed": computed,
            "total": len(rows),
            "compute_missions": _may(request.user, "compute"),
            "compute_form": ComputeForm(),
            "enter_form": EnterForm(),
        },
    )


@login_required
@require_POST
def compute(request: HttpRequest, mission_pk: int) -> HttpResponse:
    form = ComputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the period's first and last day."))
        return redirect("assessment-indicators")
    return web.call_and_redirect(
        request,
        lambda: services.indicators_compute(
            actor=request.user,
            mission_id=mission_pk,
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"],
        ),
        to="assessment-indicators",
        done=_("Indicators computed from the registers."),
    )


@login_required
@require_POST
def enter_value(request: HttpRequest, pk: int) -> HttpResponse:
    form = EnterForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(str(e) for e in errors)}")
        return redirect("assessment-indicators")
    data = form.cleaned_data
    return web.call_and_redirect(
        request,
        lambda: services.indicator_value_enter(
            actor=request.user,
            indicator_pk=pk,
            period_start=data["period_start"],
            period_end=data["period_end"],
            value=data["value"],
            evidence=data["evidence"],
        ),
        to="assessment-indicators",
        done=_("Value recorded with its evidence."),
    )


def _export_rows(user: Any) -> list[list[Any]]:
    sectors = dict(Sector.objects.values_list("pk", "name"))
    rows = []
    for r in _rows(user):
        i: Indicator = r["indicator"]
        v: IndicatorValue
        for v in r["values"]:
            rows.append(
                [
                    i.code,
                    i.name,
                    i.get_unit_display(),
                    v.period_start.isoformat(),
                    v.period_end.isoformat(),
                    sectors.get(v.sector_id or 0, ""),
                    "" if v.value is None else round(v.value, 3),
                    "" if v.lower is None else round(v.lower, 3),
                    "" if v.upper is None else round(v.upper, 3),
                    "" if i.baseline is None else i.baseline,
                    "" if i.target is None else i.target,
                    v.provenance.get("register", ""),
                    v.provenance.get("records", ""),
                ]
            )
    return rows


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    if not access.missions_for(request.user, Resource.INDICATOR, "view"):
        return render(request, "403.html", status=403)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _tag in HXL])
    writer.writerow([tag for _name, tag in HXL])
    for row in _export_rows(request.user):
        writer.writerow(safe_row(row))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicators.csv"'
    return response


def _marking(rows: list[dict[str, Any]]) -> int:
    highest = int(Classification.UNCLASSIFIED)
    for r in rows:
        for v in r["values"]:
            highest = max(highest, v.inputs_classification)
    return highest


@login_required
def factsheet(request: HttpRequest) -> HttpResponse:
    """The periodic factsheet, marked with the highest classification of what it shows."""
    if not access.missions_for(request.user, Resource.INDICATOR, "view"):
        return render(request, "403.html", status=403)
    rows = _rows(request.user)
    marking = pdf.marking_of(_marking(rows))
    html = render_to_string(
        "assessment/factsheet_pdf.html",
        {"rows": rows, "today": date.today(), "now": timezone.now(), "marking": marking},
        request=request,
    )
    body = pdf.render(html, marking=marking, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="factsheet.pdf"'
    return response
