from django.apps import AppConfig

from bluebox.core.roles import Resource


class AlertsConfig(AppConfig):
    name = "bluebox.alerts"
    label = "alerts"
    verbose_name = "Community alert network"
    nav_url_name = "alert-board"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.ALERT,)

    def ready(self) -> None:
        from bluebox.core.roles import Resource, Role, register_policy, rule

        # Alerts are triaged where they land: a reporter sees and handles alerts placed at
        # their site; analysts and commanders the whole mission. A caller's number needs the
        # SOURCE compartment on top (checked by access.reveal).
        register_policy(
            Resource.ALERT,
            {
                "view": rule(Role.REPORTER, Role.ANALYST, Role.COMMANDER, Role.SOURCE_HANDLER),
                "triage": rule(Role.REPORTER, Role.ANALYST, Role.COMMANDER),
                "forward": rule(Role.ANALYST, Role.COMMANDER),
                "configure": rule(Role.COMMANDER),
                "reveal_caller": rule(Role.SOURCE_HANDLER, Role.ANALYST, Role.COMMANDER),
            },
        )
        register_policy(
            Resource.CAP_ALERT,
            {
                "view": rule(
                    Role.REPORTER,
                    Role.ANALYST,
                    Role.PLANNER,
                    Role.COMMANDER,
                    Role.SOURCE_HANDLER,
                    mission_wide=True,
                ),
                "draft": rule(Role.ANALYST, Role.COMMANDER),
                "publish": rule(Role.ANALYST, Role.COMMANDER),
            },
        )
        from bluebox.alerts import (
            services,
            tasks,  # noqa: F401  (registers the periodic escalation)
        )
        from bluebox.core import providers

        # An alert converted into an incident follows it when the incident is merged into
        # another (incidents may not import alerts).
        providers.on_incident_merge("alerts", services.alerts_follow_incident)
