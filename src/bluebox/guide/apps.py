from django.apps import AppConfig

from bluebox.core.roles import Resource


class GuideConfig(AppConfig):
    name = "bluebox.guide"
    label = "guide"
    verbose_name = "Field guide"
    nav_url_name = "guide-answer"
    # Shown in the menu to people who may read the rules.
    nav_resources = (Resource.GUIDE,)

    def ready(self) -> None:
        from bluebox.core import labels
        from bluebox.core.roles import Resource, Role, register_policy, rule
        from bluebox.guide.models import Threat

        # The registers the rules gate record the threat level the officer stated.
        labels.register("threat", Threat)
        # Incidents sit below the guide: their primacy handover asks the rules through core.
        from bluebox.core import providers
        from bluebox.guide import services

        providers.provide_primacy_rules(services.primacy_rules)

        # The rules are the mission's law, not operational content: everyone who acts in the
        # mission reads them and the administrator who sets the mission up loads them. Partner
        # liaisons and auditors are outside (they see what is shared with them, or the trail).
        readers = (
            Role.REPORTER,
            Role.ANALYST,
            Role.PLANNER,
            Role.COMMANDER,
            Role.SOURCE_HANDLER,
            Role.DETENTION_OFFICER,
            Role.HRDDP_OFFICER,
            Role.COMMUNITY_OFFICER,
            Role.HUMAN_RIGHTS,
            Role.ADMIN,
        )
        register_policy(
            Resource.GUIDE,
            {
                "view": rule(*readers, mission_wide=True),
                # A new mandate or SOP version is proposed by a commander or the administrator,
                # and takes effect only when a commander (not the proposer) approves it.
                "propose": rule(Role.COMMANDER, Role.ADMIN, mission_wide=True),
                "approve": rule(Role.COMMANDER, mission_wide=True),
            },
        )
        register_policy(
            Resource.GUIDE_OVERRIDE,
            {
                # Acting where the rules refuse is the commander's decision alone, in writing.
                "view": rule(Role.COMMANDER, mission_wide=True),
                "override": rule(Role.COMMANDER, mission_wide=True),
            },
        )
