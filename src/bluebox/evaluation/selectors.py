"""Reads for evaluations: each is computed for its reader, from what the reader may see.

An evaluation stores nothing. The design log comes through
:func:`bluebox.patrols.selectors.design_log` (the reader must see the site's patrols) and the
incidents through :func:`bluebox.incidents.selectors.incidents_for` (the reader's own
incidents), so an analyst and a planner at the same site may get different figures, and neither
learns anything from records they may not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.evaluation import adapter
from bluebox.evaluation.models import Intervention
from bluebox.incidents.models import Incident
from bluebox.incidents.selectors import incidents_for
from bluebox.missions.models import FieldSite
from bluebox.missions.selectors import sites_for
from bluebox.patrols import selectors as patrol_selectors

#: Weeks an evaluation looks back by default: about a quarter.
DEFAULT_WEEKS = 13


def evaluation_sites(user: Any) -> list[FieldSite]:
    """Sites whose patrol evaluation the user may read."""
    return [
        s
        for s in sites_for(user)
        if access.can_in_scope(
            user,
            Resource.EVALUATION,
            "view",
            mission_id=s.mission_id,
            sector_id=s.sector_id,
            site_id=s.pk,
        )
        and access.can_in_scope(
            user,
            Resource.PATROL,
            "view",
            mission_id=s.mission_id,
            sector_id=s.sector_id,
            site_id=s.pk,
        )
    ]


def _site(user: Any, site_id: int) -> FieldSite:
    site = patrol_selectors.site_visible(user, site_id)
    if not access.can_in_scope(
        user,
        Resource.EVALUATION,
        "view",
        mission_id=site.mission_id,
        sector_id=site.sector_id,
        site_id=site.pk,
    ):
        raise access.refuse(
            access.NotVisible(),
            actor=user,
            action="view",
            resource=Resource.EVALUATION,
            object_id=f"site:{site.pk}",
            mission_id=site.mission_id,
        )
    return site


@dataclass(frozen=True)
class SiteEvaluation:
    site: FieldSite
    since: date | None
    until: date | None
    weeks: list[date]
    results: adapter.Results
    areas: list[dict[str, Any]]
    cells: int
    planned: int
    executed_of_planned: int
    overridden: int
    incidents: int


def site_evaluation(
    *,
    user: Any,
    site_id: int,
    until: date | None = None,
    weeks: int = DEFAULT_WEEKS,
    n_resamples: int = 2000,
) -> SiteEvaluation:
    """Did the site's randomised patrols change incidents over the ``weeks`` up to ``until``?

    ``until`` defaults to the latest logged week. Raises
    :class:`~bluebox.core.access.NotVisible` when the reader may not evaluate the site.
    """
    site = _site(user, site_id)
    log = patrol_selectors.design_log(user=user, site_id=site.pk)
    if until is None:
        until = log.order_by("-week_start").values_list("week_start", flat=True).first()
    since = until - timedelta(weeks=weeks - 1) if until else None
    cells = list(log.filter(week_start__gte=since, week_start__lte=until)) if until else []
    areas = sorted({c.area for c in cells})
    tz = site.mission.timezone or "UTC"
    incidents: list[tuple[str, Any]] = []
    if cells and since is not None and until is not None:
        start = adapter.slot_end(since, 0, ZoneInfo(tz)) - timedelta(hours=8)
        end = adapter.slot_end(until, adapter.SLOTS_PER_WEEK - 1, ZoneInfo(tz))
        incidents = list(
            incidents_for(user)
            .filter(
                mission_id=site.mission_id,
                h3_cell__in=areas,
                occurred_at__gte=start,
                occurred_at__lt=end + timedelta(hours=adapter.HORIZON_HOURS),
            )
            .values_list("h3_cell", "occurred_at")
        )
    inputs = adapter.build_inputs(cells, incidents, tz)
    results = adapter.evaluate(inputs, n_resamples=n_resamples)
    planned = [c for c in cells if c.planned]
    return SiteEvaluation(
        site=site,
        since=since,
        until=until,
        weeks=inputs.weeks,
        results=results,
        areas=adapter.area_summary(inputs.panel),
        cells=len(cells),
        planned=len(planned),
        executed_of_planned=sum(1 for c in planned if c.executed),
        overridden=sum(1 for c in cells if c.overridden),
        incidents=int(inputs.panel["incidents"].sum()) if len(inputs.panel) else 0,
    )


# --- interventions that were not randomised --------------------------------------------------


def interventions_for(user: Any, *, mission_id: int | None = None) -> QuerySet[Intervention]:
    """Interventions the user may read (not voided), latest first."""
    qs = access.visible(user, Intervention.objects.filter(voided_at__isnull=True))
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.select_related("mission", "sector", "site")


def intervention_get(user: Any, pk: int) -> Intervention:
    """One intervention, or :class:`~bluebox.core.access.NotVisible` (a 404)."""
    return access.get_visible(
        user,
        Intervention.objects.filter(voided_at__isnull=True).select_related(
            "mission", "sector", "site"
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class InterventionEvaluation:
    intervention: Intervention
    until: date
    inputs: adapter.InterventionInputs
    results: adapter.InterventionResults


def mission_day(intervention: Intervention) -> date:
    """Today on the intervention's mission's calendar."""
    zone = ZoneInfo(intervention.mission.timezone or "UTC")
    return timezone.now().astimezone(zone).date()


def evaluate_on(
    intervention: Intervention,
    incidents: QuerySet[Incident],
    others: QuerySet[Intervention],
    *,
    until: date,
) -> InterventionEvaluation:
    """The evaluation of ``intervention`` from ``incidents`` (already restricted to what its
    audience may see), leaving the areas of ``others`` out of the comparison."""
    first = intervention.started_on - timedelta(days=adapter.PRE_PERIODS * adapter.PERIOD_DAYS)
    zone = ZoneInfo(intervention.mission.timezone or "UTC")
    rows = (
        incidents.filter(
            mission_id=intervention.mission_id,
            voided_at__isnull=True,
            occurred_at__gte=datetime.combine(first - timedelta(days=1), time.min, zone),
            occurred_at__lt=datetime.combine(until + timedelta(days=1), time.min, zone),
        )
        .exclude(h3_cell="")
        .values_list("h3_cell", "occurred_at")
    )
    inputs = adapter.intervention_inputs(
        area=intervention.area,
        started_on=intervention.started_on,
        until=until,
        incidents=rows,
        tz_name=intervention.mission.timezone or "UTC",
        other_areas=others.filter(mission_id=intervention.mission_id)
        .exclude(pk=intervention.pk)
        .values_list("area", flat=True),
    )
    return InterventionEvaluation(
        intervention=intervention,
        until=until,
        inputs=inputs,
        results=adapter.evaluate_intervention(inputs),
    )


def intervention_evaluation(
    *, user: Any, intervention_id: int, until: date | None = None
) -> InterventionEvaluation:
    """Did the intervention change incidents in its area, from what the reader may see?

    Incidents come through :func:`~bluebox.incidents.selectors.incidents_for` (the reader's
    own), so two readers may get different figures and neither learns of a record they may
    not read. ``until`` defaults to today on the mission's calendar.
    """
    intervention = intervention_get(user, intervention_id)
    return evaluate_on(
        intervention,
        incidents_for(user),
        interventions_for(user),
        until=until or mission_day(intervention),
    )
