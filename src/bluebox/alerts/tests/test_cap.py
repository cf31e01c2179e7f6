"""Early-warning alerts out: CAP 1.2 documents valid against the schema, and the Atom feed."""

from __future__ import annotations

import pytest
from lxml import etree
from rest_framework.test import APIClient

from bluebox.alerts import cap, services
from bluebox.alerts.tests.factories import cap_draft
from bluebox.core.access import NotPermitted
from bluebox.core.exceptions import ServiceError

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def test_a_published_warning_is_valid_cap_1_2(world):
    warning = services.warning_publish(actor=world.analyst, cap_id=cap_draft(world).pk)
    document = cap.cap_xml(warning)
    assert cap.validate(document) == []
    root = etree.fromstring(document)
    assert root.findtext(f"{CAP}status") == "Actual"
    assert root.findtext(f"{CAP}scope") == "Restricted"
    assert root.findtext(f"{CAP}restriction") == "UN police and protection cluster"
    assert root.findtext(f"{CAP}info/{CAP}area/{CAP}circle") == "3.01,-9.49 5"
    assert "+00:00" in root.findtext(f"{CAP}sent") and "Z" not in root.findtext(f"{CAP}sent")


def test_a_drill_is_an_exercise_and_an_update_references_the_original(world):
    first = services.warning_publish(actor=world.analyst, cap_id=cap_draft(world).pk)
    update = cap_draft(
        world,
        exercise=True,
        msg_type="Update",
        references=first,
        scope="Private",
        addresses="sector-east-commander",
        area={"description": "Camp", "polygon": [(3.0, -9.5), (3.1, -9.5), (3.1, -9.4)]},
    )
    document = cap.cap_xml(services.warning_publish(actor=world.analyst, cap_id=update.pk))
    assert cap.validate(document) == []
    root = etree.fromstring(document)
    assert root.findtext(f"{CAP}status") == "Exercise"
    assert root.findtext(f"{CAP}addresses") == "sector-east-commander"
    assert root.findtext(f"{CAP}references").split(",")[1] == first.identifier
    polygon = root.findtext(f"{CAP}info/{CAP}area/{CAP}polygon").split()
    assert polygon[0] == polygon[-1] and len(polygon) == 4


def test_the_schema_catches_a_broken_document(world):
    document = cap.cap_xml(cap_draft(world)).replace(b"<severity>Severe", b"<severity>Awful")
    assert cap.validate(document) != []
    no_sender = (
        cap.cap_xml(cap_draft(world))
        .replace(b"<sender>", b"<sendr>")
        .replace(b"</sender>", b"</sendr>")
    )
    assert cap.validate(no_sender) != []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"severity": "Awful"}, "severity"),
        ({"restriction": ""}, "restriction"),
        ({"scope": "Private"}, "addresses"),
        ({"msg_type": "Update"}, "references"),
        ({"area": {"description": "x"}}, "area"),
    ],
)
def test_a_bad_warning_is_refused(world, overrides, field):
    with pytest.raises(ServiceError) as refused:
        cap_draft(world, **overrides)
    assert field in refused.value.field_errors


def test_only_analysts_and_commanders_draft(world):
    with pytest.raises(NotPermitted):
        cap_draft(world, actor=world.reporter_at_a)


def test_the_atom_feed_lists_published_warnings_linking_cap_documents(world):
    published = services.warning_publish(actor=world.analyst, cap_id=cap_draft(world).pk)
    unpublished = cap_draft(world, headline="Still a draft")
    client = APIClient()
    client.force_authenticate(world.reporter_at_a)
    feed = client.get("/api/v1/cap/feed/")
    assert feed["Content-Type"] == "application/atom+xml"
    root = etree.fromstring(feed.content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}id") for e in entries] == [published.identifier]
    link = entries[0].find(f"{atom}link").get("href")
    assert link.endswith(f"/api/v1/cap/{published.pk}/xml/")
    document = client.get(f"/api/v1/cap/{published.pk}/xml/")
    assert cap.validate(document.content) == []
    assert unpublished.identifier.encode() not in feed.content
    client.force_authenticate(world.partner)
    assert etree.fromstring(client.get("/api/v1/cap/feed/").content).findall(f"{atom}entry") == []
