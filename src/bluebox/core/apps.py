from django.apps import AppConfig

from bluebox.core.roles import Resource


class CoreConfig(AppConfig):
    name = "bluebox.core"
    label = "core"
    verbose_name = "Core: accounts, authorization, audit"
    nav_url_name = "audit-log"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.AUDIT,)
