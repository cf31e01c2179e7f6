"""HRDDP risk assessments under sharing agreements: through the same grant as incidents.

Attacks tried: an incident agreement reading assessments and the reverse, the other HRDDP
records (mitigations, decisions), an assessment carrying a second compartment, a partner
liaison named on an assessment agreement, a sector or incident criteria that assessments cannot
meet, a proposed, a revoked and an expired agreement, another mission; names and reasoning kept
back as the agreement says.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bluebox.core import access
from bluebox.core.classification import Compartment
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.core.roles import SHARED
from bluebox.core.sharing import DisclosureReceipt, SharingAgreement
from bluebox.hrddp.models import Assessment, Decision, Mitigation
from bluebox.hrddp.tests.factories import (
    AssessmentFactory,
    DecisionFactory,
    HostUnitFactory,
    MitigationFactory,
)
from bluebox.sharing import selectors, services
from bluebox.sharing.tests.conftest import make_agreement
from bluebox.testing.factories import IncidentFactory

UNIT = "Brigade Mobile d'Intervention Nord"
HISTORY = "Two credible reports of ill-treatment in custody in 2025"
GROUPS = ["when", "perpetrator", "act"]


@pytest.fixture
def assessment(world):
    unit = HostUnitFactory(mission=world.mission, name=UNIT)
    return AssessmentFactory(
        partner=unit, classification=1, violations_history=HISTORY, overall_risk="high"
    )


def hrddp_agreement(world, **overrides):
    return make_agreement(
        world,
        record_type="hrddp",
        shared_fields=overrides.pop("shared_fields", GROUPS),
        title="Police to human rights: HRDDP assessments",
        **overrides,
    )


def shared(user, model=Assessment):
    access.forget(user)
    return set(access.visible(user, model.objects.all(), SHARED).values_list("pk", flat=True))


def test_an_agreement_on_assessments_shares_them_and_nothing_else(world, assessment):
    MitigationFactory(assessment=assessment)
    DecisionFactory(partner=assessment.partner)
    incident = IncidentFactory(site=world.site_a, classification=0)
    hrddp_agreement(world)
    officer = world.human_rights_officer
    assert shared(officer) == {assessment.pk}
    assert shared(officer, Mitigation) == set() and shared(officer, Decision) == set()
    # It grants no incident, and an incident agreement grants no assessment.
    from bluebox.incidents.models import Incident

    assert incident.pk not in shared(officer, Incident)
    SharingAgreement.objects.update(record_type="incident")
    assert shared(officer) == set()
    # Never a view: the HRDDP pages stay closed to the officer.
    assert not access.visible(officer, Assessment.objects.all()).exists()


def test_a_second_compartment_keeps_an_assessment_out(world, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(
        compartments=int(Compartment.HRDDP | Compartment.SOURCE)
    )
    hrddp_agreement(world)
    assert shared(world.human_rights_officer) == set()


def test_ceiling_period_and_mission_bound_what_is_shared(world, assessment):
    secret = AssessmentFactory(partner=assessment.partner, classification=2)
    old = AssessmentFactory(
        partner=assessment.partner,
        classification=1,
        assessed_at=assessment.assessed_at - timedelta(days=400),
    )
    elsewhere = AssessmentFactory(partner=HostUnitFactory(mission=world.other_mission))
    hrddp_agreement(world, covers_from=(assessment.assessed_at - timedelta(days=30)).date())
    found = shared(world.human_rights_officer)
    assert assessment.pk in found
    assert not found & {secret.pk, old.pk, elsewhere.pk}


def test_proposed_revoked_and_expired_agreements_share_nothing(world, assessment):
    proposed = hrddp_agreement(world, approve=False)
    assert shared(world.human_rights_officer) == set()
    services.agreement_approve(actor=world.commissioner, agreement_id=proposed.pk)
    assert shared(world.human_rights_officer) == {assessment.pk}
    SharingAgreement.objects.filter(pk=proposed.pk).update(expires_at=timezone.now())
    assert shared(world.human_rights_officer) == set()
    SharingAgreement.objects.filter(pk=proposed.pk).update(
        expires_at=timezone.now() + timedelta(days=3)
    )
    services.agreement_revoke(
        actor=world.commissioner, agreement_id=proposed.pk, reason="The review is finished"
    )
    assert shared(world.human_rights_officer) == set()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"party": "partner", "recipients": "partner"}, "recipients"),
        ({"incident_types": ["killing"]}, "incident_types"),
        ({"perpetrator_categories": ["host_state_forces"]}, "perpetrator_categories"),
        ({"sector_id": "east"}, "site"),
        ({"shared_fields": ["when", "where"]}, "shared_fields"),
    ],
)
def test_what_assessments_cannot_be_shared_by(world, overrides, field):
    if overrides.get("recipients") == "partner":
        overrides["recipients"] = [world.partner]
    if overrides.get("sector_id") == "east":
        overrides["sector_id"] = world.east.pk
    with pytest.raises(ServiceError) as refused:
        hrddp_agreement(world, approve=False, **overrides)
    assert field in refused.value.field_errors
    assert not SharingAgreement.objects.exists()


def test_the_officer_reads_them_redacted_and_each_listing_is_a_disclosure(world, assessment):
    hrddp_agreement(world)
    client = Client()
    client.force_login(world.human_rights_officer)
    page = client.get("/sharing/shared/assessments/").content.decode()
    assert f'data-assessment="{assessment.pk}"' in page
    assert "High" in page and "TLP:AMBER" in page
    assert UNIT not in page and "Actor-" in page  # the unit under a pseudonym
    assert HISTORY not in page  # free text withheld
    receipt = DisclosureReceipt.objects.get(record_type="hrddp", record_id=assessment.pk)
    assert receipt.channel == "list" and receipt.user == world.human_rights_officer
    assert AuditEntry.objects.filter(seq=receipt.audit_seq, action="disclosure").exists()
    # The home page counts it under its agreement.
    home = client.get("/sharing/").content.decode()
    assert "/sharing/shared/assessments/" in home


def test_names_and_reasoning_when_the_agreement_shares_them(world, assessment):
    hrddp_agreement(world, pseudonymise_names=False, withhold_text=False)
    items = selectors.shared_assessments(world.human_rights_officer)
    assert items[0]["unit"] == UNIT and items[0]["violations_history"] == HISTORY


def test_nobody_else_reads_assessments_through_it(world, assessment):
    hrddp_agreement(world)
    for who in ("partner", "analyst", "reporter_at_a", "admin", "outsider", "auditor"):
        assert shared(getattr(world, who)) == set(), who
        assert selectors.shared_assessments(getattr(world, who)) == []
