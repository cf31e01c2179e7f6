from django.apps import AppConfig

from bluebox.core.roles import Resource


class AssessmentConfig(AppConfig):
    name = "bluebox.assessment"
    label = "assessment"
    verbose_name = "Assessment"
    nav_url_name = "assessment-forms"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.SURVEY, Resource.SURVEY_RESPONSE, Resource.INDICATOR)

    def ready(self) -> None:
        from bluebox.core.roles import Resource, Role, register_policy, rule

        register_policy(
            Resource.SURVEY,
            {
                # The questionnaires: whoever collects or reads the answers needs to see them.
                "view": rule(
                    Role.REPORTER, Role.ANALYST, Role.PLANNER, Role.COMMANDER, mission_wide=True
                ),
                # Uploading, assigning and closing forms: mission-level analysts and commanders.
                "manage": rule(Role.ANALYST, Role.COMMANDER),
            },
        )
        register_policy(
            Resource.SURVEY_RESPONSE,
            {
                # Answers are read where they were collected, like incidents.
                "view": rule(Role.ANALYST, Role.PLANNER, Role.COMMANDER),
                # Collecting in one's own scope: a reporter at a site sends that site's answers.
                "create": rule(Role.REPORTER, Role.ANALYST, Role.COMMANDER),
                "edit": rule(Role.ANALYST, Role.COMMANDER),
                "void": rule(Role.ANALYST, Role.COMMANDER),
            },
        )
        register_policy(
            Resource.INDICATOR,
            {
                # Definitions are mission-wide; a computed value is shown only to those cleared
                # for the records it was computed from (its DerivedRecord label).
                "view": rule(Role.ANALYST, Role.PLANNER, Role.COMMANDER, mission_wide=True),
                "manage": rule(Role.ANALYST, Role.COMMANDER),
                "compute": rule(Role.ANALYST, Role.COMMANDER),
            },
        )
