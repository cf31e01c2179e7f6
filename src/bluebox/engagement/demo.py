"""Demo data for engagement: a dialogue at Korrin IDP camp with its sessions and commitments in
every state (one overdue), a protection committee with a plan, and a course for host-state
police.

Called by the demo loader after the mission, its partners, its accounts and the HRDDP decisions
exist. Deterministic for a given mission and day (no randomness, dates relative to ``now``);
synthetic words only, no phone numbers (the demo sends no SMS to anyone).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from bluebox.core.models import RoleAssignment
from bluebox.core.roles import Role
from bluebox.engagement import jobs, services
from bluebox.hrddp import selectors as hrddp_selectors
from bluebox.hrddp.models import HOST_STATE_KINDS
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation

SITE = "korrin-camp"
HARM = {
    "exposed": "Women's and youth representatives seen meeting the mission",
    "how": "Armed men from the hills watch the camp's main gate",
    "measures": "Meeting inside the health post; arrivals staggered; no photographs",
    "risk": "medium",
    "outcome": "proceed_with_measures",
}


def _holder(mission: Mission, role: str, *, site: FieldSite | None = None) -> Any:
    assignment = (
        RoleAssignment.objects.filter(mission=mission, role=role, site=site)
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


def load_demo_engagement(mission: Mission, *, now: datetime | None = None) -> int:
    """Create the demo's engagement records; returns the number of commitments made."""
    now = now or timezone.now()
    site = FieldSite.objects.filter(mission=mission, code=SITE).first()
    commander = _holder(mission, Role.COMMANDER)
    officer = _holder(mission, Role.COMMUNITY_OFFICER, site=site)
    if site is None or commander is None or officer is None:
        return 0
    today = now.date()
    start = today - timedelta(days=150)
    dialogue = services.dialogue_create(
        actor=officer,
        mission_id=mission.pk,
        site_id=site.pk,
        title="Korrin camp justice and security dialogue",
        community="Korrin IDP camp and the Mabe road",
        started_on=start,
        stakeholder_groups=[
            "mission_police",
            "host_police",
            "local_authorities",
            "traditional_leaders",
            "women",
            "youth",
            "idp",
            "self_defence",
        ],
        facilitator_name="Korrin Peace Committee (demo)",
        objective="Agree what police, authorities and residents each do about night attacks.",
    )
    planner = _holder(mission, Role.PLANNER)
    services.participant_add(
        actor=officer,
        dialogue_id=dialogue.pk,
        group="host_police",
        sex="male",
        user_id=planner.pk if planner else None,
    )
    for group, sex in (("women", "female"), ("youth", "male"), ("idp", "female")):
        services.participant_add(actor=officer, dialogue_id=dialogue.pk, group=group, sex=sex)
    unit = PartnerOrganisation.objects.filter(mission=mission, kind__in=HOST_STATE_KINDS).first()
    sessions = [
        (start + timedelta(days=30), 1.0),
        (start + timedelta(days=75), 1.3),
        (start + timedelta(days=120), 1.6),
    ]
    made = 0
    for n, (held_on, scale) in enumerate(sessions):
        rows = _commitments(n, held_on, today, unit, commander)
        session = services.session_record(
            actor=officer,
            dialogue_id=dialogue.pk,
            held_on=held_on,
            place="Korrin health post",
            agenda="Night attacks on the camp edge; the Mabe road; the return of police.",
            minutes="Synthetic demo minutes: the groups named the unlit road, the closed police "
            "post and disputes over grazing land as causes of the attacks.",
            harm=dict(HARM),
            attendance=[
                {"group": g, "sex": s, "count": round(c * scale)}
                for g, s, c in (
                    ("women", "female", 14),
                    ("youth", "male", 11),
                    ("youth", "female", 5),
                    ("traditional_leaders", "male", 4),
                    ("host_police", "male", 3),
                    ("idp", "female", 9),
                    ("self_defence", "male", 2),
                )
            ],
            problems=[
                {
                    "description": "Looting of shelters at night on the camp edge",
                    "root_cause": "No light and no patrol after dusk",
                    "incident_type": "looting",
                    "area_site": site.pk,
                }
            ]
            if n == 0
            else [],
            commitments=rows,
            now=datetime.combine(held_on, datetime.min.time(), tzinfo=now.tzinfo)
            + timedelta(hours=12),
        )
        made += len(rows)
        _advance(session, officer, n, held_on)
    services.dialogue_phase(actor=officer, dialogue_id=dialogue.pk, phase="follow_up")
    jobs.commitments_flag_overdue(now=now)
    _committee(mission, site, officer, dialogue.pk, today)
    _course(mission, commander, unit, today, now)
    return made


