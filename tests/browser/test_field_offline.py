"""A reporter with no connection files two incidents and a patrol with its track on a phone,
closes the tab, opens it again and comes back online: exactly three records arrive, once each,
and the page shows them sent. Again with the network failing in the middle of a send: the
server wrote the first report but its answer never came back; still exactly three. And an
incident with a photo taken offline: it waits sealed with the report, arrives with it once,
smaller and without its GPS position, and the analyst sees it on the incident's page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from bluebox.core.models import IdempotencyRecord
from bluebox.incidents.models import Incident
from bluebox.patrols.models import Patrol
from bluebox.patrols.tests.factories import PatrolTeamFactory
from bluebox.testing.factories import TEST_PASSWORD
from bluebox.testing.images import GPS_IFD, photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _open_app(page: Any, base: str) -> None:
    page.goto(f"{base}/field/")
    page.wait_for_selector("#field-app[data-ready=true]")


def _local(dt: Any) -> str:
    return timezone.localtime(dt, timezone.get_fixed_timezone(0)).strftime("%Y-%m-%dT%H:%M")


def _incident(page: Any, title: str, when: str) -> None:
    page.click("#tab-incident")
    page.fill("#i-title", title)
    page.select_option("#i-type", "roadblock")
    page.fill("#i-when", when)
    page.fill("#i-lat", "3.012")
    page.fill("#i-lon", "-9.487")
    page.fill("#i-desc", "Reported from the phone.")
    page.click("#incident-form button[value=send]")


def _track(site: Any, start: Any) -> bytes:
    times = [(start + timedelta(minutes=10 * i)).isoformat() for i in range(4)]
    line = [[site.longitude + 0.002 * i, site.latitude + 0.001 * i] for i in range(4)]
    feature = {
        "type": "Feature",
        "properties": {"coordinateProperties": {"times": times}},
        "geometry": {"type": "LineString", "coordinates": line},
    }
    return json.dumps(feature).encode()


def _patrol(page: Any, team: Any, start: Any, track: bytes) -> None:
    page.click("#tab-patrol")
    page.wait_for_selector(f"#p-team option[value='{team.pk}']", state="attached")
    page.select_option("#p-team", str(team.pk))
    page.fill("#p-start", _local(start))
    page.fill("#p-end", _local(start + timedelta(hours=1)))
    page.fill("#p-members", "8")
    page.fill("#p-women", "2")
    page.fill("#p-obs", "Market quiet, two checkpoints removed.")
    page.set_input_files(
        "#p-track-file",
        files=[{"name": "walk.geojson", "mimeType": "application/geo+json", "buffer": track}],
    )
    page.wait_for_selector("#track-status:has-text('4')")
    page.click("#patrol-form button[value=send]")


def _file_three_offline(page: Any, world: Any, team: Any) -> Any:
    start = (timezone.now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    _incident(page, "Checkpoint on the river road", _local(start))
    page.wait_for_selector("#queue[data-waiting='1']")
    _incident(page, "Shots heard near the well", _local(start + timedelta(minutes=30)))
    page.wait_for_selector("#queue[data-waiting='2']")
    _patrol(page, team, start, _track(world.site_a, start))
    page.wait_for_selector("#queue[data-waiting='3']")
    return start


def _assert_three_arrived(world: Any, team: Any) -> None:
    incidents = Incident.objects.order_by("title")
    assert [i.title for i in incidents] == [
        "Checkpoint on the river road",
        "Shots heard near the well",
    ]
    assert {i.reported_by for i in incidents} == {world.reporter_at_a}
    patrol = Patrol.objects.get()
    assert patrol.team == team and patrol.members == 8 and patrol.members_women == 2
    assert patrol.track and len(patrol.track["coordinates"]) == 4 and patrol.track_km > 0
    assert IdempotencyRecord.objects.filter(user=world.reporter_at_a).count() == 3


def test_offline_reports_arrive_exactly_once_after_closing_the_tab(
    live_server, browser, screenshots, world, page_errors
):
    team = PatrolTeamFactory(site=world.site_a, name="Team Alpha")
    phone = browser.new_context(**PHONE)
    page = page_errors.watch(phone.new_page())
    _login(page, live_server.url, "reporter_a")
    _open_app(page, live_server.url)
    page.wait_for_selector("#field-app[data-offline-ready=true]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    phone.set_offline(True)
    page.reload()  # the kept page opens with no connection at all
    page.wait_for_selector("#field-app[data-ready=true]")
    assert page.get_attribute("#connection", "data-online") == "false"
    _file_three_offline(page, world, team)
    page.screenshot(path=str(screenshots / "field-offline-queue.png"), full_page=True)
    assert Incident.objects.count() == 0 and Patrol.objects.count() == 0
    # Nothing readable is kept: the reports are ciphertext in IndexedDB.
    stored = page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open('bluebox-field', 1);
        r.onsuccess = () => { const q = r.result.transaction('items').objectStore('items').getAll();
        q.onsuccess = () => ok(JSON.stringify(q.result.map((i) => Object.keys(i)))
          + Array.from(q.result, (i) => new TextDecoder().decode(i.ct)).join('')); }; })"""
    )
    assert "Checkpoint" not in stored and "river road" not in stored and "Team Alpha" not in stored
    page.close()

    page = page_errors.watch(phone.new_page())
    _open_app(page, live_server.url)  # still offline: served by the service worker
    page.wait_for_selector("#queue[data-waiting='3']")
    assert Incident.objects.count() == 0

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#queue[data-sent='3'][data-waiting='0']", timeout=20000)
    assert page.locator("#queue li[data-state=sent] a.sent-link").count() == 3
    page.screenshot(path=str(screenshots / "field-sent.png"), full_page=True)
    _assert_three_arrived(world, team)

    # Focus and another start send nothing again.
    page.reload()
    page.wait_for_selector("#field-app[data-ready=true]")
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.wait_for_timeout(500)
    assert Incident.objects.count() == 2 and Patrol.objects.count() == 1
    phone.close()
    assert page_errors == []


