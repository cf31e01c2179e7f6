"""Readers of the small side inputs: field sites (CSV) and the mission calendar (JSON)."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pandas as pd

from bluebox.engines.forecast.events import EventFormatError
from bluebox.engines.forecast.features import CalendarEntry, Site


def read_sites(path: str | os.PathLike[str]) -> list[Site]:
    """Field sites from a CSV file with columns ``name,kind,latitude,longitude``."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (FileNotFoundError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise EventFormatError(f"{path}: cannot read sites ({type(exc).__name__})") from exc
    missing = {"name", "kind", "latitude", "longitude"} - set(raw.columns)
    if missing:
        raise EventFormatError(f"{path}: sites file lacks column(s): {', '.join(sorted(missing))}")
    sites = []
    for i, row in raw.iterrows():
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except ValueError as exc:
            raise EventFormatError(f"{path}: line {int(i) + 2}: bad coordinates") from exc
        if abs(lat) > 90 or abs(lon) > 180:
            raise EventFormatError(f"{path}: line {int(i) + 2}: coordinates out of range")
        sites.append(
            Site(name=row["name"], kind=row["kind"] or "site", latitude=lat, longitude=lon)
        )
    return sites


def calendar_from_json(doc: Any) -> list[CalendarEntry]:
    """Calendar entries from a ``forecast-calendar`` document (a list of entry objects)."""
    from jsonschema import Draft202012Validator

    from bluebox.engines.forecast.schemas import load_schema

    validator = Draft202012Validator(load_schema("forecast-calendar"))
    error = next(iter(validator.iter_errors(doc)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "document"
        raise ValueError(f"calendar {where}: {error.message}")
    entries = []
    for item in doc:
        near = item.get("near")
        entries.append(
            CalendarEntry(
                name=item["name"],
                label=item.get("label", ""),
                start=dt.date.fromisoformat(item["start"]) if "start" in item else None,
                end=dt.date.fromisoformat(item["end"]) if "end" in item else None,
                yearly=bool(item.get("yearly", False)),
                weekdays=tuple(item.get("weekdays", ())),
                areas=tuple(item.get("areas", ())),
                near=(float(near["latitude"]), float(near["longitude"])) if near else None,
                radius_km=float(item.get("radius_km", 25.0)),
            )
        )
    return entries


def read_calendar(path: str | os.PathLike[str]) -> list[CalendarEntry]:
    """Mission calendar from a JSON file (``docs/schemas/forecast-calendar.schema.json``)."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError as exc:
        raise EventFormatError(f"calendar file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise EventFormatError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from exc
    try:
        return calendar_from_json(doc)
    except ValueError as exc:
        raise EventFormatError(f"{path}: {exc}") from exc
