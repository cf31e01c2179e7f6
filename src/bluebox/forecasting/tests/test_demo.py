"""On the synthetic demo mission, the forecast ranks the generator's hot sites above calm ones."""

from __future__ import annotations

from datetime import date

import pytest

from bluebox.core.models import User
from bluebox.forecasting import jobs, selectors
from bluebox.forecasting.models import AreaForecast, RunStatus
from bluebox.forecasting.tests.factories import small_settings
from bluebox.missions.models import FieldSite
from bluebox.overview.demo import load_demo

END = date(2026, 11, 29)  # a Sunday: the demo history ends with a complete week


@pytest.mark.django_db
def test_the_demo_forecast_ranks_hot_sites_above_calm_ones():
    mission = load_demo(seed=3, end=END)
    small_settings(mission, model="lightgbm", radius_km=8.0)
    run = jobs.forecast_run_schedule(mission_id=mission.pk, today=date(2026, 11, 30))
    run = jobs.forecast_run_execute(run_id=run.pk)
    assert run.status == RunStatus.DONE, run.error
    # The commissioner is served the widest variant: the one read from what they may see.
    commissioner = User.objects.get(username="commissioner")
    variant = selectors.served_variant(commissioner, run)
    assert variant is not None and variant.inputs["events"] > 2000

    def own_cell_risk(code: str) -> float:
        site = FieldSite.objects.get(mission=mission, code=code)
        nearest = (
            AreaForecast.objects.filter(variant=variant, site=site).order_by("site_km").first()
        )
        assert nearest is not None
        return nearest.probability

    calm = own_cell_risk("port-selene")
    assert own_cell_risk("korrin-camp") > calm
    assert own_cell_risk("mabe-market") > calm
