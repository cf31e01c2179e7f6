"""Dialogues and sessions: recorded whole or not at all, counted not named, do no harm first,
scoped to the community's site, minutes and attendance classified like any record."""

from __future__ import annotations

from datetime import date

import pytest

from bluebox.core import access
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.models import AuditEntry
from bluebox.engagement import selectors, services
from bluebox.engagement.models import (
    Attendance,
    Commitment,
    HarmCheck,
    Participant,
    Phase,
    Problem,
    Session,
)
from bluebox.testing.second_factor import stepped_up

from .factories import HARM, commitment_row, dialogue, session


def _counts():
    return tuple(m.objects.count() for m in (Session, HarmCheck, Attendance, Problem, Commitment))


def test_a_community_officer_records_a_session_whole(world):
    d = dialogue(world, by=world.community_officer)
    s = session(
        world,
        d,
        by=world.community_officer,
        problems=[
            {
                "description": "Robberies on the market road at night",
                "root_cause": "No light, no patrol after dusk",
                "incident_type": "looting",
                "area_site": world.site_a.pk,
            }
        ],
        commitments=[
            commitment_row(date(2026, 3, 1)),
            commitment_row(
                date(2026, 3, 15),
                text="Night patrols twice a week",
                owner_kind="user",
                owner_user=world.commissioner.pk,
            ),
        ],
    )
    assert s.site == world.site_a and s.harm_check.outcome == "proceed_with_measures"
    assert sum(a.count for a in s.attendance.all()) == 24
    assert s.problems.get().incident_type == "looting"
    assert s.commitments.count() == 2
    d.refresh_from_db()
    assert d.phase == Phase.SESSIONS  # the first session ends the preparation
    entry = AuditEntry.objects.filter(action="session-record").get()
    assert entry.detail["attendance"] == 24 and entry.detail["commitments"] == 2


def test_a_postponed_do_no_harm_check_records_nothing(world):
    d = dialogue(world)
    before = _counts()
    with pytest.raises(ServiceError) as refused:
        session(world, d, harm={**HARM, "outcome": "postpone", "risk": "high"})
    assert "harm_outcome" in refused.value.field_errors
    assert _counts() == before


@pytest.mark.parametrize(
    "harm,field",
    [
        ({**HARM, "exposed": " "}, "harm_exposed"),
        ({**HARM, "risk": "high", "outcome": "proceed"}, "harm_outcome"),
        ({**HARM, "measures": ""}, "harm_measures"),
    ],
)
def test_the_do_no_harm_check_must_say_who_how_and_what_was_done(world, harm, field):
    d = dialogue(world)
    with pytest.raises(ServiceError) as refused:
        session(world, d, harm=harm)
    assert field in refused.value.field_errors


@pytest.mark.parametrize(
    "attendance,field",
    [
        ([{"group": "women", "sex": "female", "count": -1}], "attendance[0]"),
        ([{"group": "martians", "sex": "female", "count": 3}], "attendance[0]"),
        (
            [
                {"group": "women", "sex": "female", "count": 3},
                {"group": "women", "sex": "female", "count": 4},
            ],
            "attendance[1]",
        ),
        ([{"group": "women", "sex": "female", "count": 0}], "attendance"),
        ([{"group": "women", "sex": "female", "count": True}], "attendance[0]"),
    ],
)
def test_bad_attendance_names_the_row_and_records_nothing(world, attendance, field):
    d = dialogue(world)
    before = _counts()
    with pytest.raises(ServiceError) as refused:
        session(world, d, attendance=attendance)
    assert field in refused.value.field_errors
    assert _counts() == before


def test_a_bad_commitment_row_refuses_the_whole_session(world):
    d = dialogue(world)
    before = _counts()
    rows = [
        commitment_row(date(2026, 3, 1)),
        commitment_row(date(2026, 1, 1)),  # before the session
        commitment_row(date(2026, 3, 1), owner_kind="user", owner_user=world.other_commander.pk),
        commitment_row(date(2026, 3, 1), owner_external=""),
    ]
    with pytest.raises(ServiceError) as refused:
        session(world, d, commitments=rows)
    assert set(refused.value.field_errors) == {"commitments[1]", "commitments[2]", "commitments[3]"}
    assert _counts() == before


def test_a_session_is_not_recorded_before_it_was_held_or_before_the_dialogue(world):
    d = dialogue(world)
    with pytest.raises(ServiceError) as early:
        session(world, d, held_on=date(2025, 12, 1))
    assert "held_on" in early.value.field_errors
    with pytest.raises(ServiceError) as future:
        session(world, d, held_on=date(2099, 1, 1), commitments=[])
    assert "held_on" in future.value.field_errors


def test_an_officer_at_site_a_cannot_open_a_dialogue_at_site_b(world):
    with pytest.raises(NotPermitted) as refused:
        dialogue(world, by=world.community_officer, site=world.site_b)
    access.record_refusal(refused.value)  # what the request boundary does after the rollback
    assert AuditEntry.objects.filter(outcome="denied", resource="engagement").exists()


def test_site_b_dialogues_are_invisible_to_the_officer_at_site_a(world):
    at_b = dialogue(world, site=world.site_b)
    session(world, at_b)
    assert list(selectors.dialogues_for(world.community_officer)) == []
    with pytest.raises(NotVisible):
        selectors.dialogue_get(world.community_officer, at_b.pk)
    with pytest.raises(NotVisible):
        session(world, at_b, by=world.community_officer)
    assert selectors.commitments_for(world.community_officer).count() == 0


