"""Access matrix rows for engagement endpoints (see bluebox.testing.matrix).

The records sit at site A, in the test mission: the community policing officer there and the
commissioner run them; analysts (mission-wide and sector East) and the planner read them; no
one else learns they exist. Courses are the mission's: the HRDDP officer and the planner read
them too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bluebox.engagement import services
from bluebox.engagement.models import Participant
from bluebox.engagement.tests.factories import HARM, commitment_row
from bluebox.hrddp.tests.factories import DecisionFactory, HostUnitFactory
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.matrix import PEOPLE, Endpoint, allowed, everyone
from bluebox.testing.second_factor import with_step_ups

MANAGE = {"commissioner", "community_officer"}
VIEW = MANAGE | {"analyst", "east_analyst", "planner"}
TRAIN_VIEW = MANAGE | {"hrddp_officer", "planner"}
ANY_ENGAGEMENT = VIEW | {"hrddp_officer", "other_commander"}


def _write(yes: int, readers: set[str] = VIEW, writers: set[str] = MANAGE) -> Any:
    return lambda who: yes if who in writers else (403 if who in readers else 404)


def _pages(who: str) -> int:
    return 200 if who in ANY_ENGAGEMENT else 403


def _records(w: Any) -> None:
    c = w.commissioner
    w.dialogue = services.dialogue_create(
        actor=c,
        mission_id=w.mission.pk,
        site_id=w.site_a.pk,
        title="Site A dialogue",
        community="Site A camp",
        started_on=date(2026, 1, 5),
        stakeholder_groups=["women", "youth"],
    )
    w.session = services.session_record(
        actor=c,
        dialogue_id=w.dialogue.pk,
        held_on=date(2026, 2, 10),
        place="School",
        harm=dict(HARM),
        attendance=[{"group": "women", "sex": "female", "count": 5}],
        commitments=[commitment_row(date(2026, 3, 1))],
    )
    w.commitment = w.session.commitments.get()
    w.participant = Participant.objects.create(
        mission=w.mission,
        sector=w.east,
        site=w.site_a,
        dialogue=w.dialogue,
        # Unique per setup: the API fuzz world runs every setup into one database.
        pseudonym=f"P-MATRIX-{w.dialogue.pk}",
        group="women",
        added_at=w.dialogue.created_at,
    )
    w.committee = services.committee_create(
        actor=c,
        mission_id=w.mission.pk,
        site_id=w.site_a.pk,
        name="Site A committee",
        community="Site A camp",
        formed_on=date(2026, 1, 10),
    )
    w.member = services.member_add(
        actor=c, committee_id=w.committee.pk, role_in_committee="Chair", group="women"
    )
    w.plan = services.plan_create(
        actor=c,
        committee_id=w.committee.pk,
        title="Plan",
        adopted_on=date(2026, 1, 15),
        review_on=date(2026, 6, 15),
        measures=[
            {
                "threat": "Raids at night",
                "measure": "Night watch",
                "owner": "Chair",
                "review_on": date(2026, 3, 1),
            }
        ],
    )
    w.measure = w.plan.measures.get()
    w.incident = IncidentFactory(site=w.site_a)
    w.unit = HostUnitFactory(mission=w.mission)
    DecisionFactory(partner=w.unit, assessment__partner=w.unit, mission=w.mission)
    w.course = services.course_create(actor=c, mission_id=w.mission.pk, title="Custody rights")
    w.course_session = services.course_session_create(
        actor=c,
        course_id=w.course.pk,
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 2, 3),
        place="Academy",
        trainers="Two IPOs",
    )
    w.trainee = services.trainee_enrol(
        actor=c, session_id=w.course_session.pk, unit_id=w.unit.pk, name="Officer Test"
    )


P = "engagement/"
A = "api/v1/engagement/"
SESSION_BODY = {
    "held_on": "2026-02-12",
    "place": "Market hall",
    "harm": HARM,
    "attendance": [{"group": "youth", "sex": "male", "count": 4}],
    "commitments": [
        {
            "text": "Repair the well",
            "owner_kind": "external",
            "owner_external": "Water board",
            "due_on": "2026-04-01",
        }
    ],
}
ENDPOINTS = [
    # API
    Endpoint(f"{A}dialogues/", "get", lambda w: f"/{A}dialogues/", everyone(200)),
    Endpoint(
        f"{A}dialogues/",
        "post",
        lambda w: f"/{A}dialogues/",
        allowed(MANAGE, 201, 403),
        body=lambda w: {
            "mission": w.mission.pk,
            "site": w.site_a.pk,
            "title": "New dialogue",
            "community": "Site A",
            "started_on": "2026-01-02",
            "stakeholder_groups": ["idp"],
        },
    ),
    Endpoint(
        f"{A}dialogues/<int:pk>/",
        "get",
        lambda w: f"/{A}dialogues/{w.dialogue.pk}/",
        allowed(VIEW, 200, 404),
        setup=_records,
    ),
    Endpoint(
        f"{A}dialogues/<int:pk>/sessions/",
        "post",
        lambda w: f"/{A}dialogues/{w.dialogue.pk}/sessions/",
        _write(201),
        body=lambda w: SESSION_BODY,
        setup=_records,
    ),
    Endpoint(f"{A}commitments/", "get", lambda w: f"/{A}commitments/?overdue=1", everyone(200)),
    Endpoint(
        f"{A}commitments/<int:pk>/",
        "get",
        lambda w: f"/{A}commitments/{w.commitment.pk}/",
        allowed(VIEW, 200, 404),
        setup=_records,
    ),
    Endpoint(
        f"{A}commitments/<int:pk>/status/",
        "post",
        lambda w: f"/{A}commitments/{w.commitment.pk}/status/",
        _write(201),
        body=lambda w: {"status": "in_progress", "evidence": "Works started on 2 March"},
        setup=_records,
    ),
    Endpoint(f"{A}committees/", "get", lambda w: f"/{A}committees/", everyone(200)),
    Endpoint(f"{A}courses/", "get", lambda w: f"/{A}courses/", everyone(200)),
    Endpoint(
        f"{A}course-sessions/<int:pk>/trainees/",
        "post",
        lambda w: f"/{A}course-sessions/{w.course_session.pk}/trainees/",
        _write(201, TRAIN_VIEW),
        body=lambda w: {"unit": w.unit.pk, "name": "Officer Two"},
        setup=_records,
    ),
    Endpoint(f"{A}report/", "get", lambda w: f"/{A}report/?mission={w.mission.pk}", everyone(200)),
    # Pages
    Endpoint(P, "get", lambda w: f"/{P}", _pages, api=False),
    Endpoint(
        f"{P}dialogues/new/",
        "get",
        lambda w: f"/{P}dialogues/new/?mission={w.mission.pk}",
        allowed(MANAGE, 200, 403),
        api=False,
    ),
    Endpoint(
        f"{P}dialogues/<int:pk>/",
        "get",
        lambda w: f"/{P}dialogues/{w.dialogue.pk}/",
        allowed(VIEW, 200, 404),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}dialogues/<int:pk>/phase/",
        "post",
        lambda w: f"/{P}dialogues/{w.dialogue.pk}/phase/",
        _write(302),
        body=lambda w: {"phase": "action_plan"},
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}dialogues/<int:pk>/participants/",
        "post",
        lambda w: f"/{P}dialogues/{w.dialogue.pk}/participants/",
        _write(302),
        body=lambda w: {"group": "youth", "sex": "male"},
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}dialogues/<int:pk>/checks/",
        "post",
        lambda w: f"/{P}dialogues/{w.dialogue.pk}/checks/",
        _write(302),
        body=lambda w: {
            "contact": "Visit to the chief",
            "harm_exposed": "The chief",
            "harm_how": "Seen with the mission",
            "harm_risk": "low",
            "harm_outcome": "proceed",
        },
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}dialogues/<int:pk>/sessions/new/",
        "get",
        lambda w: f"/{P}dialogues/{w.dialogue.pk}/sessions/new/",
        _write(200),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}sessions/<int:pk>/",
        "get",
        lambda w: f"/{P}sessions/{w.session.pk}/",
        allowed(VIEW, 200, 404),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}participants/<int:pk>/opt-out/",
        "post",
        lambda w: f"/{P}participants/{w.participant.pk}/opt-out/",
        _write(302),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}participants/<int:pk>/reveal/",
        "post",
        lambda w: f"/{P}participants/{w.participant.pk}/reveal/",
        _write(200),
        body=lambda w: {"purpose": "Calling before the next session"},
        api=False,
        setup=with_step_ups(_records, "participant", PEOPLE),
    ),
    Endpoint(P + "commitments/", "get", lambda w: f"/{P}commitments/", _pages, api=False),
    Endpoint(
        f"{P}commitments/<int:pk>/",
        "get",
        lambda w: f"/{P}commitments/{w.commitment.pk}/",
        allowed(VIEW, 200, 404),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}commitments/<int:pk>/status/",
        "post",
        lambda w: f"/{P}commitments/{w.commitment.pk}/status/",
        _write(302),
        body=lambda w: {"status": "in_progress", "evidence": "Works started on 2 March"},
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}commitments/<int:pk>/link/",
        "post",
        lambda w: f"/{P}commitments/{w.commitment.pk}/link/",
        # Linking needs the incident too: the community policing officer does not read
        # incidents (a 404, as for any record out of sight).
        lambda who: {"commissioner": 302, "community_officer": 404}.get(
            who, 403 if who in VIEW else 404
        ),
        body=lambda w: {"incident": w.incident.pk},
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}commitments/<int:pk>/due/",
        "post",
        lambda w: f"/{P}commitments/{w.commitment.pk}/due/",
        _write(302),
        body=lambda w: {"due_on": "2026-05-01", "reason": "The rains delayed the works"},
        api=False,
        setup=_records,
    ),
    Endpoint(P + "notices/", "get", lambda w: f"/{P}notices/", everyone(200), api=False),
    Endpoint(P + "notices/read/", "post", lambda w: f"/{P}notices/read/", everyone(302), api=False),
    Endpoint(
        f"{P}committees/new/",
        "get",
        lambda w: f"/{P}committees/new/?mission={w.mission.pk}",
        allowed(MANAGE, 200, 403),
        api=False,
    ),
    Endpoint(
        f"{P}committees/<int:pk>/",
        "get",
        lambda w: f"/{P}committees/{w.committee.pk}/",
        allowed(VIEW, 200, 404),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}committees/<int:pk>/members/",
        "post",
        lambda w: f"/{P}committees/{w.committee.pk}/members/",
        _write(302),
        body=lambda w: {"role_in_committee": "Secretary", "group": "youth", "sex": "male"},
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}members/<int:pk>/reveal/",
        "get",
        lambda w: f"/{P}members/{w.member.pk}/reveal/",
        allowed(VIEW, 200, 404),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}committees/<int:pk>/plans/",
        "post",
        lambda w: f"/{P}committees/{w.committee.pk}/plans/",
        _write(302),
        body=lambda w: {
            "title": "Dry season plan",
            "adopted_on": "2026-02-01",
            "review_on": "2026-05-01",
            "threat": "Cattle raids",
            "measure": "Early warning by SMS",
            "owner": "Chair",
            "measure_review_on": "2026-03-01",
        },
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}plans/<int:pk>/measures/",
        "post",
        lambda w: f"/{P}plans/{w.plan.pk}/measures/",
        _write(302),
        body=lambda w: {
            "threat": "Roadblocks",
            "measure": "Escorts",
            "owner": "Sector commander",
            "review_on": "2026-04-01",
        },
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}measures/<int:pk>/done/",
        "post",
        lambda w: f"/{P}measures/{w.measure.pk}/done/",
        _write(302),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}courses/new/",
        "get",
        lambda w: f"/{P}courses/new/?mission={w.mission.pk}",
        allowed(MANAGE, 200, 403),
        api=False,
    ),
    Endpoint(
        f"{P}courses/<int:pk>/",
        "get",
        lambda w: f"/{P}courses/{w.course.pk}/",
        allowed(TRAIN_VIEW, 200, 404),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}courses/<int:pk>/sessions/",
        "post",
        lambda w: f"/{P}courses/{w.course.pk}/sessions/",
        _write(302, TRAIN_VIEW),
        body=lambda w: {
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-02",
            "place": "Academy",
            "trainers": "IPO team",
        },
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}course-sessions/<int:pk>/trainees/",
        "post",
        lambda w: f"/{P}course-sessions/{w.course_session.pk}/trainees/",
        _write(302, TRAIN_VIEW),
        body=lambda w: {"unit": w.unit.pk, "name": "Officer Three", "sex": "female"},
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}trainees/<int:pk>/scores/",
        "post",
        lambda w: f"/{P}trainees/{w.trainee.pk}/scores/",
        _write(302, TRAIN_VIEW),
        body=lambda w: {"pre_score": 40, "post_score": 75},
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}trainees/<int:pk>/certificate/",
        "post",
        lambda w: f"/{P}trainees/{w.trainee.pk}/certificate/",
        _write(302, TRAIN_VIEW),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}trainees/<int:pk>/observations/",
        "post",
        lambda w: f"/{P}trainees/{w.trainee.pk}/observations/",
        _write(302, TRAIN_VIEW),
        body=lambda w: {"observed_on": "2026-04-01", "rating": 4, "note": "Reads rights aloud"},
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}report/",
        "get",
        lambda w: f"/{P}report/?mission={w.mission.pk}",
        lambda who: (
            200 if who in VIEW | {"hrddp_officer"} else (404 if who == "other_commander" else 403)
        ),
        api=False,
        setup=_records,
    ),
    Endpoint(
        f"{P}report.pdf",
        "get",
        lambda w: f"/{P}report.pdf?dialogue={w.dialogue.pk}",
        lambda who: 200 if who in VIEW else (404 if who in ANY_ENGAGEMENT else 403),
        api=False,
        setup=_records,
    ),
]
