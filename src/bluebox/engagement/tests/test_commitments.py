"""Commitments: the status workflow with evidence, overdue flags under controlled time, and the
follow-up that reaches opted-in participants by SMS (through the alert network's real gateway
path: signed send, signed delivery callback, STOP) and in their inbox."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from bluebox.alerts import gateways
from bluebox.alerts.models import OutboundMessage
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.models import AuditEntry
from bluebox.engagement import jobs, selectors, services
from bluebox.engagement.models import CommitmentStatus, CommitmentUpdate, FollowUpMessage, Notice
from bluebox.overview.inbox import inbox_for

from .factories import commitment_row, dialogue, first_commitment, session

PHONE_1 = "72 12 34 56"
PHONE_2 = "+236 75 12 34 56"


def _with_commitment(world, due_on=date(2026, 3, 1), **row):
    d = dialogue(world)
    s = session(world, d, commitments=[commitment_row(due_on, **row)])
    return d, first_commitment(s)


def _move(world, commitment, status, evidence="Minutes of the follow-up meeting, 3 March", **kw):
    return services.commitment_update(
        actor=kw.pop("by", world.commissioner),
        commitment_id=commitment.pk,
        status=status,
        evidence=evidence,
        **kw,
    )


def test_the_workflow_runs_agreed_in_progress_done_and_keeps_each_change(world):
    _d, c = _with_commitment(world)
    assert c.status == "agreed"
    _move(world, c, "in_progress")
    update = _move(world, c, "done", evidence="Photo of the lamps; mayor's letter of 2 March")
    c.refresh_from_db()
    assert c.status == "done" and c.done_at is not None
    history = list(
        CommitmentUpdate.objects.filter(commitment=c).values_list("from_status", "to_status")
    )
    assert history == [("", "agreed"), ("agreed", "in_progress"), ("in_progress", "done")]
    assert update.evidence.startswith("Photo of the lamps")


@pytest.mark.parametrize(
    "path,refused",
    [
        ([], "proposed"),
        (["done"], "in_progress"),
        (["dropped"], "agreed"),
        (["in_progress"], "agreed"),
    ],
)
def test_a_status_outside_the_workflow_is_refused_and_changes_nothing(world, path, refused):
    _d, c = _with_commitment(world)
    for status in path:
        _move(world, c, status)
    before = CommitmentUpdate.objects.count()
    with pytest.raises(ServiceError) as error:
        _move(world, c, refused)
    assert "status" in error.value.field_errors
    assert CommitmentUpdate.objects.count() == before


def test_a_change_without_evidence_is_refused(world):
    _d, c = _with_commitment(world)
    with pytest.raises(ServiceError) as error:
        _move(world, c, "in_progress", evidence="  ok ")
    assert "evidence" in error.value.field_errors
    c.refresh_from_db()
    assert c.status == "agreed"


def test_readers_who_may_not_follow_up_are_refused_and_others_see_nothing(world):
    _d, c = _with_commitment(world)
    with pytest.raises(NotPermitted):
        _move(world, c, "in_progress", by=world.analyst)
    with pytest.raises(NotVisible):
        _move(world, c, "in_progress", by=world.reporter_at_a)
    with pytest.raises(NotVisible):
        _move(world, c, "in_progress", by=world.other_commander)
    assert _move(world, c, "in_progress", by=world.community_officer).to_status == "in_progress"


def test_overdue_is_flagged_once_on_the_mission_day_and_reaches_the_commanders_inbox(world):
    world.mission.timezone = "Africa/Bangui"  # UTC+1
    world.mission.save()
    _d, c = _with_commitment(
        world, due_on=date(2026, 3, 1), owner_kind="user", owner_user=world.community_officer.pk
    )
    # 1 March 23:30 UTC is already 2 March in Bangui: overdue there.
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    before = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    assert jobs.commitments_flag_overdue(now=before) == []
    assert not selectors.is_overdue(c, before)
    assert jobs.commitments_flag_overdue(now=late) == [c.pk]
    assert jobs.commitments_flag_overdue(now=late) == []  # once
    c.refresh_from_db()
    assert c.overdue_flagged_at == late
    assert (
        Notice.objects.filter(user=world.community_officer, kind="commitment_overdue").count() == 1
    )
    keys = {i.key: i for i in inbox_for(user=world.commissioner, now=late)}
    assert keys["commitments-overdue"].count == 1 and keys["commitments-overdue"].urgent
    assert "commitments-overdue" not in {
        i.key for i in inbox_for(user=world.commissioner, now=before)
    }
    # Not for those who do not follow commitments up, nor for a commander elsewhere.
    for who in ("analyst", "reporter_at_a", "other_commander", "admin"):
        assert "commitments-overdue" not in {
            i.key for i in inbox_for(user=getattr(world, who), now=late)
        }
    assert AuditEntry.objects.filter(action="commitment-overdue", actor_id=None).count() == 1


def test_done_and_dropped_commitments_are_never_overdue(world):
    _d, c = _with_commitment(world, due_on=date(2026, 3, 1))
    _move(world, c, "dropped", evidence="The community withdrew the request")
    assert jobs.commitments_flag_overdue(now=datetime(2026, 6, 1, tzinfo=UTC)) == []
    assert selectors.overdue_count(world.commissioner, datetime(2026, 6, 1, tzinfo=UTC)) == 0


def _participants(world, d):
    opted = services.participant_add(
        actor=world.commissioner,
        dialogue_id=d.pk,
        group="women",
        sex="female",
        phone=PHONE_1,
        sms_opt_in=True,
    )
    second = services.participant_add(
        actor=world.commissioner,
        dialogue_id=d.pk,
        group="youth",
        sex="male",
        phone=PHONE_2,
        sms_opt_in=True,
    )
    silent = services.participant_add(actor=world.commissioner, dialogue_id=d.pk, group="idp")
    account = services.participant_add(
        actor=world.commissioner, dialogue_id=d.pk, group="host_police", user_id=world.planner.pk
    )
    return opted, second, silent, account


def _callback(provider, kind, fields):
    body = urlencode(fields).encode()
    timestamp = int(time.time())
    signature = gateways.sign(provider.secret, timestamp, body)
    return APIClient().generic(
        "POST",
        f"/api/v1/alerts/gateway/{provider.channel.uuid}/{kind}/",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_BLUEBOX_SIGNATURE=f"t={timestamp},v1={signature}",
    )


def test_a_status_change_reaches_opted_in_participants_by_sms_and_inbox(world, provider):
    d, c = _with_commitment(world, classification=0)
    _opted, _second, _silent, _account = _participants(world, d)
    update = _move(world, c, "done", evidence="Lamps installed, seen on the 3 March patrol")
    assert (update.sms_sent, update.inbox_sent) == (2, 1)
    assert provider.refused == 0
    assert sorted(r["to"] for r in provider.received) == ["+23672123456", "+23675123456"]
    text = provider.received[0]["text"]
    # In the mission's first language, with the commitment's words (it is unclassified).
    assert "Light the market road" in text and "STOP" in text
    with translation.override("fr"):
        assert str(CommitmentStatus.DONE.label).lower() in text
    messages = OutboundMessage.objects.filter(recipient="participant")
    assert {m.status for m in messages} == {"sent"}
    assert FollowUpMessage.objects.filter(update=update).count() == 2
    assert "72123456" not in json.dumps(list(AuditEntry.objects.values_list("detail", flat=True)))
    # The provider reports delivery through the channel's signed webhook.
    gateway_id = messages.get(to_address__isnull=False, gateway_id="prov-1").gateway_id
    assert _callback(provider, "delivered", {"id": gateway_id}).status_code == 200
    assert OutboundMessage.objects.get(gateway_id=gateway_id).status == "delivered"
    # The participant with an account finds it in their inbox.
    keys = {i.key: i for i in inbox_for(user=world.planner, now=datetime.now(UTC))}
    assert keys["engagement-notices"].count == 1


def test_a_classified_commitment_sends_no_words_by_sms(world, provider):
    d, c = _with_commitment(world, classification=1, text="Arrest the leader of the gang at PK5")
    _participants(world, d)
    _move(world, c, "in_progress")
    assert provider.received and all("gang" not in r["text"] for r in provider.received)


def test_opt_outs_are_honoured_the_participants_and_the_networks(world, provider):
    d, c = _with_commitment(world, classification=0)
    opted, _second, _silent, _account = _participants(world, d)
    services.participant_opt_out(actor=world.commissioner, participant_id=opted.pk)
    # The second one answers STOP to the gateway: the network's opt-out.
    assert _callback(provider, "stopped", {"from": "+23675123456"}).status_code == 200
    update = _move(world, c, "in_progress")
    assert update.sms_sent == 0 and provider.received == []
    assert OutboundMessage.objects.filter(recipient="participant").count() == 0


def test_a_provider_that_fails_leaves_the_message_failed_not_lost(world, provider):
    d, c = _with_commitment(world, classification=0)
    _participants(world, d)
    provider.secret = "not-the-channel-secret"  # the provider refuses every request
    update = _move(world, c, "in_progress")
    assert update.sms_sent == 0
    assert set(
        OutboundMessage.objects.filter(recipient="participant").values_list("status", flat=True)
    ) == {"failed"}
    c.refresh_from_db()
    assert c.status == "in_progress"  # the change itself stands


def test_linked_incidents_must_be_visible_to_the_linker(world):
    from bluebox.testing.factories import IncidentFactory

    _d, c = _with_commitment(world)
    here = IncidentFactory(site=world.site_a, classification=1)
    elsewhere = IncidentFactory(site=world.other_site)
    services.commitment_link_incidents(
        actor=world.commissioner, commitment_id=c.pk, incident_ids=[here.pk]
    )
    with pytest.raises(NotVisible):
        services.commitment_link_incidents(
            actor=world.commissioner, commitment_id=c.pk, incident_ids=[elsewhere.pk]
        )
    assert list(selectors.linked_incidents(world.commissioner, c)) == [here]


def test_a_new_due_date_needs_a_reason_and_clears_the_flag(world):
    _d, c = _with_commitment(world, due_on=date(2026, 3, 1))
    jobs.commitments_flag_overdue(now=datetime(2026, 3, 5, tzinfo=UTC))
    with pytest.raises(ServiceError):
        services.commitment_due_change(
            actor=world.commissioner, commitment_id=c.pk, due_on=date(2026, 4, 1), reason=""
        )
    services.commitment_due_change(
        actor=world.commissioner,
        commitment_id=c.pk,
        due_on=date(2026, 4, 1),
        reason="Rains delayed the works",
    )
    c.refresh_from_db()
    assert c.due_on == date(2026, 4, 1) and c.overdue_flagged_at is None
