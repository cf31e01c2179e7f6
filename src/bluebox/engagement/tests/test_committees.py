"""Protection committees: members' numbers protected (never on a page or in the API outside
the engagement team), the alerts they raise and how fast they were answered, per committee;
protection plans with threats, measures, owners and review dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.alerts import services as alert_services
from bluebox.alerts.intake import InboundMessage
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.engagement import selectors, services
from bluebox.overview.inbox import inbox_for
from bluebox.testing.second_factor import stepped_up

PHONE = "+23672123456"


@pytest.fixture
def committee(world):
    world.mission.settings = {"phone_region": "CF"}
    world.mission.save()
    c = services.committee_create(
        actor=world.community_officer,
        mission_id=world.mission.pk,
        site_id=world.site_a.pk,
        name="Comité de protection PK3",
        community="PK3 neighbourhood",
        formed_on=date(2026, 1, 10),
    )
    member = services.member_add(
        actor=world.community_officer,
        committee_id=c.pk,
        role_in_committee="Chair",
        group="women",
        sex="female",
        name="Mariam K.",
        phone="72 12 34 56",
    )
    return c, member


def _alert(world, channel, at, text="Armed men near the well"):
    return alert_services.alert_receive(
        channel=channel,
        message=InboundMessage(
            sender=PHONE, text=text, external_id=f"x{at.timestamp()}", sent_at=at, sender_name=""
        ),
        now=at,
    )


def test_alerts_from_members_give_the_committees_response_times(world, committee):
    c, _member = committee
    channel, _secret = alert_services.channel_create(
        actor=world.commissioner, mission=world.mission, name="Hotline"
    )
    t0 = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    first = _alert(world, channel, t0)
    second = _alert(world, channel, t0 + timedelta(hours=5), text="Shots at the school")
    _alert(world, channel, t0 + timedelta(hours=9), text="Cattle taken")
    alert_services.alert_acknowledge(
        actor=world.analyst, alert_id=first.pk, now=t0 + timedelta(minutes=4)
    )
    alert_services.alert_respond(
        actor=world.analyst, alert_id=first.pk, now=t0 + timedelta(minutes=30)
    )
    alert_services.alert_respond(
        actor=world.analyst, alert_id=second.pk, now=t0 + timedelta(hours=5, minutes=50)
    )
    times = selectors.response_times(world.commissioner, c)
    assert times.alerts == 3 and times.open == 1
    assert times.median_respond_min == pytest.approx(40.0)  # 30 and 50 minutes
    assert times.median_acknowledge_min == pytest.approx(27.0)  # 4 and 50 (respond acknowledges)
    # The community officer does not read the alert network: the committee page counts none.
    assert selectors.response_times(world.community_officer, c).alerts == 0


def test_a_members_phone_is_never_shown_outside_the_engagement_team(world, committee):
    c, member = committee
    for who in ("analyst", "planner", "commissioner", "community_officer"):
        client = Client()
        client.force_login(getattr(world, who))
        page = client.get(f"/engagement/committees/{c.pk}/").content.decode()
        assert "72 12 34 56" not in page and "72123456" not in page and "Mariam" not in page
    api = APIClient()
    api.force_login(world.analyst)
    assert "7212" not in api.get("/api/v1/engagement/committees/").content.decode()
    with pytest.raises(NotPermitted):
        services.member_reveal(
            actor=world.analyst, member_id=member.pk, purpose="Checking the committee list"
        )
    stepped_up(world.community_officer, member)
    shown = services.member_reveal(
        actor=world.community_officer,
        member_id=member.pk,
        purpose="Calling the chair about tonight's alert",
    )
    assert shown["phone"] == PHONE and shown["name"] == "Mariam K."


def test_a_member_is_listed_once_per_number(world, committee):
    c, _member = committee
    with pytest.raises(ServiceError):
        services.member_add(
            actor=world.community_officer,
            committee_id=c.pk,
            role_in_committee="Deputy",
            group="youth",
            phone="+236 72 12 34 56",
        )


def test_a_plan_maps_threats_to_measures_owners_and_review_dates(world, committee):
    c, _member = committee
    with pytest.raises(ServiceError) as refused:
        services.plan_create(
            actor=world.community_officer,
            committee_id=c.pk,
            title="Plan",
            adopted_on=date(2026, 2, 1),
            review_on=date(2026, 1, 1),
            measures=[],
        )
    assert {"review_on", "measures"} & set(refused.value.field_errors)
    plan = services.plan_create(
        actor=world.community_officer,
        committee_id=c.pk,
        title="Dry season plan",
        adopted_on=date(2026, 2, 1),
        review_on=date(2026, 6, 1),
        measures=[
            {
                "threat": "Night raids on the camp edge",
                "incident_type": "looting",
                "measure": "Whistle network and a patrol at 22:00",
                "owner": "FPU platoon 2",
                "review_on": date(2026, 3, 1),
            }
        ],
    )
    (measure,) = plan.measures.all()
    assert measure.owner == "FPU platoon 2"
    near = datetime(2026, 2, 20, 8, 0, tzinfo=UTC)
    keys = {i.key: i for i in inbox_for(user=world.community_officer, now=near)}
    assert keys["plan-reviews"].count == 1
    services.plan_measure_done(actor=world.community_officer, measure_id=measure.pk)
    assert "plan-reviews" not in {i.key for i in inbox_for(user=world.community_officer, now=near)}
