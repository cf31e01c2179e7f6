"""Access matrix rows for engagement endpoints (see bluebox.testing.matrix).

The records sit at site A, in the test mission: the community policing officer there and the
commissioner run them; analysts (mission-wide and sector East) and the planner read them; no
one else learns they exist. Courses are the mission's: the HRDDP officer and the planner read
them too.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from bluebox.engagement import services
from bluebox.engagement.models import Participant
from bluebox.engagement.tests.factories import HARM, commitment_row
from bluebox.hrddp.tests.factories import DecisionFactory, HostUnitFactory
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.matrix import PEOPLE, acting, allowed, endpoint, everyone
from bluebox.testing.second_factor import with_step_ups

MANAGE = {"commissioner", "community_officer"}
VIEW = MANAGE | {"analyst", "east_analyst", "planner"}
TRAIN_VIEW = MANAGE | {"hrddp_officer", "planner"}
ANY_ENGAGEMENT = VIEW | {"hrddp_officer", "other_commander"}


def _write(yes: int, readers: set[str] = VIEW, writers: set[str] = MANAGE) -> Any:
    return acting(writers, readers, yes)


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


# Endpoints on the records above: API calls and pages.
_api = partial(endpoint, setup=_records)
_page = partial(endpoint, api=False, setup=_records)

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
    endpoint(f"{A}dialogues/", "get", everyone(200)),
    endpoint(
        f"{A}dialogues/",
        "post",
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
    _api(f"{A}dialogues/<int:pk>/", "get", allowed(VIEW, 200, 404), "dialogue"),
    _api(
        f"{A}dialogues/<int:pk>/sessions/",
        "post",
        _write(201),
        "dialogue",
        body=lambda w: SESSION_BODY,
    ),
    endpoint(f"{A}commitments/", "get", everyone(200), query="?overdue=1"),
    _api(f"{A}commitments/<int:pk>/", "get", allowed(VIEW, 200, 404), "commitment"),
    _api(
        f"{A}commitments/<int:pk>/status/",
        "post",
        _write(201),
        "commitment",
        body=lambda w: {"status": "in_progress", "evidence": "Works started on 2 March"},
    ),
    endpoint(f"{A}committees/", "get", everyone(200)),
    endpoint(f"{A}courses/", "get", everyone(200)),
    _api(
        f"{A}course-sessions/<int:pk>/trainees/",
        "post",
        _write(201, TRAIN_VIEW),
        "course_session",
        body=lambda w: {"unit": w.unit.pk, "name": "Officer Two"},
    ),
    endpoint(f"{A}report/", "get", everyone(200), query="?mission={w.mission.pk}"),
    # Pages
    endpoint(P, "get", _pages, api=False),
    endpoint(
        f"{P}dialogues/new/",
        "get",
        allowed(MANAGE, 200, 403),
        query="?mission={w.mission.pk}",
        api=False,
    ),
    _page(f"{P}dialogues/<int:pk>/", "get", allowed(VIEW, 200, 404), "dialogue"),
    _page(
        f"{P}dialogues/<int:pk>/phase/",
        "post",
        _write(302),
        "dialogue",
        body=lambda w: {"phase": "action_plan"},
    ),
    _page(
        f"{P}dialogues/<int:pk>/participants/",
        "post",
        _write(302),
        "dialogue",
        body=lambda w: {"group": "youth", "sex": "male"},
    ),
    _page(
        f"{P}dialogues/<int:pk>/checks/",
        "post",
        _write(302),
        "dialogue",
        body=lambda w: {
            "contact": "Visit to the chief",
            "harm_exposed": "The chief",
            "harm_how": "Seen with the mission",
            "harm_risk": "low",
            "harm_outcome": "proceed",
        },
    ),
    _page(f"{P}dialogues/<int:pk>/sessions/new/", "get", _write(200), "dialogue"),
    _page(f"{P}sessions/<int:pk>/", "get", allowed(VIEW, 200, 404), "session"),
    _page(f"{P}participants/<int:pk>/opt-out/", "post", _write(302), "participant"),
    endpoint(
        f"{P}participants/<int:pk>/reveal/",
        "post",
        _write(200),
        "participant",
        body=lambda w: {"purpose": "Calling before the next session"},
        api=False,
        setup=with_step_ups(_records, "participant", PEOPLE),
    ),
    endpoint(f"{P}commitments/", "get", _pages, api=False),
    _page(f"{P}commitments/<int:pk>/", "get", allowed(VIEW, 200, 404), "commitment"),
    _page(
        f"{P}commitments/<int:pk>/status/",
        "post",
        _write(302),
        "commitment",
        body=lambda w: {"status": "in_progress", "evidence": "Works started on 2 March"},
    ),
    endpoint(
        f"{P}commitments/<int:pk>/link/",
        "post",
        # Linking needs the incident too: the community policing officer does not read
        # incidents (a 404, as for any record out of sight).
        lambda who: {"commissioner": 302, "community_officer": 404}.get(
            who, 403 if who in VIEW else 404
        ),
        "commitment",
        body=lambda w: {"incident": w.incident.pk},
        api=False,
        setup=_records,
    ),
    _page(
        f"{P}commitments/<int:pk>/due/",
        "post",
        _write(302),
        "commitment",
        body=lambda w: {"due_on": "2026-05-01", "reason": "The rains delayed the works"},
    ),
    endpoint(f"{P}notices/", "get", everyone(200), api=False),
    endpoint(f"{P}notices/read/", "post", everyone(302), api=False),
    endpoint(
        f"{P}committees/new/",
        "get",
        allowed(MANAGE, 200, 403),
        query="?mission={w.mission.pk}",
        api=False,
    ),
    _page(f"{P}committees/<int:pk>/", "get", allowed(VIEW, 200, 404), "committee"),
    _page(
        f"{P}committees/<int:pk>/members/",
        "post",
        _write(302),
        "committee",
        body=lambda w: {"role_in_committee": "Secretary", "group": "youth", "sex": "male"},
    ),
    _page(f"{P}members/<int:pk>/reveal/", "get", allowed(VIEW, 200, 404), "member"),
    _page(
        f"{P}committees/<int:pk>/plans/",
        "post",
        _write(302),
        "committee",
        body=lambda w: {
            "title": "Dry season plan",
            "adopted_on": "2026-02-01",
            "review_on": "2026-05-01",
            "threat": "Cattle raids",
            "measure": "Early warning by SMS",
            "owner": "Chair",
            "measure_review_on": "2026-03-01",
        },
    ),
    _page(
        f"{P}plans/<int:pk>/measures/",
        "post",
        _write(302),
        "plan",
        body=lambda w: {
            "threat": "Roadblocks",
            "measure": "Escorts",
            "owner": "Sector commander",
            "review_on": "2026-04-01",
        },
    ),
    _page(f"{P}measures/<int:pk>/done/", "post", _write(302), "measure"),
    endpoint(
        f"{P}courses/new/",
        "get",
        allowed(MANAGE, 200, 403),
        query="?mission={w.mission.pk}",
        api=False,
    ),
    _page(f"{P}courses/<int:pk>/", "get", allowed(TRAIN_VIEW, 200, 404), "course"),
    _page(
        f"{P}courses/<int:pk>/sessions/",
        "post",
        _write(302, TRAIN_VIEW),
        "course",
        body=lambda w: {
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-02",
            "place": "Academy",
            "trainers": "IPO team",
        },
    ),
    _page(
        f"{P}course-sessions/<int:pk>/trainees/",
        "post",
        _write(302, TRAIN_VIEW),
        "course_session",
        body=lambda w: {"unit": w.unit.pk, "name": "Officer Three", "sex": "female"},
    ),
    _page(
        f"{P}trainees/<int:pk>/scores/",
        "post",
        _write(302, TRAIN_VIEW),
        "trainee",
        body=lambda w: {"pre_score": 40, "post_score": 75},
    ),
    _page(f"{P}trainees/<int:pk>/certificate/", "post", _write(302, TRAIN_VIEW), "trainee"),
    _page(
        f"{P}trainees/<int:pk>/observations/",
        "post",
        _write(302, TRAIN_VIEW),
        "trainee",
        body=lambda w: {"observed_on": "2026-04-01", "rating": 4, "note": "Reads rights aloud"},
    ),
    _page(
        f"{P}report/",
        "get",
        lambda who: (
            200 if who in VIEW | {"hrddp_officer"} else (404 if who == "other_commander" else 403)
        ),
        query="?mission={w.mission.pk}",
    ),
    _page(
        f"{P}report.pdf",
        "get",
        lambda who: 200 if who in VIEW else (404 if who in ANY_ENGAGEMENT else 403),
        query="?dialogue={w.dialogue.pk}",
    ),
]