@pytest.mark.parametrize("who", ["analyst", "planner"])
def test_analysts_and_planners_read_but_do_not_record(world, who):
    d = dialogue(world)
    assert selectors.dialogue_get(getattr(world, who), d.pk) == d
    with pytest.raises(NotPermitted):
        session(world, d, by=getattr(world, who))


@pytest.mark.parametrize(
    "who",
    [
        "reporter_at_a",
        "human_rights_officer",
        "partner",
        "admin",
        "auditor",
        "outsider",
        "other_commander",
        "hrddp_officer",
        "source_handler",
    ],
)
def test_no_one_else_sees_a_dialogue(world, who):
    d = dialogue(world)
    session(world, d)
    user = getattr(world, who)
    assert selectors.dialogues_for(user).count() == 0
    assert selectors.commitments_for(user).count() == 0
    with pytest.raises(NotVisible):
        selectors.dialogue_get(user, d.pk)


def test_strictly_confidential_minutes_and_attendance_are_withheld_from_lower_clearance(world):
    d = dialogue(world)
    secret = session(world, d, classification=2, minutes="Names the informal leaders")
    # The planner reads confidential engagement records, not strictly confidential ones.
    assert selectors.sessions_for(world.planner, d).count() == 0
    with pytest.raises(NotVisible):
        selectors.session_get(world.planner, secret.pk)
    assert selectors.attendance_for(world.planner, secret).count() == 0
    months, groups = selectors.attendance_over_time(world.planner, dialogue=d)
    assert months == {} and groups == {}
    assert selectors.session_get(world.analyst, secret.pk).minutes == "Names the informal leaders"


def test_a_name_needs_consent_and_a_number_needs_an_opt_in(world):
    d = dialogue(world)
    with pytest.raises(ServiceError) as no_consent:
        services.participant_add(
            actor=world.commissioner, dialogue_id=d.pk, group="women", name="Awa"
        )
    assert "name" in no_consent.value.field_errors
    with pytest.raises(ServiceError) as no_opt_in:
        services.participant_add(
            actor=world.commissioner, dialogue_id=d.pk, group="women", phone="+23672000001"
        )
    assert "phone" in no_opt_in.value.field_errors
    with pytest.raises(ServiceError) as bad:
        services.participant_add(
            actor=world.commissioner, dialogue_id=d.pk, group="women", phone="12", sms_opt_in=True
        )
    assert "12" not in bad.value.message
    assert Participant.objects.count() == 0


def test_names_and_numbers_are_stored_encrypted_and_revealed_only_to_the_team(world):
    world.mission.settings = {"phone_region": "CF"}
    world.mission.save()
    d = dialogue(world)
    p = services.participant_add(
        actor=world.commissioner,
        dialogue_id=d.pk,
        group="women",
        consented_to_name=True,
        name="Awa Touré",
        phone="72 12 34 56",
        sms_opt_in=True,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM engagement_participant WHERE id = %s", [p.pk])
        raw = " ".join(cursor.fetchone())
    assert "Awa" not in raw and "72123456" not in raw
    p.refresh_from_db()
    assert str(p.phone) == "[protected]" and str(p.name) == "[protected]"
    with pytest.raises(NotPermitted):
        services.participant_reveal(
            actor=world.analyst, participant_id=p.pk, purpose="Checking the list for the report"
        )
    stepped_up(world.commissioner, p)
    shown = services.participant_reveal(
        actor=world.commissioner, participant_id=p.pk, purpose="Call before the next session"
    )
    assert shown["name"] == "Awa Touré" and shown["phone"] == "+23672123456"
    entry = AuditEntry.objects.filter(action="participant-reveal").get()
    assert entry.detail["purpose"] == "Call before the next session"
    assert "Awa" not in str(entry.detail)


def test_phase_moves_forward_freely_and_back_with_a_reason(world):
    d = dialogue(world)
    services.dialogue_phase(actor=world.commissioner, dialogue_id=d.pk, phase="action_plan")
    with pytest.raises(ServiceError):
        services.dialogue_phase(actor=world.commissioner, dialogue_id=d.pk, phase="sessions")
    services.dialogue_phase(
        actor=world.commissioner,
        dialogue_id=d.pk,
        phase="sessions",
        note="The youth group asked for one more session",
    )


def test_a_problem_is_set_against_the_incidents_the_reader_may_see(world):
    from datetime import UTC, datetime

    from bluebox.testing.factories import IncidentFactory

    d = dialogue(world)
    s = session(
        world,
        d,
        problems=[
            {
                "description": "Looting at the market",
                "incident_type": "looting",
                "area_site": world.site_a.pk,
            }
        ],
    )
    IncidentFactory(
        site=world.site_a, incident_type="looting", occurred_at=datetime(2026, 2, 1, tzinfo=UTC)
    )
    IncidentFactory(
        site=world.site_a,
        incident_type="looting",
        classification=2,
        occurred_at=datetime(2026, 2, 2, tzinfo=UTC),
    )
    (check,) = selectors.problem_checks(world.analyst, s)
    assert check.incidents == 2
    (check,) = selectors.problem_checks(world.planner, s)
    assert check.incidents == 1  # the strictly confidential incident is not counted for them
