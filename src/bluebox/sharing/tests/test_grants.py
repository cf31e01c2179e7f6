"""Agreements are grants of core.access: rows, counts and fields, attacked from every side."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from bluebox.core import access
from bluebox.core.models import AuditEntry
from bluebox.core.roles import SHARED
from bluebox.core.sharing import DisclosureReceipt, SharingAgreement
from bluebox.incidents import selectors as incident_selectors
from bluebox.incidents.models import Incident
from bluebox.sharing import services
from bluebox.sharing.tests.conftest import make_agreement
from bluebox.testing.factories import IncidentFactory


def shared_ids(user) -> set[int]:
    access.forget(user)
    return set(access.visible(user, Incident.objects.all(), SHARED).values_list("pk", flat=True))


@pytest.fixture
def records(world):
    host = IncidentFactory(
        site=world.site_a,
        perpetrator_category="host_state_forces",
        classification=0,
        title="Beating at the checkpoint",
        description="Witness W saw it",
        perpetrator_actor="Cpt. Ndolo",
        latitude=3.0123,
        longitude=-9.4987,
    )
    armed = IncidentFactory(site=world.site_b, perpetrator_category="armed_group", classification=0)
    secret = IncidentFactory(
        site=world.site_a, perpetrator_category="host_state_forces", classification=2
    )
    sgbv = IncidentFactory(
        site=world.site_a,
        perpetrator_category="host_state_forces",
        classification=0,
        incident_type="sgbv",
        compartments=8,
    )
    other = IncidentFactory(
        site=world.other_site, perpetrator_category="host_state_forces", classification=0
    )
    return {"host": host, "armed": armed, "secret": secret, "sgbv": sgbv, "other": other}


def test_without_an_agreement_the_human_rights_officer_and_the_partner_read_nothing(world, records):
    for who in (world.human_rights_officer, world.partner):
        assert shared_ids(who) == set()
        assert not incident_selectors.incidents_for(who).exists()


def test_an_agreement_shares_what_it_covers_and_nothing_else(world, records):
    make_agreement(world, perpetrator_categories=["host_state_forces"])
    # Not the strictly confidential one (ceiling), not the compartmented one, not another mission.
    assert shared_ids(world.human_rights_officer) == {records["host"].pk}
    # The partner is not named in it; the ordinary channels stay closed to the officer.
    assert shared_ids(world.partner) == set()
    assert not incident_selectors.incidents_for(world.human_rights_officer).exists()
    assert access.clearances(world.human_rights_officer, "incident") == []


def test_a_proposed_or_refused_agreement_shares_nothing(world, records):
    proposed = make_agreement(world, approve=False)
    assert shared_ids(world.human_rights_officer) == set()
    services.agreement_refuse(
        actor=world.commissioner, agreement_id=proposed.pk, note="Not needed now"
    )
    assert shared_ids(world.human_rights_officer) == set()


def test_revocation_and_expiry_take_effect_on_the_next_request(world, records):
    agreement = make_agreement(world)
    client = APIClient()
    client.force_login(world.human_rights_officer)
    url = f"/api/v1/sharing/extracts/{records['host'].pk}/"
    assert client.get(url).status_code == 200
    assert client.get("/api/v1/sharing/extracts/").json()["count"] == 2
    services.agreement_revoke(
        actor=world.commissioner, agreement_id=agreement.pk, reason="Purpose fulfilled"
    )
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/sharing/extracts/").json()["count"] == 0
    # Expiry: an agreement whose end has passed shares nothing, with no job needed to end it.
    second = make_agreement(world)
    assert client.get(url).status_code == 200
    SharingAgreement.objects.filter(pk=second.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(url).status_code == 404


def test_withdrawing_the_recipient_role_ends_the_agreement_for_that_person(world, records):
    make_agreement(world)
    from bluebox.core.models import RoleAssignment

    RoleAssignment.objects.filter(user=world.human_rights_officer).delete()
    assert shared_ids(world.human_rights_officer) == set()


def test_nobody_approves_their_own_proposal_and_only_a_commander_approves(world):
    proposed = services.agreement_propose(
        actor=world.commissioner,
        mission_id=world.mission.pk,
        title="Self-approved",
        purpose="An attempt to approve one's own",
        party="human_rights",
        recipient_ids=[world.human_rights_officer.pk],
        shared_fields=["act"],
        starts_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=3),
    )
    with pytest.raises(access.NotPermitted):
        services.agreement_approve(actor=world.commissioner, agreement_id=proposed.pk)
    for who in ("analyst", "admin", "human_rights_officer", "partner", "auditor"):
        with pytest.raises((access.NotPermitted, access.NotVisible)):
            services.agreement_approve(actor=getattr(world, who), agreement_id=proposed.pk)
    with pytest.raises(access.NotVisible):
        services.agreement_approve(actor=world.other_commander, agreement_id=proposed.pk)
    assert SharingAgreement.objects.get(pk=proposed.pk).status == "proposed"
    # Through the page, the refusal is a 403 and stays in the audit trail.
    web = Client()
    web.force_login(world.commissioner)
    assert web.post(f"/sharing/agreements/{proposed.pk}/approve/").status_code == 403
    assert AuditEntry.objects.filter(action="sharing-approve", outcome="denied").exists()
    assert SharingAgreement.objects.get(pk=proposed.pk).status == "proposed"


def test_proposals_are_refused_with_the_field_named(world):
    from bluebox.core.exceptions import ServiceError

    bad = [
        ({"recipient_ids": [world.analyst.pk]}, "recipients"),  # not a recipient role
        ({"recipient_ids": [world.outsider.pk]}, "recipients"),
        ({"tlp": "clear", "max_classification": 1}, "tlp"),  # CONFIDENTIAL is not for TLP:CLEAR
        ({"shared_fields": []}, "shared_fields"),
        ({"shared_fields": ["identity"]}, "shared_fields"),
        ({"incident_types": ["genocide"]}, "incident_types"),
        ({"expires_at": timezone.now() - timedelta(days=2)}, "expires_at"),
        ({"expires_at": timezone.now() + timedelta(days=400)}, "expires_at"),
        ({"site_id": world.other_site.pk}, "site"),
        ({"location_resolution": 12}, "location_resolution"),
        ({"party": "military"}, "recipients"),  # military liaisons hold the partner role
    ]
    for override, field in bad:
        with pytest.raises(ServiceError) as refused:
            make_agreement(world, approve=False, **override)
        assert field in refused.value.field_errors, (override, refused.value.field_errors)
    assert not SharingAgreement.objects.exists()
    for who in (
        "reporter_at_a",
        "planner",
        "human_rights_officer",
        "partner",
        "admin",
        "other_commander",
    ):
        with pytest.raises(access.NotPermitted):
            services.agreement_propose(
                actor=getattr(world, who),
                mission_id=world.mission.pk,
                title="x",
                purpose="Trying to share",
                party="human_rights",
                recipient_ids=[world.human_rights_officer.pk],
                shared_fields=["act"],
                starts_at=timezone.now(),
                expires_at=timezone.now() + timedelta(days=3),
            )


def test_the_extract_holds_only_the_shared_fields_redacted(world, records):
    make_agreement(
        world,
        shared_fields=["when", "where", "act", "perpetrator"],
        location_resolution=5,
        perpetrator_categories=["host_state_forces"],
    )
    client = APIClient()
    client.force_login(world.human_rights_officer)
    item = client.get(f"/api/v1/sharing/extracts/{records['host'].pk}/").json()
    assert set(item) == {"id", "marking", "event", "acts", "perpetrators"}
    assert item["marking"]["tlp"] == "TLP:AMBER"
    place = item["event"]["location"]
    assert place["resolution"] == 5 and place["exact"] is False
    assert (place["latitude"], place["longitude"]) != (3.0123, -9.4987)
    body = str(item)
    for secret in ("Beating at the checkpoint", "Witness W", "Ndolo", "3.0123", "-9.4987"):
        assert secret not in body
    assert item["perpetrators"][0]["name"].startswith("Actor-")


def test_several_agreements_combine_per_field_and_each_is_named(world, records):
    narrow = make_agreement(world, shared_fields=["act"], tlp="green", max_classification=0)
    wide = make_agreement(
        world, shared_fields=["where"], location_resolution=None, withhold_text=False
    )
    view = access.shared_views(world.human_rights_officer, [records["host"]])[records["host"].pk]
    assert view.agreement_ids == [narrow.pk, wide.pk]
    assert view.fields == {"act", "where"} and view.location_resolution is None
    assert view.tlp == "amber" and not view.withhold_text


def test_every_shared_read_leaves_a_receipt_and_the_owner_sees_who(world, records):
    agreement = make_agreement(world)
    web = Client()
    web.force_login(world.human_rights_officer)
    assert web.get("/sharing/shared/").status_code == 200
    assert web.get(f"/sharing/shared/{records['host'].pk}/").status_code == 200
    assert web.get("/sharing/shared/export/csv/").status_code == 200
    channels = set(
        DisclosureReceipt.objects.filter(record_id=records["host"].pk).values_list(
            "channel", flat=True
        )
    )
    assert channels == {"list", "detail", "download"}
    entry = AuditEntry.objects.filter(action="disclosure").last()
    assert entry.detail["records"][str(records["host"].pk)] == [agreement.pk]
    owner = Client()
    owner.force_login(world.commissioner)
    page = owner.get(f"/sharing/incidents/{records['host'].pk}/disclosures/").content.decode()
    assert escape(str(world.human_rights_officer)) in page and agreement.title in page
    # Not for the recipient, a reporter, the administrator, or another mission's commander.
    for who in ("human_rights_officer", "reporter_at_b", "admin", "other_commander", "auditor"):
        c = Client()
        c.force_login(getattr(world, who))
        assert c.get(f"/sharing/incidents/{records['host'].pk}/disclosures/").status_code == 404


def test_a_partner_trying_other_records_gets_not_found_like_a_missing_one(world, records):
    make_agreement(
        world, recipients=[world.partner], party="partner", perpetrator_categories=["armed_group"]
    )
    client = APIClient()
    client.force_login(world.partner)
    assert client.get(f"/api/v1/sharing/extracts/{records['armed'].pk}/").status_code == 200
    hidden = client.get(f"/api/v1/sharing/extracts/{records['host'].pk}/")
    missing = client.get("/api/v1/sharing/extracts/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    # The ordinary incident channels are closed to the partner, agreement or not.
    assert client.get(f"/api/v1/incidents/{records['armed'].pk}/").status_code == 404
    assert client.get("/api/v1/incidents/").json()["results"] == []
    # The human rights officer, not named, sees nothing of it.
    hr = APIClient()
    hr.force_login(world.human_rights_officer)
    assert hr.get(f"/api/v1/sharing/extracts/{records['armed'].pk}/").status_code == 404
    # Recipients see their agreement, never its other recipients.
    received = client.get("/api/v1/sharing/received/").json()
    assert len(received) == 1 and "recipients" not in received[0]
    assert client.get("/api/v1/sharing/agreements/").json()["results"] == []


def test_the_administrator_cannot_reach_shared_content(world, records):
    make_agreement(world)
    assert shared_ids(world.admin) == set()
    client = APIClient()
    client.force_login(world.admin)
    assert client.get(f"/api/v1/sharing/extracts/{records['host'].pk}/").status_code == 404
    assert client.get("/api/v1/sharing/agreements/").json()["results"] == []


def test_two_agreements_never_combine_into_more_than_one_of_them_shares(world, records):
    """One shares text but not the place, the other the exact place without text: the place
    name, as precise as the point and free text too, is in neither, so it is not shown."""
    records["host"].location_name = "Behind the mill at Korrin"
    records["host"].save()
    make_agreement(world, shared_fields=["act"], withhold_text=False)
    make_agreement(world, shared_fields=["where"], location_resolution=None, withhold_text=True)
    client = APIClient()
    client.force_login(world.human_rights_officer)
    item = client.get(f"/api/v1/sharing/extracts/{records['host'].pk}/").json()
    assert item["event"]["title"] == "Beating at the checkpoint"  # the first shares text
    assert item["event"]["location"]["exact"] is True  # the second shares the point
    assert "place_name" not in item["event"]["location"]
    assert "Korrin" not in str(item)
