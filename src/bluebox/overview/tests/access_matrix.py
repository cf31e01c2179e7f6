"""Access matrix rows for the overview pages (see bluebox.testing.matrix)."""

from typing import Any

from bluebox.incidents.tests.access_matrix import VIEWERS
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.matrix import MISSION_MEMBERS, Endpoint, allowed, endpoint, everyone

WHOLE_WORLD = "bbox=-180,-90,180,90&zoom=0"

# Who sees incidents in the mission, wherever they are (the reporter at B sees site B's).
READERS = VIEWERS | {"reporter_at_b"}


def _sitrep_expect(who: str) -> int:
    """Who sees the mission's incidents reads its report; the other mission's commander asks
    for a mission they do not see (404); anyone without incidents to see gets no report."""
    if who in READERS:
        return 200
    return 404 if who == "other_commander" else 403


def _incident_at_a(w: Any) -> None:
    w.incident = IncidentFactory(site=w.site_a)


ENDPOINTS = [
    Endpoint("", "get", lambda w: "/", everyone(200), api=False),
    *(
        endpoint(
            route,
            "get",
            _sitrep_expect,
            query="?mission={w.mission.pk}&week=2026-W44",
            api=False,
            setup=_incident_at_a,
        )
        for route in ("sitrep/", "sitrep/report.pdf", "sitrep/figures.csv")
    ),
    endpoint("map/", "get", everyone(200), api=False),
    # Each layer holds only what the person may see (tested in test_picture.py); the
    # incidents layer answers everyone, with nothing in it for those who see no incident.
    endpoint("map/data/", "get", everyone(200), query=f"?layer=incidents&{WHOLE_WORLD}", api=False),
    *(
        endpoint(
            "map/data/",
            "get",
            allowed(MISSION_MEMBERS, 200, 404),
            query=f"?layer={layer}&mission={{w.mission.pk}}&{WHOLE_WORLD}",
            api=False,
        )
        for layer in ("mission", "alerts", "risk", "deployment", "patrols")
    ),
]
