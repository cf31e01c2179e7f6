"""The blue box / green box handover of an incident reads the mission's rules (the field guide,
through ``core.providers``): the rule that hands a situation to the Force decides; changing it
changes the handover; only a commander's written override goes against it, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core.exceptions import NotPermitted, ServiceError
from bluebox.core.models import AuditEntry
from bluebox.guide.models import RuleOverride
from bluebox.guide.tests.factories import approved, rule_document
from bluebox.incidents import services
from bluebox.incidents.models import Incident, PrimacyDecision
from bluebox.testing.factories import IncidentFactory

pytestmark = pytest.mark.django_db

JUSTIFIED = "The Force's liaison asked us to hold the market until its platoon arrives."


@pytest.fixture
def blue(world: Any) -> Incident:
    return IncidentFactory(site=world.site_a, primacy="blue", threat_nature="blue")


@pytest.fixture
def green(world: Any) -> Incident:
    return IncidentFactory(site=world.site_a, primacy="green", threat_nature="green")


def _hand(world: Any, incident: Incident, to: str, **over: Any) -> PrimacyDecision:
    return services.incident_primacy_handover(
        actor=over.pop("actor", world.commissioner),
        incident_id=incident.pk,
        to_primacy=to,
        reason="Situation assessed at the site",
        **over,
    )


def _last_handover() -> AuditEntry:
    return AuditEntry.objects.filter(action="primacy-handover").latest("id")


def test_the_force_takes_primacy_where_the_rules_green_box_holds(world, blue):
    approved(world.mission, world.commissioner)
    with pytest.raises(ServiceError) as caught:
        _hand(world, blue, "green", threat="armed")
    errors = caught.value.field_errors["to_primacy"]
    assert errors[0] == (
        "The rules in force (version 2026-1) keep primacy with the police for this threat."
    )
    assert any("(green box)" in e and "Needs a threat at least" in e for e in errors)
    assert errors[-1].startswith("See: ") and "paragraph 2.3" in errors[-1]
    blue.refresh_from_db()
    assert blue.primacy == "blue" and not PrimacyDecision.objects.exists()

    decision = _hand(world, blue, "green", threat="heavy")
    blue.refresh_from_db()
    assert blue.primacy == "green" and decision.to_primacy == "green"
    rules = _last_handover().detail["rules"]
    assert rules["version"] == "2026-1" and rules["military"] is True
    assert rules["override_id"] is None and any("paragraph 2.3" in c for c in rules["citations"])


def test_changing_the_rule_changes_the_handover(world, blue):
    # The same incident, threat and handover: only the rule's threshold differs.
    document = rule_document(world.mission)
    green_box = next(r for r in document["rules"] if r["key"] == "green-box")
    green_box["when"] = {"threat_at_least": "armed"}
    approved(world.mission, world.commissioner, rules=document["rules"])
    _hand(world, blue, "green", threat="armed")
    blue.refresh_from_db()
    assert blue.primacy == "green"


def test_primacy_returns_to_the_police_only_once_the_threat_is_below_the_green_box(world, green):
    approved(world.mission, world.commissioner)
    # Not stated: a green incident counts as sustained, heavy weapons.
    with pytest.raises(ServiceError) as caught:
        _hand(world, green, "blue")
    assert "give primacy to the Force" in caught.value.field_errors["to_primacy"][0]
    _hand(world, green, "blue", threat="unarmed")
    green.refresh_from_db()
    assert green.primacy == "blue"
    assert _last_handover().detail["threat"] == "unarmed"


def test_a_commanders_written_override_is_recorded_audited_and_linked(world, blue):
    approved(world.mission, world.commissioner)
    with pytest.raises(ServiceError):
        _hand(world, blue, "green", threat="armed", override_justification="too short")
    assert not PrimacyDecision.objects.exists() and not RuleOverride.objects.exists()
    decision = _hand(world, blue, "green", threat="armed", override_justification=JUSTIFIED)
    override = RuleOverride.objects.get()
    assert override.action == "primacy" and override.subject == "primacy-decision"
    assert override.subject_id == decision.pk and override.granted_by == world.commissioner
    assert override.situation["threat"] == "armed"
    assert any("Needs a threat at least" in r for r in override.refusal["reasons"])
    assert override.refusal["citations"]
    assert AuditEntry.objects.filter(action="rules-override").count() == 1
    assert _last_handover().detail["rules"]["override_id"] == override.pk


def test_an_override_where_the_rules_agree_is_refused(world, blue):
    approved(world.mission, world.commissioner)
    with pytest.raises(ServiceError) as caught:
        _hand(world, blue, "green", threat="heavy", override_justification=JUSTIFIED)
    assert "nothing to override" in caught.value.message
    assert not PrimacyDecision.objects.exists()


def test_only_a_commander_hands_over(world, blue):
    approved(world.mission, world.commissioner)
    with pytest.raises(NotPermitted):
        _hand(world, blue, "green", threat="heavy", actor=world.analyst)


def test_a_day_no_version_covers_is_refused_unless_overridden(world, blue):
    approved(world.mission, world.commissioner, valid_until="2026-07-31")
    with pytest.raises(ServiceError) as caught:
        _hand(world, blue, "green", threat="heavy")
    assert (
        "No version of the mission's rules is in force today"
        in (caught.value.field_errors["to_primacy"][0])
    )
    _hand(world, blue, "green", threat="heavy", override_justification=JUSTIFIED)
    assert RuleOverride.objects.get().version is None


def test_a_mission_without_rules_hands_over_on_the_commanders_decision(world, blue):
    _hand(world, blue, "green")
    blue.refresh_from_db()
    assert blue.primacy == "green" and _last_handover().detail["rules"] is None


def test_an_unknown_threat_level_is_refused(world, blue):
    with pytest.raises(ServiceError) as caught:
        _hand(world, blue, "green", threat="catastrophic")
    assert caught.value.field_errors == {"threat": ["Unknown."]}


def test_the_page_asks_the_threat_in_words_and_shows_the_refusal(world, blue):
    approved(world.mission, world.commissioner)
    client = Client()
    client.force_login(world.commissioner)
    page = client.get(f"/incidents/{blue.pk}/").content.decode()
    assert '<option value="heavy">Sustained, large-scale firearms or military weapons</option>' in (
        page
    )
    url = f"/incidents/{blue.pk}/primacy/"
    body = {"to_primacy": "green", "reason": "Armed group in the market", "threat": "armed"}
    refused = client.post(url, body, follow=True).content.decode()
    assert "keep primacy with the police" in refused
    assert not PrimacyDecision.objects.exists()
    client.post(url, {**body, "threat": "heavy"})
    blue.refresh_from_db()
    assert blue.primacy == "green"


def test_the_api_takes_the_threat_and_the_override(world, blue):
    approved(world.mission, world.commissioner)
    client = APIClient()
    client.force_authenticate(world.commissioner)
    url = f"/api/v1/incidents/{blue.pk}/primacy/"
    body = {"to_primacy": "green", "reason": "Armed group in the market", "threat": "armed"}
    refused = client.post(url, body, format="json")
    assert refused.status_code == 400 and "keep primacy with the police" in str(refused.json())
    assert client.post(url, {**body, "threat": "bogus"}, format="json").status_code == 400
    done = client.post(url, {**body, "override_justification": JUSTIFIED}, format="json")
    assert done.status_code == 201
    assert RuleOverride.objects.get().subject_id == done.json()["id"]
