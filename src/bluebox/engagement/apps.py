from django.apps import AppConfig

from bluebox.core.roles import Resource


class EngagementConfig(AppConfig):
    name = "bluebox.engagement"
    label = "engagement"
    verbose_name = "Engagement"
    nav_url_name = "engagement-home"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.ENGAGEMENT, Resource.TRAINING)

    def ready(self) -> None:
        from bluebox.core.roles import Resource, Role, register_policy, rule

        register_policy(
            Resource.ENGAGEMENT,
            {
                # Dialogues, sessions, commitments, committees and plans are read where the
                # community is: a community policing officer at a site reads that site's;
                # analysts and planners read them to check problems against their data.
                "view": rule(Role.COMMUNITY_OFFICER, Role.COMMANDER, Role.ANALYST, Role.PLANNER),
                # The engagement team runs them.
                "manage": rule(Role.COMMUNITY_OFFICER, Role.COMMANDER),
                "follow_up": rule(Role.COMMUNITY_OFFICER, Role.COMMANDER),
                "void": rule(Role.COMMUNITY_OFFICER, Role.COMMANDER),
                # A participant's or committee member's name and phone: the engagement team
                # only, with a stated purpose (access.reveal), never anyone else.
                "reveal_contact": rule(Role.COMMUNITY_OFFICER, Role.COMMANDER),
            },
        )
        register_policy(
            Resource.TRAINING,
            {
                # Courses for host-state police are the mission's: read by those who plan
                # support to host-state units and by the HRDDP focal point.
                "view": rule(
                    Role.COMMUNITY_OFFICER,
                    Role.COMMANDER,
                    Role.HRDDP_OFFICER,
                    Role.PLANNER,
                    mission_wide=True,
                ),
                "manage": rule(Role.COMMUNITY_OFFICER, Role.COMMANDER, mission_wide=True),
            },
        )
        from bluebox.engagement import tasks  # noqa: F401  (registers the periodic sweeps)
