from django.apps import AppConfig

from bluebox.core.roles import Resource


class DeploymentConfig(AppConfig):
    name = "bluebox.deployment"
    label = "deployment"
    verbose_name = "Force and deployment"
    nav_url_name = "deployment-board"
    # Shown in the menu to people who may view any of these.
    nav_resources = (
        Resource.FORCE,
        Resource.DEPLOYMENT_PLAN,
    )

    def ready(self) -> None:
        from bluebox.core import labels
        from bluebox.core.roles import Resource, Role, register_policy, rule
        from bluebox.deployment.models import CaveatKind

        labels.register("caveat", CaveatKind)

        # Force records ("force") are in core's policy. Plans are operational: only holders of
        # a mission-level role see them (a mission plan places every sector's units), planners
        # propose and explore what-ifs, commanders alone approve or return.
        register_policy(
            Resource.DEPLOYMENT_PLAN,
            {
                "view": rule(Role.PLANNER, Role.COMMANDER, Role.ANALYST),
                "propose": rule(Role.PLANNER, Role.COMMANDER),
                "whatif": rule(Role.PLANNER, Role.COMMANDER),
                "approve": rule(Role.COMMANDER),
                "void": rule(Role.PLANNER, Role.COMMANDER),
            },
        )
        from bluebox.deployment import tasks  # noqa: F401  (registers the huey tasks)
