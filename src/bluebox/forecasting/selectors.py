"""Reads on early warning. Every query starts from :func:`bluebox.core.access.visible`.

A run has one variant per clearance of its readers (see :mod:`bluebox.forecasting.adapter`).
:func:`access.visible` keeps the rows of the variants a reader is cleared for; of those, each
cell is served from the widest (:attr:`ForecastVariant.serving_key`): the variant computed from
exactly what the reader may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from bluebox.core import access, words
from bluebox.core.roles import Resource
from bluebox.forecasting import adapter
from bluebox.forecasting.models import (
    AreaForecast,
    CandidateStatus,
    ForecastRun,
    ForecastVariant,
    RunStatus,
    WarningCandidate,
)
from bluebox.missions.models import Mission, Sector


def forecast_missions(user: Any) -> QuerySet[Mission]:
    """Missions whose forecasts the user may see."""
    ids = access.missions_for(user, Resource.FORECAST_RUN)
    return access.visible(user, Mission.objects.filter(pk__in=ids)).order_by("name")


def can_run(user: Any, mission_id: int) -> bool:
    return access.can_in_scope(user, Resource.FORECAST_RUN, "run", mission_id=mission_id)


def runs_for(user: Any, mission_id: int | None = None) -> QuerySet[ForecastRun]:
    qs = access.visible(user, ForecastRun.objects.all()).filter(voided_at__isnull=True)
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.order_by("-created_at", "-id")


def run_visible(user: Any, run_id: int) -> ForecastRun:
    return access.get_visible(user, ForecastRun.objects.select_related("mission"), pk=run_id)


def latest_run(user: Any, mission_id: int) -> ForecastRun | None:
    return runs_for(user, mission_id).filter(status=RunStatus.DONE).first()


def areas_for(user: Any, run: ForecastRun, horizon: int | None = None) -> list[AreaForecast]:
    """The run's areas the user may see (their site's or sector's cells, or all), highest risk
    first, each from the widest variant the user is cleared for."""
    qs = access.visible(user, AreaForecast.objects.all()).filter(run=run, voided_at__isnull=True)
    if horizon is not None:
        qs = qs.filter(horizon=horizon)
    rows = adapter.served_areas(qs.select_related("site", "sector", "variant"))
    return sorted(rows, key=lambda a: (-a.probability, a.cell, a.horizon))


def served_variant(user: Any, run: ForecastRun) -> ForecastVariant | None:
    """The widest variant of ``run`` the user is cleared for (``None``: nothing for them)."""
    return adapter.served_variant(user, run)


def run_inputs(user: Any, run: ForecastRun) -> dict[str, Any]:
    """What the run read, as far as the user may know: the counts of their own variant."""
    variant = adapter.served_variant(user, run)
    own = dict(variant.inputs) if variant is not None else {}
    if variant is not None and variant.error:
        own["error"] = variant.error
    return {**(run.inputs or {}), **own}


@dataclass
class SectorRisk:
    sector: Sector
    areas: list[AreaForecast] = field(default_factory=list)


def highest_risk(
    user: Any, run: ForecastRun, horizon: int | None = None, per_sector: int = 5
) -> list[SectorRisk]:
    """The highest-risk areas of each sector, highest first, with their reasons."""
    h = horizon if horizon is not None else min(run.horizons or [1])
    groups: dict[int, SectorRisk] = {}
    for area in areas_for(user, run, h):
        group = groups.setdefault(area.sector_id, SectorRisk(area.sector))
        if len(group.areas) < per_sector:
            group.areas.append(area)
    return sorted(
        groups.values(),
        key=lambda g: (-g.areas[0].probability, g.sector.name) if g.areas else (0, ""),
    )


def reasons_words(area: AreaForecast) -> str:
    """An area's reasons in the reader's language, joined by "; " (an area stored before its
    reasons were kept as messages says its English ``reasons_text``)."""
    said = [words.render(c.get("message") or c.get("sentence")) for c in area.contributions or []]
    return "; ".join(s for s in said if s) or area.reasons_text


def map_data(user: Any, run: ForecastRun, horizon: int | None = None) -> dict[str, Any]:
    """Cells as polygons with their probability, for the risk map."""
    h = horizon if horizon is not None else min(run.horizons or [1])
    cells = [
        {
            "cell": a.cell,
            "polygon": adapter.cell_polygon(a.cell),
            "p": round(a.probability, 4),
            "site": a.site.name,
            "reasons": reasons_words(a),
        }
        for a in areas_for(user, run, h)
    ]
    return {"cells": cells, "period": target_period(run, h)}


def target_period(run: ForecastRun, horizon: int) -> str:
    """The ISO week a horizon of the run forecasts."""
    return adapter.engine.period_label(adapter.origin_index(run.origin) + horizon, "week")


def candidates_for(
    user: Any, mission_id: int | None = None, *, pending_only: bool = True
) -> list[WarningCandidate]:
    """Candidates the user may see, each from the variant their risk map is served from."""
    qs = access.visible(user, WarningCandidate.objects.all()).filter(voided_at__isnull=True)
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    if pending_only:
        qs = qs.filter(status=CandidateStatus.PENDING)
    candidates = list(
        qs.select_related("area__variant", "site", "sector").order_by("-area__probability", "pk")
    )
    if not candidates:
        return []
    competing = (
        access.visible(user, AreaForecast.objects.all())
        .filter(
            run_id__in={c.run_id for c in candidates},
            cell__in={c.area.cell for c in candidates},
            horizon__in={c.area.horizon for c in candidates},
        )
        .select_related("variant")
    )
    served = {a.pk for a in adapter.served_areas(competing)}
    return [c for c in candidates if c.area_id in served]


#: Cells farther than this from their nearest site do not count towards its risk.
SITE_RISK_RADIUS_KM = 15.0
#: A site the forecast finds quiet still weighs this much (absence of reports is not safety).
SITE_RISK_FLOOR = 0.05


def site_risk(
    *,
    user: Any,
    mission_id: int,
    site_codes: list[str],
    start: Any,
    days: int,
    audience: access.Protection,
) -> tuple[dict[str, float], dict[str, Any]] | None:
    """Risk per field site from the newest finished forecast whose weeks cover ``start``.

    Read as ``user`` and only from variants within ``audience`` (the plan's readers). For each
    site, the weekly probabilities of the cells nearest to it (within 15 km) combine into the
    chance of at least one event, ``1 - prod(1 - p)``, averaged over the forecast weeks inside
    the period; the most exposed site gets 1, the others their share of it (never below 0.05).
    ``None`` when no finished run has a week containing ``start``.
    """
    from datetime import timedelta

    rows = (
        access.visible(
            user,
            AreaForecast.objects.filter(
                mission_id=mission_id,
                period_start__lte=start,
                period_start__gt=start - timedelta(days=7),
                voided_at__isnull=True,
                run__status=RunStatus.DONE,
            ),
        )
        .filter(access.labels_within_q(audience))
        .order_by("-run__created_at", "-run_id")
    )
    newest = rows.values_list("run_id", flat=True).first()
    if newest is None:
        return None
    until = start + timedelta(days=days)
    period_rows = (
        access.visible(
            user,
            AreaForecast.objects.filter(
                run_id=newest,
                period_start__lt=until,
                voided_at__isnull=True,
                site_km__lte=SITE_RISK_RADIUS_KM,
            ),
        )
        .filter(access.labels_within_q(audience))
        .select_related("run", "variant", "site")
    )
    served = adapter.served_areas(period_rows)
    quiet: dict[tuple[str, Any], float] = {}
    weeks: set[Any] = set()
    for row in served:
        key = (row.site.code, row.period_start)
        quiet[key] = quiet.get(key, 1.0) * (1 - min(max(row.probability, 0.0), 1.0))
        weeks.add(row.period_start)
    if not weeks:
        return None
    chance = {
        code: sum(1 - quiet.get((code, w), 1.0) for w in weeks) / len(weeks) for code in site_codes
    }
    top = max(chance.values(), default=0.0) or 1.0
    risk = {code: round(max(c / top, SITE_RISK_FLOOR), 4) for code, c in chance.items()}
    run = served[0].run
    detail = {
        "inputs": audience.as_json(),
        "forecast_run": run.pk,
        "forecast_made": run.created_at.isoformat(),
        "model": run.model_key,
        "weeks": sorted(w.isoformat() for w in weeks),
        "radius_km": SITE_RISK_RADIUS_KM,
        "chance": {k: round(v, 4) for k, v in chance.items()},
    }
    return risk, detail
