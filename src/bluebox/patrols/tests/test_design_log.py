"""The design log: every executed week keeps, per area x slot, the plan's probability and what
was done. It is the assignment record the impact evaluation reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import pytest

from bluebox.core.access import NotVisible
from bluebox.core.services import record_void
from bluebox.patrols import adapter, jobs, selectors, services
from bluebox.patrols.models import PatrolDesignCell, PatrolPlan, PlannedPatrol
from bluebox.patrols.tests.conftest import WEEK

#: After the planned week (Monday 23 to Sunday 29 November 2026) has ended.
AFTER = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def approved(patrol_world, django_capture_on_commit_callbacks) -> PatrolPlan:
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.patrol_plan_request(
            actor=patrol_world.planner, site_id=patrol_world.site_a.pk, week_start=WEEK, seed=5
        )
    plan.refresh_from_db()
    return services.patrol_plan_approve(actor=patrol_world.commissioner, plan_id=plan.pk)


def _carry_out(w, planned: PlannedPatrol):
    start = adapter.slot_start(WEEK, planned.slot, w.mission.timezone or "UTC")
    return services.patrol_record(
        actor=w.reporter_at_a,
        site_id=w.site_a.pk,
        team_id=planned.team_id,
        planned_id=planned.pk,
        started_at=start + timedelta(minutes=10),
        ended_at=start + timedelta(hours=4),
        members=8,
    )


def _gpx(cell: str, start: datetime, minutes: int) -> bytes:
    lat, lon = h3.cell_to_latlng(cell)
    points = "".join(
        f'<trkpt lat="{lat + 0.0004 * i:.6f}" lon="{lon:.6f}">'
        f"<time>{start + timedelta(minutes=m):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for i, m in enumerate(range(0, minutes + 1, 10))
    )
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        f"{points}</trkseg></trk></gpx>"
    ).encode()


def test_logged_probabilities_equal_the_plans_coverage_for_the_executed_week(approved):
    assert jobs.patrol_design_log(plan_id=approved.pk, now=AFTER) == 19 * 21
    coverage = {(r["area"], r["slot"]): r["coverage"] for r in approved.plan["coverage"]}
    cells = list(PatrolDesignCell.objects.filter(plan=approved))
    assert len(cells) == len(coverage) == 19 * 21
    for cell in cells:
        assert cell.probability == coverage[(cell.area, cell.slot)]
        assert cell.week_start == WEEK
        assert cell.date == adapter.slot_date(WEEK, cell.slot)
    # The week as approved: exactly its patrol orders are "planned".
    orders = {(p.slot, p.area) for p in PlannedPatrol.objects.filter(plan=approved, voided_at=None)}
    assert {(c.slot, c.area) for c in cells if c.planned} == orders
    # Planned targets had a chance of a patrol; the log's probabilities sum to the plan's.
    assert all(c.probability > 0 for c in cells if c.planned)
    assert sum(c.probability for c in cells) == pytest.approx(sum(coverage.values()))


def test_what_was_done_comes_from_the_records_and_tracks(approved, patrol_world):
    w = patrol_world
    orders = list(PlannedPatrol.objects.filter(plan=approved, voided_at=None).order_by("pk"))
    done = _carry_out(w, orders[0])  # no track: the planned area gets the time on the spot
    tracked = _carry_out(w, orders[1])
    start = tracked.started_at + timedelta(minutes=5)
    services.patrol_track_upload(
        actor=w.reporter_at_a,
        patrol_id=tracked.pk,
        filename="t.gpx",
        content=_gpx(orders[1].area, start, 40),
    )
    jobs.patrol_design_log(plan_id=approved.pk, now=AFTER)
    cell = PatrolDesignCell.objects.get(plan=approved, slot=orders[0].slot, area=orders[0].area)
    assert cell.executed and cell.patrols == 1 and cell.minutes > 0
    tracked_cell = PatrolDesignCell.objects.get(
        plan=approved, slot=orders[1].slot, area=orders[1].area
    )
    assert tracked_cell.executed
    tracked.refresh_from_db()
    assert tracked_cell.minutes == pytest.approx(tracked.dosage[orders[1].area], abs=0.1)
    # Orders nobody carried out stay planned but not executed.
    others = PatrolDesignCell.objects.filter(plan=approved, executed=True).exclude(
        slot__in=[orders[0].slot, orders[1].slot]
    )
    assert not others.exists()
    assert PatrolDesignCell.objects.filter(plan=approved, planned=True, executed=False).exists()
    # A voided record no longer counts, once the week is logged again.
    record_void(actor=w.commissioner, record=done, reason="duplicate")
    jobs.patrol_design_log(plan_id=approved.pk, now=AFTER + timedelta(days=1))
    cell.refresh_from_db()
    assert not cell.executed and cell.patrols == 0
    assert PatrolDesignCell.objects.filter(plan=approved).count() == 19 * 21  # no duplicates


def test_nothing_is_logged_before_the_week_ends_or_for_an_unapproved_plan(
    patrol_world, approved, django_capture_on_commit_callbacks
):
    sunday = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert jobs.patrol_design_log(plan_id=approved.pk, now=sunday) == 0
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.patrol_plan_request(
            actor=patrol_world.planner, site_id=patrol_world.site_a.pk, week_start=WEEK, seed=6
        )
    assert jobs.patrol_design_log(plan_id=draft.pk, now=AFTER) == 0
    assert not PatrolDesignCell.objects.exists()


def test_the_daily_task_logs_recent_executed_weeks(approved):
    assert jobs.patrol_design_log_ended(now=AFTER) == 1
    assert jobs.patrol_design_log_ended(now=AFTER + timedelta(days=60)) == 0


def test_an_overridden_slot_is_marked_as_not_drawn(
    patrol_world, django_capture_on_commit_callbacks
):
    w = patrol_world
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.patrol_plan_request(
            actor=w.planner, site_id=w.site_a.pk, week_start=WEEK, seed=7
        )
    order = PlannedPatrol.objects.filter(plan=plan).order_by("pk").first()
    plan.refresh_from_db()
    areas = [a["id"] for a in plan.plan["problem"]["areas"]]
    services.patrol_plan_override(
        actor=w.planner,
        plan_id=plan.pk,
        slot=order.slot,
        assignments=[(order.team_id, areas[0])],
        reason="escort to the clinic",
    )
    services.patrol_plan_approve(actor=w.commissioner, plan_id=plan.pk)
    jobs.patrol_design_log(plan_id=plan.pk, now=AFTER)
    slot_cells = PatrolDesignCell.objects.filter(plan=plan, slot=order.slot)
    assert slot_cells.count() == 19 and all(c.overridden for c in slot_cells)
    assert (
        not PatrolDesignCell.objects.filter(plan=plan, overridden=True)
        .exclude(slot=order.slot)
        .exists()
    )


def test_the_log_is_read_like_the_plan_it_comes_from(approved, patrol_world):
    w = patrol_world
    jobs.patrol_design_log(plan_id=approved.pk, now=AFTER)
    assert selectors.design_log(user=w.analyst, site_id=w.site_a.pk).count() == 19 * 21
    assert selectors.design_log(user=w.reporter_at_a, site_id=w.site_a.pk).count() == 19 * 21
    for outsider in (w.reporter_at_b, w.other_commander, w.outsider, w.admin):
        with pytest.raises(NotVisible):
            selectors.design_log(user=outsider, site_id=w.site_a.pk)
