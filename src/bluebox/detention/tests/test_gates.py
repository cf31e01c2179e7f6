"""The handover gate blocks what it must; overrides are commanders' and audited; the legal
basis is checked against the mandate profile and the site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from bluebox.core.access import NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry, AuditOutcome
from bluebox.detention import services
from bluebox.detention.models import CustodyStatus
from bluebox.detention.tests.factories import ApprehensionFactory
from bluebox.hrddp.tests.factories import DecisionFactory, HostUnitFactory
from bluebox.missions.models import Authority

LOW = {"ill_treatment": "low", "unfair_trial": "low", "death_penalty": "low", "persecution": "low"}


@pytest.fixture
def custody(world):
    return ApprehensionFactory(site=world.site_a)


@pytest.fixture
def approved_unit(world):
    unit = HostUnitFactory(mission=world.mission, name="Orlan police district")
    DecisionFactory(assessment__partner=unit)
    return unit


def _assess(world, custody, unit, **risks):
    return services.risk_assess(
        actor=world.detention_officer,
        apprehension_id=custody.pk,
        partner_id=unit.pk,
        risks={**LOW, **risks},
        rationale="Visited the cells last week",
    )


def test_a_handover_without_a_risk_assessment_is_refused(world, custody):
    with pytest.raises(ServiceError, match="risk assessment"):
        services.apprehension_hand_over(
            actor=world.detention_officer, apprehension_id=custody.pk, assessment_id=999
        )


def test_a_low_risk_handover_to_an_approved_unit_goes_ahead(world, custody, approved_unit):
    assessment = _assess(world, custody, approved_unit)
    done = services.apprehension_hand_over(
        actor=world.detention_officer, apprehension_id=custody.pk, assessment_id=assessment.pk
    )
    assert done.status == CustodyStatus.HANDED_OVER
    assert done.receiving_partner == approved_unit


@pytest.mark.parametrize("risk", ["ill_treatment", "unfair_trial", "death_penalty", "persecution"])
def test_any_high_risk_blocks_the_handover_and_the_refusal_is_audited(
    world, custody, approved_unit, risk
):
    assessment = _assess(world, custody, approved_unit, **{risk: "high"})
    with pytest.raises(services.HandoverBlocked, match="High risk"):
        services.apprehension_hand_over(
            actor=world.detention_officer, apprehension_id=custody.pk, assessment_id=assessment.pk
        )
    custody.refresh_from_db()
    assert custody.status == CustodyStatus.IN_CUSTODY
    refused = AuditEntry.objects.get(action="handover", outcome=AuditOutcome.DENIED)
    assert refused.object_id == str(custody.pk)


def test_a_unit_whose_hrddp_decision_declines_support_blocks_the_handover(world, custody):
    unit = HostUnitFactory(mission=world.mission)
    DecisionFactory(assessment__partner=unit, outcome="declined")
    assessment = _assess(world, custody, unit)
    assert assessment.hrddp_allowed is False
    with pytest.raises(services.HandoverBlocked, match="HRDDP"):
        services.apprehension_hand_over(
            actor=world.detention_officer, apprehension_id=custody.pk, assessment_id=assessment.pk
        )


def test_a_unit_never_assessed_under_hrddp_blocks_the_handover(world, custody):
    assessment = _assess(world, custody, HostUnitFactory(mission=world.mission))
    gate = services.handover_gate(assessment, timezone.now())
    assert not gate.allowed and "No HRDDP decision" in gate.reasons[0]


def test_only_a_commander_overrides_in_writing_and_the_override_is_audited(
    world, custody, approved_unit
):
    assessment = _assess(world, custody, approved_unit, death_penalty="high")
    with pytest.raises(NotVisible):
        services.handover_override(
            actor=world.detention_officer,
            assessment_id=assessment.pk,
            justification="I think it will be fine in the end.",
        )
    with pytest.raises(ServiceError, match="justification"):
        services.handover_override(
            actor=world.commissioner, assessment_id=assessment.pk, justification="ok"
        )
    services.handover_override(
        actor=world.commissioner,
        assessment_id=assessment.pk,
        justification="Written assurance from the minister that the death penalty is excluded.",
    )
    entry = AuditEntry.objects.get(action="handover-override")
    assert entry.actor == "commissioner"
    assert "death penalty" in entry.detail["overridden"][0]
    done = services.apprehension_hand_over(
        actor=world.detention_officer, apprehension_id=custody.pk, assessment_id=assessment.pk
    )
    handover = AuditEntry.objects.filter(action="handover", outcome=AuditOutcome.ALLOWED).get()
    assert handover.detail["overridden"] and done.status == CustodyStatus.HANDED_OVER


def test_nothing_to_override_when_the_gate_is_open(world, custody, approved_unit):
    assessment = _assess(world, custody, approved_unit)
    with pytest.raises(ServiceError, match="nothing to override"):
        services.handover_override(
            actor=world.commissioner,
            assessment_id=assessment.pk,
            justification="Just in case, for the record of it.",
        )


def test_release_and_transfer_are_the_recorded_alternatives(world, approved_unit):
    released = ApprehensionFactory(site=world.site_a)
    moved = ApprehensionFactory(site=world.site_a)
    services.apprehension_release(
        actor=world.detention_officer, apprehension_id=released.pk, reason="Risk too high"
    )
    services.apprehension_transfer(
        actor=world.detention_officer,
        apprehension_id=moved.pk,
        destination="Capital prison (monitored)",
        reason="Risk too high locally",
    )
    released.refresh_from_db()
    moved.refresh_from_db()
    assert (released.status, moved.status) == (CustodyStatus.RELEASED, CustodyStatus.TRANSFERRED)
    assert {e.action for e in AuditEntry.objects.all()} >= {"release", "transfer"}
    with pytest.raises(ServiceError, match="already ended"):
        services.apprehension_release(
            actor=world.detention_officer, apprehension_id=released.pk, reason="again"
        )


def _record(world, **overrides):
    data = {
        "actor": world.detention_officer,
        "mission": world.mission,
        "site_id": world.site_a.pk,
        "apprehended_at": datetime(2026, 11, 20, 6, 30, tzinfo=UTC),
        "detainee_name": "A Person",
        "location": "Camp gate",
        "apprehending_unit": "FPU 2",
        "legal_basis": "urgent_temporary_measure",
        "host_request_reference": "MoI/2026/77",
        "reason": "Attack on the camp",
    }
    data.update(overrides)
    return services.apprehension_record(**data)


def test_urgent_temporary_measures_only_where_national_police_cannot_act(world):
    world.mission.authority = Authority.QUASI_EXECUTIVE
    world.mission.save()
    world.site_a.national_police_present = world.site_a.national_police_operational = True
    world.site_a.save()
    with pytest.raises(ServiceError) as refused:
        _record(world)
    assert "absent or not operational" in refused.value.field_errors["legal_basis"][0]
    world.site_a.national_police_operational = False
    world.site_a.save()
    assert _record(world).pseudonym == "D-2026-0001"
    with pytest.raises(ServiceError) as no_request:
        _record(world, host_request_reference="")
    assert "request" in no_request.value.field_errors["legal_basis"][0]


def test_a_non_executive_mission_cannot_arrest_on_its_own_authority(world):
    with pytest.raises(ServiceError) as refused:
        _record(world, legal_basis="executive_arrest")
    assert "executive mandate" in refused.value.field_errors["legal_basis"][0]
    with pytest.raises(ServiceError):
        _record(world, legal_basis="poc_site_rules")  # site A is an IDP camp, not a POC site
    world.site_a.kind = "poc_site"
    world.site_a.save()
    assert _record(world, legal_basis="poc_site_rules").legal_basis == "poc_site_rules"


def test_an_apprehension_in_the_future_or_without_timezone_is_refused(world):
    with pytest.raises(ServiceError):
        _record(
            world, legal_basis="imminent_threat", apprehended_at=timezone.now() + timedelta(hours=2)
        )
    with pytest.raises(ServiceError):
        _record(world, legal_basis="imminent_threat", apprehended_at=datetime(2026, 11, 20, 6, 30))


def test_limits_come_from_the_mission_settings_and_never_move_a_running_clock(world):
    world.mission.settings = {"detention": {"handover_target_hours": 24, "hard_limit_hours": 48}}
    world.mission.save()
    custody = _record(world, legal_basis="imminent_threat")
    world.mission.settings = {"detention": {"handover_target_hours": 96, "hard_limit_hours": 96}}
    world.mission.save()
    assert services.limits_of(custody).hard_limit_hours == 48
