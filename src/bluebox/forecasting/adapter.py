"""The one module between mission records and the early-warning engine.

Records in: incidents become rows of the engine's event table (one-sided violence when it
targeted civilians, context otherwise); field sites become :class:`Site`; each market's days
become a :class:`CalendarEntry` near the market. The spatial unit is the H3 cell-week, and the
universe is every cell within a radius of the field sites (quiet cells included, as the engine
requires).

A forecast is derived data, so it follows the rule of :mod:`bluebox.core.access`: the run is
computed once per distinct clearance among the people who read the mission's forecasts
(:func:`~bluebox.core.access.audiences`), each time from the incidents within that clearance
only (:func:`~bluebox.core.access.derived_inputs`) and over the cells of its scope. Two
clearances of the same scope that admit exactly the same incidents share the narrower one's
variant. Nothing here returns an incident.

Results out: :class:`~bluebox.engines.forecast.AreaForecast` rows become
:class:`~bluebox.forecasting.models.AreaForecast` field dictionaries, each cell placed in the
sector of its nearest field site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import h3
import pandas as pd
from django.conf import settings
from django.db.models import QuerySet

from bluebox.core import access
from bluebox.core.bounds import window_start
from bluebox.core.roles import Resource
from bluebox.engines import forecast as engine
from bluebox.engines.forecast.units import parse_period, period_start
from bluebox.forecasting.models import AreaForecast as AreaForecastRow
from bluebox.forecasting.models import ForecastVariant as ForecastVariantRow
from bluebox.incidents.models import Incident
from bluebox.missions.models import FieldSite, Mission

#: Mission settings (``mission.settings["forecast"]``) and their defaults; see docs/forecasting.md.
DEFAULTS: dict[str, Any] = {
    "h3_resolution": 6,  # about 36 km² per cell
    "radius_km": 15.0,  # cells within this distance of a field site
    "model": "lightgbm",
    "horizons": [1, 2],
    "warning_threshold": 0.5,  # P(at least one attack on civilians in the week)
    "warning_max_per_run": 5,
}
WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
Progress = Callable[[int, str], None]


def mission_settings(mission: Mission) -> dict[str, Any]:
    """The mission's forecast settings over the defaults."""
    own = (mission.settings or {}).get("forecast") or {}
    return {**DEFAULTS, **{k: v for k, v in own.items() if k in DEFAULTS}}


def model_version(model_key: str) -> str:
    """What produced the numbers: the engine's model key and the library versions behind it."""
    parts = [f"bluebox.engines.forecast:{model_key}"]
    for package in ("bluebox", "lightgbm", "scikit-learn", "statsmodels"):
        try:
            parts.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return " ".join(parts)[:120]


def origin_week(today: dt.date) -> tuple[int, str, dt.date]:
    """The last complete week before ``today``: (period index, ISO label, its Monday)."""
    monday = today - dt.timedelta(days=today.weekday() + 7)
    index = parse_period(monday.isoformat(), "week")
    return index, engine.period_label(index, "week"), period_start(index, "week")


def origin_index(label: str) -> int:
    return parse_period(label, "week")


# --- records in ------------------------------------------------------------------------------


def mission_incidents(mission: Mission, *, until: dt.datetime) -> QuerySet[Incident]:
    """The mission's incidents (not voided) inside the date window before ``until``, before any
    clearance applies. The panel spans the events' weeks: a date older than the window (stored
    before inputs were bounded) would make it grow by centuries, so it is left out, not trusted."""
    return Incident.objects.filter(
        mission=mission,
        voided_at__isnull=True,
        occurred_at__gte=window_start(),
        occurred_at__lt=until,
    )


def events_frame(incidents: QuerySet[Incident]) -> pd.DataFrame:
    """These incidents as the engine's event table."""
    rows = incidents.order_by("occurred_at", "pk").values_list(
        "occurred_at",
        "date_precision",
        "latitude",
        "longitude",
        "incident_type",
        "civilian_targeting",
        "perpetrator_actor",
        "perpetrator_category",
        "fatalities_best",
        "fatalities_low",
        "fatalities_high",
        "admin1",
        "admin2",
    )
    records = [
        {
            "date": occurred.replace(tzinfo=None),
            "date_precision": precision if precision in ("day", "week", "month", "year") else "day",
            "latitude": lat,
            "longitude": lon,
            "event_type": kind,
            "violence": "one_sided" if targeting else "other",
            "actor": actor or category or "",
            "fatalities_best": best,
            "fatalities_low": low,
            "fatalities_high": high,
            "admin1": admin1,
            "admin2": admin2,
        }
        for (
            occurred,
            precision,
            lat,
            lon,
            kind,
            targeting,
            actor,
            category,
            best,
            low,
            high,
            admin1,
            admin2,
        ) in rows
    ]
    frame = pd.DataFrame(records, columns=list(engine.EVENT_COLUMNS))
    if frame.empty:
        frame["date"] = pd.to_datetime(frame["date"])
    return frame


