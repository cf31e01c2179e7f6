"""Every job closes: claims, heartbeats, the sweep, enqueue on commit and the bounds of a run."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import pytest

from bluebox.assessment.tasks import PULL_JOB
from bluebox.core import background
from bluebox.core.models import AuditEntry
from bluebox.deployment.tasks import DEPLOYMENT_ANALYSIS, DEPLOYMENT_PLAN
from bluebox.forecasting import adapter
from bluebox.forecasting import jobs as forecasting
from bluebox.forecasting import services as forecasting_services
from bluebox.forecasting.models import ForecastRun, RunStatus
from bluebox.forecasting.tasks import FORECAST_RUN, run_forecast
from bluebox.incidents.tasks import IMPORT_JOB
from bluebox.patrols.tasks import PATROL_PLAN


@pytest.fixture
def queued_run(world) -> ForecastRun:
    return forecasting.forecast_run_schedule(mission_id=world.mission.pk)


@pytest.fixture
def no_queue(monkeypatch) -> list[int]:
    """The queue accepts tasks but no worker takes them (what a test needs to stop the clock)."""
    sent: list[int] = []
    monkeypatch.setattr(background, "enqueue", lambda kind, pk: sent.append(pk) or True)
    return sent


def stale(settings) -> float:
    return time.time() + settings.JOB_STALE_S + 1


def test_every_long_job_has_a_kind_the_sweep_knows():
    names = {kind.name for kind in background.kinds()}
    assert names == {
        "forecast-run",
        "deployment-plan",
        "deployment-analysis",
        "patrol-plan",
        "incident-import",
        "survey-pull",
    }
    kinds = (FORECAST_RUN, DEPLOYMENT_PLAN, DEPLOYMENT_ANALYSIS, PATROL_PLAN, IMPORT_JOB, PULL_JOB)
    for kind in kinds:
        assert kind.model_class._meta.get_field(kind.created_field)
        assert str(kind.label), "shown to people by its words"


def test_a_claim_is_taken_once(queued_run):
    assert background.claim(FORECAST_RUN, queued_run.pk)
    assert not background.claim(FORECAST_RUN, queued_run.pk), "a duplicate task finds it taken"
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.RUNNING
    assert background.attempts("forecast-run", queued_run.pk) == 1
    assert background.last_beat("forecast-run", queued_run.pk) is not None


def test_a_running_job_that_beats_is_left_alone(queued_run, settings, no_queue):
    background.claim(FORECAST_RUN, queued_run.pk)
    background.beat("forecast-run", queued_run.pk)
    assert background.sweep(now=time.time() + settings.JOB_STALE_S - 5) == {}


def test_a_run_whose_worker_died_is_requeued_once_then_failed_with_the_reason(
    queued_run, settings, no_queue
):
    background.claim(FORECAST_RUN, queued_run.pk)  # the worker took it, then died
    assert background.sweep(now=stale(settings)) == {"requeued": 1}
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.QUEUED
    assert queued_run.progress_message == background.RESTARTED
    assert no_queue == [queued_run.pk], "sent back to the queue"
    background.claim(FORECAST_RUN, queued_run.pk)  # the second worker died too
    assert background.sweep(now=stale(settings)) == {"failed": 1}
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.FAILED and queued_run.finished_at is not None
    assert "interrupted twice" in queued_run.error
    actions = list(
        AuditEntry.objects.filter(object_id=str(queued_run.pk), resource="forecast_run")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["job-requeued", "job-failed"]
    assert background.sweep(now=stale(settings)) == {}, "closed jobs stay closed"


def test_the_run_page_tells_the_user_why_it_failed(world, queued_run, settings, no_queue):
    from django.test import Client

    for _ in range(2):
        background.claim(FORECAST_RUN, queued_run.pk)
        background.sweep(now=stale(settings))
    client = Client()
    client.force_login(world.analyst)
    page = client.get(f"/forecast/runs/{queued_run.pk}/")
    assert page.status_code == 200
    assert "interrupted twice" in page.content.decode()


def test_a_requeued_run_runs_to_its_end_on_the_next_worker(queued_run, settings):
    background.claim(FORECAST_RUN, queued_run.pk)
    background.sweep(now=stale(settings))  # the immediate queue runs it again at once
    queued_run.refresh_from_db()
    assert queued_run.status in (RunStatus.DONE, RunStatus.FAILED)
    assert queued_run.status == RunStatus.DONE or "interrupted" not in queued_run.error


def test_a_request_whose_enqueue_fails_answers_and_the_sweep_sends_it_later(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    def queue_down(task):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(HUEY, "enqueue", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        run = forecasting_services.forecast_run_request(
            actor=world.analyst, mission_id=world.mission.pk
        )
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED, "committed, not lost, and no 500"
    monkeypatch.undo()
    assert background.sweep() == {}, "within the grace period: the task may still be on its way"
    assert background.sweep(now=time.time() + settings.JOB_QUEUED_GRACE_S + 1) == {"enqueued": 1}
    run.refresh_from_db()
    assert run.status != RunStatus.QUEUED


def test_a_queued_job_still_in_the_queue_is_not_sent_twice(queued_run, settings, monkeypatch):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "_immediate", False)  # same memory store, a real queue
    try:
        run_forecast(queued_run.pk)  # waits in the (memory) queue
        assert background.sweep(now=time.time() + settings.JOB_QUEUED_GRACE_S + 1) == {}
    finally:
        HUEY.flush()


def test_a_job_out_of_memory_fails_at_once_with_a_clear_message(queued_run, monkeypatch):
    def greedy(**kwargs):
        raise MemoryError

    monkeypatch.setattr(forecasting, "forecast_run_execute", greedy)
    run_forecast(queued_run.pk)
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.FAILED
    assert "more memory than the worker may use" in queued_run.error
    assert background.attempts("forecast-run", queued_run.pk) == 0, "forgotten once closed"


def test_an_unexpected_error_runs_once_more_then_fails_with_its_type(queued_run, monkeypatch):
    calls: list[int] = []

    def broken(**kwargs):
        calls.append(1)
        raise KeyError("x")

    monkeypatch.setattr(forecasting, "forecast_run_execute", broken)
    run_forecast(queued_run.pk)
    queued_run.refresh_from_db()
    assert len(calls) == 2, "re-queued once, run again by the immediate queue"
    assert queued_run.status == RunStatus.FAILED and "KeyError" in queued_run.error


def test_a_panel_beyond_its_bound_is_refused_before_it_is_built(settings):
    settings.FORECAST_MAX_PANEL_CELLS = 10_000
    events = pd.DataFrame({"date": pd.to_datetime(["0202-11-30", "2026-11-01"], format="ISO8601")})
    with pytest.raises(ValueError, match=r"limit is 10,000.*0202-11-30"):
        adapter.check_panel_size(events, n_areas=50, end=dt.date(2026, 11, 30))
    recent = pd.DataFrame({"date": pd.to_datetime(["2026-01-05", "2026-11-01"])})
    adapter.check_panel_size(recent, n_areas=50, end=dt.date(2026, 11, 30))  # 50 x 48: fine


def test_the_heartbeat_thread_beats_while_the_job_runs(queued_run, settings, monkeypatch):
    settings.JOB_HEARTBEAT_S = 1
    beats: list[float | None] = []

    def slow(**kwargs):
        first = background.last_beat("forecast-run", queued_run.pk)
        time.sleep(1.6)
        beats.extend([first, background.last_beat("forecast-run", queued_run.pk)])
        ForecastRun.objects.filter(pk=queued_run.pk).update(status=RunStatus.DONE)

    monkeypatch.setattr(forecasting, "forecast_run_execute", slow)
    run_forecast(queued_run.pk)
    assert beats[0] is not None and beats[1] is not None and beats[1] > beats[0]
    assert background.last_beat("forecast-run", queued_run.pk) is None, "cleared when it ended"


def test_a_stalled_first_attempt_does_not_store_over_the_second(queued_run, monkeypatch):
    """The first worker stalled long enough to look dead; the sweep re-queued the run and a
    second worker claimed it. When the first wakes up and reaches its store, it stands down."""
    seen: list[str] = []

    def stalled(**kwargs):
        run = ForecastRun.objects.get(pk=queued_run.pk)
        # Meanwhile: the sweep re-queued it and another worker claimed it (attempt 2).
        ForecastRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)
        assert background.claim(FORECAST_RUN, run.pk)
        assert background.superseded()
        stored = forecasting._store(run, [])
        seen.append(stored.status)

    monkeypatch.setattr(forecasting, "forecast_run_execute", stalled)
    run_forecast(queued_run.pk)
    assert seen == [RunStatus.RUNNING], "the first attempt stored nothing"
    assert not background.superseded(), "outside a job nothing is superseded"


def test_a_run_still_beating_past_its_limit_is_stopped_and_its_result_not_kept(
    queued_run, settings, monkeypatch
):
    """A run stuck in a loop or a wait keeps beating; its kind's run limit still closes it."""
    seen: list[object] = []

    def stuck(**kwargs):
        run = ForecastRun.objects.get(pk=queued_run.pk)
        # It was claimed an hour more ago than the limit allows, and it beats still.
        claimed = time.time() - settings.JOB_MAX_RUN_S - 3600
        background._kv_put(background._started_key("forecast-run", run.pk), claimed)
        background.beat("forecast-run", run.pk)
        seen.append(background.sweep())
        seen.append(background.superseded())
        seen.append(forecasting._store(run, []).status)

    monkeypatch.setattr(forecasting, "forecast_run_execute", stuck)
    run_forecast(queued_run.pk)
    assert seen[0] == {"stopped": 1}
    assert seen[1] is True, "the stuck run learns it must keep nothing"
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.FAILED
    assert "longest this kind of job may take" in queued_run.error
    assert f"{settings.JOB_MAX_RUN_S // 60} min" in queued_run.error
    entry = AuditEntry.objects.get(action="job-failed", object_id=str(queued_run.pk))
    assert "longest" in entry.detail["reason"]


def test_a_run_within_its_limit_is_left_alone(queued_run, settings, no_queue):
    background.claim(FORECAST_RUN, queued_run.pk)
    background.beat("forecast-run", queued_run.pk)
    assert background.sweep(now=time.time() + min(settings.JOB_STALE_S - 5, 10)) == {}
    queued_run.refresh_from_db()
    assert queued_run.status == RunStatus.RUNNING


def test_each_kind_may_set_its_own_run_limit(settings):
    settings.JOB_MAX_RUN_S = 7200
    assert FORECAST_RUN.run_limit_s == 7200
    assert (
        background.JobKind(
            name="x",
            label="x",
            model="forecasting.ForecastRun",
            task=None,
            resource="",
            max_run_s=60,
        ).run_limit_s
        == 60
    )
