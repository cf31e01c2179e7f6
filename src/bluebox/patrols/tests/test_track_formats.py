"""Tracks from the field's converters keep their times, so the patrol-time check runs.

GeoJSON as current @tmcw/togeojson writes it (times in ``coordinateProperties.times``) and as
one Point feature per position with a ``time`` property; GPX written with gpxpy.
"""

from __future__ import annotations

import json
from datetime import timedelta

import gpxpy.gpx
import pytest

from bluebox.core.exceptions import ServiceError
from bluebox.patrols import services

from .test_records import END, START, _record

LINE = [(3.0, -9.5), (3.0, -9.495), (3.0, -9.49)]


def _stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _togeojson(times):
    """A FeatureCollection in the shape @tmcw/togeojson gives a GPX track."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": "Patrol",
                    "_gpxType": "trk",
                    "coordinateProperties": {"times": [_stamp(t) for t in times]},
                },
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[lon, lat] for lat, lon in LINE],
                },
            }
        ],
    }


def _points(times):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"time": _stamp(t)},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
            for (lat, lon), t in zip(LINE, times, strict=True)
        ],
    }


def _gpx(times):
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack()
    segment = gpxpy.gpx.GPXTrackSegment()
    for (lat, lon), t in zip(LINE, times, strict=True):
        segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon, time=t))
    track.segments.append(segment)
    gpx.tracks.append(track)
    return gpx.to_xml(version="1.1").encode()


INSIDE = [START + timedelta(minutes=m) for m in (10, 20, 30)]
OUTSIDE = [END + timedelta(hours=2, minutes=m) for m in (10, 20, 30)]


@pytest.mark.parametrize(
    "name,build",
    [
        ("t.geojson", lambda times: json.dumps(_togeojson(times)).encode()),
        ("t.geojson", lambda times: json.dumps(_points(times)).encode()),
        ("t.gpx", _gpx),
    ],
    ids=["togeojson", "point-features", "gpx"],
)
def test_track_times_are_kept_and_checked_against_the_patrol(patrol_world, name, build):
    w = patrol_world
    patrol = _record(w)
    services.patrol_track_upload(
        actor=w.reporter_at_a, patrol_id=patrol.pk, filename=name, content=build(INSIDE)
    )
    patrol.refresh_from_db()
    assert patrol.track_times == [t.isoformat() for t in INSIDE]
    # The same track two hours after the patrol ended is refused: the check ran on its times.
    other = _record(w)
    with pytest.raises(ServiceError, match="outside the patrol"):
        services.patrol_track_upload(
            actor=w.reporter_at_a, patrol_id=other.pk, filename=name, content=build(OUTSIDE)
        )
    other.refresh_from_db()
    assert other.track is None


def test_a_track_downloads_as_gpx_and_geojson_with_its_times_and_uploads_again(patrol_world):
    from django.test import Client

    from bluebox.testing.validators import geojson_problems

    w = patrol_world
    patrol = _record(w)
    services.patrol_track_upload(
        actor=w.reporter_at_a, patrol_id=patrol.pk, filename="t.gpx", content=_gpx(INSIDE)
    )
    patrol.refresh_from_db()
    client = Client()
    client.force_login(w.reporter_at_a)
    gpx_file = client.get(f"/patrols/records/{patrol.pk}/track.gpx")
    assert gpx_file["Content-Type"] == "application/gpx+xml"
    parsed = gpxpy.parse(gpx_file.content.decode())
    fixes = parsed.tracks[0].segments[0].points
    assert [(p.latitude, p.longitude) for p in fixes] == list(LINE)
    assert [p.time for p in fixes] == INSIDE
    geo = client.get(f"/patrols/records/{patrol.pk}/track.geojson")
    feature = json.loads(geo.content)
    assert geojson_problems(feature) == {}
    assert feature["properties"]["coordinateProperties"]["times"] == [_stamp(t) for t in INSIDE]
    # The API gives the same feature.
    client.force_login(w.planner)
    assert client.get(f"/api/v1/patrols/records/{patrol.pk}/track/").json() == feature
    # Each download uploads again as the same track, with the same times checked.
    for name, content in (("again.gpx", gpx_file.content), ("again.geojson", geo.content)):
        other = _record(w)
        services.patrol_track_upload(
            actor=w.reporter_at_a, patrol_id=other.pk, filename=name, content=content
        )
        other.refresh_from_db()
        assert other.track_times == [t.isoformat() for t in INSIDE]
        assert other.track == patrol.track


def test_a_patrol_without_a_track_has_no_track_file(patrol_world):
    from django.test import Client

    w = patrol_world
    patrol = _record(w)
    client = Client()
    client.force_login(w.reporter_at_a)
    assert client.get(f"/patrols/records/{patrol.pk}/track.gpx").status_code == 404
