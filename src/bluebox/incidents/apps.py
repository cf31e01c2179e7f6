from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "bluebox.incidents"
    label = "incidents"
    verbose_name = "Incidents and threats"
    nav_url_name = "incident-list"
