"""The custody record states who is held and the safeguards given, and refuses what is wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bluebox.core.access import NotPermitted, NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.detention import services
from bluebox.detention.views import clocks_change


def _record(world, **safeguards):
    return services.apprehension_record(
        actor=world.detention_officer,
        mission=world.mission,
        site_id=world.site_a.pk,
        apprehended_at=timezone.now() - timedelta(hours=3),
        detainee_name="Safeguard Person",
        location="Gate",
        apprehending_unit="FPU 1",
        legal_basis="imminent_threat",
        reason="Attack on shelters",
        safeguards=services.Safeguards(**safeguards),
    )


def test_a_child_is_flagged_from_the_age_or_the_belief(world):
    assert _record(world, sex="male", age_years=15).juvenile
    assert _record(world, sex="female", believed_child=True).juvenile
    assert not _record(world, sex="female", age_years=30).juvenile


def test_sex_must_be_stated_and_times_must_follow_the_apprehension(world):
    with pytest.raises(ServiceError) as refused:
        _record(world)
    assert "sex" in refused.value.field_errors
    with pytest.raises(ServiceError) as early:
        _record(world, sex="male", rights_read_at=timezone.now() - timedelta(days=1))
    assert early.value.field_errors["rights_read_at"] == ["Before the apprehension."]
    with pytest.raises(ServiceError) as later:
        _record(world, sex="male", icrc_notified_at=timezone.now() + timedelta(hours=2))
    assert later.value.field_errors["icrc_notified_at"] == ["In the future."]
    with pytest.raises(ServiceError) as language:
        _record(world, sex="male", interpreter="provided")
    assert "interpreter_language" in language.value.field_errors


def test_later_safeguards_add_and_never_erase(world):
    custody = _record(
        world, sex="male", rights_read_at=timezone.now() - timedelta(hours=2), rights_language="fr"
    )
    services.apprehension_safeguards_update(
        actor=world.detention_officer,
        apprehension_id=custody.pk,
        safeguards=services.Safeguards(family_notified_at=timezone.now() - timedelta(hours=1)),
    )
    custody.refresh_from_db()
    assert custody.family_notified_at is not None
    assert custody.rights_read_at is not None and custody.rights_language == "fr"
    entry = AuditEntry.objects.filter(action="safeguards").get()
    assert entry.detail["fields"] == ["family_notified_at"]
    assert "Safeguard Person" not in str(entry.detail)


def test_moves_chain_from_place_to_place_in_time_order(world):
    custody = _record(world, sex="female")
    first = services.custody_move_record(
        actor=world.detention_officer,
        apprehension_id=custody.pk,
        moved_at=timezone.now() - timedelta(hours=2),
        to_place="Holding facility",
        reason="Overnight",
    )
    second = services.custody_move_record(
        actor=world.detention_officer,
        apprehension_id=custody.pk,
        moved_at=timezone.now() - timedelta(hours=1),
        to_place="Clinic",
        reason="Medical care",
    )
    assert (first.from_place, first.to_place) == ("Gate", "Holding facility")
    assert (second.from_place, second.to_place) == ("Holding facility", "Clinic")
    with pytest.raises(ServiceError) as back:
        services.custody_move_record(
            actor=world.detention_officer,
            apprehension_id=custody.pk,
            moved_at=timezone.now() - timedelta(hours=2, minutes=30),
            to_place="Gate",
            reason="x",
        )
    assert "moved_at" in back.value.field_errors


@pytest.mark.parametrize("who", ["reporter_at_a", "analyst", "partner", "admin", "other_commander"])
def test_others_cannot_record_safeguards_or_moves(world, who):
    custody = _record(world, sex="female")
    with pytest.raises((NotVisible, NotPermitted)):
        services.custody_move_record(
            actor=getattr(world, who),
            apprehension_id=custody.pk,
            moved_at=timezone.now(),
            to_place="Elsewhere",
            reason="x",
        )
    with pytest.raises((NotVisible, NotPermitted)):
        services.apprehension_safeguards_update(
            actor=getattr(world, who),
            apprehension_id=custody.pk,
            safeguards=services.Safeguards(rights_language="en"),
        )


def test_the_clocks_question_only_where_the_clocks_change():
    assert clocks_change("Europe/Paris", 2026)
    assert not clocks_change("UTC", 2026)
    assert not clocks_change("Africa/Abidjan", 2026)
