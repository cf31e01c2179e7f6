"""Capacity building: trainees only from units the HRDDP gate allows for training, scores that
decide the result, certificates suspended as soon as the unit's gate closes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bluebox.core import access
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.models import AuditEntry
from bluebox.engagement import jobs, selectors, services
from bluebox.engagement.models import Notice, Trainee
from bluebox.hrddp import services as hrddp_services
from bluebox.hrddp.tests.factories import AssessmentFactory, DecisionFactory, HostUnitFactory
from bluebox.missions.models import PartnerKind, PartnerOrganisation

NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def course(world):
    c = services.course_create(
        actor=world.commissioner,
        mission_id=world.mission.pk,
        title="Custody and the rights of detainees",
        pass_mark=60,
    )
    s = services.course_session_create(
        actor=world.commissioner,
        course_id=c.pk,
        starts_on=date(2026, 2, 2),
        ends_on=date(2026, 2, 6),
        place="Police academy",
        trainers="IPO training cell",
    )
    return c, s


def _approved_unit(world):
    unit = HostUnitFactory(mission=world.mission, name="Commissariat du 3e")
    DecisionFactory(
        partner=unit,
        assessment__partner=unit,
        mission=world.mission,
        activities=["training", "joint_patrol"],
    )
    return unit


def _enrol(world, session, unit, **kw):
    return services.trainee_enrol(
        actor=kw.pop("by", world.community_officer),
        session_id=session.pk,
        unit_id=unit.pk,
        name=kw.pop("name", "Brigadier Ndoye"),
        now=NOW,
        **kw,
    )


def test_a_unit_without_an_hrddp_decision_is_refused_with_the_gates_reason(world, course):
    _c, s = course
    unassessed = HostUnitFactory(mission=world.mission, name="Unité mobile")
    with pytest.raises(ServiceError) as refused:
        _enrol(world, s, unassessed)
    assert "assess before supporting" in refused.value.field_errors["unit"][0]
    access.record_refusal(refused.value)
    assert AuditEntry.objects.filter(action="trainee-enrol", outcome="denied").count() == 1
    assert Trainee.objects.count() == 0


def test_a_declined_or_expired_decision_blocks_training(world, course):
    _c, s = course
    declined = HostUnitFactory(mission=world.mission)
    DecisionFactory(
        partner=declined, assessment__partner=declined, mission=world.mission, outcome="declined"
    )
    expired = HostUnitFactory(mission=world.mission)
    DecisionFactory(
        partner=expired,
        assessment__partner=expired,
        mission=world.mission,
        valid_from=date(2025, 1, 1),
        valid_until=date(2025, 12, 31),
        review_on=date(2025, 12, 1),
    )
    patrol_only = HostUnitFactory(mission=world.mission)
    DecisionFactory(
        partner=patrol_only,
        assessment__partner=patrol_only,
        mission=world.mission,
        activities=["joint_patrol"],
    )
    for unit in (declined, expired, patrol_only):
        with pytest.raises(ServiceError):
            _enrol(world, s, unit)
    assert Trainee.objects.count() == 0


def test_only_host_state_units_of_the_mission_supply_trainees(world, course):
    _c, s = course
    ngo = PartnerOrganisation.objects.create(
        mission=world.mission, kind=PartnerKind.NGO, name="Local NGO"
    )
    other = HostUnitFactory(mission=world.other_mission)
    for unit in (ngo, other):
        with pytest.raises(ServiceError) as refused:
            _enrol(world, s, unit)
        assert "unit" in refused.value.field_errors


def test_scores_decide_the_result_and_a_pass_earns_a_certificate(world, course):
    _c, s = course
    unit = _approved_unit(world)
    t = _enrol(world, s, unit, pre_score=35)
    assert t.gate_decision_id is not None and "Support approved" in t.gate_reason
    with pytest.raises(ServiceError):
        services.certificate_issue(actor=world.commissioner, trainee_id=t.pk)  # not passed yet
    services.trainee_scores(actor=world.commissioner, trainee_id=t.pk, post_score=72)
    t.refresh_from_db()
    assert t.result == "passed"
    services.certificate_issue(actor=world.commissioner, trainee_id=t.pk, now=NOW)
    failing = _enrol(world, s, unit, name="Sergent Ba", pre_score=50)
    services.trainee_scores(actor=world.commissioner, trainee_id=failing.pk, post_score=55)
    failing.refresh_from_db()
    assert failing.result == "failed"
    services.observation_add(
        actor=world.commissioner,
        trainee_id=t.pk,
        observed_on=date(2026, 5, 1),
        rating=4,
        note="Informs detainees of their rights on arrival",
    )
    report = selectors.report(world.commissioner, now=NOW, mission_id=world.mission.pk)
    assert report.trainees == [("Commissariat du 3e", {"passed": 1, "failed": 1})]
    assert report.mean_score_gain == pytest.approx((37 + 5) / 2)
    assert report.mean_observation == 4


def test_an_adverse_decision_suspends_the_certificate_automatically(world, course):
    _c, s = course
    unit = _approved_unit(world)
    t = _enrol(world, s, unit)
    services.trainee_scores(actor=world.commissioner, trainee_id=t.pk, post_score=90)
    services.certificate_issue(actor=world.commissioner, trainee_id=t.pk, now=NOW)
    assert jobs.certificates_review(now=NOW) == []
    # Credible reports: the HRDDP officer declines all support to the unit.
    assessment = AssessmentFactory(
        partner=unit, mission=world.mission, overall_risk="high", violations_level="high"
    )
    hrddp_services.decision_record(
        actor=world.hrddp_officer,
        assessment_id=assessment.pk,
        outcome="declined",
        rationale="Ill-treatment of detainees documented by the human rights section",
        valid_from=date(2026, 3, 1),
        valid_until=date(2026, 12, 31),
        at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
    )
    later = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert jobs.certificates_review(now=later) == [t.pk]
    assert jobs.certificates_review(now=later) == []  # once
    t.refresh_from_db()
    assert t.certificate == "suspended" and "Declined" in t.suspension_reason
    assert Notice.objects.filter(kind="certificate_suspended", user=world.commissioner).exists()
    assert Notice.objects.filter(
        kind="certificate_suspended", user=world.community_officer
    ).exists()
    assert AuditEntry.objects.filter(action="certificate-suspend", actor_id=None).count() == 1
    # Reinstating needs the gate open again.
    with pytest.raises(ServiceError):
        services.certificate_issue(actor=world.commissioner, trainee_id=t.pk, now=later)


def test_training_records_are_read_by_those_who_plan_support_and_no_one_else(world, course):
    c, s = course
    _enrol(world, s, _approved_unit(world))
    for who in ("hrddp_officer", "planner", "commissioner", "community_officer"):
        assert selectors.course_get(getattr(world, who), c.pk) == c
    for who in ("reporter_at_a", "analyst", "admin", "other_commander", "human_rights_officer"):
        with pytest.raises(NotVisible):
            selectors.course_get(getattr(world, who), c.pk)
        assert selectors.trainees_for(getattr(world, who)).count() == 0
    with pytest.raises(NotPermitted):
        _enrol(world, s, _approved_unit(world), by=world.hrddp_officer)
