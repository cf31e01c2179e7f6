"""The support gate: what each decision allows, the unit hierarchy, mitigations, expiry,
and overrides (commanders only, audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bluebox.core.access import NotPermitted, NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.hrddp import selectors, services
from bluebox.hrddp.models import ALL_ACTIVITIES
from bluebox.hrddp.tests.factories import (
    AssessmentFactory,
    DecisionFactory,
    HostUnitFactory,
    MitigationFactory,
)
from bluebox.missions.models import PartnerKind
from bluebox.testing.factories import IncidentFactory

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def gate(unit, activity="joint_patrol", at=AT):
    return selectors.support_gate(partner_id=unit.pk, activity=activity, at=at)


@pytest.fixture
def unit(world):
    return HostUnitFactory(mission=world.mission, name="Gendarmerie mobile squadron 3")


def test_an_unassessed_unit_gets_no_support(unit):
    for activity in ALL_ACTIVITIES:
        decision = gate(unit, activity)
        assert not decision.allowed and decision.decision_id is None
        assert "assess before supporting" in decision.reason


@pytest.mark.parametrize(
    ("outcome", "allowed"),
    [("approved", True), ("delayed", False), ("declined", False)],
)
def test_each_outcome_allows_or_blocks_with_its_reason(unit, outcome, allowed):
    decision = DecisionFactory(assessment__partner=unit, outcome=outcome)
    answer = gate(unit)
    assert (answer.allowed, answer.decision_id) == (allowed, decision.pk)
    assert f"#{decision.pk}" in answer.reason


def test_a_decision_covers_only_its_activities_and_its_period(unit):
    DecisionFactory(
        assessment__partner=unit,
        activities=["training"],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 6, 30),
    )
    assert gate(unit, "training").allowed
    assert not gate(unit, "equipment").allowed
    expired = gate(unit, "training", at=datetime(2026, 7, 2, tzinfo=UTC))
    assert not expired.allowed and "expired on 2026-06-30" in expired.reason


def test_overdue_mitigation_suspends_a_conditional_approval(unit):
    assessment = AssessmentFactory(partner=unit)
    mitigation = MitigationFactory(assessment=assessment, due_on=date(2026, 6, 1))
    DecisionFactory(assessment=assessment, outcome="approved_with_mitigation")
    assert gate(unit, at=datetime(2026, 5, 30, tzinfo=UTC)).allowed
    late = gate(unit)
    assert not late.allowed and "overdue" in late.reason
    mitigation.completed_at = AT
    mitigation.save()
    assert gate(unit).allowed


def test_a_decision_on_a_parent_covers_its_units_unless_they_have_their_own(world):
    police = HostUnitFactory(mission=world.mission, name="National Police")
    district = HostUnitFactory(mission=world.mission, parent=police, name="Orlan district")
    DecisionFactory(assessment__partner=police, outcome="declined")
    assert not gate(district).allowed
    DecisionFactory(assessment__partner=district, outcome="approved")
    assert gate(district).allowed


def test_hrddp_does_not_apply_to_ngos(world):
    ngo = HostUnitFactory(mission=world.mission, kind=PartnerKind.NGO)
    assert gate(ngo).allowed


def test_the_gate_needs_an_aware_moment_and_a_known_activity(unit):
    with pytest.raises(ValueError, match="aware"):
        gate(unit, at=datetime(2026, 6, 15))
    with pytest.raises(ValueError, match="activity"):
        gate(unit, "airstrike")


def test_only_commanders_override_and_every_override_is_audited(world, unit):
    DecisionFactory(assessment__partner=unit, outcome="declined")

    def grant(actor, **overrides):
        values = {
            "activity": "joint_patrol",
            "justification": "The camp will be attacked tonight; no one else can reach it.",
            **overrides,
        }
        return services.support_override_grant(actor=actor, partner_id=unit.pk, **values)

    with pytest.raises(NotPermitted):
        grant(world.hrddp_officer)
    with pytest.raises(NotVisible):
        grant(world.planner)
    with pytest.raises(ServiceError, match="justification"):
        grant(world.commissioner, justification="go")
    override = grant(world.commissioner, valid_from=AT, valid_days=2)
    answer = gate(unit)
    assert answer.allowed and answer.override_id == override.pk and "overridden" in answer.reason
    assert not gate(unit, "training").allowed  # only the activity overridden
    entry = AuditEntry.objects.get(action="override", resource="hrddp")
    assert entry.actor == "commissioner" and entry.detail["gate_was_blocking"] is True


def test_decisions_are_checked(world, unit):
    assessment = AssessmentFactory(partner=unit, overall_risk="high")

    def decide(outcome, rationale, valid_from, valid_until):
        return services.decision_record(
            actor=world.hrddp_officer,
            assessment_id=assessment.pk,
            outcome=outcome,
            rationale=rationale,
            valid_from=valid_from,
            valid_until=valid_until,
        )

    with pytest.raises(ServiceError) as refused:
        decide("approved", "Fine", date(2026, 1, 1), date(2026, 12, 31))
    assert "mitigation" in refused.value.field_errors["outcome"][0]
    with pytest.raises(ServiceError):
        decide("declined", "x", date(2026, 12, 31), date(2026, 1, 1))


def test_the_calendar_lists_reviews_and_overdue_mitigations_first(world, unit):
    assessment = AssessmentFactory(partner=unit)
    MitigationFactory(assessment=assessment, due_on=date(2026, 6, 1), measure="Vetting")
    DecisionFactory(
        assessment=assessment, review_on=date(2026, 7, 1), valid_until=date(2026, 12, 31)
    )
    items = selectors.calendar(world.hrddp_officer, date(2026, 6, 15))
    assert [(i.kind, i.overdue) for i in items] == [("mitigation", True), ("review", False)]
    assert selectors.calendar(world.planner, date(2026, 6, 15)) == []


def test_incidents_and_reports_naming_a_unit_are_linked_to_it(world, unit):
    incident = IncidentFactory(site=world.site_a, perpetrator_category="host_state_forces")
    services.unit_link_incident(
        actor=world.commissioner, partner_id=unit.pk, incident_id=incident.pk
    )
    services.unit_link_report(
        actor=world.hrddp_officer,
        partner_id=unit.pk,
        reference="HRD/2026/014",
        summary="Beatings at the post",
        reported_on=date(2026, 5, 2),
    )
    links = selectors.links_for(world.hrddp_officer, unit.pk)
    assert {link.kind for link in links} == {"incident", "human_rights_report"}
    with pytest.raises(ServiceError, match="already linked"):
        services.unit_link_incident(
            actor=world.commissioner, partner_id=unit.pk, incident_id=incident.pk
        )
    with pytest.raises(NotVisible):  # planners do not read HRDDP
        services.unit_link_incident(
            actor=world.planner, partner_id=unit.pk, incident_id=incident.pk
        )


def test_the_gate_gives_its_reason_in_the_reader_s_language(unit):
    from django.utils import translation

    with translation.override("fr"):
        assert "évaluez avant d'apporter un soutien" in gate(unit).reason
    with translation.override("ar"):
        assert "قيِّمها قبل تقديم الدعم" in gate(unit).reason
    assert "assess before supporting" in gate(unit).reason


def test_the_gate_s_reason_with_its_numbers_reads_in_french_and_in_arabic(unit):
    """The same answer (an expired decision, its number and day) in each language."""
    import re

    from django.utils import translation

    decision = DecisionFactory(
        assessment__partner=unit,
        activities=["training"],
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 6, 30),
    )
    later = datetime(2026, 7, 2, tzinfo=UTC)
    english = gate(unit, "training", at=later).reason
    for code in ("fr", "ar"):
        with translation.override(code):
            said = gate(unit, "training", at=later).reason
        assert said != english and str(decision.pk) in said and "2026-06-30" in said, said
        if code == "ar":
            assert re.search("[\u0600-\u06ff]", said), said
