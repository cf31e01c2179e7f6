"""Escalations, notifications and breaches raised by the periodic task's service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.detention import jobs, services
from bluebox.detention.models import Breach, Escalation, Notification
from bluebox.detention.tasks import raise_custody_escalations
from bluebox.detention.tests.factories import CANARY_NAME, ApprehensionFactory

START = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)  # the night before Europe's spring-forward


@pytest.fixture
def custody(world):
    world.mission.timezone = "Europe/Paris"
    world.mission.save()
    return ApprehensionFactory(site=world.site_a, apprehended_at=START)


def test_each_point_is_raised_once_and_both_officer_and_commander_are_told(world, custody):
    assert jobs.custody_escalations_raise(now=START + timedelta(hours=36, minutes=1)) == 1
    assert jobs.custody_escalations_raise(now=START + timedelta(hours=36, minutes=6)) == 0
    assert list(Escalation.objects.values_list("key", flat=True)) == ["target-12h"]
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"detention_officer", "commissioner"}
    text = Notification.objects.first().text
    assert custody.pseudonym in text and "2026-03-30 13:00 CEST" in text


def test_a_passed_limit_is_a_permanent_breach_that_waits_for_its_reason(world, custody):
    jobs.custody_escalations_raise(now=START + timedelta(hours=73))
    breaches = {b.deadline: b for b in Breach.objects.all()}
    assert set(breaches) == {"target", "limit"}
    assert breaches["limit"].deadline_at == START + timedelta(hours=72)
    services.breach_explain(
        actor=world.detention_officer, breach_id=breaches["limit"].pk, reason="Road flooded"
    )
    with pytest.raises(ServiceError):
        services.breach_explain(
            actor=world.detention_officer, breach_id=breaches["limit"].pk, reason="Other"
        )
    with pytest.raises(Exception, match="never deleted"):
        Breach.objects.all().delete()


def test_custody_ended_late_is_recorded_as_a_breach_even_without_a_task_run(world):
    custody = ApprehensionFactory(site=world.site_a)
    custody.apprehended_at -= timedelta(hours=50)
    custody.save()
    services.apprehension_release(
        actor=world.detention_officer, apprehension_id=custody.pk, reason="No charge"
    )
    assert list(Breach.objects.values_list("deadline", flat=True)) == ["target"]


def test_the_periodic_task_runs_the_service(world):
    ApprehensionFactory(site=world.site_a, apprehended_at=datetime(2020, 1, 1, tzinfo=UTC))
    raise_custody_escalations.call_local()
    assert Breach.objects.filter(deadline="limit").exists()


def test_a_custody_over_a_daylight_saving_night_is_escalated_before_its_limit(world):
    """One database example of the property tested purely in test_clocks.py: a run every
    15 minutes raises each warning before the hard limit, and the breach at it."""
    world.mission.timezone = "Europe/Paris"
    world.mission.save()
    custody = ApprehensionFactory(site=world.site_a, apprehended_at=START)
    limit_at = START + timedelta(hours=72)
    now = START
    while now <= limit_at + timedelta(minutes=15):
        jobs.custody_escalations_raise(now=now)
        now += timedelta(minutes=15)
    raised = {e.key: e.raised_at for e in custody.escalations.all()}
    for key in ("limit-24h", "limit-12h", "limit-4h", "limit-1h", "target-12h", "target-4h"):
        assert raised[key] < limit_at, key
    assert raised["limit-breach"] >= limit_at
    for entry in AuditEntry.objects.filter(action="escalate"):
        assert CANARY_NAME not in str(entry.detail)
