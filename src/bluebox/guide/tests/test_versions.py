"""Versions of the rules: proposal, approval by another commander, dates that never overlap."""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.models import AuditEntry
from bluebox.guide import selectors, services
from bluebox.guide.models import RuleVersion, VersionStatus
from bluebox.guide.tests.factories import approved, proposed, rule_document
from bluebox.testing.factories import MissionFactory

pytestmark = pytest.mark.django_db


def test_a_renewal_ends_the_version_it_replaces(world: SimpleNamespace) -> None:
    old = approved(world.mission, world.commissioner, "minuvar-2025.yaml", valid_until=None)
    new = approved(world.mission, world.commissioner)
    old.refresh_from_db()
    assert old.valid_until == date(2026, 6, 30) and old.ended_by == new
    assert selectors.in_force(world.mission.pk, date(2026, 6, 30)) == old
    assert selectors.in_force(world.mission.pk, date(2026, 7, 1)) == new
    assert selectors.in_force(world.mission.pk, date(2025, 6, 30)) is None
    actions = list(
        AuditEntry.objects.filter(action__startswith="rules-").values_list("action", flat=True)
    )
    assert actions.count("rules-approve") == 2 and "rules-end" in actions


def test_a_version_that_would_overlap_a_later_one_is_refused(world: SimpleNamespace) -> None:
    approved(world.mission, world.commissioner)  # from 2026-07-01, open-ended
    earlier = proposed(world.mission, "minuvar-2025.yaml", valid_until="2026-08-31")
    with pytest.raises(ServiceError) as caught:
        services.rules_approve(actor=world.commissioner, version_id=earlier.pk)
    assert (
        "2026-1 is in force from 2026-07-01 to open-ended"
        in caught.value.field_errors["valid_from"][0]
    )
    earlier.refresh_from_db()
    assert earlier.status == VersionStatus.PROPOSED


def test_the_proposer_does_not_approve(world: SimpleNamespace) -> None:
    version = services.rules_propose(
        actor=world.commissioner, mission=world.mission, document=rule_document(world.mission)
    )
    with pytest.raises(ServiceError, match="other than the one who proposed"):
        services.rules_approve(actor=world.commissioner, version_id=version.pk)


@pytest.mark.parametrize("who", ["admin", "planner", "detention_officer", "other_commander"])
def test_only_a_commander_of_the_mission_approves(world: SimpleNamespace, who: str) -> None:
    version = proposed(world.mission)
    with pytest.raises(NotVisible):
        services.rules_approve(actor=getattr(world, who), version_id=version.pk)
    assert RuleVersion.objects.get(pk=version.pk).status == VersionStatus.PROPOSED


@pytest.mark.parametrize("who", ["planner", "reporter_at_a", "other_commander", "outsider"])
def test_only_commanders_and_the_administrator_propose(world: SimpleNamespace, who: str) -> None:
    with pytest.raises(NotPermitted):
        services.rules_propose(
            actor=getattr(world, who), mission=world.mission, document=rule_document(world.mission)
        )
    assert not RuleVersion.objects.exists()


def test_proposing_the_same_document_twice_changes_nothing(world: SimpleNamespace) -> None:
    first = proposed(world.mission)
    entries = AuditEntry.objects.count()
    assert proposed(world.mission) == first
    assert AuditEntry.objects.count() == entries
    with pytest.raises(ServiceError, match="Another document"):
        proposed(world.mission, valid_until="2027-05-31")


def test_a_bad_document_changes_nothing_and_names_every_problem(world: SimpleNamespace) -> None:
    doc = rule_document(world.mission)
    doc["rules"][1]["cite"][0]["document"] = "unknown-doc"
    doc["valid_until"] = "2020-01-01"
    with pytest.raises(ServiceError) as caught:
        services.rules_propose(actor=world.admin, mission=world.mission, document=doc)
    problems = caught.value.field_errors["document"]
    assert "rules[1].cite[0].document: 'unknown-doc' is not in documents" in problems
    assert "valid_until: before valid_from" in problems
    assert not RuleVersion.objects.exists()


def test_a_document_for_another_mission_is_refused(world: SimpleNamespace) -> None:
    with pytest.raises(ServiceError, match="another mission"):
        services.rules_propose(
            actor=world.admin,
            mission=world.mission,
            document=rule_document(world.other_mission),
        )


def _overlap(a: RuleVersion, b: RuleVersion) -> bool:
    return (b.valid_until is None or a.valid_from <= b.valid_until) and (
        a.valid_until is None or b.valid_from <= a.valid_until
    )


@pytest.mark.parametrize("seed", range(12))
def test_approved_versions_never_overlap(world: SimpleNamespace, seed: int) -> None:
    """Random proposals and approvals, in random order: whatever is approved never overlaps,
    and every day covered before stays covered by exactly one version."""
    rng = random.Random(seed)
    mission = MissionFactory(code=f"prop-{seed}")
    commander = world.commissioner
    from bluebox.core.models import RoleAssignment
    from bluebox.core.roles import Role

    RoleAssignment.objects.create(user=commander, role=Role.COMMANDER, mission=mission)
    from bluebox.core import access

    access.forget(commander)
    start = date(2025, 1, 1)
    for i in range(10):
        begin = start + timedelta(days=rng.randrange(0, 900))
        end = None if rng.random() < 0.4 else begin + timedelta(days=rng.randrange(0, 400))
        version = proposed(
            mission,
            version=f"v{i}",
            valid_from=begin.isoformat(),
            valid_until=end.isoformat() if end else None,
        )
        with contextlib.suppress(ServiceError):
            services.rules_approve(actor=commander, version_id=version.pk)
        versions = list(selectors.approved(mission.pk))
        for a in versions:
            assert a.valid_until is None or a.valid_until >= a.valid_from
            for b in versions:
                assert a == b or not _overlap(a, b), (a.label, b.label)
