"""Patrol tracks: GPX or GeoJSON in, a validated LineString and time per H3 cell ("dosage") out.

A bad file is refused with one clear message and changes nothing. Dosage is the time a patrol
spent in each H3 cell (resolution 7): each leg between two fixes is cut into pieces of at most
100 m and its duration shared among the cells of the pieces' midpoints. Legs longer than
:data:`MAX_GAP_MIN` (signal lost, device off) count towards no cell: time the track cannot
place is not presence.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import gpxpy
import gpxpy.gpx

from bluebox.engines.spatial import h3_cell

MAX_BYTES = 5 * 1024 * 1024
MAX_POINTS = 50_000
MAX_GAP_MIN = 15.0
PIECE_KM = 0.1
#: A fix further than this from the site is not this site's patrol (or a corrupt fix).
MAX_KM_FROM_SITE = 60.0
#: Clock tolerance between the device and the recorded start and end.
TIME_SLACK = timedelta(minutes=30)


class TrackError(ValueError):
    """The file is not a usable track; the message says why, for the person uploading it."""


@dataclass(frozen=True)
class Track:
    points: list[tuple[float, float]]  # (lat, lon)
    times: list[datetime | None]
    fmt: str

    def geojson(self) -> dict[str, object]:
        return {
            "type": "LineString",
            "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in self.points],
        }


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def _parse_gpx(text: str) -> Track:
    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise TrackError(f"Not a readable GPX file: {str(exc)[:120]}") from exc
    points: list[tuple[float, float]] = []
    times: list[datetime | None] = []
    for trk in gpx.tracks:
        for seg in trk.segments:
            for p in seg.points:
                points.append((p.latitude, p.longitude))
                times.append(p.time)
    if not points:
        for rte in gpx.routes:
            for q in rte.points:
                points.append((q.latitude, q.longitude))
                times.append(q.time)
    return Track(points, times, "gpx")


def _parse_time(raw: object) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as exc:
        raise TrackError(f"Unreadable time {str(raw)[:40]!r} in the track.") from exc


def _parse_geojson(text: str) -> Track:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrackError(f"Not valid JSON (line {exc.lineno}).") from exc
    if not isinstance(doc, dict):
        raise TrackError("A GeoJSON track must be a LineString, a Feature or a FeatureCollection.")
    times_raw: list[object] = []
    geometry = doc
    if doc.get("type") == "FeatureCollection":
        features = [f for f in doc.get("features") or [] if isinstance(f, dict)]
        lines = [f for f in features if (f.get("geometry") or {}).get("type") == "LineString"]
        if not lines and features and all(_is_point(f) for f in features):
            return _from_points(features)
        if len(lines) != 1:
            raise TrackError("The FeatureCollection must hold exactly one LineString feature.")
        doc = lines[0]
    if doc.get("type") == "Feature":
        geometry = doc.get("geometry") or {}
        props = doc.get("properties") or {}
        # Per-position times, in either convention of GPX-to-GeoJSON converters: current
        # @tmcw/togeojson's properties.coordinateProperties.times, or the older coordTimes.
        coordinate = props.get("coordinateProperties")
        nested = coordinate.get("times") if isinstance(coordinate, dict) else None
        times_raw = list(nested or props.get("coordTimes") or props.get("times") or [])
    if geometry.get("type") != "LineString":
        raise TrackError("The track must be a GeoJSON LineString.")
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        raise TrackError("The LineString has no coordinates.")
    points: list[tuple[float, float]] = []
    for i, c in enumerate(coords):
        if not isinstance(c, list) or len(c) < 2:
            raise TrackError(f"Position {i + 1} is not [longitude, latitude].")
        try:
            lon, lat = float(c[0]), float(c[1])
        except (TypeError, ValueError) as exc:
            raise TrackError(f"Position {i + 1} is not numeric.") from exc
        points.append((lat, lon))
    if times_raw and len(times_raw) != len(points):
        raise TrackError(
            f"The track has {len(points)} positions but {len(times_raw)} times; "
            "they must match one to one."
        )
    times: list[datetime | None] = (
        [_parse_time(t) for t in times_raw] if times_raw else [None] * len(points)
    )
    return Track(points, times, "geojson")


def _is_point(feature: dict[str, Any]) -> bool:
    return (feature.get("geometry") or {}).get("type") == "Point"


def _from_points(features: list[dict[str, Any]]) -> Track:
    """A track given as one Point feature per position, each with its own ``time`` property
    (GDAL's track_points layer, many phone apps), in file order."""
    points: list[tuple[float, float]] = []
    times: list[datetime | None] = []
    for i, feature in enumerate(features):
        coords = (feature.get("geometry") or {}).get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            raise TrackError(f"Position {i + 1} is not [longitude, latitude].")
        try:
            points.append((float(coords[1]), float(coords[0])))
        except (TypeError, ValueError) as exc:
            raise TrackError(f"Position {i + 1} is not numeric.") from exc
        props = feature.get("properties") or {}
        times.append(_parse_time(props.get("time") if isinstance(props, dict) else None))
    if any(t is not None for t in times) and any(t is None for t in times):
        raise TrackError("Some positions have a time and others not.")
    return Track(points, times, "geojson")


def too_large() -> str:
    return f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."


def parse_track(filename: str, content: bytes) -> Track:
    """Read a GPX or GeoJSON track, choosing the format from the name or the content."""
    if len(content) > MAX_BYTES:
        raise TrackError(too_large())
    if not content.strip():
        raise TrackError("The file is empty.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TrackError("The file is not UTF-8 text (GPX or GeoJSON expected).") from exc
    name = filename.lower()
    head = text.lstrip()[:1]
    if name.endswith(".gpx") or head == "<":
        track = _parse_gpx(text)
    elif name.endswith((".geojson", ".json")) or head in "{[":
        track = _parse_geojson(text)
    else:
        raise TrackError("Unknown format: upload a .gpx or .geojson file.")
    if len(track.points) < 2:
        raise TrackError("The track needs at least two positions.")
    if len(track.points) > MAX_POINTS:
        raise TrackError(f"The track has more than {MAX_POINTS} positions.")
    for i, (lat, lon) in enumerate(track.points):
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat) or math.isnan(lon):
            raise TrackError(f"Position {i + 1} is outside valid coordinates.")
    return track


def check_against_patrol(
    track: Track,
    *,
    site_latlon: tuple[float, float],
    started_at: datetime,
    ended_at: datetime,
) -> Track:
    """Refuse tracks far from the site or outside the patrol's time; fill missing times.

    A track without times is spread evenly over the recorded start and end, by distance.
    """
    for i, p in enumerate(track.points):
        km = km_between(site_latlon, p)
        if km > MAX_KM_FROM_SITE:
            raise TrackError(
                f"Position {i + 1} is {km:.0f} km from the site (more than {MAX_KM_FROM_SITE:.0f})."
            )
    times = track.times
    if any(t is None for t in times):
        if not all(t is None for t in times):
            raise TrackError("Some positions have a time and others do not.")
        legs = [km_between(a, b) for a, b in zip(track.points, track.points[1:], strict=False)]
        total = sum(legs) or 1.0
        span = ended_at - started_at
        times = [started_at]
        acc = 0.0
        for leg in legs:
            acc += leg
            times.append(started_at + span * (acc / total if sum(legs) else 1.0))
    else:
        for i, t in enumerate(times):
            assert t is not None  # noqa: S101 (checked above)
            if t.tzinfo is None:
                raise TrackError(f"Position {i + 1} has a time without a time zone.")
        for i, (a, b) in enumerate(itertools.pairwise(times)):
            assert a is not None and b is not None  # noqa: S101
            if b < a:
                raise TrackError(f"Times go backwards at position {i + 2}.")
        first, last = times[0], times[-1]
        assert first is not None and last is not None  # noqa: S101
        if first < started_at - TIME_SLACK or last > ended_at + TIME_SLACK:
            raise TrackError("The track's times fall outside the patrol's start and end.")
    return Track(track.points, list(times), track.fmt)


def dosage(track: Track) -> dict[str, float]:
    """Minutes spent in each H3 cell (resolution 7) along a timed track."""
    out: dict[str, float] = {}
    pairs = zip(track.points, track.points[1:], track.times, track.times[1:], strict=False)
    for a, b, ta, tb in pairs:
        if ta is None or tb is None:
            continue
        minutes = (tb - ta).total_seconds() / 60
        if minutes <= 0 or minutes > MAX_GAP_MIN:
            continue
        n = max(1, math.ceil(km_between(a, b) / PIECE_KM))
        for k in range(n):
            f = (k + 0.5) / n
            cell = h3_cell(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
            out[cell] = out.get(cell, 0.0) + minutes / n
    return {cell: round(m, 1) for cell, m in sorted(out.items(), key=lambda kv: -kv[1])}


def length_km(track: Track) -> float:
    return round(
        sum(km_between(a, b) for a, b in zip(track.points, track.points[1:], strict=False)), 2
    )


def stored_times(raw: list[str | None]) -> list[datetime | None]:
    """The times a patrol keeps with its track (ISO 8601 strings, or None where a fix had none)."""
    return [datetime.fromisoformat(t) if t else None for t in raw]


def to_gpx(line: dict[str, Any], times: list[datetime | None], *, name: str) -> str:
    """A stored track as GPX 1.1: one track, one segment, each fix with its time when known."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "bluebox"
    track = gpxpy.gpx.GPXTrack(name=name)
    segment = gpxpy.gpx.GPXTrackSegment()
    fixes = line.get("coordinates") or []
    for (lon, lat), time in zip(fixes, [*times, *[None] * len(fixes)], strict=False):
        segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon, time=time))
    track.segments.append(segment)
    gpx.tracks.append(track)
    return str(gpx.to_xml(version="1.1"))


def to_geojson(
    line: dict[str, Any], times: list[datetime | None], *, properties: dict[str, Any]
) -> dict[str, Any]:
    """A stored track as a GeoJSON Feature; times in ``coordinateProperties.times``, the
    convention of @tmcw/togeojson that the upload reads back."""
    stamps = [t.isoformat().replace("+00:00", "Z") if t else None for t in times]
    return {
        "type": "Feature",
        "properties": {**properties, "coordinateProperties": {"times": stamps}},
        "geometry": {"type": "LineString", "coordinates": line.get("coordinates") or []},
    }
