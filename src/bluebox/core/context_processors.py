"""Navigation shared by every page: modules, and whether each is available yet.

A domain app makes its module available by setting ``nav_url_name`` on its ``AppConfig``;
until then the module is listed as coming.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

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
    ("audit", _("Audit trail"), "core"),
]


def _url_name(app_label: str) -> str | None:
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return None
    return getattr(config, "nav_url_name", None)


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_modules": [(key, label, _url_name(app)) for key, label, app in MODULES]}
