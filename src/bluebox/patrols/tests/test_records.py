"""Executed patrols: records, joint patrols behind the HRDDP gate, tracks and dosage."""

from __future__ import annotations

import json
from datetime import timedelta

import h3
import pytest

from bluebox.core.access import NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.missions.models import PartnerOrganisation
from bluebox.patrols import services, tracks
from bluebox.patrols.models import CommunityEngagement, Patrol
from bluebox.patrols.tests.conftest import BEFORE
from bluebox.testing.factories import IncidentFactory

START = BEFORE - timedelta(hours=4)
END = BEFORE - timedelta(hours=1)


def _record(w, **extra):
    data = {
        "actor": w.reporter_at_a,
        "site_id": w.site_a.pk,
        "team_id": w.teams[1].pk,
        "started_at": START,
        "ended_at": END,
        "members": 8,
    }
    return services.patrol_record(**{**data, **extra})


def _gpx(points):
    body = "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><time>{t:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>'
        for lat, lon, t in points
    )
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        f"{body}</trkseg></trk></gpx>"
    ).encode()


def test_a_reporter_records_a_patrol_with_people_met_and_incidents(patrol_world):
    w = patrol_world
    incident = IncidentFactory(site=w.site_a)
    patrol = _record(
        w,
        members_women=3,
        observations="Market calm",
        incident_ids=[incident.pk],
        engagements=[services.EngagementInput("Women's committee", "water point", women=12, men=2)],
    )
    assert list(patrol.incidents.all()) == [incident]
    engagement = CommunityEngagement.objects.get(patrol=patrol)
    assert (engagement.women, engagement.men, engagement.total) == (12, 2, 14)


def test_bad_records_are_refused_with_field_errors(patrol_world):
    w = patrol_world
    hidden = IncidentFactory(site=w.site_b)
    with pytest.raises(ServiceError) as exc:
        _record(w, ended_at=START, members_women=9, incident_ids=[hidden.pk])
    assert set(exc.value.field_errors) == {"ended_at", "members_women", "incidents"}
    with pytest.raises(NotVisible):
        _record(w, actor=w.reporter_at_b)
    assert not Patrol.objects.exists()


def test_a_joint_patrol_is_blocked_while_hrddp_does_not_allow_support(patrol_world):
    w = patrol_world
    unit = PartnerOrganisation.objects.create(
        mission=w.mission, kind="host_police", name="District police", site=w.site_a
    )
    with pytest.raises(ServiceError, match="not allowed"):
        _record(w, partner_id=unit.pk)
    assert not Patrol.objects.exists()


def test_a_gpx_track_gives_time_per_h3_cell(patrol_world):
    w = patrol_world
    patrol = _record(w)
    # Out of the site eastwards and back, a fix every five minutes.
    points = []
    for k in range(25):
        lon = -9.5 + 0.002 * (k if k <= 12 else 24 - k)
        points.append((3.0, lon, START + timedelta(minutes=5 * k)))
    services.patrol_track_upload(
        actor=w.reporter_at_a, patrol_id=patrol.pk, filename="walk.gpx", content=_gpx(points)
    )
    patrol.refresh_from_db()
    assert patrol.track["type"] == "LineString" and len(patrol.track["coordinates"]) == 25
    assert sum(patrol.dosage.values()) == pytest.approx(120, abs=0.5)
    assert all(h3.get_resolution(c) == 7 for c in patrol.dosage)
    assert patrol.track_km == pytest.approx(5.3, abs=0.3)


def test_a_geojson_track_without_times_is_spread_over_the_patrol(patrol_world):
    w = patrol_world
    patrol = _record(w)
    line = {"type": "LineString", "coordinates": [[-9.5, 3.0], [-9.49, 3.0], [-9.48, 3.0]]}
    services.patrol_track_upload(
        actor=w.reporter_at_a,
        patrol_id=patrol.pk,
        filename="t.geojson",
        content=json.dumps(line).encode(),
    )
    patrol.refresh_from_db()
    # Two legs of 90 minutes each: longer than the gap limit, so no presence is claimed.
    assert patrol.track_times[0] == START.isoformat()
    assert patrol.dosage == {}


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("t.gpx", b"<gpx><trk><trkseg><trkpt lat='3' lon=", "Not a readable GPX"),
        ("t.geojson", b'{"type": "Point", "coordinates": [-9.5, 3.0]}', "LineString"),
        ("t.geojson", b'{"type": "LineString", "coordinates": [[-9.5, 3.0]]}', "two positions"),
        ("t.geojson", b'{"type": "LineString", "coordinates": [[-9.5, 95], [-9.5, 3]]}', "valid"),
        ("t.geojson", b'{"type": "LineString", "coordinates": [[2.0, 3.0], [2.1, 3.0]]}', "km"),
        ("t.txt", b"hello", "Unknown format"),
        ("t.gpx", b"", "empty"),
    ],
)
def test_bad_tracks_are_refused_atomically(patrol_world, name, content, message):
    w = patrol_world
    patrol = _record(w)
    good = {"type": "LineString", "coordinates": [[-9.5, 3.0], [-9.5001, 3.0001]]}
    services.patrol_track_upload(
        actor=w.reporter_at_a,
        patrol_id=patrol.pk,
        filename="g.json",
        content=json.dumps(good).encode(),
    )
    with pytest.raises(ServiceError, match=message):
        services.patrol_track_upload(
            actor=w.reporter_at_a, patrol_id=patrol.pk, filename=name, content=content
        )
    patrol.refresh_from_db()
    assert patrol.track == good  # the earlier track is untouched


def test_track_times_outside_the_patrol_are_refused(patrol_world):
    w = patrol_world
    patrol = _record(w)
    late = END + timedelta(hours=3)
    content = _gpx([(3.0, -9.5, late), (3.0, -9.49, late + timedelta(minutes=5))])
    with pytest.raises(ServiceError, match="outside the patrol"):
        services.patrol_track_upload(
            actor=w.reporter_at_a, patrol_id=patrol.pk, filename="x.gpx", content=content
        )
    assert tracks.MAX_GAP_MIN == 15.0


def test_a_joint_patrol_reads_the_mission_rules(patrol_world):
    """The HRDDP decision allows support and the rules in force allow the joint patrol; on a
    day no version of the mission's rules covers, the patrol is refused, saying so."""
    from bluebox.guide.tests.factories import approved
    from bluebox.hrddp.tests.factories import DecisionFactory

    w = patrol_world
    unit = PartnerOrganisation.objects.create(
        mission=w.mission, kind="host_police", name="District police", site=w.site_a
    )
    DecisionFactory(assessment__partner=unit)
    approved(w.mission, w.commissioner)  # in force from 1 July 2026
    patrol = _record(w, partner_id=unit.pk)
    assert patrol.partner == unit
    with pytest.raises(ServiceError) as caught:
        _record(
            w, partner_id=unit.pk, started_at=START.replace(month=3), ended_at=END.replace(month=3)
        )
    assert "rules do not allow" in caught.value.message
    assert caught.value.field_errors["partner"] == [
        "No version of the mission's rules is in force that day."
    ]


def test_a_joint_patrol_refused_by_hrddp_cites_the_rules(patrol_world):
    from bluebox.guide.tests.factories import approved

    w = patrol_world
    unit = PartnerOrganisation.objects.create(
        mission=w.mission, kind="host_police", name="District police", site=w.site_a
    )
    approved(w.mission, w.commissioner)
    with pytest.raises(ServiceError) as caught:
        _record(w, partner_id=unit.pk)
    assert any("hrddp-sop" in e or "paragraph 6" in e for e in caught.value.field_errors["partner"])