def _commitments(
    n: int, held_on: Any, today: Any, unit: Any, commander: Any
) -> list[dict[str, Any]]:
    if n == 0:
        return [
            {
                "text": "Light the camp's edge road with solar lamps",
                "owner_kind": "external",
                "owner_external": "Mayor's office of Korrin (demo)",
                "due_on": held_on + timedelta(days=40),
                "classification": 0,
            },
            {
                "text": "Mission night patrol on the camp edge twice a week",
                "owner_kind": "user",
                "owner_user": commander.pk,
                "due_on": held_on + timedelta(days=20),
                "classification": 0,
            },
        ]
    if n == 1:
        return [
            {
                "text": "Reopen the police post at the Mabe junction",
                "owner_kind": "organisation" if unit else "external",
                "owner_organisation": unit.pk if unit else None,
                "owner_external": "" if unit else "Host-state police",
                "due_on": today - timedelta(days=7),  # overdue in the demo
                "classification": 0,
            },
            {
                "text": "Self-defence group hands suspects to the police, not to the crowd",
                "owner_kind": "external",
                "owner_external": "Korrin self-defence group (demo)",
                "due_on": held_on + timedelta(days=60),
                "classification": 0,
            },
        ]
    return [
        {
            "text": "Grazing land mediation between herders and farmers",
            "owner_kind": "external",
            "owner_external": "Traditional leaders' council (demo)",
            "due_on": today + timedelta(days=45),
            "status": "proposed",
            "classification": 0,
        },
        {
            "text": "Women's safety walk with police each month",
            "owner_kind": "external",
            "owner_external": "Korrin women's association (demo)",
            "due_on": today + timedelta(days=20),
            "classification": 0,
        },
    ]


def _advance(session: Any, officer: Any, n: int, held_on: Any) -> None:
    """Move the session's commitments so the demo holds every status."""
    rows = list(session.commitments.order_by("id"))
    at = datetime.combine(held_on, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    moves: list[tuple[int, str, str, int]] = []
    if n == 0:
        moves = [
            (0, "in_progress", "Lamps bought by the mayor's office (receipt seen)", 10),
            (0, "done", "Twelve lamps working, seen on the night patrol", 35),
            (1, "in_progress", "Patrol log: two night patrols in the first week", 5),
        ]
    elif n == 1:
        moves = [(1, "dropped", "The group dissolved after the sub-prefect's order", 30)]
    for index, status, evidence, days in moves:
        services.commitment_update(
            actor=officer,
            commitment_id=rows[index].pk,
            status=status,
            evidence=evidence,
            now=at + timedelta(days=days),
        )


def _committee(
    mission: Mission, site: FieldSite, officer: Any, dialogue_id: int, today: Any
) -> None:
    committee = services.committee_create(
        actor=officer,
        mission_id=mission.pk,
        site_id=site.pk,
        name="Korrin camp protection committee",
        community="Korrin IDP camp",
        formed_on=today - timedelta(days=100),
        dialogue_id=dialogue_id,
    )
    for role, group, sex in (
        ("Chair", "women", "female"),
        ("Secretary", "youth", "male"),
        ("Member", "traditional_leaders", "male"),
    ):
        services.member_add(
            actor=officer, committee_id=committee.pk, role_in_committee=role, group=group, sex=sex
        )
    services.plan_create(
        actor=officer,
        committee_id=committee.pk,
        title="Korrin camp protection plan",
        adopted_on=today - timedelta(days=90),
        review_on=today + timedelta(days=90),
        measures=[
            {
                "threat": "Night raids on shelters at the camp edge",
                "incident_type": "looting",
                "measure": "Whistle chain to the mission post; patrol at 22:00",
                "owner": "FPU platoon on duty",
                "review_on": today + timedelta(days=10),
            },
            {
                "threat": "Abductions of women collecting firewood",
                "incident_type": "abduction",
                "measure": "Grouped firewood trips with a police escort on market days",
                "owner": "Community policing officer",
                "review_on": today + timedelta(days=30),
            },
        ],
    )


def _course(mission: Mission, commander: Any, unit: Any, today: Any, now: datetime) -> None:
    course = services.course_create(
        actor=commander,
        mission_id=mission.pk,
        title="Custody, rights of detainees and the use of force",
        topic="Five days for host-state officers: arrest, custody records, force.",
        pass_mark=60,
    )
    session = services.course_session_create(
        actor=commander,
        course_id=course.pk,
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=56),
        place="Police academy (demo)",
        trainers="IPO training cell",
    )
    if (
        unit is None
        or not hrddp_selectors.support_gate(partner_id=unit.pk, activity="training", at=now).allowed
    ):
        return
    for name, pre, post, rating in (
        ("Demo Trainee Alpha", 40, 78, 4),
        ("Demo Trainee Bravo", 55, 81, 3),
        ("Demo Trainee Charlie", 30, 52, None),
    ):
        trainee = services.trainee_enrol(
            actor=commander, session_id=session.pk, unit_id=unit.pk, name=name, pre_score=pre
        )
        services.trainee_scores(actor=commander, trainee_id=trainee.pk, post_score=post)
        if rating is not None:
            services.certificate_issue(actor=commander, trainee_id=trainee.pk)
            services.observation_add(
                actor=commander,
                trainee_id=trainee.pk,
                observed_on=today - timedelta(days=14),
                rating=rating,
                note="Custody register kept up to date at the post (demo observation).",
            )
