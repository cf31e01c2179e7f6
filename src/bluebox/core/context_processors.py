"""Navigation shared by every page: modules, and whether each is available yet."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

MODULES = [
    ("dashboard", _("Dashboard"), "dashboard"),
    ("incidents", _("Incidents"), "incident-list"),
    ("alerts", _("Community alerts"), None),
    ("forecast", _("Early warning"), None),
    ("deployment", _("Deployment"), None),
    ("patrols", _("Patrols"), None),
    ("detention", _("Detention"), None),
    ("hrddp", _("HRDDP"), None),
    ("engagement", _("Engagement"), None),
    ("assessment", _("Assessment"), None),
    ("guide", _("Field guide"), None),
    ("sharing", _("Sharing"), None),
    ("audit", _("Audit trail"), "audit-log"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_modules": MODULES}
