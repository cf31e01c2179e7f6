from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "bluebox.missions"
    label = "missions"
    verbose_name = "Mission model"

    def ready(self) -> None:
        from bluebox.core import labels
        from bluebox.core.access import reveal_alert_setting
        from bluebox.missions.definition import register_settings_validator
        from bluebox.missions.models import SiteKind

        labels.register("site_kind", SiteKind)

        # Read by core.access when a reveal is made (docs/security.md, "Step-up before a reveal").
        register_settings_validator("reveal_alert", reveal_alert_setting)
