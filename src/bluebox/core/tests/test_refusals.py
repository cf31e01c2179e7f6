"""Refusals reach the audit trail whatever the caller's transaction does; reveals are one rule.

A refusal raised inside a transaction that rolls back loses the entry it wrote; the request
boundary calls ``access.record_refusal`` and must find it again, once. Every service that refuses
goes through ``access.refuse``, and every identity reveal through ``access.reveal``.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from bluebox.alerts import services as alert_services
from bluebox.core import access
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry, AuditOutcome
from bluebox.deployment import services as deployment_services
from bluebox.deployment.models import DeploymentPlan, PlanStatus
from bluebox.detention import services as detention_services
from bluebox.detention.tests.factories import CANARY_NAME, ApprehensionFactory
from bluebox.hrddp.tests.factories import DecisionFactory, HostUnitFactory
from bluebox.incidents import services as incident_services
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.second_factor import stepped_up

INFORMANT = "Informant Refusal-Canary Xq2"
SURVIVOR = "Survivor Refusal-Canary Lm9"
PURPOSE = "Arrange a safe meeting"


def denied(**fields):
    return AuditEntry.objects.filter(outcome=AuditOutcome.DENIED, **fields)


def rolled_back(expected, call):
    """Run ``call`` in a transaction its exception rolls back, then do what the boundary does."""
    with pytest.raises(expected) as raised, transaction.atomic():
        call()
    access.record_refusal(raised.value)
    return raised.value


@pytest.fixture
def people(world):
    incident = IncidentFactory(site=world.site_a, title="Attack with witnesses")
    sgbv = IncidentFactory(site=world.site_a, title="SGBV case", incident_type="sgbv")
    informant = incident_services.protected_person_create(
        actor=world.source_handler, incident_id=incident.pk, kind="informant", identity=INFORMANT
    )
    survivor = incident_services.protected_person_create(
        actor=world.analyst, incident_id=sgbv.pk, kind="survivor", identity=SURVIVOR
    )
    return informant, survivor


# --- access.refuse and the boundary ---------------------------------------------------------


def test_a_refusal_rolled_back_with_its_transaction_is_recorded_once_at_the_boundary(world):
    def refused_in_scope():
        access.require_in_scope(
            world.reporter_at_a,
            "incident",
            "create",
            mission_id=world.mission.pk,
            sector_id=world.west.pk,
            site_id=world.site_b.pk,
        )

    with pytest.raises(access.NotPermitted) as raised, transaction.atomic():
        try:
            refused_in_scope()
        finally:
            assert denied(actor="reporter_a").count() == 1  # written inside the transaction
    assert not denied(actor="reporter_a").exists()  # ...and taken away by the rollback
    access.record_refusal(raised.value)
    entry = denied(actor="reporter_a").get()
    assert (entry.action, entry.resource, entry.mission_id) == (
        "create",
        "incident",
        world.mission.pk,
    )
    access.record_refusal(raised.value)  # a second boundary (middleware after handler) is a no-op
    assert denied(actor="reporter_a").count() == 1


def test_a_refusal_that_survived_is_not_written_again_and_refuse_returns_the_exception(world):
    exc = ValueError("refused")
    assert (
        access.refuse(exc, actor=world.planner, action="approve", resource="deployment_plan") is exc
    )
    access.record_refusal(exc)
    assert denied(actor="planner", action="approve").count() == 1


# --- services that used to write their own denial -------------------------------------------


def test_a_refused_detainee_reveal_survives_the_callers_rollback(world):
    custody = ApprehensionFactory(site=world.site_a)
    rolled_back(
        access.NotPermitted,
        lambda: detention_services.detainee_reveal(
            actor=world.analyst, apprehension_id=custody.pk, purpose="Family tracing request"
        ),
    )
    entry = denied(actor="analyst").get()
    assert (entry.action, entry.resource, entry.object_id, entry.mission_id) == (
        "reveal",
        "detention",
        str(custody.pk),
        world.mission.pk,
    )
    assert not AuditEntry.objects.filter(action="reveal", outcome=AuditOutcome.ALLOWED).exists()


def test_a_blocked_handover_survives_the_callers_rollback(world):
    custody = ApprehensionFactory(site=world.site_a)
    unit = HostUnitFactory(mission=world.mission)
    DecisionFactory(assessment__partner=unit)
    assessment = detention_services.risk_assess(
        actor=world.detention_officer,
        apprehension_id=custody.pk,
        partner_id=unit.pk,
        risks={
            "ill_treatment": "high",
            "unfair_trial": "low",
            "death_penalty": "low",
            "persecution": "low",
        },
        rationale="Visited the cells last week",
    )
    rolled_back(
        detention_services.HandoverBlocked,
        lambda: detention_services.apprehension_hand_over(
            actor=world.detention_officer, apprehension_id=custody.pk, assessment_id=assessment.pk
        ),
    )
    entry = denied(actor="detention_officer").get()
    assert (entry.action, entry.resource, entry.object_id) == (
        "handover",
        "detention",
        str(custody.pk),
    )
    assert entry.detail["assessment"] == assessment.pk
    assert any("High risk" in reason for reason in entry.detail["reasons"])


def test_a_refused_plan_action_survives_the_callers_rollback(world):
    plan = DeploymentPlan.objects.create(
        mission=world.mission,
        plan_start=date(2026, 12, 1),
        status=PlanStatus.PROPOSED,
        created_by=world.planner,
        created_at=timezone.now(),
    )
    rolled_back(
        access.NotPermitted,
        lambda: deployment_services.deployment_plan_void(
            actor=world.analyst, plan_id=plan.pk, reason="Not mine to void"
        ),
    )
    entry = denied(actor="analyst").get()
    assert (entry.action, entry.resource, entry.object_id, entry.mission_id) == (
        "void",
        "deployment_plan",
        str(plan.pk),
        world.mission.pk,
    )
    plan.refresh_from_db()
    assert plan.voided_at is None


def test_a_refused_caller_reveal_survives_its_own_rollback(world):
    channel, _secret = alert_services.channel_create(
        actor=world.commissioner, mission=world.mission, name="Hotline"
    )
    alert = alert_services.alert_receive(
        channel=channel,
        message=alert_services.InboundMessage(sender="+23672000111", text="Armed men at Site A"),
    )
    rolled_back(
        access.NotPermitted,
        lambda: alert_services.caller_reveal(
            actor=world.analyst, alert_id=alert.pk, purpose=PURPOSE
        ),
    )
    entry = denied(actor="analyst").get()
    assert (entry.action, entry.resource, entry.object_id) == (
        "reveal_caller",
        "alert",
        str(alert.pk),
    )
    step = stepped_up(world.source_handler, alert)
    revealed = alert_services.caller_reveal(
        actor=world.source_handler, alert_id=alert.pk, purpose=PURPOSE
    )
    assert revealed["phone"] == "+23672000111"
    shown = AuditEntry.objects.get(action="reveal-caller")
    assert shown.detail.pop("step_up")["id"] == step.pk
    assert shown.detail == {"caller": alert.caller.pseudonym, "purpose": PURPOSE}


def test_a_reveal_refused_on_a_web_page_is_audited(world, people):
    _informant, survivor = people
    web = Client()
    web.force_login(world.source_handler)
    page = web.post(f"/incidents/people/{survivor.pk}/reveal/", {"purpose": PURPOSE})
    assert page.status_code == 403
    assert denied(actor="source_handler", action="reveal", object_id=str(survivor.pk)).count() == 1


# --- access.reveal --------------------------------------------------------------------------


def test_a_reveal_without_a_stated_purpose_is_refused_and_nothing_is_revealed(world, people):
    informant, _survivor = people
    with pytest.raises(ServiceError) as raised:
        access.reveal(
            world.source_handler,
            informant,
            purpose="  why?  ",
            compartments=informant.identity_compartment,
        )
    assert "purpose" in raised.value.field_errors
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_a_reveal_without_the_compartment_is_refused_and_audited(world, people):
    _informant, survivor = people
    with pytest.raises(access.NotPermitted):
        access.reveal(
            world.source_handler,
            survivor,
            purpose=PURPOSE,
            compartments=survivor.identity_compartment,
            detail={"pseudonym": survivor.pseudonym},
        )
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.outcome == AuditOutcome.DENIED
    assert (entry.actor, entry.resource, entry.object_id, entry.mission_id) == (
        "source_handler",
        "protected_person",
        str(survivor.pk),
        world.mission.pk,
    )


def test_a_reveal_by_someone_without_the_right_is_refused_even_with_the_compartment(world, people):
    informant, _survivor = people
    with pytest.raises(access.NotPermitted):
        access.reveal(world.planner, informant, purpose=PURPOSE, compartments=0)
    assert denied(actor="planner", action="reveal").count() == 1


def test_an_allowed_reveal_writes_one_entry_with_the_purpose_and_never_the_identity(world, people):
    informant, _survivor = people
    stepped_up(world.source_handler, informant)
    stated = access.reveal(
        world.source_handler,
        informant,
        purpose=f"  {PURPOSE}  ",
        compartments=informant.identity_compartment,
        detail={"pseudonym": informant.pseudonym},
    )
    assert stated == PURPOSE
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.outcome == AuditOutcome.ALLOWED
    assert (entry.actor, entry.resource, entry.object_id) == (
        "source_handler",
        "protected_person",
        str(informant.pk),
    )
    assert entry.detail.pop("step_up")["method"] == "totp"
    assert entry.detail == {"pseudonym": informant.pseudonym, "purpose": PURPOSE}
    for logged in AuditEntry.objects.all():
        assert INFORMANT not in str(logged.detail)


def test_the_detention_and_incident_reveals_keep_their_audit_entries(world, people):
    informant, _survivor = people
    custody = ApprehensionFactory(site=world.site_a)
    stepped_up(world.detention_officer, custody)
    stepped_up(world.source_handler, informant)
    identity = detention_services.detainee_reveal(
        actor=world.detention_officer, apprehension_id=custody.pk, purpose=PURPOSE
    )
    assert identity.name == CANARY_NAME
    revealed = incident_services.protected_person_reveal(
        actor=world.source_handler, person_id=informant.pk, purpose=PURPOSE
    )
    assert revealed["identity"] == INFORMANT
    entries = AuditEntry.objects.filter(action="reveal").order_by("seq")
    assert all(e.detail.pop("step_up") for e in entries)
    assert [(e.resource, e.detail) for e in entries] == [
        ("detention", {"field": "detainee_identity", "purpose": PURPOSE}),
        ("protected_person", {"pseudonym": informant.pseudonym, "purpose": PURPOSE}),
    ]
    assert not denied().exists()


def test_seeing_a_site_but_not_its_patrols_is_an_audited_refusal(world):
    client = Client()
    client.force_login(world.source_handler)  # sees the mission's sites, not its patrols
    assert client.get(f"/patrols/sites/{world.site_a.pk}/").status_code == 404
    denied = AuditEntry.objects.filter(
        outcome=AuditOutcome.DENIED, resource="patrol", actor_id=world.source_handler.pk
    )
    assert denied.count() == 1 and denied.get().object_id == f"site:{world.site_a.pk}"


def test_a_page_that_lets_a_refusal_through_answers_403_and_keeps_the_audit_entry(world):
    from django.test import RequestFactory

    from bluebox.core.middleware import RefusalAuditMiddleware

    def page(request):
        with transaction.atomic():
            access.require_in_scope(
                world.planner, "incident_workflow", "import", mission_id=world.mission.pk
            )
        raise AssertionError("the planner may not import")

    request = RequestFactory().get("/incidents/import/")
    request.user = world.planner
    middleware = RefusalAuditMiddleware(page)
    try:
        page(request)
    except access.NotPermitted as exc:
        response = middleware.process_exception(request, exc)
    assert response is not None and response.status_code == 403
    denied = AuditEntry.objects.filter(outcome=AuditOutcome.DENIED, action="import")
    assert denied.count() == 1
    assert middleware.process_exception(request, ValueError("not a refusal")) is None
