"""The incident page's links: only to incidents the reader may also see, in a bounded number
of queries whatever the number of incidents the reader may see."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bluebox.incidents import selectors
from bluebox.incidents.models import IncidentLink
from bluebox.testing.factories import IncidentFactory

AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _linked(world):
    here = IncidentFactory(site=world.site_a, title="Attack on the camp")
    same_site = IncidentFactory(site=world.site_a, title="Second report of the attack")
    other_site = IncidentFactory(site=world.site_b, title="Reprisal at the market")
    IncidentLink.objects.create(
        from_incident=here, to_incident=same_site, linked_by=world.analyst, linked_at=AT
    )
    IncidentLink.objects.create(
        from_incident=other_site,
        to_incident=here,
        linked_by=world.analyst,
        linked_at=AT,
        kind=IncidentLink.Kind.RELATED,
    )
    return here, same_site, other_site


def _ends(user, incident):
    return {end.pk for _kind, end, _at in selectors.incident_history(user, incident)["links"]}


def test_links_show_only_incidents_the_reader_may_see(world):
    here, same_site, other_site = _linked(world)
    assert _ends(world.commissioner, here) == {same_site.pk, other_site.pk}
    assert _ends(world.reporter_at_a, here) == {same_site.pk}  # site B is not the reporter's


def test_links_do_not_scan_every_visible_incident(world):
    here, _same_site, _other_site = _linked(world)
    IncidentFactory.create_batch(30, site=world.site_a)
    with CaptureQueriesContext(connection) as queries:
        selectors.incident_history(world.commissioner, here)
    link_queries = [q["sql"] for q in queries.captured_queries if "incidentlink" in q["sql"]]
    assert len(link_queries) == 2
    for sql in link_queries:
        # No subquery over the incidents the reader may see: the links are read on their own.
        assert "SELECT U0" not in sql and sql.count("SELECT") == 1
