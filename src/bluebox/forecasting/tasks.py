"""Background work: one forecast run (progress is written on the run as it goes), and the nightly
forecast of every mission with field sites. Runs are claimed, beat and swept (core.background)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bluebox.core import background
from bluebox.forecasting import jobs
from bluebox.forecasting.models import RunStatus, RunTrigger
from bluebox.missions.models import Mission


@db_task()
def run_forecast(run_id: int) -> None:
    with background.running(FORECAST_RUN, run_id) as claimed:
        if claimed:
            jobs.forecast_run_execute(run_id=run_id)


FORECAST_RUN = background.register(
    background.JobKind(
        name="forecast-run",
        label=_("Forecast runs"),
        model="forecasting.ForecastRun",
        task=run_forecast,
        resource="forecast_run",
        queued=RunStatus.QUEUED,
        running=RunStatus.RUNNING,
        failed=RunStatus.FAILED,
        claim_fields=lambda now: {"progress_message": "Starting"},
    )
)


@db_periodic_task(crontab(hour="2", minute="15"))
def nightly_forecasts() -> None:
    """Forecast each mission that has field sites, one run after the other."""
    for mission_id in (
        Mission.objects.filter(sites__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        run = jobs.forecast_run_schedule(mission_id=mission_id, trigger=RunTrigger.NIGHTLY)
        with background.running(FORECAST_RUN, run.pk) as claimed:
            if claimed:
                jobs.forecast_run_execute(run_id=run.pk)
