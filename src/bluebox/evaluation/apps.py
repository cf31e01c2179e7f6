from django.apps import AppConfig

from bluebox.core.roles import Resource


class EvaluationConfig(AppConfig):
    name = "bluebox.evaluation"
    label = "evaluation"
    verbose_name = "Impact evaluation"
    nav_url_name = "evaluation-index"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.EVALUATION,)

    def ready(self) -> None:
        from bluebox.core.roles import Resource, Role, register_policy, rule

        # Analysts evaluate, planners and commanders read what their patrols did. Each reader
        # sees an evaluation computed from the patrols and incidents they may see themselves,
        # within their own scope; reporters read their site's patrols but not the analysis.
        # Analysts and commanders record the interventions that were not randomised (a new
        # FPU, a dialogue, a police station) so they can be evaluated.
        register_policy(
            Resource.EVALUATION,
            {
                "view": rule(Role.ANALYST, Role.PLANNER, Role.COMMANDER),
                "manage": rule(Role.ANALYST, Role.COMMANDER),
            },
        )
