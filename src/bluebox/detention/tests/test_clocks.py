"""Custody clocks over random apprehension times, timezones and daylight-saving shifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluebox.engines.custody import (
    AmbiguousLocalTime,
    CustodyLimits,
    NonExistentLocalTime,
    clock,
    escalation_points,
    local_to_utc,
)

# Zones with and without DST, both hemispheres, half-hour and 45-minute offsets.
ZONES = [
    "UTC",
    "Africa/Abidjan",
    "Africa/Juba",
    "Europe/Paris",
    "America/New_York",
    "America/Santiago",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Asia/Tehran",
]
# The machines running the suite are shared: time limits on examples would make it flaky.
RELAXED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
limits_strategy = st.builds(
    lambda target, extra, before_t, before_l: CustodyLimits(
        handover_target_hours=target,
        hard_limit_hours=target + extra,
        escalate_before_target_hours=tuple(before_t),
        escalate_before_limit_hours=tuple(before_l),
    ),
    st.integers(1, 96),
    st.integers(0, 48),
    st.lists(st.integers(1, 48), max_size=4),
    st.lists(st.integers(1, 72), max_size=4),
)


@RELAXED
@given(start=instants, zone=st.sampled_from(ZONES), limits=limits_strategy)
def test_deadlines_are_elapsed_hours_whatever_the_wall_clock_did(start, zone, limits):
    local = start.astimezone(ZoneInfo(zone))
    c = clock(local, limits, now=local)
    assert c.target_at - start == timedelta(hours=limits.handover_target_hours)
    assert c.limit_at - start == timedelta(hours=limits.hard_limit_hours)
    # The same instant written in any other zone gives the same clock.
    same = clock(start, limits, now=start)
    assert (same.target_at, same.limit_at) == (c.target_at, c.limit_at)


@RELAXED
@given(start=instants, zone=st.sampled_from(ZONES), limits=limits_strategy, hours=st.floats(0, 200))
def test_escalations_come_before_their_deadline_and_breaches_at_it(start, zone, limits, hours):
    c = clock(start.astimezone(ZoneInfo(zone)), limits, now=start + timedelta(hours=hours))
    deadlines = {"target": c.target_at, "limit": c.limit_at}
    for point in c.points:
        assert start <= point.due_at <= deadlines[point.deadline]
        if point.is_breach:
            assert point.due_at == deadlines[point.deadline]
    assert [p.due_at for p in c.points] == sorted(p.due_at for p in c.points)
    # Due is monotone in time: whatever was due stays due.
    later = clock(start, limits, now=c.now + timedelta(hours=1))
    assert set(c.due) <= set(later.due)
    assert c.limit_breached == (c.now >= c.limit_at)


@RELAXED
@given(
    start=instants,
    zone=st.sampled_from(ZONES),
    limits=limits_strategy,
    run_every_min=st.integers(1, 15),
    phase=st.integers(0, 14),
)
def test_a_task_running_every_few_minutes_warns_before_the_hard_limit(
    start, zone, limits, run_every_min, phase
):
    """Every custody approaching its limit gets each warning before the limit passes."""
    step = timedelta(minutes=run_every_min)
    first_run = start + timedelta(minutes=phase % run_every_min)
    local_start = start.astimezone(ZoneInfo(zone))
    limit_at = start + timedelta(hours=limits.hard_limit_hours)
    for point in escalation_points(start, limits):
        # The first run at or after the point is when it is raised...
        runs_before = max(0, -(-(point.due_at - first_run) // step))
        run = first_run + runs_before * step
        assert point in clock(local_start, limits, run).due
        # ...and not a run earlier.
        if run - step >= start:
            assert point not in clock(local_start, limits, run - step).due
        if point.deadline == "limit" and not point.is_breach:
            # The smallest warning point is an hour ahead; runs are at most 15 minutes apart.
            assert run < limit_at, point.key
        if point.is_breach:
            assert run >= point.due_at


def test_a_spring_forward_night_moves_the_wall_time_of_the_deadline_not_the_deadline():
    paris = ZoneInfo("Europe/Paris")
    start = local_to_utc(datetime(2026, 3, 28, 12, 0), "Europe/Paris")  # UTC+1
    c = clock(start, CustodyLimits(48, 72), now=start)
    assert c.target_at - start == timedelta(hours=48)
    assert c.target_at.astimezone(paris).replace(tzinfo=None) == datetime(2026, 3, 30, 13, 0)


def test_a_fall_back_night_lasts_an_hour_longer_on_the_wall():
    new_york = ZoneInfo("America/New_York")
    start = local_to_utc(datetime(2026, 10, 31, 20, 0), "America/New_York")  # UTC-4
    c = clock(start, CustodyLimits(48, 72), now=start)
    assert c.target_at.astimezone(new_york).replace(tzinfo=None) == datetime(2026, 11, 2, 19, 0)


@RELAXED
@given(
    wall=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)),
    zone=st.sampled_from(ZONES),
    occurrence=st.sampled_from([0, 1]),
)
def test_local_times_round_trip_or_are_refused(wall, zone, occurrence):
    wall = wall.replace(microsecond=0)
    try:
        instant = local_to_utc(wall, zone)
    except NonExistentLocalTime:
        return
    except AmbiguousLocalTime:
        instant = local_to_utc(wall, zone, occurrence=occurrence)
    assert instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None, fold=0) == wall


def test_gaps_and_repeats_are_named():
    with pytest.raises(NonExistentLocalTime):
        local_to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Paris")
    with pytest.raises(AmbiguousLocalTime):
        local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Paris")
    first = local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Paris", occurrence=0)
    second = local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Paris", occurrence=1)
    assert second - first == timedelta(hours=1)


def test_settings_are_read_with_documented_defaults_and_checked():
    assert CustodyLimits.from_settings(None) == CustodyLimits()
    limits = CustodyLimits.from_settings({"handover_target_hours": 24, "hard_limit_hours": 48})
    assert (limits.handover_target_hours, limits.hard_limit_hours) == (24.0, 48.0)
    with pytest.raises(ValueError, match="limits"):
        CustodyLimits.from_settings({"handover_target_hours": 80, "hard_limit_hours": 72})
    with pytest.raises(ValueError, match="number"):
        CustodyLimits.from_settings({"hard_limit_hours": "72"})
    with pytest.raises(ValueError, match="aware"):
        clock(datetime(2026, 1, 1), CustodyLimits(), datetime(2026, 1, 2, tzinfo=UTC))
