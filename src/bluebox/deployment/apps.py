from django.apps import AppConfig


class DeploymentConfig(AppConfig):
    name = "bluebox.deployment"
    label = "deployment"
    verbose_name = "Force and deployment"
