"""Navigation shared by every page: modules, and whether each is available yet.

A domain app makes its module available by setting ``nav_url_name`` on its ``AppConfig``, and
``nav_resources``: the module is listed for a person who may view any of them (or do the
action ``nav_actions`` names for a resource) (through
:mod:`bluebox.core.access`, like every other decision). Modules not built yet are not listed.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bluebox.core import access
from bluebox.core.roles import Resource

MODULES = [
    ("dashboard", _("Dashboard"), "overview"),
    ("incidents", _("Incidents"), "incidents"),
    ("alerts", _("Community alerts"), "alerts"),
    ("forecast", _("Early warning"), "forecasting"),
    ("deployment", _("Deployment"), "deployment"),
    ("patrols", _("Patrols"), "patrols"),
    ("detention", _("Detention"), "detention"),
    ("hrddp", _("HRDDP"), "hrddp"),
    ("engagement", _("Engagement"), "engagement"),
    ("assessment", _("Assessment"), "assessment"),
    ("guide", _("Field guide"), "guide"),
    ("sharing", _("Sharing"), "sharing"),
    ("field", _("Field reports"), "field"),
    ("audit", _("Audit trail"), "core"),
]

#: Pages of core's own that a role works from, listed after the modules: key, label, URL name,
#: and the resource and action the page itself requires (the same decision, so the link opens).
PAGES = [
    ("map", _("Operational picture"), "operational-picture", Resource.INCIDENT, "view"),
    ("people", _("People"), "people", Resource.ACCOUNT, "view"),
]


def _entry(user: Any, app_label: str) -> str | None:
    """The module's URL name when its app is installed and the person may use it, else None."""
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return None
    url_name = getattr(config, "nav_url_name", None)
    resources = getattr(config, "nav_resources", ())
    # The action each resource needs for the module to be listed ("view" unless the app says).
    actions = getattr(config, "nav_actions", {})
    if url_name is None or not any(
        access.grants(user, r, actions.get(r, "view")) for r in resources
    ):
        return None
    return str(url_name)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Only the modules this person can use: a menu of pages that answer "forbidden" is noise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_modules": []}
    entries = [(key, label, _entry(user, app)) for key, label, app in MODULES]
    entries += [
        (key, label, url if access.missions_for(user, resource, action) else None)
        for key, label, url, resource, action in PAGES
    ]
    return {"nav_modules": [(key, label, url) for key, label, url in entries if url]}
