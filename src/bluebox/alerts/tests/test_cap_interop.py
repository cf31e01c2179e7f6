"""CAP as its consumers read it: the reviewer's fields, a feed that carries each CAP alert,
and public alerts for anyone without a token (restricted, private, drills and drafts never).

Documents are checked against the CAP 1.2 schema the project ships; the feed is read with
feedparser, as feed readers do.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree
from rest_framework.test import APIClient

from bluebox.alerts import cap, services
from bluebox.alerts.models import CapAlert
from bluebox.alerts.tests.factories import cap_draft
from bluebox.core.exceptions import ServiceError

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"


def _published(world, **overrides):
    return services.warning_publish(actor=world.analyst, cap_id=cap_draft(world, **overrides).pk)


def _public(world, **overrides):
    return _published(world, scope="Public", restriction="", **overrides)


def test_expires_web_contact_and_response_types_are_set_through_the_api(world):
    client = APIClient()
    client.force_authenticate(world.analyst)
    expires = (timezone.now() + timedelta(hours=12)).replace(microsecond=0)
    response = client.post(
        "/api/v1/cap/",
        {
            "mission": world.mission.pk,
            "headline": "Avoid the Bambari road",
            "severity": "Severe",
            "certainty": "Likely",
            "urgency": "Immediate",
            "scope": "Public",
            "area_desc": "Bambari road",
            "latitude": 5.76,
            "longitude": 20.67,
            "radius_km": 10,
            "expires": expires.isoformat(),
            "web": "https://minutest.example.org/alerts/road",
            "contact": "Sector East JOC, +236 72 00 00 00",
            "response_types": ["Avoid", "Monitor"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["response_types"] == ["Avoid", "Monitor"] and body["classification"] == 0
    document = cap.cap_xml(CapAlert.objects.get(pk=body["id"]))
    assert cap.validate(document) == []
    info = etree.fromstring(document).find(f"{CAP}info")
    assert [e.text for e in info.findall(f"{CAP}responseType")] == ["Avoid", "Monitor"]
    assert info.findtext(f"{CAP}web") == "https://minutest.example.org/alerts/road"
    assert info.findtext(f"{CAP}contact") == "Sector East JOC, +236 72 00 00 00"
    assert datetime.fromisoformat(info.findtext(f"{CAP}expires")) == expires


@pytest.mark.parametrize(
    "field,value",
    [
        ("response_types", ["Panic"]),
        ("web", "javascript:alert(1)"),
        ("expires", datetime(2020, 1, 1, tzinfo=UTC)),
    ],
)
def test_bad_cap_details_are_refused(world, field, value):
    with pytest.raises(ServiceError) as refused:
        cap_draft(world, **{field: value})
    assert field in refused.value.field_errors


def test_a_public_alert_cannot_be_classified(world):
    with pytest.raises(ServiceError) as refused:
        cap_draft(world, scope="Public", restriction="", classification=1)
    assert "classification" in refused.value.field_errors


def test_the_reviewer_sets_the_details_on_the_page(world):
    warning = cap_draft(world)
    browser = Client()
    browser.force_login(world.analyst)
    page = browser.get(f"/alerts/cap/{warning.pk}/").content.decode()
    assert 'name="response_types"' in page and 'name="expires"' in page
    expires = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    response = browser.post(
        f"/alerts/cap/{warning.pk}/amend/",
        {
            "expires": expires.isoformat(),
            "web": "https://minutest.example.org/a",
            "contact": "JOC East",
            "response_types": ["Shelter", "Monitor"],
        },
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert (warning.expires, warning.contact) == (expires, "JOC East")
    assert warning.response_types == ["Shelter", "Monitor"]
    shown = browser.get(f"/alerts/cap/{warning.pk}/").content.decode()
    assert "JOC East" in shown and "Shelter, Monitor" in shown
    # A reporter may not change it; a published alert is not changed.
    reporter = Client()
    reporter.force_login(world.reporter_at_a)
    assert reporter.post(f"/alerts/cap/{warning.pk}/amend/", {"contact": "x"}).status_code in (
        403,
        404,
    )
    services.warning_publish(actor=world.analyst, cap_id=warning.pk)
    with pytest.raises(ServiceError):
        services.warning_amend(
            actor=world.analyst, cap_id=warning.pk, expires=None, web="", contact="y",
            response_types=[],
        )  # fmt: skip


def _embedded(feed_bytes: bytes) -> list[etree._Element]:
    root = etree.fromstring(feed_bytes)
    return [
        alert for content in root.iter(f"{ATOM}content") for alert in content.iter(f"{CAP}alert")
    ]


def test_the_feed_embeds_each_cap_alert(world):
    first = _published(world)
    second = _published(world, headline="Second warning", response_types=["Avoid"])
    client = APIClient()
    client.force_authenticate(world.analyst)
    response = client.get("/api/v1/cap/feed/")
    assert response.status_code == 200 and response["Content-Type"] == "application/atom+xml"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert {e.id for e in parsed.entries} == {first.identifier, second.identifier}
    assert {e.title for e in parsed.entries} == {first.headline, "Second warning"}
    assert all(any(link.type == "application/cap+xml" for link in e.links) for e in parsed.entries)
    # The CAP inside each entry, read as CAP consumers read it (an XML element in <content>).
    root = etree.fromstring(response.content)
    contents = root.findall(f"{ATOM}entry/{ATOM}content")
    assert [c.get("type") for c in contents] == ["application/cap+xml"] * 2
    alerts = _embedded(response.content)
    assert {a.findtext(f"{CAP}identifier") for a in alerts} == {first.identifier, second.identifier}
    for alert in alerts:
        document = etree.tostring(alert, xml_declaration=True, encoding="UTF-8")
        assert cap.validate(document) == []


def test_public_alerts_are_read_without_a_token_and_restricted_ones_never(world):
    public = _public(world, headline="Public warning")
    restricted = _published(world, headline="Restricted warning")
    private = _published(world, scope="Private", restriction="", addresses="joc-east")
    drill = _public(world, headline="Drill", exercise=True)
    draft = cap_draft(world, scope="Public", restriction="", headline="Not yet out")
    anonymous = APIClient()
    response = anonymous.get("/api/v1/cap/feed/")
    assert response.status_code == 200
    assert [a.findtext(f"{CAP}identifier") for a in _embedded(response.content)] == [
        public.identifier
    ]
    for name in ("Restricted warning", "joc-east", "Drill", "Not yet out"):
        assert name.encode() not in response.content
    document = anonymous.get(f"/api/v1/cap/{public.pk}/xml/")
    assert document.status_code == 200 and cap.validate(document.content) == []
    for hidden in (restricted, private, drill, draft):
        answer = anonymous.get(f"/api/v1/cap/{hidden.pk}/xml/")
        assert answer.status_code == 404, hidden.headline
        assert hidden.headline.encode() not in answer.content
    # The rest of the API still needs a token.
    assert anonymous.get("/api/v1/cap/").status_code == 401
    assert anonymous.get(f"/api/v1/cap/{public.pk}/").status_code == 401
    # Voided or cancelled-by-classification alerts are not public either.
    CapAlert.objects.filter(pk=public.pk).update(classification=1)
    assert anonymous.get(f"/api/v1/cap/{public.pk}/xml/").status_code == 404


def test_someone_signed_in_elsewhere_sees_public_alerts_only(world):
    public = _public(world)
    restricted = _published(world, headline="Restricted warning")
    client = APIClient()
    client.force_authenticate(world.other_commander)
    assert client.get(f"/api/v1/cap/{public.pk}/xml/").status_code == 200
    assert client.get(f"/api/v1/cap/{restricted.pk}/xml/").status_code == 404