def engine_sites(sites: list[FieldSite]) -> list[engine.Site]:
    return [engine.Site(s.name, s.kind, s.latitude, s.longitude) for s in sites]


def calendar(sites: list[FieldSite]) -> list[engine.CalendarEntry]:
    """Market days of each market (ISO weekdays on the record, 0 = Monday in the engine)."""
    entries = []
    for s in sites:
        days = tuple(sorted({int(d) - 1 for d in (s.market_days or []) if 1 <= int(d) <= 7}))
        if not days:
            continue
        names = " and ".join(WEEKDAYS[d] for d in days)
        entries.append(
            engine.CalendarEntry(
                name="market_day",
                label=f"market day at {s.name} on {names}",
                weekdays=days,
                near=(s.latitude, s.longitude),
                radius_km=10.0,
            )
        )
    return entries


def mission_sites(mission: Mission) -> list[FieldSite]:
    return list(FieldSite.objects.filter(mission=mission).order_by("pk"))


def universe(sites: list[FieldSite], *, resolution: int, radius_km: float) -> Any:
    return engine.h3_universe(
        sites=[(s.latitude, s.longitude) for s in sites],
        radius_km=radius_km,
        resolution=resolution,
    )


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One variant: its clearance, the engine's result, and its inputs as counted."""

    protection: access.Protection
    result: engine.ForecastResult | None
    inputs: dict[str, Any]
    site_ids: set[int]
    error: str = ""


def in_scope(site: FieldSite, protection: access.Protection) -> bool:
    if protection.site_id is not None:
        return site.pk == protection.site_id
    if protection.sector_id is not None:
        return site.sector_id == protection.sector_id
    return True


def _signature(incidents: QuerySet[Incident]) -> str:
    digest = hashlib.sha256()
    for pk in incidents.order_by("pk").values_list("pk", flat=True).iterator():
        digest.update(f"{pk},".encode())
    return digest.hexdigest()


