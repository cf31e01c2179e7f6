from django.apps import AppConfig

from bluebox.core.roles import Resource


class PatrolsConfig(AppConfig):
    name = "bluebox.patrols"
    label = "patrols"
    verbose_name = "Patrol planning and records"
    nav_url_name = "patrol-index"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.PATROL,)

    def ready(self) -> None:
        from bluebox.core import labels
        from bluebox.core.roles import Resource, Role, register_policy, rule
        from bluebox.patrols.models import Shift

        labels.register("shift", Shift)

        # Planners and commanders plan and approve; reporters at a site see its calendar and
        # orders and record executed patrols; analysts read. Sector and site holders see only
        # their own scope: a schedule is operational content.
        register_policy(
            Resource.PATROL,
            {
                "view": rule(Role.REPORTER, Role.ANALYST, Role.PLANNER, Role.COMMANDER),
                "plan": rule(Role.PLANNER, Role.COMMANDER),
                "approve": rule(Role.PLANNER, Role.COMMANDER),
                "record": rule(Role.REPORTER, Role.PLANNER, Role.COMMANDER),
                "void": rule(Role.PLANNER, Role.COMMANDER),
            },
        )
        from bluebox.core import providers
        from bluebox.patrols import (
            services,
            tasks,  # noqa: F401  (registers the huey task)
        )

        # An approved deployment plan forms the patrol teams of every site it staffs; the
        # approval calls this through core (deployment may not import patrols).
        providers.on_plan_approved(services.patrol_teams_form)
