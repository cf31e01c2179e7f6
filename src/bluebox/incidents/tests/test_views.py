"""Incident pages: the report form refuses bad input clearly and changes nothing."""

from __future__ import annotations

from django.test import Client

from bluebox.core.models import AuditEntry
from bluebox.incidents.models import Incident
from bluebox.testing.factories import IncidentFactory


def test_a_bad_report_form_gets_a_400_with_the_errors_and_changes_nothing(world):
    client = Client()
    client.force_login(world.reporter_at_a)
    before = AuditEntry.objects.count()
    response = client.post(
        "/incidents/new/",
        {
            "site": world.site_a.pk,
            "title": "",
            "incident_type": "killing",
            "occurred_at": "not a date",
            "latitude": "95",
            "longitude": "-9.5",
            "perpetrator_category": "unknown",
            "fatalities_best": "-1",
            "poc_tier": "2",
            "source_reliability": "B",
            "information_credibility": "2",
            "classification": "1",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body and "Enter a valid date/time." in body
    assert Incident.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_a_reporter_files_a_report_through_the_form(world):
    client = Client()
    client.force_login(world.reporter_at_a)
    response = client.post(
        "/incidents/new/",
        {
            "site": world.site_a.pk,
            "title": "Looting at the market",
            "incident_type": "looting",
            "occurred_at": "2026-11-20 07:30",
            "latitude": "3.01",
            "longitude": "-9.49",
            "perpetrator_category": "criminal_group",
            "fatalities_best": "0",
            "poc_tier": "2",
            "source_reliability": "B",
            "information_credibility": "2",
            "classification": "1",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.site == world.site_a and incident.reported_by == world.reporter_at_a


def test_a_reporter_cannot_post_to_a_site_outside_their_scope(world):
    client = Client()
    client.force_login(world.reporter_at_a)
    response = client.post(
        "/incidents/new/",
        {
            "site": world.site_b.pk,
            "title": "x",
            "incident_type": "looting",
            "occurred_at": "2026-11-20 07:30",
            "latitude": "3.01",
            "longitude": "-9.49",
            "perpetrator_category": "unknown",
            "fatalities_best": "0",
            "poc_tier": "2",
            "source_reliability": "B",
            "information_credibility": "2",
            "classification": "1",
        },
    )
    assert response.status_code == 400
    assert Incident.objects.count() == 0


def test_words_find_incidents_by_title_place_or_actor_and_paging_keeps_the_filters(world):
    from bluebox.testing.factories import IncidentFactory

    for n in range(55):
        IncidentFactory(site=world.site_a, title=f"Roadblock on the Kessa road {n}")
    IncidentFactory(site=world.site_a, title="Cattle raid", perpetrator_actor="Kessa youth militia")
    IncidentFactory(site=world.site_a, title="Looting", location_name="Market of Dara")
    IncidentFactory(site=world.site_b, title="Roadblock at B")  # not the reporter's to see
    client = Client()
    client.force_login(world.reporter_at_a)
    found = client.get("/incidents/", {"q": "kessa", "status": "reported"})
    assert "56 incidents" in found.content.decode()
    older = found.content.decode().split("Older")[0].rsplit('href="', 1)[1].split('"')[0]
    assert "q=kessa" in older and "status=reported" in older and "page=2" in older
    assert "1 incident" in client.get("/incidents/", {"q": "dara market"}).content.decode()
    assert "1 incident" in client.get("/incidents/", {"q": "militia cattle"}).content.decode()
    assert "No incidents you may see." in client.get("/incidents/", {"q": "at B"}).content.decode()


def test_the_verify_form_regrades_like_the_api_and_a_bad_grade_changes_nothing(world):
    client = Client()
    client.force_login(world.analyst)
    bad = IncidentFactory(site=world.site_a, source_reliability="C", information_credibility=3)
    response = client.post(
        f"/incidents/{bad.pk}/verify/", {"source_reliability": "G", "information_credibility": "2"}
    )
    assert response.status_code == 302
    bad.refresh_from_db()
    assert (bad.status, bad.source_reliability, bad.information_credibility) == ("reported", "C", 3)
    assert not AuditEntry.objects.filter(action="verify", object_id=str(bad.pk)).exists()
    page = client.get(f"/incidents/{bad.pk}/").content.decode()
    assert "Grades are A to F and 1 to 6: nothing was changed." in page

    kept = IncidentFactory(site=world.site_a, source_reliability="C", information_credibility=3)
    client.post(f"/incidents/{kept.pk}/verify/", {"note": "Grading left as reported"})
    kept.refresh_from_db()
    assert (kept.status, kept.source_reliability, kept.information_credibility) == (
        "verified",
        "C",
        3,
    )
    regraded = IncidentFactory(site=world.site_a, source_reliability="F", information_credibility=6)
    client.post(
        f"/incidents/{regraded.pk}/verify/",
        {"source_reliability": "B", "information_credibility": "2", "note": "Two witnesses"},
    )
    history = client.get(f"/incidents/{regraded.pk}/").content.decode()
    assert "grading F6 before, B2 after" in history and "Two witnesses" in history
