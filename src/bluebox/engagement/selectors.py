"""Reads on engagement: dialogues, sessions, commitments with their overdue flags, committees
with their alerts and response times, courses and trainees, and the reports.

Every query starts from :func:`bluebox.core.access.visible`, so a list, a count, a chart or a
report holds only what the reader may see (minutes and attendance obey their session's
classification, a committee's alerts the reader's own view of the alert network).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from bluebox.alerts.models import Alert
from bluebox.core import access
from bluebox.core.roles import Resource
from bluebox.engagement.models import (
    OPEN_STATUSES,
    Attendance,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    Committee,
    CommitteeMember,
    Course,
    CourseSession,
    Dialogue,
    HarmCheck,
    Notice,
    Observation,
    Participant,
    PlanMeasure,
    Problem,
    ProtectionPlan,
    Session,
    Trainee,
)
from bluebox.incidents.models import Incident
from bluebox.missions.models import Mission

#: How far back a problem raised in a session is checked against recorded incidents.
PROBLEM_WINDOW_DAYS = 90


def mission_today(mission: Mission, now: datetime) -> date:
    return now.astimezone(ZoneInfo(mission.timezone)).date()


def missions_for(user: Any) -> QuerySet[Mission]:
    ids = access.missions_for(user, Resource.ENGAGEMENT, "view") | access.missions_for(
        user, Resource.TRAINING, "view"
    )
    return Mission.objects.filter(pk__in=ids).order_by("name")


def may_manage(user: Any) -> bool:
    return bool(access.grants(user, Resource.ENGAGEMENT, "manage"))


# --- dialogues ---


def dialogues_for(user: Any, *, mission_id: int | None = None) -> QuerySet[Dialogue]:
    qs = access.visible(user, Dialogue.objects.filter(voided_at__isnull=True))
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.select_related("site", "sector", "mission", "facilitator")


def dialogue_get(user: Any, pk: int) -> Dialogue:
    return access.get_visible(
        user, Dialogue.objects.select_related("site", "sector", "mission", "facilitator"), pk=pk
    )


def sessions_for(user: Any, dialogue: Dialogue) -> QuerySet[Session]:
    return access.visible(
        user, Session.objects.filter(dialogue=dialogue, voided_at__isnull=True)
    ).select_related("harm_check", "recorded_by")


def session_get(user: Any, pk: int) -> Session:
    return access.get_visible(
        user, Session.objects.select_related("dialogue", "harm_check", "recorded_by"), pk=pk
    )


def attendance_for(user: Any, session: Session) -> QuerySet[Attendance]:
    return access.visible(user, Attendance.objects.filter(session=session, voided_at__isnull=True))


def problems_for(user: Any, session: Session) -> QuerySet[Problem]:
    return access.visible(
        user, Problem.objects.filter(session=session, voided_at__isnull=True)
    ).select_related("area_site")


def participants_for(user: Any, dialogue: Dialogue) -> QuerySet[Participant]:
    """Participants as pseudonyms with their group; names and numbers are never read here."""
    return access.visible(
        user, Participant.objects.filter(dialogue=dialogue, voided_at__isnull=True)
    ).defer("name", "phone")


def harm_checks_for(user: Any, dialogue: Dialogue) -> QuerySet[HarmCheck]:
    return access.visible(user, HarmCheck.objects.filter(dialogue=dialogue, voided_at__isnull=True))


@dataclass(frozen=True)
class ProblemCheck:
    """A problem raised, set against the incidents of its type and area the reader may see."""

    problem: Problem
    incidents: int | None  # None: not tied to a type and an area, nothing to check


def problem_checks(user: Any, session: Session) -> list[ProblemCheck]:
    since = datetime.combine(session.held_on, datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    since -= timedelta(days=PROBLEM_WINDOW_DAYS)
    until = since + timedelta(days=2 * PROBLEM_WINDOW_DAYS)
    checks = []
    for problem in problems_for(user, session):
        count = None
        if problem.incident_type and problem.area_site_id:
            count = (
                access.visible(user, Incident.objects.filter(voided_at__isnull=True))
                .filter(
                    incident_type=problem.incident_type,
                    site_id=problem.area_site_id,
                    occurred_at__gte=since,
                    occurred_at__lt=until,
                )
                .count()
            )
        checks.append(ProblemCheck(problem, count))
    return checks


# --- commitments ---


@dataclass(frozen=True)
class CommitmentFilters:
    mission_id: int | None = None
    dialogue_id: int | None = None
    status: str | None = None
    overdue: bool = False


def overdue_q(today: date) -> Q:
    return Q(status__in=OPEN_STATUSES, due_on__lt=today)


def commitments_for(
    user: Any, filters: CommitmentFilters | None = None, *, now: datetime | None = None
) -> QuerySet[Commitment]:
    filters = filters or CommitmentFilters()
    qs = access.visible(user, Commitment.objects.filter(voided_at__isnull=True))
    if filters.mission_id is not None:
        qs = qs.filter(mission_id=filters.mission_id)
    if filters.dialogue_id is not None:
        qs = qs.filter(dialogue_id=filters.dialogue_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(_overdue_in_any_mission(now or timezone.now()))
    return qs.select_related(
        "dialogue", "owner_user", "owner_organisation", "mission", "session"
    ).order_by("due_on", "id")


def _overdue_in_any_mission(now: datetime) -> Q:
    """Overdue on each mission's own calendar day (missions differ in time zone)."""
    combined = Q(pk__in=[])
    for mission in Mission.objects.only("pk", "timezone"):
        combined |= Q(mission_id=mission.pk) & overdue_q(mission_today(mission, now))
    return combined


