from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "bluebox.missions"
    label = "missions"
    verbose_name = "Mission model"

    def ready(self) -> None:
        from bluebox.core import labels
        from bluebox.missions.models import SiteKind

        labels.register("site_kind", SiteKind)
