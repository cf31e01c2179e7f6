"""The weekly situation report: a mission's (or a sector's) week in figures, for one reader.

Every figure is read through the domain apps' selectors, which start from
``access.visible``: a reader's report holds what their lists would hold, nothing more. A part
the reader holds no role for (alerts, detention, patrols) is left out rather than shown as
zero. Weeks are ISO weeks, Monday to Monday in UTC, as the incident trends count them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Max, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bluebox.alerts import selectors as alert_selectors
from bluebox.alerts.models import AlertStatus
from bluebox.core import access, audit
from bluebox.core.classification import Classification
from bluebox.core.roles import Resource
from bluebox.detention import selectors as detention_selectors
from bluebox.detention.models import Apprehension
from bluebox.incidents import selectors as incident_selectors
from bluebox.incidents.models import Incident, IncidentStatus, IncidentType, PerpetratorCategory
from bluebox.missions import selectors as mission_selectors
from bluebox.missions.models import Mission, Sector
from bluebox.patrols import selectors as patrol_selectors
from bluebox.patrols.models import PlannedPatrol, PlanStatus

#: Weeks drawn in the chart, the report's own week last.
CHART_WEEKS = 8
#: Weeks the average is taken over (the ones before the report's week).
AVERAGE_WEEKS = 4
TOP_SITES = 5
SERIOUS = 5
VERIFIED = (IncidentStatus.VERIFIED, IncidentStatus.RESPONDED, IncidentStatus.CLOSED)
VICTIMS = ("victims_women", "victims_men", "victims_girls", "victims_boys", "victims_unknown")


@dataclass(frozen=True)
class Week:
    """One ISO week: ``start`` is its Monday; ``since``/``until`` bound it in UTC."""

    start: date

    @classmethod
    def of(cls, day: date) -> Week:
        return cls(day - timedelta(days=day.weekday()))

    @classmethod
    def last_complete(cls, now: datetime) -> Week:
        return cls.of(now.astimezone(UTC).date()).shifted(-1)

    def shifted(self, weeks: int) -> Week:
        return Week(self.start + timedelta(weeks=weeks))

    @property
    def end(self) -> date:
        """The Sunday that closes the week."""
        return self.start + timedelta(days=6)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return self.since + timedelta(weeks=1)

    @property
    def iso(self) -> str:
        """``2026-W47``, as ``<input type="week">`` writes it."""
        year, week, _day = self.start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Figure:
    """One count this week, the week before and the average of the four weeks before."""

    code: str
    label: str | Promise
    value: int
    previous: int | None = None
    average: float | None = None


@dataclass(frozen=True)
class SeriousIncident:
    """A verified incident as the report lists it: no identities, no source, no grading."""

    record: Incident
    occurred_at: datetime
    place: str
    type_label: str | Promise
    summary: str
    fatalities: int
    victims: int


@dataclass(frozen=True)
class Alerts:
    raised: int
    acknowledged_in_time: int
    answered: int
    answered_in_time: int


@dataclass(frozen=True)
class Detention:
    taken_into_custody: int
    target_breaches: int
    limit_breaches: int


@dataclass(frozen=True)
class Patrols:
    planned: int
    done: int
    done_as_planned: int


@dataclass(frozen=True)
class Sitrep:
    mission: Mission
    sector: Sector | None
    week: Week
    incidents: Figure
    by_type: list[Figure]
    by_perpetrator: list[Figure]
    verified: int
    unverified: int
    fatalities: int
    victims: int
    civilians_killed: int | None  # None: no incident of the week records it
    top_sites: list[Figure]
    serious: list[SeriousIncident]
    chart_weeks: list[date]
    chart_series: list[tuple[str, list[int]]]
    alerts: Alerts | None
    detention: Detention | None
    patrols: Patrols | None
    classification: int


def _in_scope(
    qs: QuerySet[Any], mission: Mission, sector: Sector | None, sector_field: str = "sector_id"
) -> Any:
    qs = qs.filter(mission_id=mission.pk)
    return qs.filter(**{sector_field: sector.pk}) if sector is not None else qs


def _top(qs: QuerySet[Any], field: str = "classification") -> int:
    return int(qs.order_by().aggregate(top=Max(field))["top"] or Classification.UNCLASSIFIED)


def _compare(
    code: str,
    label: str | Promise,
    now: dict[Any, int],
    before: dict[Any, int],
    four: dict[Any, int],
    key: Any,
) -> Figure:
    return Figure(
        code,
        label,
        now.get(key, 0),
        before.get(key, 0),
        four.get(key, 0) / AVERAGE_WEEKS,
    )


def _incident_figures(
    user: Any, f: incident_selectors.IncidentFilters, week: Week
) -> dict[str, Any]:
    previous = replace(f, since=week.shifted(-1).since, until=week.since)
    four = replace(f, since=week.shifted(-AVERAGE_WEEKS).since, until=week.since)

    def counts(field: str) -> tuple[dict[Any, int], dict[Any, int], dict[Any, int]]:
        return (
            incident_selectors.counts_by(user, field, f),
            incident_selectors.counts_by(user, field, previous),
            incident_selectors.counts_by(user, field, four),
        )

    types = counts("incident_type")
    perpetrators = counts("perpetrator_category")
    type_names = dict(IncidentType.choices)
    perpetrator_names = dict(PerpetratorCategory.choices)
    statuses = incident_selectors.counts_by(user, "status", f)
    week_qs = incident_selectors.incidents_for(user, f).order_by()
    harm = week_qs.aggregate(
        fatalities=Sum("fatalities_best"),
        victims=Sum(sum((F(v) for v in VICTIMS[1:]), F(VICTIMS[0]))),
        civilians=Sum("fatalities_civilians"),
    )
    sites = incident_selectors.counts_by(user, "site_id", f)
    site_names = {
        pk: (code, name)
        for pk, code, name in mission_selectors.sites_for(user, f.mission_id)
        .filter(pk__in=[k for k in sites if k])
        .values_list("pk", "code", "name")
    }
    ranked = sorted(sites.items(), key=lambda kv: (-kv[1], site_names.get(kv[0], ("", ""))[1]))
    return {
        "incidents": Figure(
            "",
            _("Incidents"),
            sum(types[0].values()),
            sum(types[1].values()),
            sum(types[2].values()) / AVERAGE_WEEKS,
        ),
        "by_type": [
            _compare(str(k), type_names.get(k, k), *types, k)
            for k in sorted(types[0], key=lambda k: (-types[0][k], str(type_names.get(k, k))))
        ],
        "by_perpetrator": [
            _compare(str(k), perpetrator_names.get(k, k), *perpetrators, k)
            for k in sorted(perpetrators[0], key=lambda k: -perpetrators[0][k])
        ],
        "verified": sum(n for s, n in statuses.items() if s in VERIFIED),
        "unverified": statuses.get(IncidentStatus.REPORTED, 0),
        "fatalities": harm["fatalities"] or 0,
        "victims": harm["victims"] or 0,
        "civilians_killed": harm["civilians"],
        "top_sites": [Figure(*site_names[k], n) for k, n in ranked[:TOP_SITES] if k in site_names],
        "serious": _serious(week_qs),
    }


def _serious(week_qs: QuerySet[Incident]) -> list[SeriousIncident]:
    victims = sum((F(v) for v in VICTIMS[1:]), F(VICTIMS[0]))
    rows = (
        week_qs.filter(status__in=VERIFIED)
        .annotate(victims=victims)
        .select_related("site", "sector")
        .order_by("-fatalities_best", "-victims", "-occurred_at", "-id")[:SERIOUS]
    )
    names = dict(IncidentType.choices)
    return [
        SeriousIncident(
            record=i,
            occurred_at=i.occurred_at,
            place=_place(i),
            type_label=names.get(i.incident_type, i.incident_type),
            summary=i.title,
            fatalities=i.fatalities_best,
            victims=i.victims,
        )
        for i in rows
    ]


def _place(incident: Incident) -> str:
    if incident.site:
        return incident.site.name
    return incident.location_name or (incident.sector.name if incident.sector else "")


def _may(user: Any, resource: Resource, mission: Mission) -> bool:
    return mission.pk in access.missions_for(user, resource, "view")


def _alerts(user: Any, mission: Mission, sector: Sector | None, week: Week) -> tuple[Alerts, int]:
    qs = _in_scope(alert_selectors.alerts_for(user), mission, sector).filter(
        received_at__gte=week.since, received_at__lt=week.until
    )
    qs = qs.exclude(status=AlertStatus.DUPLICATE).order_by()
    figures = Alerts(
        raised=qs.count(),
        acknowledged_in_time=qs.filter(acknowledged_at__lte=F("acknowledge_due_at")).count(),
        answered=qs.filter(responded_at__isnull=False).count(),
        answered_in_time=qs.filter(responded_at__lte=F("respond_due_at")).count(),
    )
    return figures, _top(qs)


def _detention(
    user: Any, mission: Mission, sector: Sector | None, week: Week
) -> tuple[Detention, int]:
    taken = _in_scope(detention_selectors.apprehensions_for(user), mission, sector).filter(
        apprehended_at__gte=week.since, apprehended_at__lt=week.until
    )
    breaches = _in_scope(
        detention_selectors.breaches_for(user),
        mission,
        sector,
        sector_field="apprehension__sector_id",
    ).filter(deadline_at__gte=week.since, deadline_at__lt=week.until)
    figures = Detention(
        taken_into_custody=taken.count(),
        target_breaches=breaches.filter(deadline="target").count(),
        limit_breaches=breaches.filter(deadline="limit").count(),
    )
    custody = Apprehension.objects.filter(
        Q(pk__in=taken.values("pk")) | Q(pk__in=breaches.values("apprehension_id"))
    )
    return figures, _top(custody)


def _patrols(user: Any, mission: Mission, sector: Sector | None, week: Week) -> tuple[Patrols, int]:
    planned = _in_scope(access.visible(user, PlannedPatrol.objects.all()), mission, sector).filter(
        voided_at__isnull=True,
        plan__status=PlanStatus.APPROVED,
        plan__voided_at__isnull=True,
        date__gte=week.start,
        date__lte=week.end,
    )
    done = _in_scope(patrol_selectors.records_for(user), mission, sector).filter(
        started_at__gte=week.since, started_at__lt=week.until
    )
    figures = Patrols(
        planned=planned.count(),
        done=done.count(),
        done_as_planned=done.filter(planned__in=planned).count(),
    )
    return figures, max(_top(planned), _top(done))


def sitrep(user: Any, *, mission: Mission, sector: Sector | None, week: Week) -> Sitrep:
    """The week's report as ``user`` may see it (mission and sector already visible to them)."""
    f = incident_selectors.IncidentFilters(
        mission_id=mission.pk,
        sector_id=sector.pk if sector else None,
        since=week.since,
        until=week.until,
    )
    figures = _incident_figures(user, f, week)
    chart_since = week.shifted(1 - CHART_WEEKS).since
    trend = incident_selectors.trends(user, replace(f, since=chart_since), now=week.until)
    classification = _top(incident_selectors.incidents_for(user, replace(f, since=chart_since)))
    parts: dict[str, Any] = {"alerts": None, "detention": None, "patrols": None}
    for name, resource, read in (
        ("alerts", Resource.ALERT, _alerts),
        ("detention", Resource.DETENTION, _detention),
        ("patrols", Resource.PATROL, _patrols),
    ):
        if _may(user, resource, mission):
            parts[name], top = read(user, mission, sector, week)
            classification = max(classification, top)
    return Sitrep(
        mission=mission,
        sector=sector,
        week=week,
        chart_weeks=trend.periods,
        chart_series=trend.by_type,
        classification=classification,
        **figures,
        **parts,
    )


def audit_read(user: Any, report: Sitrep, *, fmt: str) -> None:
    """The report's read in the audit trail, and each listed incident a list read would name."""
    audit.record(
        actor=user,
        action="sitrep",
        resource=Resource.INCIDENT,
        mission_id=report.mission.pk,
        detail={
            "week": report.week.iso,
            "sector": report.sector.pk if report.sector else None,
            "format": fmt,
            "classification": report.classification,
        },
    )
    access.audit_reads(user, [s.record for s in report.serious])
