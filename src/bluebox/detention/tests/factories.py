"""factory_boy factories for the detention register."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from bluebox.detention.models import Apprehension, EvidenceItem, RiskAssessment
from bluebox.hrddp.tests.factories import HostUnitFactory
from bluebox.testing.factories import FieldSiteFactory, UserFactory

# A name no page, list, log or notification may ever show to someone without the compartment.
CANARY_NAME = "Zorvath Quillibet-Canary"
DEFAULT_LIMITS = {
    "handover_target_hours": 48.0,
    "hard_limit_hours": 72.0,
    "escalate_before_target_hours": [12.0, 4.0],
    "escalate_before_limit_hours": [24.0, 12.0, 4.0, 1.0],
}


class ApprehensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Apprehension

    site = factory.SubFactory(FieldSiteFactory)
    mission = factory.SelfAttribute("site.mission")
    sector = factory.SelfAttribute("site.sector")
    pseudonym = factory.Sequence(lambda n: f"D-2026-{n + 1:04d}")
    detainee_name = CANARY_NAME
    detainee_details = "born 1990, scar on the left hand"
    # Three hours ago unless a test sets it: custody can then end "now" in workflow tests.
    apprehended_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=3))
    location = "Market entrance"
    apprehending_unit = "FPU 1, platoon 2"
    legal_basis = "imminent_threat"
    reason = "Caught setting fire to shelters"
    limits = factory.LazyFunction(lambda: dict(DEFAULT_LIMITS))
    recorded_at = factory.SelfAttribute("apprehended_at")
    recorded_by = factory.SubFactory(UserFactory)


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    apprehension = factory.SubFactory(ApprehensionFactory)
    mission = factory.SelfAttribute("apprehension.mission")
    receiving_partner = factory.SubFactory(
        HostUnitFactory, mission=factory.SelfAttribute("..mission")
    )
    risk_ill_treatment = "low"
    risk_unfair_trial = "low"
    risk_death_penalty = "low"
    risk_persecution = "low"
    rationale = "Monitored facility with access for the human rights section."
    hrddp_allowed = True
    hrddp_reason = "approved"
    assessed_at = factory.SelfAttribute("apprehension.apprehended_at")
    assessed_by = factory.SubFactory(UserFactory)


class EvidenceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceItem

    apprehension = factory.SubFactory(ApprehensionFactory)
    mission = factory.SelfAttribute("apprehension.mission")
    kind = "item"
    label = factory.Sequence(lambda n: f"TAG-{n:04d}")
    description = "Machete, wooden handle"
    sha256 = "0" * 64
    registered_at = factory.SelfAttribute("apprehension.apprehended_at")
    registered_by = factory.SubFactory(UserFactory)
    custodian = factory.SelfAttribute("registered_by")