def run(
    mission: Mission,
    *,
    origin: int,
    horizons: tuple[int, ...],
    model_key: str,
    resolution: int,
    radius_km: float,
    random_state: int,
    progress: Progress,
) -> list[Outcome]:
    """Forecast the mission once per clearance of its forecast readers (see module docstring)."""
    sites = mission_sites(mission)
    if not sites:
        raise ValueError("the mission has no field sites to forecast around")
    end = period_start(origin + 1, "week")
    until = dt.datetime.combine(end, dt.time(0), tzinfo=dt.UTC)
    base = mission_incidents(mission, until=until)
    clearances = access.audiences(mission.pk, Resource.FORECAST, Resource.INCIDENT)
    done: list[tuple[access.Protection, str]] = []
    outcomes: list[Outcome] = []
    for i, protection in enumerate(clearances):
        # Progress moves once per clearance, shared or not: readers polling a run must not learn
        # from its steps which variants read the same incidents.
        progress(10 + 70 * i // max(len(clearances), 1), "Training the model and forecasting")
        scope_sites = [s for s in sites if in_scope(s, protection)]
        if not scope_sites:
            continue
        incidents = access.derived_inputs(base, protection)
        signature = _signature(incidents)
        if any(
            sig == signature
            and (p.sector_id, p.site_id) == (protection.sector_id, protection.site_id)
            and protection.covers(p)
            for p, sig in done
        ):
            continue  # the narrower variant read exactly these incidents: its readers share it
        done.append((protection, signature))
        events = events_frame(incidents)
        areas = universe(scope_sites, resolution=resolution, radius_km=radius_km)
        inputs = {
            "events": len(events),
            "one_sided": int((events["violence"] == "one_sided").sum()) if len(events) else 0,
            "areas": len(areas.ids),
            "sites": len(scope_sites),
            "radius_km": radius_km,
        }
        try:
            check_panel_size(events, n_areas=len(areas.ids), end=end)
            result = engine.forecast(
                events,
                unit=engine.SpatialUnit("h3-week", h3_resolution=resolution),
                origin=origin,
                horizons=horizons,
                universe=areas,
                model=model_key,
                sites=engine_sites(sites),
                calendar=calendar(sites),
                random_state=random_state,
                n_samples=100,
            )
        except (ValueError, RuntimeError, ArithmeticError) as exc:
            # Depends on this variant's own inputs only; its readers see that it failed.
            outcomes.append(Outcome(protection, None, inputs, set(), error=str(exc)[:2000]))
            continue
        outcomes.append(Outcome(protection, result, inputs, {s.pk for s in scope_sites}))
    return outcomes


def check_panel_size(events: pd.DataFrame, *, n_areas: int, end: dt.date) -> None:
    """Refuse a run whose panel (areas x weeks of history) exceeds the stated bound.

    The panel grows with the oldest incident: one mistyped year once asked for a panel of
    21 GB and took the worker down. A clear refusal beats a killed worker.
    """
    if events.empty:
        return
    first = pd.Timestamp(events["date"].min()).date()
    weeks = max(1, (end - first).days // 7 + 1)
    cells = n_areas * weeks
    limit = int(settings.FORECAST_MAX_PANEL_CELLS)
    if cells > limit:
        raise ValueError(
            f"The forecast would need {n_areas:,} areas x {weeks:,} weeks = {cells:,} cells "
            f"(the limit is {limit:,}); the oldest incident is dated {first.isoformat()}. "
            "Correct or void incidents with implausible dates, or narrow the area."
        )


# --- results out -----------------------------------------------------------------------------


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(h3.great_circle_distance(a, b, unit="km"))


def nearest_sites(cells: list[str], sites: list[FieldSite]) -> dict[str, tuple[FieldSite, float]]:
    """Each cell's nearest field site and its distance (the cell's sector is that site's)."""
    out: dict[str, tuple[FieldSite, float]] = {}
    for cell in cells:
        centre = h3.cell_to_latlng(cell)
        best = min(sites, key=lambda s: (_km(centre, (s.latitude, s.longitude)), s.pk))
        out[cell] = (best, _km(centre, (best.latitude, best.longitude)))
    return out


def area_rows(
    result: engine.ForecastResult, sites: list[FieldSite], site_ids: set[int] | None = None
) -> list[dict[str, Any]]:
    """Field values of one ``models.AreaForecast`` per area and horizon.

    With ``site_ids``, only the cells whose nearest field site is one of them (a variant's
    scope): a site's variant has no rows for its neighbours' cells.
    """
    nearest = nearest_sites(sorted({f.area for f in result.forecasts}), sites)
    rows = []
    for f in result.forecasts:
        site, km = nearest[f.area]
        if site_ids is not None and site.pk not in site_ids:
            continue
        rows.append(
            {
                "cell": f.area,
                "period": f.period,
                "period_start": period_start(parse_period(f.period, "week"), "week"),
                "horizon": f.horizon,
                "probability": _finite(f.probability),
                "expected_count": _finite(f.expected_count),
                "quantiles": {k: _finite(v) for k, v in f.quantiles.items()},
                "site": site,
                "sector_id": site.sector_id,
                "site_km": round(km, 1),
                "reasons_text": "; ".join(r.sentence for r in f.reasons),
                "contributions": [
                    {
                        "feature": r.feature,
                        "contribution": round(_finite(r.contribution), 4),
                        "sentence": r.sentence,
                        "message": r.message.as_dict(),
                    }
                    for r in f.reasons
                ],
            }
        )
    return rows


def _finite(x: float) -> float:
    x = float(x)
    return x if math.isfinite(x) else 0.0


def cell_polygon(cell: str) -> list[list[float]]:
    """The cell's boundary as [lat, lon] pairs for Leaflet."""
    return [[round(lat, 5), round(lon, 5)] for lat, lon in h3.cell_to_boundary(cell)]


def warning_area(cell: str, site: FieldSite, km: float) -> dict[str, Any]:
    """A CAP area for a cell: its polygon, described by direction and distance from the site."""
    return {
        "description": f"Area {km:.0f} km from {site.name} (cell {cell})",
        "polygon": [(lat, lon) for lat, lon in h3.cell_to_boundary(cell)],
    }


# --- serving variants ------------------------------------------------------------------------


def served_areas(rows: Iterable[AreaForecastRow]) -> list[AreaForecastRow]:
    """Of several variants' rows for one cell and week, the one from the widest variant."""
    best: dict[tuple[int, str, int], AreaForecastRow] = {}
    for row in rows:
        key = (row.run_id, row.cell, row.horizon)
        held = best.get(key)
        if held is None or _key(row) > _key(held):
            best[key] = row
    return list(best.values())


def _key(row: AreaForecastRow) -> tuple[int, int, int]:
    return row.variant.serving_key if row.variant is not None else (-1, -1, 0)


def served_variant(user: Any, run: Any) -> ForecastVariantRow | None:
    """The widest variant of ``run`` the user is cleared for (``None``: nothing for them)."""
    variants = access.visible(user, ForecastVariantRow.objects.filter(run=run))
    return max(variants, key=lambda v: v.serving_key, default=None)