def test_a_send_whose_answer_is_lost_still_ends_with_exactly_three(
    live_server, browser, world, page_errors
):
    team = PatrolTeamFactory(site=world.site_a, name="Team Bravo")
    phone = browser.new_context(**PHONE)
    page = page_errors.watch(phone.new_page())
    _login(page, live_server.url, "reporter_a")
    _open_app(page, live_server.url)
    phone.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    _file_three_offline(page, world, team)

    # The first incident reaches the server, which writes it, but its answer is lost.
    lost: list[str] = []
    seen: list[str] = []

    def drop_the_first_answer(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        seen.append(route.request.headers["idempotency-key"])
        if not lost:
            route.fetch()  # the server receives and commits it
            lost.append(seen[-1])
            route.abort("connectionreset")
            return
        route.continue_()

    phone.route("**/api/v1/incidents/", drop_the_first_answer)
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    for _ in range(100):  # until the first answer was dropped
        if lost:
            break
        page.wait_for_timeout(100)
    page.click("#send-now")
    page.wait_for_selector("#queue[data-sent='3'][data-waiting='0']", timeout=30000)
    # The lost one was sent again under the same key and answered from the first write.
    assert len(lost) == 1 and seen.count(lost[0]) >= 2
    assert IdempotencyRecord.objects.filter(key=lost[0]).count() == 1
    _assert_three_arrived(world, team)
    phone.close()
    assert page_errors == []


def test_an_incident_filed_offline_with_a_photo_arrives_with_it(
    live_server, browser, screenshots, world, page_errors
):
    from io import BytesIO

    from PIL import Image

    phone = browser.new_context(**PHONE)
    page = page_errors.watch(phone.new_page())
    _login(page, live_server.url, "reporter_a")
    _open_app(page, live_server.url)
    page.wait_for_selector("#field-app[data-offline-ready=true]")
    phone.set_offline(True)
    page.reload()
    page.wait_for_selector("#field-app[data-ready=true]")

    # A phone's photo: larger than the app sends, and saying where the reporter stood.
    taken = photo("JPEG", size=(2400, 1800))
    assert Image.open(BytesIO(taken)).getexif().get_ifd(GPS_IFD)
    start = (timezone.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    page.click("#tab-incident")
    page.fill("#i-title", "Burnt granary at the crossing")
    page.select_option("#i-type", "arson")
    page.fill("#i-when", _local(start))
    page.fill("#i-lat", "3.012")
    page.fill("#i-lon", "-9.487")
    page.set_input_files(
        "#i-photos", files=[{"name": "IMG_0107.jpg", "mimeType": "image/jpeg", "buffer": taken}]
    )
    page.wait_for_selector("#photo-status[data-count='1']")
    page.click("#incident-form button[value=send]")
    page.wait_for_selector("#queue li[data-state=waiting][data-photos='1']")
    assert "1" in page.inner_text("#queue li[data-state=waiting] .photos")
    page.screenshot(path=str(screenshots / "field-photo-waiting.png"), full_page=True)
    # The photo is inside the sealed report only: no JPEG, base64 or raw, in IndexedDB.
    stored = page.evaluate(
        """() => new Promise((ok) => { const r = indexedDB.open('bluebox-field', 1);
        r.onsuccess = () => { const q = r.result.transaction('items').objectStore('items').getAll();
        q.onsuccess = () => ok(JSON.stringify(q.result.map((i) => Object.keys(i)))
          + Array.from(q.result, (i) => new TextDecoder('latin1').decode(i.ct)).join('')); }; })"""
    )
    assert "/9j/" not in stored and "\xff\xd8\xff" not in stored and "granary" not in stored
    assert "photos" not in stored
    assert Incident.objects.count() == 0

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#queue[data-sent='1'][data-waiting='0']", timeout=20000)
    incident = Incident.objects.get()
    assert incident.title == "Burnt granary at the crossing"
    kept = incident.photos.get()
    assert (kept.content_type, kept.width, kept.height) == ("image/jpeg", 1600, 1200)
    assert not Image.open(BytesIO(kept.read())).getexif()
    phone.close()

    desk = browser.new_context()
    analyst = page_errors.watch(desk.new_page())
    _login(analyst, live_server.url, "analyst")
    analyst.goto(f"{live_server.url}/incidents/{incident.pk}/")
    thumb = analyst.locator("#photos img.photo-thumb")
    assert thumb.count() == 1
    # A function, not an expression: Playwright polls an expression with eval, which the page's
    # CSP (no 'unsafe-eval') refuses as soon as the first check is false.
    analyst.wait_for_function(
        "() => { const img = document.querySelector('#photos img.photo-thumb');"
        " return img.complete && img.naturalWidth === 1600; }"
    )
    analyst.screenshot(path=str(screenshots / "incident-photo.png"), full_page=True)
    desk.close()
    assert page_errors == []
