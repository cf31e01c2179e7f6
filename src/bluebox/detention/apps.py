from django.apps import AppConfig


class DetentionConfig(AppConfig):
    name = "bluebox.detention"
    label = "detention"
    verbose_name = "Detention and handover"
