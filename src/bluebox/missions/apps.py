from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "bluebox.missions"
    label = "missions"
    verbose_name = "Mission model"
