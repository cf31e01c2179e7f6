"""The operational picture: one map whose layers hold only what the viewer may see.

Clusters are counted from the visible, filtered incidents alone, so a reporter at another site,
a partner or an outsider learns nothing from a count; the view and the time window bound what
is sent; bad parameters are refused with a 400 that says which.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bluebox.alerts import services as alert_services
from bluebox.core.classification import Classification
from bluebox.core.models import AuditEntry
from bluebox.deployment.models import DeploymentPlan, PlanStatus
from bluebox.incidents import selectors as incident_selectors
from bluebox.overview import selectors as picture
from bluebox.testing.factories import IncidentFactory

pytestmark = pytest.mark.django_db

WORLD = "bbox=-180,-90,180,90&zoom=0"
NEAR_B = "bbox=-9.9,3.1,-9.7,3.3&zoom=11"


def _get(user: Any, query: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/map/data/?{query}")


def _incidents(user: Any, query: str = WORLD) -> dict[str, Any]:
    response = _get(user, f"layer=incidents&{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _drawn(layer: dict[str, Any]) -> int:
    return sum(c["count"] for c in layer["clusters"]) + len(layer["markers"])


def _spread(site: Any, n: int, **fields: Any) -> list[Any]:
    """``n`` incidents around ``site``, a few hundred metres apart."""
    return [
        IncidentFactory(
            site=site,
            latitude=site.latitude + (i % 8) * 0.003,
            longitude=site.longitude + (i // 8) * 0.003,
            **fields,
        )
        for i in range(n)
    ]


def test_clusters_count_every_visible_incident_and_nothing_else(world):
    _spread(world.site_a, 60)
    _spread(world.site_b, 7)
    IncidentFactory(site=world.other_site)
    IncidentFactory(site=world.site_a, voided_at=timezone.now(), void_reason="duplicate")
    layer = _incidents(world.analyst)
    assert layer["total"] == layer["in_view"] == 67
    assert layer["clusters"], "67 incidents in view are too many to draw one by one"
    assert _drawn(layer) == 67
    # The east analyst sees sector East only: site A's sixty.
    east = _incidents(world.east_analyst)
    assert east["total"] == east["in_view"] == _drawn(east) == 60


def test_a_reporter_of_another_site_and_a_partner_get_none_of_site_a_counts_included(world):
    at_a = _spread(world.site_a, 60)
    ids_at_a = {i.pk for i in at_a}
    for attacker in (world.reporter_at_b, world.partner, world.outsider, world.other_commander):
        layer = _incidents(attacker)
        visible = incident_selectors.incidents_for(attacker).count()
        assert layer["total"] == layer["in_view"] == _drawn(layer) == visible == 0
        assert layer["clusters"] == [] and layer["markers"] == []
        # Asking for the mission, the site or a close view of it changes nothing.
        close = f"mission={world.mission.pk}&site={world.site_a.pk}&bbox=-9.6,2.9,-9.4,3.1&zoom=13"
        again = _incidents(attacker, close)
        assert (again["total"], again["in_view"], again["markers"]) == (0, 0, [])
        assert not ids_at_a & {m["id"] for m in again["markers"]}
    mine = IncidentFactory(site=world.site_b, latitude=3.2, longitude=-9.8)
    layer = _incidents(world.reporter_at_b)
    assert [m["id"] for m in layer["markers"]] == [mine.pk] and layer["total"] == 1


def test_the_view_bounds_what_is_drawn_and_the_total_says_how_many_match(world):
    _spread(world.site_a, 10)
    near_b = _spread(world.site_b, 4)
    layer = _incidents(world.analyst, NEAR_B)
    assert layer["total"] == 14 and layer["in_view"] == 4
    assert {m["id"] for m in layer["markers"]} == {i.pk for i in near_b}
    marker = layer["markers"][0]
    assert marker["url"] == f"/incidents/{marker['id']}/"
    assert marker["label"] == "Killing · Reported"  # words, not codes


def test_zooming_in_splits_clusters_into_markers(world):
    _spread(world.site_a, 60)
    far = _incidents(world.analyst, "bbox=-10.5,2.5,-8.5,3.5&zoom=8")
    # A grid line may cross the group: at most the four cells around a corner.
    assert 1 <= len(far["clusters"]) <= 4 and _drawn(far) == 60
    assert far["markers"] == []
    # At street level the same sixty are each their own marker.
    close = _incidents(world.analyst, "bbox=-9.51,2.99,-9.47,3.03&zoom=16")
    assert close["clusters"] == [] and len(close["markers"]) == 60


def test_the_time_window_and_the_lists_filters_choose_the_incidents(world):
    for day, kind in ((3, "killing"), (20, "looting"), (21, "killing")):
        when = datetime(2026, 11, day, 9, tzinfo=UTC)
        IncidentFactory(site=world.site_a, occurred_at=when, reported_at=when, incident_type=kind)
    assert _incidents(world.analyst, f"{WORLD}&since=2026-11-15")["total"] == 2
    assert _incidents(world.analyst, f"{WORLD}&since=2026-11-15&until=2026-11-20")["total"] == 1
    assert _incidents(world.analyst, f"{WORLD}&since=2026-11-15&type=killing")["total"] == 1


def test_the_incident_lists_map_asks_with_the_lists_filters_and_agrees_with_it(world):
    IncidentFactory(site=world.site_a, incident_type="looting")
    IncidentFactory(site=world.site_a, incident_type="killing")
    client = Client()
    client.force_login(world.analyst)
    listing = client.get("/incidents/?type=looting&page=1")
    data = listing.context["map_data"]
    assert "incidents" not in data  # nothing inlined: the map asks for its view
    assert data["incidents_url"] == "/map/data/?layer=incidents&type=looting"
    layer = client.get(f"{data['incidents_url']}&{WORLD}").json()
    assert layer["total"] == listing.context["page"].paginator.count == 1


def test_drawing_a_strictly_confidential_incident_is_an_audited_read(world):
    secret = IncidentFactory(site=world.site_a, classification=Classification.STRICTLY_CONFIDENTIAL)
    before = AuditEntry.objects.filter(action="list-read").count()
    layer = _incidents(world.commissioner)
    assert [m["id"] for m in layer["markers"]] == [secret.pk]
    entry = AuditEntry.objects.filter(action="list-read").order_by("-id").first()
    assert AuditEntry.objects.filter(action="list-read").count() == before + 1
    assert entry is not None and entry.detail["ids"] == [str(secret.pk)]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "layer must be one of"),
        ("layer=secrets", "layer must be one of"),
        ("layer=incidents", "bbox must be"),
        ("layer=incidents&bbox=1,2,3&zoom=3", "bbox must be"),
        ("layer=incidents&bbox=a,b,c,d&zoom=3", "bbox must be a number"),
        ("layer=incidents&bbox=-200,0,10,10&zoom=3", "bbox must be between"),
        ("layer=incidents&bbox=10,0,-10,10&zoom=3", "bbox must be"),
        ("layer=incidents&bbox=-10,0,10,10", "zoom must be"),
        ("layer=incidents&bbox=-10,0,10,10&zoom=-1", "zoom must be"),
        ("layer=incidents&bbox=-10,0,10,10&zoom=25", "zoom must be"),
        ("layer=incidents&bbox=-180,-90,180,90&zoom=18", "too large"),
        ("layer=incidents&bbox=-10,0,10,10&zoom=3&since=yesterday", "since must be a date"),
        ("layer=incidents&bbox=-10,0,10,10&zoom=3&site=x", "site must be a number"),
        ("layer=alerts&bbox=-10,0,10,10&zoom=3&until=1800-01-01", "until must be a date"),
    ],
)
def test_bad_parameters_get_a_400_saying_which(world, query, says):
    response = _get(world.analyst, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert says in response.json()["error"]


def test_a_mission_the_person_holds_no_role_in_answers_as_if_missing(world):
    assert (
        _get(world.other_commander, f"layer=mission&mission={world.mission.pk}").status_code == 404
    )
    assert _get(world.analyst, "layer=mission&mission=999999").status_code == 404


def test_the_mission_layer_names_only_the_sites_the_person_may_see(world):
    body = _get(world.analyst, f"layer=mission&mission={world.mission.pk}").json()
    assert [s["name"] for s in body["sites"]] == ["Site A", "Site B"]
    assert body["sites"][0]["kind"] == "IDP camp"


@pytest.fixture
def gateway(world: Any) -> Any:
    channel, _secret = alert_services.channel_create(
        actor=world.commissioner, mission=world.mission, name="Hotline"
    )
    return channel


def _alert(channel: Any, text: str, phone: str, at: datetime) -> Any:
    return alert_services.alert_receive(
        channel=channel,
        message=alert_services.InboundMessage(sender=phone, text=text, sent_at=at, external_id=""),
        now=at,
    )


def test_alerts_are_placed_at_their_site_counted_per_reader_and_never_carry_their_text(
    world, gateway
):
    now = timezone.now()
    at_a = _alert(gateway, "Shots at Site A", "+23672123456", now - timedelta(days=1))
    _alert(gateway, "Shots at Site B", "+23675987654", now - timedelta(days=2))
    _alert(gateway, "Looting at Site B", "+23675987655", now - timedelta(days=40))
    query = f"layer=alerts&mission={world.mission.pk}&{WORLD}"
    analyst = _get(world.analyst, query).json()
    assert analyst["total"] == analyst["in_view"] == 3
    since = (now - timedelta(days=7)).date().isoformat()
    assert _get(world.analyst, f"{query}&since={since}").json()["total"] == 2
    reporter = _get(world.reporter_at_a, query).json()
    assert reporter["total"] == 1 and [m["id"] for m in reporter["markers"]] == [at_a.pk]
    marker = reporter["markers"][0]
    assert (marker["lat"], marker["lon"]) == (world.site_a.latitude, world.site_a.longitude)
    assert marker["label"] == "New"
    assert "Shots" not in str(reporter)
    partner = _get(world.partner, query).json()
    assert (partner["total"], partner["in_view"], partner["markers"]) == (0, 0, [])


def test_deployment_coverage_comes_from_the_approved_plan_for_those_who_may_read_plans(world):
    row = {"name": "Site A", "lat": 3.0, "lon": -9.5, "need": 40, "officers": 30.0}
    DeploymentPlan.objects.create(
        mission=world.mission,
        plan_start=datetime(2026, 11, 1, tzinfo=UTC).date(),
        status=PlanStatus.APPROVED,
        board=[{**row, "coverage": 0.75, "site": "s1", "units": []}],
        created_by=world.planner,
        created_at=timezone.now(),
    )
    DeploymentPlan.objects.create(
        mission=world.mission,
        plan_start=datetime(2026, 12, 1, tzinfo=UTC).date(),
        version=2,
        status=PlanStatus.DRAFT,
        board=[{**row, "coverage": 0.1, "site": "s1", "units": []}],
        created_by=world.planner,
        created_at=timezone.now(),
    )
    query = f"layer=deployment&mission={world.mission.pk}"
    body = _get(world.planner, query).json()
    assert body["sites"] == [{**row, "coverage": 0.75}] and body["plan"] == 1
    assert _get(world.partner, query).json() == {"layer": "deployment", "plan": None, "sites": []}


def test_the_risk_and_patrol_layers_are_empty_without_a_forecast_or_a_plan(world):
    for layer in ("risk", "patrols"):
        body = _get(world.analyst, f"layer={layer}&mission={world.mission.pk}").json()
        assert body["layer"] == layer
        assert not body.get("cells") and not body.get("areas") and not body.get("tracks")


def test_the_box_is_refused_when_it_is_a_whole_world_at_street_level():
    assert picture.Box(-180, -90, 180, 90, zoom=3).cells <= picture.MAX_CELLS
    assert picture.Box(-180, -90, 180, 90, zoom=12).cells > picture.MAX_CELLS


def test_the_menu_links_the_picture_for_those_who_see_incidents(world):
    client = Client()
    for who, listed in (
        (world.reporter_at_a, True),
        (world.analyst, True),
        (world.admin, False),
        (world.outsider, False),
    ):
        client.force_login(who)
        page = client.get("/map/")
        assert page.status_code == 200
        assert ('data-module="map"' in page.content.decode()) is listed, who.username


def test_executed_patrol_tracks_are_drawn_for_the_window_and_only_for_their_sites_viewers(world):
    from bluebox.patrols.models import Patrol
    from bluebox.patrols.tests.factories import PatrolTeamFactory

    started = timezone.now() - timedelta(days=3)
    scope = {"mission": world.mission, "sector": world.site_a.sector, "site": world.site_a}
    patrol = Patrol.objects.create(
        team=PatrolTeamFactory(site=world.site_a, name="Alpha"),
        started_at=started,
        ended_at=started + timedelta(hours=3),
        members=6,
        recorded_by=world.reporter_at_a,
        recorded_at=started + timedelta(hours=4),
        track={"type": "LineString", "coordinates": [[-9.5, 3.0], [-9.49, 3.01]]},
        **scope,
    )
    query = f"layer=patrols&mission={world.mission.pk}"
    body = _get(world.reporter_at_a, query).json()
    assert body["tracks"] == [
        {
            "id": patrol.pk,
            "team": "Alpha",
            "started": started.date().isoformat(),
            "line": [[3.0, -9.5], [3.01, -9.49]],
        }
    ]
    later = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert _get(world.reporter_at_a, f"{query}&since={later}").json()["tracks"] == []
    assert _get(world.reporter_at_b, query).json()["tracks"] == []
    assert _get(world.partner, query).json()["tracks"] == []
