from django.apps import AppConfig

from bluebox.core.roles import Resource


class ForecastingConfig(AppConfig):
    name = "bluebox.forecasting"
    label = "forecasting"
    verbose_name = "Early warning"
    nav_url_name = "forecast-index"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.FORECAST,)

    def ready(self) -> None:
        from bluebox.core.roles import Resource, Role, register_policy, rule

        # A run's metadata (when, which model, progress) is shown to everyone who reads the
        # risk map; starting one needs a mission-wide analyst or commander, because the model
        # reads every incident of the mission. Area rows are scoped: a reporter sees the cells
        # of their own site, a sector analyst their sector's. Partners and human rights
        # officers see nothing here unless it is shared with them.
        register_policy(
            Resource.FORECAST_RUN,
            {
                "view": rule(
                    Role.REPORTER, Role.ANALYST, Role.PLANNER, Role.COMMANDER, mission_wide=True
                ),
                "run": rule(Role.ANALYST, Role.COMMANDER),
            },
        )
        register_policy(
            Resource.FORECAST,
            {
                "view": rule(Role.REPORTER, Role.ANALYST, Role.PLANNER, Role.COMMANDER),
                "review": rule(Role.ANALYST, Role.COMMANDER),
            },
        )
        from bluebox.core import providers
        from bluebox.forecasting import (
            selectors,
            tasks,  # noqa: F401  (registers the huey tasks)
        )

        # Deployment plans read the forecast's risk per site through core (same layer).
        providers.provide_site_risk(selectors.site_risk)
