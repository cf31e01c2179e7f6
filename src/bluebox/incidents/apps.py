from django.apps import AppConfig

from bluebox.core.roles import Resource


class IncidentsConfig(AppConfig):
    name = "bluebox.incidents"
    label = "incidents"
    verbose_name = "Incidents and threats"
    nav_url_name = "incident-list"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.INCIDENT,)

    def ready(self) -> None:
        from bluebox.core import labels
        from bluebox.core.roles import Resource, Role, register_policy, rule
        from bluebox.incidents.models import IncidentType, PerpetratorCategory

        labels.register("incident_type", IncidentType)
        labels.register("perpetrator", PerpetratorCategory)

        # Workflow steps on an incident the person already sees ("incident" view rules live
        # in core). Imports load whole published datasets into a mission.
        register_policy(
            Resource.INCIDENT_WORKFLOW,
            {
                "respond": rule(Role.REPORTER, Role.ANALYST, Role.COMMANDER),
                "close": rule(Role.ANALYST, Role.COMMANDER),
                "link": rule(Role.ANALYST, Role.COMMANDER),
                "merge": rule(Role.ANALYST, Role.COMMANDER),
                "handover": rule(Role.COMMANDER),
                "import": rule(Role.ANALYST, Role.COMMANDER),
            },
        )
        # Protected people: the record (pseudonym) follows incident visibility; the identity
        # needs the compartment on top (checked by access.reveal).
        register_policy(
            Resource.PROTECTED_PERSON,
            {
                "view": rule(
                    Role.REPORTER,
                    Role.ANALYST,
                    Role.PLANNER,
                    Role.COMMANDER,
                    Role.SOURCE_HANDLER,
                    Role.DETENTION_OFFICER,
                    Role.HRDDP_OFFICER,
                ),
                "create": rule(Role.REPORTER, Role.ANALYST, Role.COMMANDER, Role.SOURCE_HANDLER),
                "reveal": rule(Role.ANALYST, Role.COMMANDER, Role.SOURCE_HANDLER, Role.REPORTER),
            },
        )
        from bluebox.incidents import tasks  # noqa: F401  (registers the import tasks)
        from bluebox.incidents.primacy import PrimacyRules
        from bluebox.missions.definition import register_settings_validator

        # Mission definitions name primacy rules; a bad one is refused when the file is read.
        register_settings_validator("primacy_rules", PrimacyRules.from_settings)
