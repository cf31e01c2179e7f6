from django.apps import AppConfig

from bluebox.core.roles import Resource


class HrddpConfig(AppConfig):
    name = "bluebox.hrddp"
    label = "hrddp"
    verbose_name = "Human rights due diligence"
    nav_url_name = "hrddp-units"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.HRDDP,)

    def ready(self) -> None:
        from bluebox.core import labels
        from bluebox.core.roles import SHARED, Resource, Role, register_policy, rule
        from bluebox.hrddp.models import Activity

        labels.register("activity", Activity)

        register_policy(
            Resource.HRDDP,
            {
                # Assessments and decisions sit in the HRDDP compartment: the focal point and
                # commanders read them; everyone else learns only what the support gate says.
                "view": rule(Role.HRDDP_OFFICER, Role.COMMANDER, mission_wide=True),
                "assess": rule(Role.HRDDP_OFFICER, Role.COMMANDER, mission_wide=True),
                "decide": rule(Role.HRDDP_OFFICER, Role.COMMANDER, mission_wide=True),
                "void": rule(Role.HRDDP_OFFICER, Role.COMMANDER, mission_wide=True),
                "override": rule(Role.COMMANDER, mission_wide=True),
                # Who may receive redacted assessments through a sharing agreement: never a
                # grant by itself, only the live agreements naming the person (core/access.py).
                SHARED: rule(Role.HUMAN_RIGHTS, mission_wide=True),
                # Planners and custody officers must learn whether support is allowed, and why.
                "gate": rule(
                    Role.HRDDP_OFFICER,
                    Role.COMMANDER,
                    Role.PLANNER,
                    Role.DETENTION_OFFICER,
                    mission_wide=True,
                ),
            },
        )
