from django.apps import AppConfig

from bluebox.core.roles import Resource


class DetentionConfig(AppConfig):
    name = "bluebox.detention"
    label = "detention"
    verbose_name = "Detention and handover"
    nav_url_name = "custody-board"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.DETENTION,)

    def ready(self) -> None:
        from bluebox.core.roles import Resource, Role, register_policy, rule

        register_policy(
            Resource.DETENTION,
            {
                # The register (pseudonyms, clocks, legal basis) is read by the custody focal
                # point, commanders, analysts, and reporters at the site where it happened;
                # identities need the DETENTION compartment on top (see access.reveal).
                "view": rule(Role.DETENTION_OFFICER, Role.COMMANDER, Role.ANALYST, Role.REPORTER),
                "create": rule(Role.DETENTION_OFFICER, Role.COMMANDER),
                "manage": rule(Role.DETENTION_OFFICER, Role.COMMANDER),
                "override": rule(Role.COMMANDER),
                "void": rule(Role.DETENTION_OFFICER, Role.COMMANDER),
                # Any viewer may ask; only a DETENTION compartment holder is answered.
                "reveal": rule(Role.DETENTION_OFFICER, Role.COMMANDER, Role.ANALYST, Role.REPORTER),
            },
        )
        register_policy(
            Resource.DETENTION_NOTIFICATION,
            {"view": rule(Role.DETENTION_OFFICER, Role.COMMANDER, mission_wide=True)},
        )
