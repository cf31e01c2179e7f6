"""factory_boy factories for HRDDP records and host-state units."""

from __future__ import annotations

from datetime import UTC, date, datetime

import factory

from bluebox.hrddp.models import ALL_ACTIVITIES, Assessment, Decision, Mitigation
from bluebox.missions.models import PartnerKind, PartnerOrganisation
from bluebox.testing.factories import MissionFactory, UserFactory


class HostUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    mission = factory.SubFactory(MissionFactory)
    kind = PartnerKind.HOST_POLICE
    name = factory.Sequence(lambda n: f"Police unit {n}")


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    partner = factory.SubFactory(HostUnitFactory)
    mission = factory.SelfAttribute("partner.mission")
    assessed_at = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    assessed_by = factory.SubFactory(UserFactory)
    violations_history = "No credible reports of grave violations."
    violations_level = "low"
    commitment_level = "full"
    overall_risk = "low"


class MitigationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mitigation

    assessment = factory.SubFactory(AssessmentFactory)
    mission = factory.SelfAttribute("assessment.mission")
    measure = "Human rights training for the unit's officers"
    owner = "Sector police commander"
    due_on = date(2026, 3, 1)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    assessment = factory.SubFactory(AssessmentFactory)
    partner = factory.SelfAttribute("assessment.partner")
    mission = factory.SelfAttribute("assessment.mission")
    outcome = "approved"
    activities = factory.LazyFunction(lambda: list(ALL_ACTIVITIES))
    rationale = "Low risk, full commitment."
    valid_from = date(2026, 1, 1)
    valid_until = date(2030, 12, 31)
    review_on = date(2030, 6, 30)
    decided_at = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
    decided_by = factory.SubFactory(UserFactory)
