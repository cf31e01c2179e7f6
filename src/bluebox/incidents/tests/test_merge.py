"""Merging duplicate incidents: one record kept, the other voided as merged into it, with the
protection of both, everything combined, the history kept and the merge undoable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from bluebox.alerts import services as alert_services
from bluebox.alerts.models import Alert
from bluebox.core import audit
from bluebox.core.access import NotPermitted, NotVisible
from bluebox.core.classification import Classification, Compartment
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry, CompartmentGrant
from bluebox.incidents import selectors, services
from bluebox.incidents.models import Incident, IncidentMerge, IncidentResponse, ProtectedPerson
from bluebox.testing.factories import IncidentFactory, ProtectedPersonFactory

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


@pytest.fixture
def pair(world):
    """Two reports of one market attack at site A: a confidential one, an unclassified one."""
    w = world
    w.kept = IncidentFactory(
        site=w.site_a,
        title="Market attack (patrol report)",
        classification=Classification.CONFIDENTIAL,
        actors=["Militia A"],
        weapons=["small_arms"],
        fatalities_low=2,
        fatalities_best=3,
        fatalities_high=3,
        victims_women=1,
    )
    w.dup = IncidentFactory(
        site=w.site_a,
        title="Shooting at the market (hotline)",
        classification=Classification.UNCLASSIFIED,
        actors=["Militia A", "Militia B"],
        weapons=["small_arms", "machete"],
        fatalities_low=1,
        fatalities_best=5,
        fatalities_high=6,
        victims_women=2,
        victims_boys=1,
    )
    return w


def _merge(w, **extra):
    data = {"actor": w.analyst, "incident_id": w.kept.pk, "duplicate_id": w.dup.pk}
    return services.incident_merge(**{**data, "note": "Same attack, same hour", **extra})


def test_the_kept_record_combines_both_and_the_duplicate_is_voided_as_merged(pair):
    w = pair
    merge = _merge(w)
    kept, dup = Incident.objects.get(pk=w.kept.pk), Incident.objects.get(pk=w.dup.pk)
    assert kept.actors == ["Militia A", "Militia B"]
    assert kept.weapons == ["small_arms", "machete"]
    assert (kept.fatalities_low, kept.fatalities_best, kept.fatalities_high) == (1, 3, 6)
    assert (kept.victims_women, kept.victims_boys) == (2, 1)
    assert kept.classification == dup.classification == Classification.CONFIDENTIAL
    assert dup.merged_into == kept and dup.voided_at is not None and dup.status == "voided"
    assert str(kept.pk) not in dup.void_reason  # says nothing of a record a reader may not see
    # Lists and counts hold the event once.
    assert list(selectors.incidents_for(w.analyst)) == [kept]
    assert merge.note == "Same attack, same hour" and merge.merged_by == w.analyst


def test_the_merge_is_in_the_hash_chain(pair, django_capture_on_commit_callbacks):
    w = pair
    with django_capture_on_commit_callbacks(execute=True):  # the anchor is written on commit
        merge = _merge(w)
    kept_entry = AuditEntry.objects.get(action="merge", object_id=str(w.kept.pk))
    assert kept_entry.detail["duplicate"] == w.dup.pk and kept_entry.detail["merge"] == merge.pk
    assert AuditEntry.objects.filter(action="merged-into", object_id=str(w.dup.pk)).exists()
    assert audit.verify().ok


def test_the_higher_classification_and_every_compartment_go_to_both(pair):
    w = pair
    w.dup.classification = Classification.STRICTLY_CONFIDENTIAL
    w.dup.save()
    w.kept.compartments = int(Compartment.SGBV)
    w.kept.save()
    CompartmentGrant.objects.create(
        user=w.commissioner,
        mission=w.mission,
        compartment=Compartment.SGBV,
        reason="SGBV case review",
        granted_by=w.admin,
    )
    _merge(w, actor=w.commissioner)
    for record in Incident.objects.filter(pk__in=[w.kept.pk, w.dup.pk]):
        assert record.classification == Classification.STRICTLY_CONFIDENTIAL
        assert record.compartments == int(Compartment.SGBV)


def test_protected_people_responses_and_alerts_follow_the_kept_record(pair):
    w = pair
    w.mission.settings = {"phone_region": "CF"}
    w.mission.save()
    channel, _ = alert_services.channel_create(actor=w.commissioner, mission=w.mission, name="Line")
    alert = alert_services.alert_receive(
        channel=channel,
        message=alert_services.InboundMessage(sender="+23672123456", text="Shots", sent_at=NOW),
        now=NOW,
    )
    converted = alert_services.alert_convert(
        actor=w.analyst, alert_id=alert.pk, data={"latitude": 3.0, "longitude": -9.5}
    )
    w.dup = converted
    witness = ProtectedPersonFactory(incident=converted, kind="witness")
    response = services.incident_respond(
        actor=w.analyst, incident_id=converted.pk, mode="patrol", responded_at=NOW
    )
    merge = _merge(w)
    assert Alert.objects.get(pk=alert.pk).incident_id == w.kept.pk
    assert ProtectedPerson.objects.get(pk=witness.pk).incident_id == w.kept.pk
    assert IncidentResponse.objects.get(pk=response.pk).incident_id == w.kept.pk
    assert merge.moved == {
        "alerts": [alert.pk],
        "protected_people": [witness.pk],
        "responses": [response.pk],
    }
    services.incident_unmerge(actor=w.analyst, duplicate_id=converted.pk, reason="Two events")
    assert Alert.objects.get(pk=alert.pk).incident_id == converted.pk
    assert ProtectedPerson.objects.get(pk=witness.pk).incident_id == converted.pk
    assert IncidentResponse.objects.get(pk=response.pk).incident_id == converted.pk


def test_undoing_a_merge_restores_both_records_but_not_a_lower_classification(pair):
    w = pair
    _merge(w)
    with pytest.raises(ServiceError):
        services.incident_unmerge(actor=w.analyst, duplicate_id=w.dup.pk, reason=" ")
    merge = services.incident_unmerge(
        actor=w.analyst, duplicate_id=w.dup.pk, reason="Two attacks an hour apart"
    )
    kept, dup = Incident.objects.get(pk=w.kept.pk), Incident.objects.get(pk=w.dup.pk)
    assert kept.actors == ["Militia A"] and kept.weapons == ["small_arms"]
    assert (kept.fatalities_low, kept.fatalities_best, kept.fatalities_high) == (2, 3, 3)
    assert dup.voided_at is None and dup.merged_into is None and dup.status == "reported"
    assert dup.classification == Classification.CONFIDENTIAL  # a downgrade takes two people
    assert merge.undone_by == w.analyst and merge.undo_reason == "Two attacks an hour apart"
    assert set(selectors.incidents_for(w.analyst)) == {kept, dup}
    assert AuditEntry.objects.filter(action="unmerge", object_id=str(kept.pk)).exists()
    # Undone, the pair may be merged again; a live merge cannot be undone twice.
    _merge(w)
    assert IncidentMerge.objects.filter(duplicate=dup).count() == 2
    with pytest.raises(ServiceError):
        services.incident_unmerge(actor=w.analyst, duplicate_id=w.kept.pk, reason="Not merged")


def test_a_record_the_user_cannot_see_answers_like_a_missing_one(pair):
    w = pair
    hidden = IncidentFactory(site=w.site_b, title="West report")  # east analyst: not theirs
    missing = Incident.objects.order_by("-pk").first().pk + 1000
    for duplicate_id in (hidden.pk, missing):
        with pytest.raises(NotVisible):
            services.incident_merge(
                actor=w.east_analyst, incident_id=w.kept.pk, duplicate_id=duplicate_id
            )
    client = Client()
    client.force_login(w.east_analyst)
    answers = [
        client.post(
            f"/api/v1/incidents/{w.kept.pk}/merge/",
            {"duplicate": pk},
            content_type="application/json",
        )
        for pk in (hidden.pk, missing)
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == answers[1].json()
    assert hidden.title not in answers[0].content.decode()
    assert not IncidentMerge.objects.exists()
    assert Incident.objects.get(pk=hidden.pk).voided_at is None


def test_a_compartmented_record_cannot_be_merged_by_someone_outside_the_compartment(pair):
    w = pair
    w.dup.compartments = int(Compartment.SGBV)
    w.dup.save()
    with pytest.raises(NotVisible):
        _merge(w)
    assert Incident.objects.get(pk=w.dup.pk).merged_into is None


def test_only_analysts_and_commanders_merge_and_only_live_records_of_one_mission(pair):
    w = pair
    with pytest.raises(NotPermitted):
        _merge(w, actor=w.reporter_at_a)
    with pytest.raises(ServiceError):
        _merge(w, duplicate_id=w.kept.pk)
    voided = IncidentFactory(site=w.site_a, voided_at=NOW, void_reason="Test")
    with pytest.raises(ServiceError):
        _merge(w, duplicate_id=voided.pk)
    _merge(w)
    third = IncidentFactory(site=w.site_a)
    with pytest.raises(ServiceError, match="already merged"):
        _merge(w, incident_id=third.pk)
    assert IncidentMerge.objects.count() == 1


def test_the_pages_show_the_merge_from_both_sides(pair):
    w = pair
    client = Client()
    client.force_login(w.analyst)
    response = client.post(
        f"/incidents/{w.kept.pk}/merge/", {"duplicate": w.dup.pk, "note": "Same attack"}
    )
    assert response.status_code == 302
    kept_page = client.get(f"/incidents/{w.kept.pk}/").content.decode()
    assert 'id="merged-reports"' in kept_page and w.dup.title in kept_page
    dup_page = client.get(f"/incidents/{w.dup.pk}/").content.decode()
    assert w.kept.title in dup_page and 'id="unmerge-form"' in dup_page
    assert 'id="merge-form"' not in dup_page  # a merged record takes no further merge
    # A reporter at the site sees both records, and the merge, but no merge form.
    client.force_login(w.reporter_at_a)
    reporter_page = client.get(f"/incidents/{w.kept.pk}/").content.decode()
    assert w.dup.title in reporter_page and 'id="merge-form"' not in reporter_page
    client.force_login(w.analyst)
    client.post(f"/incidents/{w.dup.pk}/unmerge/", {"reason": "Two attacks"})
    assert Incident.objects.get(pk=w.dup.pk).voided_at is None
    assert "undone" in client.get(f"/incidents/{w.kept.pk}/").content.decode()


def test_possible_duplicates_are_near_in_time_and_place_and_only_what_the_viewer_may_see(world):
    """The record's page offers the reports that could be the same event: same type, within a
    day and five kilometres, visible to the viewer, not yet linked; the closest first."""
    w = world
    base = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    record = IncidentFactory(site=w.site_a, occurred_at=base, title="Shooting at the water point")
    close = IncidentFactory(
        site=w.site_a,
        occurred_at=base.replace(hour=10),
        latitude=3.015,
        title="Shots heard",
        classification=Classification.STRICTLY_CONFIDENTIAL,
    )
    closer = IncidentFactory(site=w.site_a, occurred_at=base.replace(hour=9), title="Gunfire")
    IncidentFactory(site=w.site_a, occurred_at=base.replace(hour=9), incident_type="abduction")
    IncidentFactory(site=w.site_a, occurred_at=base.replace(day=3), title="Two days later")
    IncidentFactory(site=w.site_a, occurred_at=base, latitude=3.2, title="Twenty km away")
    # Sector West: as close as can be, but the sector East analyst may not see it.
    west = IncidentFactory(site=w.site_b, occurred_at=base, latitude=3.01, longitude=-9.49)

    mission_wide = selectors.duplicate_candidates(user=w.analyst, incident=record)
    assert [c.incident.pk for c in mission_wide] == [west.pk, closer.pk, close.pk]
    assert mission_wide[2].hours_apart == 2 and 0.4 < mission_wide[2].km_apart < 0.7
    east = selectors.duplicate_candidates(user=w.east_analyst, incident=record)
    assert [c.incident.pk for c in east] == [closer.pk, close.pk]

    services.incident_link(actor=w.analyst, incident_id=record.pk, other_id=closer.pk)
    east = selectors.duplicate_candidates(user=w.east_analyst, incident=record)
    assert [c.incident.pk for c in east] == [close.pk]

    client = Client()
    client.force_login(w.east_analyst)
    html = client.get(f"/incidents/{record.pk}/").content.decode()
    assert f'data-incident="{close.pk}"' in html and f'data-incident="{west.pk}"' not in html
    assert "0.0 h" not in html and "2.0 h and 0.6 km apart" in html
    # Shown is read: the strictly confidential candidate's read is in the audit trail.
    shown = AuditEntry.objects.filter(action="list-read", actor_id=w.east_analyst.pk).order_by(
        "-seq"
    )[0]
    assert str(close.pk) in str(shown.detail)
    offered = client.get(f"/incidents/{record.pk}/?duplicate={close.pk}").content.decode()
    assert f'name="duplicate" value="{close.pk}"' in offered
    # A reporter may not merge: no candidates are computed or shown for them.
    client.force_login(w.reporter_at_a)
    assert "possible-duplicates" not in client.get(f"/incidents/{record.pk}/").content.decode()
