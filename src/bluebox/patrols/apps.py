from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    name = "bluebox.patrols"
    label = "patrols"
    verbose_name = "Patrol planning and records"
