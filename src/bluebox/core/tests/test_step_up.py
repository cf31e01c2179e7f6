"""Step-up before a reveal: a fresh second factor, bound to that record, used once, in the entry.

Attacks tried: a reveal with no step-up, a stale one (older than five minutes), one made for
another record, someone else's, a second reveal on one step-up, a replayed code. Then the rate
of reveals: past the mission's setting, one alert for the commanders.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import access, mfa
from bluebox.core.exceptions import ServiceError, StepUpRequired
from bluebox.core.models import AuditEntry, RevealAlert, StepUp, TotpDevice
from bluebox.incidents import services
from bluebox.testing.factories import IncidentFactory, ProtectedPersonFactory
from bluebox.testing.second_factor import TEST_SECRET, enrol_totp, stepped_up

PURPOSE = "Arrange a safe meeting with the source"


@pytest.fixture
def informant(world):
    return ProtectedPersonFactory(
        incident=IncidentFactory(site=world.site_a), identity="Informant Identity Xy"
    )


@pytest.fixture
def handler(world):
    enrol_totp(world.source_handler)
    return world.source_handler


def _reveal(who, person):
    return services.protected_person_reveal(actor=who, person_id=person.pk, purpose=PURPOSE)


def test_no_reveal_without_a_step_up_and_the_refusal_is_audited(world, handler, informant):
    with pytest.raises(StepUpRequired) as refused:
        _reveal(handler, informant)
    access.record_refusal(refused.value)  # what every request boundary does after the rollback
    entry = AuditEntry.objects.filter(outcome="denied", action="reveal").last()
    assert entry is not None and entry.detail["rule"] == "step-up required"
    assert "Informant Identity Xy" not in str(entry.detail)


def test_a_code_for_this_record_allows_one_reveal_recorded_in_its_entry(world, handler, informant):
    step = mfa.step_up(
        actor=handler,
        record_type="incidents.protectedperson",
        object_id=informant.pk,
        code=mfa.totp_code(TEST_SECRET, timezone.now()),
    )
    assert _reveal(handler, informant)["identity"] == "Informant Identity Xy"
    entry = AuditEntry.objects.filter(action="reveal", outcome="allowed").last()
    assert entry is not None
    assert entry.detail["step_up"]["id"] == step.pk
    assert entry.detail["step_up"]["method"] == "totp"
    assert 0 <= entry.detail["step_up"]["age_s"] <= 300
    # Used: the next reveal needs its own.
    with pytest.raises(StepUpRequired):
        _reveal(handler, informant)


def test_a_stale_step_up_is_refused(world, handler, informant):
    step = stepped_up(handler, informant)
    StepUp.objects.filter(pk=step.pk).update(verified_at=timezone.now() - timedelta(seconds=301))
    with pytest.raises(StepUpRequired):
        _reveal(handler, informant)


def test_a_step_up_for_another_record_is_refused(world, handler, informant):
    other = ProtectedPersonFactory(incident=informant.incident, identity="Another Source")
    stepped_up(handler, other)
    with pytest.raises(StepUpRequired):
        _reveal(handler, informant)
    # Same id, another kind of record: not the same record either.
    StepUp.objects.create(
        user=handler,
        record_type="alerts.alert",
        object_id=str(informant.pk),
        method="totp",
        device="x",
        verified_at=timezone.now(),
    )
    with pytest.raises(StepUpRequired):
        _reveal(handler, informant)


def test_someone_elses_step_up_is_refused(world, handler, informant):
    second_handler = world.source_handler.__class__.objects.create(username="second_handler")
    stepped_up(second_handler, informant)
    with pytest.raises(StepUpRequired):
        _reveal(handler, informant)


def test_a_step_up_gives_no_right_to_reveal(world, informant):
    analyst = world.analyst  # sees the informant's record, not the SOURCE compartment
    enrol_totp(analyst)
    stepped_up(analyst, informant)
    with pytest.raises(access.NotPermitted) as refused:
        _reveal(analyst, informant)
    assert not isinstance(refused.value, StepUpRequired)
    assert StepUp.objects.get(user=analyst).used_at is None


def test_a_replayed_code_makes_no_second_step_up(world, handler, informant):
    code = mfa.totp_code(TEST_SECRET, timezone.now())
    kwargs = {"actor": handler, "record_type": "incidents.protectedperson", "code": code}
    mfa.step_up(object_id=informant.pk, **kwargs)
    with pytest.raises(ServiceError):
        mfa.step_up(object_id=informant.pk, **kwargs)
    assert StepUp.objects.filter(user=handler).count() == 1


def test_the_api_reveal_takes_the_code_in_its_body(world, handler, informant):
    api = APIClient()
    api.force_authenticate(handler)
    url = f"/api/v1/protected-people/{informant.pk}/reveal/"
    refused = api.post(url, {"purpose": PURPOSE}, format="json")
    assert refused.status_code == 403
    assert refused.json()["step_up_required"] is True
    code = mfa.totp_code(TEST_SECRET, timezone.now())
    allowed = api.post(url, {"purpose": PURPOSE, "code": code}, format="json")
    assert allowed.status_code == 200
    assert allowed.json()["identity"] == "Informant Identity Xy"
    replayed = api.post(url, {"purpose": PURPOSE, "code": code}, format="json")
    assert replayed.status_code == 400
    assert "Informant" not in replayed.content.decode()


def test_the_reveal_page_asks_for_the_code(world, handler, informant):
    client = Client()
    client.force_login(handler)
    url = f"/incidents/people/{informant.pk}/reveal/"
    refused = client.post(url, {"purpose": PURPOSE})
    assert refused.status_code == 403
    assert b"Informant Identity Xy" not in refused.content
    assert AuditEntry.objects.filter(
        outcome="denied", action="reveal", detail__rule="step-up required"
    ).exists()
    wrong = client.post(url, {"purpose": PURPOSE, "code": "000000"})
    assert wrong.status_code == 400
    TotpDevice.objects.update(throttling_failure_count=0)
    ok = client.post(url, {"purpose": PURPOSE, "code": mfa.totp_code(TEST_SECRET, timezone.now())})
    assert ok.status_code == 200
    assert b"Informant Identity Xy" in ok.content


def test_detainee_and_caller_reveals_need_the_step_up_too(world):
    from bluebox.alerts import services as alert_services
    from bluebox.alerts.tests.access_matrix import _alert_at_a
    from bluebox.detention import services as detention_services
    from bluebox.detention.tests.factories import ApprehensionFactory

    custody = ApprehensionFactory(site=world.site_a)
    with pytest.raises(StepUpRequired):
        detention_services.detainee_reveal(
            actor=world.detention_officer, apprehension_id=custody.pk, purpose=PURPOSE
        )
    stepped_up(world.detention_officer, custody)
    detention_services.detainee_reveal(
        actor=world.detention_officer, apprehension_id=custody.pk, purpose=PURPOSE
    )
    _alert_at_a(world)
    with pytest.raises(StepUpRequired):
        alert_services.caller_reveal(
            actor=world.source_handler, alert_id=world.alert.pk, purpose=PURPOSE
        )
    stepped_up(world.source_handler, world.alert)
    revealed = alert_services.caller_reveal(
        actor=world.source_handler, alert_id=world.alert.pk, purpose=PURPOSE
    )
    assert revealed["phone"] == "+23672123456"


# --- rate of reveals --------------------------------------------------------------------------


def test_reveals_past_the_mission_setting_raise_one_alert(world, handler):
    world.mission.settings = {**world.mission.settings, "reveal_alert": {"reveals": 2, "hours": 1}}
    world.mission.save()
    people = [
        ProtectedPersonFactory(incident=IncidentFactory(site=world.site_a)) for _i in range(4)
    ]
    for informant in people[:2]:
        stepped_up(handler, informant)
        _reveal(handler, informant)
    assert not RevealAlert.objects.exists()
    for informant in people[2:]:
        stepped_up(handler, informant)
        _reveal(handler, informant)
    alert = RevealAlert.objects.get()
    assert (alert.actor, alert.mission, alert.count, alert.limit) == (handler, world.mission, 3, 2)
    raised = AuditEntry.objects.get(action="reveal-rate-alert")
    assert raised.detail == {"person": handler.pk, "reveals": 3, "limit": 2, "hours": 1}


def test_a_bad_reveal_alert_setting_is_refused_by_the_definition_check():
    with pytest.raises(ValueError):
        access.reveal_alert_setting({"reveals": 0, "hours": 1})
    with pytest.raises(ValueError):
        access.reveal_alert_setting({"reveals": 5, "hours": 1, "other": 1})
    assert access.reveal_alert_setting(None) == (20, 24)


def test_the_commander_sees_the_alert_in_the_inbox_and_acknowledges_it(world, handler):
    from bluebox.core import services as core_services
    from bluebox.overview.inbox import inbox_for

    world.mission.settings = {**world.mission.settings, "reveal_alert": {"reveals": 1, "hours": 1}}
    world.mission.save()
    for _i in range(2):
        informant = ProtectedPersonFactory(incident=IncidentFactory(site=world.site_a))
        stepped_up(handler, informant)
        _reveal(handler, informant)
    items = {i.key: i for i in inbox_for(user=world.commissioner, now=timezone.now())}
    assert items["reveal-alerts"].count == 1 and items["reveal-alerts"].urgent
    # The person who revealed, another mission's commander and the auditor are not asked.
    for other in (handler, world.other_commander, world.auditor):
        keys = {i.key for i in inbox_for(user=other, now=timezone.now())}
        assert "reveal-alerts" not in keys
    alert = RevealAlert.objects.get()
    with pytest.raises(access.NotVisible):
        core_services.reveal_alert_acknowledge(
            actor=world.other_commander, alert_id=alert.pk, note="not mine"
        )
    core_services.reveal_alert_acknowledge(
        actor=world.commissioner, alert_id=alert.pk, note="Planned operation, checked."
    )
    items = {i.key for i in inbox_for(user=world.commissioner, now=timezone.now())}
    assert "reveal-alerts" not in items
    page = Client()
    page.force_login(world.commissioner)
    assert "Planned operation, checked." in page.get("/reveal-alerts/").content.decode()
