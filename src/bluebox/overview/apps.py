from django.apps import AppConfig

from bluebox.core.roles import Resource


class OverviewConfig(AppConfig):
    """The top of the house: what spans every domain (the mission dashboard, the demo mission).

    Nothing below imports it; it may import any domain app (see docs/architecture.md).
    """

    name = "bluebox.overview"
    label = "overview"
    verbose_name = "Mission overview"
    nav_url_name = "dashboard"
    # Shown in the menu to people who may view any of these.
    nav_resources = (Resource.MISSION,)
