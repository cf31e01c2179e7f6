"""The mission's rules gate the register: an apprehension no rule allows at that site and
moment is refused with the reason and the citation; the allowing rule's SOP sets the clock;
only a commander overrides, in writing, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from bluebox.core import access
from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import AuditEntry, AuditOutcome
from bluebox.detention import services
from bluebox.detention.models import Apprehension
from bluebox.guide.models import RuleOverride
from bluebox.guide.tests.factories import approved
from bluebox.testing.factories import FieldSiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ruled(world: Any) -> Any:
    approved(world.mission, world.commissioner)
    world.site_a.national_police_present = False  # Site A: national police gone
    world.site_a.national_police_operational = False
    world.site_a.save()
    world.site_b.national_police_present = True  # Site B: national police present, working
    world.site_b.national_police_operational = True
    world.site_b.save()
    return world


def _record(world: Any, site: Any, *, actor: Any = None, **over: Any) -> Apprehension:
    data: dict[str, Any] = {
        "actor": actor or world.detention_officer,
        "mission": world.mission,
        "site_id": site.pk,
        "apprehended_at": timezone.now() - timedelta(hours=1),
        "detainee_name": "Test Person",
        "location": "Road to the market",
        "apprehending_unit": "FPU 2",
        "legal_basis": "urgent_temporary_measure",
        "host_request_reference": "MinInt/2026/311",
        "reason": "Armed robbery of traders",
        **over,
    }
    return services.apprehension_record(**data)


def test_national_police_absent_and_host_request_it_is_recorded_with_the_sops_clock(
    ruled: Any,
) -> None:
    custody = _record(ruled, ruled.site_a)
    assert custody.limits["handover_target_hours"] == 48.0
    assert custody.limits["hard_limit_hours"] == 72.0
    # The mission's escalation points stay where the rules say nothing of them.
    assert custody.limits["escalate_before_limit_hours"]
    assert custody.rules["rule"] == "utm-arrest" and custody.rules["version"] == "2026-1"
    assert any("paragraph 31(b)(iii)" in c for c in custody.rules["citations"])


def test_national_police_present_it_is_refused_with_the_reason_and_the_citation(
    ruled: Any,
) -> None:
    with pytest.raises(ServiceError) as caught:
        _record(ruled, ruled.site_b)
    errors = caught.value.field_errors["legal_basis"]
    assert errors[0] == "The rules in force (version 2026-1) do not allow this apprehension."
    assert any("here: national police are present and operational" in e for e in errors)
    assert errors[-1].startswith("See: ") and "paragraph 31(b)(iii)" in errors[-1]
    assert not Apprehension.objects.exists()


@pytest.mark.parametrize("threat", ["none", "unarmed", "armed"])
def test_a_threat_within_police_primacy_is_recorded_with_it(ruled: Any, threat: str) -> None:
    custody = _record(ruled, ruled.site_a, threat=threat)
    assert custody.rules["rule"] == "utm-arrest" and custody.rules["threat"] == threat


def test_the_threat_stated_turns_the_same_case_into_a_refusal_in_the_green_box(
    ruled: Any,
) -> None:
    # The same site, moment, basis and request: only the threat level differs.
    with pytest.raises(ServiceError) as caught:
        _record(ruled, ruled.site_a, threat="heavy")
    errors = caught.value.field_errors["legal_basis"]
    assert errors[0] == "The rules in force (version 2026-1) do not allow this apprehension."
    assert any("military primacy (green box)" in e for e in errors)
    assert "sop-joint-ops" not in errors[-1] and "paragraph 2.3" in errors[-1]
    assert not Apprehension.objects.exists()


def test_a_commander_records_a_green_box_apprehension_only_on_an_override(ruled: Any) -> None:
    custody = _record(
        ruled,
        ruled.site_a,
        actor=ruled.commissioner,
        threat="heavy",
        override_justification="The Force's quick reaction force handed the suspect to us.",
    )
    assert custody.rules["allowed"] is False and custody.rules["override_id"]
    assert custody.rules["threat"] == "heavy"


def test_an_unknown_threat_level_is_named_and_nothing_recorded(ruled: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        _record(ruled, ruled.site_a, threat="catastrophic")
    assert caught.value.field_errors["threat"] == ["Unknown threat level."]
    assert not Apprehension.objects.exists()


def test_without_the_host_states_request_it_is_refused(ruled: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        _record(ruled, ruled.site_a, host_request_reference="")
    assert any(
        "a request from the host state" in e for e in caught.value.field_errors["legal_basis"]
    )


def test_an_imminent_threat_is_a_basis_anywhere(ruled: Any) -> None:
    custody = _record(ruled, ruled.site_b, legal_basis="imminent_threat", host_request_reference="")
    assert custody.rules["rule"] == "imminent-threat-apprehension"


def test_executive_arrest_is_no_basis_under_this_mandate(ruled: Any) -> None:
    with pytest.raises(ServiceError):
        _record(ruled, ruled.site_a, legal_basis="executive_arrest")


def test_the_poc_sites_rules_set_a_shorter_clock(ruled: Any) -> None:
    poc = FieldSiteFactory(sector=ruled.east, code="poc-1", kind="poc_site")
    custody = _record(ruled, poc, legal_basis="poc_site_rules", host_request_reference="")
    assert custody.limits["handover_target_hours"] == 24.0
    assert custody.limits["hard_limit_hours"] == 72.0


def test_a_day_no_version_covers_is_refused(ruled: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        _record(ruled, ruled.site_a, apprehended_at=datetime(2026, 3, 1, 10, tzinfo=UTC))
    assert (
        "No version of the mission's rules is in force"
        in caught.value.field_errors["legal_basis"][0]
    )


@pytest.mark.parametrize("who", ["detention_officer", "analyst", "admin"])
def test_only_a_commander_overrides(ruled: Any, who: str) -> None:
    with pytest.raises((NotPermitted, ServiceError)):
        _record(
            ruled,
            ruled.site_b,
            actor=getattr(ruled, who),
            override_justification="National police unit deserted its post an hour ago.",
        )
    assert not Apprehension.objects.exists() and not RuleOverride.objects.exists()


def test_a_refused_override_is_audited(ruled: Any) -> None:
    with pytest.raises(NotPermitted) as caught:
        _record(
            ruled,
            ruled.site_b,
            override_justification="National police unit deserted its post an hour ago.",
        )
    access.record_refusal(caught.value)  # what the request boundary does after the rollback
    assert AuditEntry.objects.filter(
        actor=ruled.detention_officer.username,
        action="override",
        resource="guide_override",
        outcome=AuditOutcome.DENIED,
    ).exists()


def test_a_commanders_override_needs_a_written_reason(ruled: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        _record(ruled, ruled.site_b, actor=ruled.commissioner, override_justification="urgent")
    assert "override_justification" in caught.value.field_errors
    assert not Apprehension.objects.exists()


def test_a_commanders_override_is_recorded_and_audited(ruled: Any) -> None:
    reason = "National police unit deserted its post an hour ago; the crowd was about to lynch him."
    custody = _record(ruled, ruled.site_b, actor=ruled.commissioner, override_justification=reason)
    override = RuleOverride.objects.get()
    assert override.subject == "apprehension" and override.subject_id == custody.pk
    assert override.justification == reason and override.granted_by == ruled.commissioner
    assert override.refusal["citations"] and custody.rules["override_id"] == override.pk
    assert custody.rules["allowed"] is False
    entry = AuditEntry.objects.get(action="rules-override")
    assert entry.actor == ruled.commissioner.username and "Test Person" not in str(entry.detail)


def test_an_override_where_the_rules_allow_is_refused(ruled: Any) -> None:
    custody = _record(
        ruled, ruled.site_a, actor=ruled.commissioner, override_justification="x" * 30
    )
    # Nothing to override: the rules allow it, so no override is written.
    assert custody.rules["override_id"] is None and not RuleOverride.objects.exists()


def _assessed(world: Any, custody: Apprehension, unit: Any) -> Any:
    low = dict.fromkeys(("ill_treatment", "unfair_trial", "death_penalty", "persecution"), "low")
    return services.risk_assess(
        actor=world.detention_officer,
        apprehension_id=custody.pk,
        partner_id=unit.pk,
        risks=low,
        rationale="Visited the cells last week",
    )


def test_the_handover_gate_reads_the_rules(ruled: Any) -> None:
    from bluebox.hrddp.tests.factories import DecisionFactory, HostUnitFactory

    custody = _record(ruled, ruled.site_a)
    cleared = HostUnitFactory(mission=ruled.mission, name="Orlan police district")
    DecisionFactory(assessment__partner=cleared)
    gate = services.handover_gate(_assessed(ruled, custody, cleared), timezone.now())
    assert gate.allowed and not gate.reasons
    unknown = HostUnitFactory(mission=ruled.mission, name="Unvetted unit")
    gate = services.handover_gate(_assessed(ruled, custody, unknown), timezone.now())
    assert not gate.allowed
    rules_reason = next(r for r in gate.reasons if r.startswith("Mission rules:"))
    assert "paragraph 11" in rules_reason


def test_the_api_takes_the_threat_and_the_rules_decide_with_it(ruled: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(ruled.detention_officer)
    body = {
        "mission": ruled.mission.pk,
        "site": ruled.site_a.pk,
        "apprehended_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "detainee_name": "Api Person",
        "location": "Market",
        "apprehending_unit": "FPU 2",
        "legal_basis": "urgent_temporary_measure",
        "host_request_reference": "MinInt/2026/311",
        "reason": "Armed robbery of traders",
        "sex": "male",
        "threat": "heavy",
    }
    refused = client.post("/api/v1/detention/apprehensions/", body, format="json")
    assert refused.status_code == 400
    assert "military primacy (green box)" in str(refused.json())
    assert (
        client.post(
            "/api/v1/detention/apprehensions/", {**body, "threat": "bogus"}, format="json"
        ).status_code
        == 400
    )
    assert not Apprehension.objects.exists()
    recorded = client.post(
        "/api/v1/detention/apprehensions/", {**body, "threat": "armed"}, format="json"
    )
    assert recorded.status_code == 201
    assert Apprehension.objects.get().rules["threat"] == "armed"
