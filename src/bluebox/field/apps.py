from django.apps import AppConfig

from bluebox.core.roles import Resource


class FieldConfig(AppConfig):
    name = "bluebox.field"
    label = "field"
    verbose_name = "Offline field reporting"
    nav_url_name = "field-app"
    # Listed for people who may file an incident or record a patrol somewhere.
    nav_resources = (Resource.INCIDENT, Resource.PATROL)
    nav_actions = {Resource.INCIDENT: "create", Resource.PATROL: "record"}
