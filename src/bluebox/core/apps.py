from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bluebox.core"
    label = "core"
    verbose_name = "Core: accounts, authorization, audit"
    nav_url_name = "audit-log"