def is_overdue(commitment: Commitment, now: datetime) -> bool:
    return commitment.status in OPEN_STATUSES and commitment.due_on < mission_today(
        commitment.mission, now
    )


def overdue_count(user: Any, now: datetime) -> int:
    return commitments_for(user, CommitmentFilters(overdue=True), now=now).count()


def commitment_get(user: Any, pk: int) -> Commitment:
    return access.get_visible(
        user,
        Commitment.objects.select_related(
            "dialogue", "session", "owner_user", "owner_organisation", "mission"
        ),
        pk=pk,
    )


def updates_for(user: Any, commitment: Commitment) -> QuerySet[CommitmentUpdate]:
    return access.visible(
        user, CommitmentUpdate.objects.filter(commitment=commitment, voided_at__isnull=True)
    ).select_related("changed_by")


def linked_incidents(user: Any, commitment: Commitment) -> QuerySet[Incident]:
    return access.visible(user, commitment.incidents.filter(voided_at__isnull=True))


# --- notices ---


def notices_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notice]:
    qs = Notice.objects.filter(user=user).select_related("commitment__dialogue", "trainee")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_count(user: Any) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


# --- committees ---


def committees_for(user: Any, *, mission_id: int | None = None) -> QuerySet[Committee]:
    qs = access.visible(user, Committee.objects.filter(voided_at__isnull=True))
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.select_related("site", "mission", "dialogue")


def committee_get(user: Any, pk: int) -> Committee:
    return access.get_visible(user, Committee.objects.select_related("site", "mission"), pk=pk)


def members_for(user: Any, committee: Committee) -> QuerySet[CommitteeMember]:
    return access.visible(
        user, CommitteeMember.objects.filter(committee=committee, voided_at__isnull=True)
    ).defer("name", "phone")


def plans_for(user: Any, committee: Committee) -> QuerySet[ProtectionPlan]:
    return access.visible(
        user, ProtectionPlan.objects.filter(committee=committee, voided_at__isnull=True)
    ).prefetch_related("measures")


def measures_due(user: Any, today: date, horizon_days: int = 14) -> QuerySet[PlanMeasure]:
    """Open plan measures whose review falls within the horizon (or has passed)."""
    return access.visible(
        user,
        PlanMeasure.objects.filter(
            voided_at__isnull=True,
            done_at__isnull=True,
            review_on__lte=today + timedelta(days=horizon_days),
        ),
    )


