from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """The top of the house: what spans every domain (the mission dashboard, the demo mission).

    Nothing below imports it; it may import any domain app (see docs/architecture.md).
    """

    name = "bluebox.overview"
    label = "overview"
    verbose_name = "Mission overview"
    nav_url_name = "dashboard"
