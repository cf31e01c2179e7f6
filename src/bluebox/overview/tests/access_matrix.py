"""Access matrix rows for the overview pages (see bluebox.testing.matrix)."""

from typing import Any

from bluebox.incidents.tests.access_matrix import VIEWERS
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.matrix import Endpoint, endpoint, everyone

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
]
