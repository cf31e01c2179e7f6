from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "bluebox.alerts"
    label = "alerts"
    verbose_name = "Community alert network"
