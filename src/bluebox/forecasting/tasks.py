"""Background work: one forecast run (progress is written on the run as it goes), and the nightly
forecast of every mission with field sites."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bluebox.forecasting import jobs
from bluebox.forecasting.models import RunTrigger
from bluebox.missions.models import Mission


@db_task(retries=1, retry_delay=30)
def run_forecast(run_id: int) -> None:
    jobs.forecast_run_execute(run_id=run_id)


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
        jobs.forecast_run_execute(run_id=run.pk)
