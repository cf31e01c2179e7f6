"""The weekly situation report as a page, a PDF and an HXL-tagged CSV (``overview/sitrep.py``)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from bluebox.core import access, pdf
from bluebox.core.bounds import query_id, query_week
from bluebox.core.classification import Classification
from bluebox.core.roles import Resource
from bluebox.core.spreadsheet import safe_row
from bluebox.incidents import charts
from bluebox.missions import selectors as mission_selectors
from bluebox.missions.models import Mission
from bluebox.overview import sitrep as reports

# (column, HXL hashtag): one row per figure, as the assessment indicators export them.
HXL = [
    ("week", "#meta+week"),
    ("week_start", "#date+start"),
    ("week_end", "#date+end"),
    ("mission", "#org+mission+code"),
    ("sector", "#loc+sector+code"),
    ("figure", "#indicator+code"),
    ("category", "#indicator+category+code"),
    ("label", "#indicator+name"),
    ("value", "#indicator+value+num"),
    ("previous_week", "#indicator+value+previous+num"),
    ("four_week_average", "#indicator+value+average+num"),
    ("classification", "#meta+classification"),
]


def _missions(request: HttpRequest) -> list[Mission]:
    """The missions whose incidents the reader may see: the report is about them."""
    wanted = access.missions_for(request.user, Resource.INCIDENT, "view")
    return [m for m in mission_selectors.missions_for(request.user) if m.pk in wanted]


def _report(request: HttpRequest, missions: list[Mission]) -> reports.Sitrep:
    wanted = query_id(request.GET, "mission")
    mission = next((m for m in missions if wanted is None or m.pk == wanted), None)
    if mission is None:
        raise Http404
    sector = None
    sector_id = query_id(request.GET, "sector")
    if sector_id is not None:
        sector = (
            mission_selectors.sectors_for(request.user, mission.pk).filter(pk=sector_id).first()
        )
        if sector is None:
            raise Http404
    start = query_week(request.GET, "week")
    week = reports.Week(start) if start else reports.Week.last_complete(timezone.now())
    return reports.sitrep(request.user, mission=mission, sector=sector, week=week)


def _context(report: reports.Sitrep) -> dict[str, Any]:
    return {
        "report": report,
        "chart": charts.trend_svg(report.chart_weeks, report.chart_series),
        "marking": pdf.marking_of(report.classification),
        "query": _query(report, report.week),
        "previous_query": _query(report, report.week.shifted(-1)),
        "next_query": _query(report, report.week.shifted(1)),
    }


def _query(report: reports.Sitrep, week: reports.Week) -> str:
    sector = f"&sector={report.sector.pk}" if report.sector else ""
    return f"?mission={report.mission.pk}{sector}&week={week.iso}"


@login_required
def sitrep_page(request: HttpRequest) -> HttpResponse:
    missions = _missions(request)
    if not missions:
        return render(request, "403.html", status=403)
    report = _report(request, missions)
    reports.audit_read(request.user, report, fmt="html")
    sectors = list(mission_selectors.sectors_for(request.user, report.mission.pk).order_by("name"))
    return render(
        request,
        "overview/sitrep.html",
        {**_context(report), "missions": missions, "sectors": sectors},
    )


@login_required
def sitrep_pdf(request: HttpRequest) -> HttpResponse:
    """The report printed, its marking (the highest classification it counts) on every page."""
    missions = _missions(request)
    if not missions:
        return render(request, "403.html", status=403)
    report = _report(request, missions)
    reports.audit_read(request.user, report, fmt="pdf")
    context = _context(report)
    html = render_to_string(
        "overview/sitrep_pdf.html", {**context, "printed": timezone.now()}, request=request
    )
    body = pdf.render(html, marking=context["marking"], base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="application/pdf")
    name = f"sitrep-{report.mission.code}-{report.week.iso}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Bluebox-Classification"] = context["marking"]
    return response


def _count(code: str, label: str, value: int) -> tuple[str, reports.Figure]:
    return code, reports.Figure("", label, value)


def figure_rows(report: reports.Sitrep) -> list[tuple[str, reports.Figure]]:
    """Every figure of the report as (figure code, figure), in the page's order."""
    rows: list[tuple[str, reports.Figure]] = [("incidents", report.incidents)]
    rows += [("incidents_by_type", f) for f in report.by_type]
    rows += [("incidents_by_perpetrator", f) for f in report.by_perpetrator]
    rows += [
        _count("incidents_verified", _("Verified"), report.verified),
        _count("incidents_unverified", _("Not yet verified"), report.unverified),
        _count("fatalities", _("People killed (best estimate)"), report.fatalities),
        _count("victims", _("Victims counted"), report.victims),
    ]
    if report.civilians_killed is not None:
        rows.append(_count("civilians_killed", _("Civilians killed"), report.civilians_killed))
    rows += [("incidents_by_site", f) for f in report.top_sites]
    if report.alerts:
        a = report.alerts
        rows += [
            _count("alerts_raised", _("Alerts received"), a.raised),
            _count(
                "alerts_acknowledged_in_time", _("Acknowledged in time"), a.acknowledged_in_time
            ),
            _count("alerts_answered", _("Answered"), a.answered),
            _count("alerts_answered_in_time", _("Answered in time"), a.answered_in_time),
        ]
    if report.detention:
        d = report.detention
        rows += [
            _count("custody_taken", _("People taken into custody"), d.taken_into_custody),
            _count("custody_target_breaches", _("Handover target passed"), d.target_breaches),
            _count("custody_limit_breaches", _("Hard limit passed"), d.limit_breaches),
        ]
    if report.patrols:
        p = report.patrols
        rows += [
            _count("patrols_planned", _("Patrols planned"), p.planned),
            _count("patrols_done", _("Patrols done"), p.done),
            _count("patrols_done_as_planned", _("Done as planned"), p.done_as_planned),
        ]
    return rows


@login_required
def sitrep_csv(request: HttpRequest) -> HttpResponse:
    """The report's figures, one a row, with the HXL hashtag row (no incident is listed)."""
    missions = _missions(request)
    if not missions:
        return render(request, "403.html", status=403)
    report = _report(request, missions)
    reports.audit_read(request.user, report, fmt="csv")
    marking = Classification(report.classification).name
    sector = report.sector.code if report.sector else ""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _tag in HXL])
    writer.writerow([tag for _name, tag in HXL])
    week = report.week
    for code, figure in figure_rows(report):
        writer.writerow(
            safe_row(
                [
                    week.iso,
                    week.start.isoformat(),
                    week.end.isoformat(),
                    report.mission.code,
                    sector,
                    code,
                    figure.code,
                    str(figure.label),
                    figure.value,
                    "" if figure.previous is None else figure.previous,
                    "" if figure.average is None else figure.average,
                    marking,
                ]
            )
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"sitrep-{report.mission.code}-{week.iso}-{marking}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Bluebox-Classification"] = pdf.marking_of(report.classification)
    return response
