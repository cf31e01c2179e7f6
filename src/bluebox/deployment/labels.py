"""Force records in words: what a caveat means, said as a planner would say it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bluebox.deployment.models import Caveat, CaveatKind
from bluebox.missions.models import SiteKind

#: The tasks a site asks for and a caveat may exclude (``adapter.TASKS``), in words.
TASK_LABELS: Mapping[str, Any] = {
    "camp_security": gettext_lazy("camp security"),
    "crowd_control": gettext_lazy("crowd control"),
    "detention": gettext_lazy("detention"),
    "joint_patrol": gettext_lazy("joint patrols with the host-state police"),
    "patrol": gettext_lazy("patrols"),
}


def task_label(task: str) -> str:
    return str(TASK_LABELS.get(task, task.replace("_", " ")))


def _listed(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def caveat_sentence(caveat: Caveat, site_names: Mapping[str, str]) -> str:
    """One sentence a commander can read: who is restricted, and from what.

    ``site_names`` maps the mission's site codes to their names (a code no longer in the
    mission is shown as it is, so a stale caveat is visible rather than hidden).
    """
    who = (
        _("%(unit)s (%(country)s)") % {"unit": caveat.unit.name, "country": caveat.country.name}
        if caveat.unit_id and caveat.unit is not None
        else _("Officers from %(country)s") % {"country": caveat.country.name}
    )
    p = caveat.parameters or {}
    if caveat.kind == CaveatKind.EXCLUDED_SITES:
        sites = [site_names.get(code, code) for code in p.get("sites", [])]
        return _("%(who)s may not be deployed to %(sites)s.") % {
            "who": who,
            "sites": _listed(sites),
        }
    if caveat.kind == CaveatKind.EXCLUDED_SITE_KINDS:
        kinds = [
            str(SiteKind(k).label) if k in SiteKind.values else k for k in p.get("site_kinds", [])
        ]
        return _("%(who)s may not be deployed to any %(kinds)s.") % {
            "who": who,
            "kinds": _listed([k.lower() for k in kinds]),
        }
    if caveat.kind == CaveatKind.NO_OVERNIGHT_OUTSIDE_BASE:
        return _("%(who)s may not spend the night outside a base.") % {"who": who}
    if caveat.kind == CaveatKind.EXCLUDED_TASKS:
        tasks = [task_label(t) for t in p.get("tasks", [])]
        return _("%(who)s may not be given %(tasks)s.") % {"who": who, "tasks": _listed(tasks)}
    if caveat.kind == CaveatKind.CAPITAL_APPROVAL:
        days = int(p.get("delay_days", caveat.country.capital_approval_delay_days))
        return ngettext(
            "%(who)s may be redeployed only with their capital's approval, which takes "
            "%(days)d day.",
            "%(who)s may be redeployed only with their capital's approval, which takes "
            "%(days)d days.",
            days,
        ) % {"who": who, "days": days}
    return str(caveat.get_kind_display())