@dataclass
class ResponseTimes:
    """A committee's alerts (those the reader sees) and how fast they were answered."""

    alerts: int = 0
    acknowledged: int = 0
    responded: int = 0
    open: int = 0
    median_acknowledge_min: float | None = None
    median_respond_min: float | None = None
    recent: list[Alert] = field(default_factory=list)


def committee_alerts(user: Any, committee: Committee) -> QuerySet[Alert]:
    """Alerts raised from the numbers of the committee's members, as the reader sees them."""
    digests = list(
        CommitteeMember.objects.filter(committee=committee, voided_at__isnull=True)
        .exclude(phone_digest="")
        .values_list("phone_digest", flat=True)
    )
    return access.visible(
        user,
        Alert.objects.filter(
            mission_id=committee.mission_id,
            voided_at__isnull=True,
            caller__phone_digest__in=digests,
        ),
    ).order_by("-received_at", "-id")


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 60


def response_times(user: Any, committee: Committee) -> ResponseTimes:
    alerts = list(committee_alerts(user, committee))
    result = ResponseTimes(alerts=len(alerts), recent=alerts[:10])
    acks = [m for a in alerts if (m := _minutes(a.received_at, a.acknowledged_at)) is not None]
    responses = [m for a in alerts if (m := _minutes(a.received_at, a.responded_at)) is not None]
    result.acknowledged = len(acks)
    result.responded = len(responses)
    result.open = sum(1 for a in alerts if a.status in ("new", "acknowledged"))
    result.median_acknowledge_min = round(statistics.median(acks), 1) if acks else None
    result.median_respond_min = round(statistics.median(responses), 1) if responses else None
    return result


# --- capacity building ---


def courses_for(user: Any, *, mission_id: int | None = None) -> QuerySet[Course]:
    qs = access.visible(user, Course.objects.filter(voided_at__isnull=True))
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.select_related("mission")


def course_get(user: Any, pk: int) -> Course:
    return access.get_visible(user, Course.objects.select_related("mission"), pk=pk)


def course_sessions_for(user: Any, course: Course) -> QuerySet[CourseSession]:
    return access.visible(
        user, CourseSession.objects.filter(course=course, voided_at__isnull=True)
    ).select_related("site")


def trainees_for(
    user: Any, *, session: CourseSession | None = None, mission_id: int | None = None
) -> QuerySet[Trainee]:
    qs = access.visible(user, Trainee.objects.filter(voided_at__isnull=True))
    if session is not None:
        qs = qs.filter(session=session)
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    return qs.select_related("unit", "session__course")


def observations_for(user: Any, trainee_ids: list[int]) -> QuerySet[Observation]:
    return access.visible(
        user, Observation.objects.filter(trainee_id__in=trainee_ids, voided_at__isnull=True)
    )


# --- reports ---


@dataclass
class CommitmentSummary:
    made: int = 0
    done: int = 0
    dropped: int = 0
    open: int = 0
    overdue: int = 0
    median_days_to_done: float | None = None
    by_status: dict[str, int] = field(default_factory=dict)


def commitment_summary(commitments: list[Commitment], now: datetime) -> CommitmentSummary:
    summary = CommitmentSummary(made=len(commitments))
    counts = Counter(c.status for c in commitments)
    summary.by_status = {s.value: counts.get(s.value, 0) for s in CommitmentStatus}
    summary.done = counts.get(CommitmentStatus.DONE, 0)
    summary.dropped = counts.get(CommitmentStatus.DROPPED, 0)
    summary.open = sum(counts.get(s, 0) for s in OPEN_STATUSES)
    summary.overdue = sum(1 for c in commitments if is_overdue(c, now))
    days = [
        (c.done_at - c.created_at).total_seconds() / 86400
        for c in commitments
        if c.status == CommitmentStatus.DONE and c.done_at is not None
    ]
    summary.median_days_to_done = round(statistics.median(days), 1) if days else None
    return summary


