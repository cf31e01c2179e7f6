from django.apps import AppConfig

from bluebox.core.roles import SHARED, Resource


class SharingConfig(AppConfig):
    name = "bluebox.sharing"
    label = "sharing"
    verbose_name = "Controlled sharing"
    nav_url_name = "sharing-home"
    # In the menu of those who keep agreements, and of those who hold a live one (a recipient
    # role alone shows nothing: only an agreement shares anything).
    nav_resources = (Resource.SHARING, Resource.INCIDENT)
    nav_actions = {Resource.INCIDENT: SHARED}

    def ready(self) -> None:
        from bluebox.core.roles import Resource, Role, register_policy, rule

        register_policy(
            Resource.SHARING,
            {
                # The police component's own side: who reads the agreements, their parties and
                # who saw what under them (any analyst or commander of the mission). An
                # agreement spans the mission, so it is proposed by a mission-wide analyst or
                # commander and approved, refused or revoked by a mission-wide commander.
                "view": rule(Role.COMMANDER, Role.ANALYST, mission_wide=True),
                "propose": rule(Role.COMMANDER, Role.ANALYST),
                "approve": rule(Role.COMMANDER),
            },
        )