def attendance_over_time(
    user: Any, *, dialogue: Dialogue | None = None, mission_id: int | None = None
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """(month -> sex -> people, group -> sex -> people) over the sessions the reader sees."""
    qs = access.visible(user, Attendance.objects.filter(voided_at__isnull=True))
    qs = qs.filter(session__voided_at__isnull=True)
    # Only the counts of sessions the reader may see (a count inherits its session's level).
    qs = qs.filter(session__in=access.visible(user, Session.objects.all()))
    if dialogue is not None:
        qs = qs.filter(session__dialogue=dialogue)
    if mission_id is not None:
        qs = qs.filter(mission_id=mission_id)
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_group: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in qs.values("session__held_on", "group", "sex", "count"):
        month = row["session__held_on"].strftime("%Y-%m")
        by_month[month][row["sex"]] += row["count"]
        by_group[row["group"]][row["sex"]] += row["count"]
    return (
        {m: dict(v) for m, v in sorted(by_month.items())},
        {g: dict(v) for g, v in sorted(by_group.items())},
    )


def trainees_by_unit(trainees: list[Trainee]) -> list[tuple[str, dict[str, int]]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for t in trainees:
        table[t.unit.name][t.result] += 1
        if t.certificate == "suspended":
            table[t.unit.name]["suspended"] += 1
    return [(unit, dict(c)) for unit, c in sorted(table.items())]


def score_gain(trainees: list[Trainee]) -> float | None:
    gains = [
        t.post_score - t.pre_score
        for t in trainees
        if t.pre_score is not None and t.post_score is not None
    ]
    return round(statistics.mean(gains), 1) if gains else None


@dataclass
class Report:
    mission: Mission | None
    dialogue: Dialogue | None
    commitments: CommitmentSummary
    attendance_by_month: dict[str, dict[str, int]]
    attendance_by_group: dict[str, dict[str, int]]
    committees: list[tuple[Committee, ResponseTimes]]
    trainees: list[tuple[str, dict[str, int]]]
    mean_score_gain: float | None
    mean_observation: float | None
    classification: int
    sessions: int


def report(
    user: Any, *, now: datetime, mission_id: int | None = None, dialogue: Dialogue | None = None
) -> Report:
    """Commitments made, done, overdue and the median days to done; attendance by group and sex
    over time; committees' alert-to-response times; trainees by unit and result — all from what
    the reader sees."""
    filters = CommitmentFilters(
        mission_id=mission_id, dialogue_id=dialogue.pk if dialogue is not None else None
    )
    commitments = list(commitments_for(user, filters, now=now))
    months, groups = attendance_over_time(user, dialogue=dialogue, mission_id=mission_id)
    if dialogue is not None:
        committees = list(committees_for(user).filter(dialogue=dialogue))
        trainees: list[Trainee] = []
        sessions = sessions_for(user, dialogue)
    else:
        committees = list(committees_for(user, mission_id=mission_id))
        trainees = list(trainees_for(user, mission_id=mission_id))
        sessions = access.visible(user, Session.objects.filter(voided_at__isnull=True))
        if mission_id is not None:
            sessions = sessions.filter(mission_id=mission_id)
    session_list = list(sessions)
    ratings = [o.rating for o in observations_for(user, [t.pk for t in trainees])]
    levels = [c.classification for c in commitments] + [s.classification for s in session_list]
    levels += [c.classification for c in committees]
    if dialogue is not None:
        levels.append(dialogue.classification)
    return Report(
        mission=dialogue.mission
        if dialogue is not None
        else (Mission.objects.filter(pk=mission_id).first() if mission_id else None),
        dialogue=dialogue,
        commitments=commitment_summary(commitments, now),
        attendance_by_month=months,
        attendance_by_group=groups,
        committees=[(c, response_times(user, c)) for c in committees],
        trainees=trainees_by_unit(trainees),
        mean_score_gain=score_gain(trainees),
        mean_observation=round(statistics.mean(ratings), 1) if ratings else None,
        classification=max(levels, default=0),
        sessions=len(session_list),
    )
