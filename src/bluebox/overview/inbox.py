"""The task inbox on each person's home page: what is waiting for them, each item a link.

Every count comes from the owning app's selectors, so it holds only records the person may see,
and an item appears only to those who may act on it (verify, approve, publish...). The inbox
reads; it never writes, and it does not audit the records it counts (the pages it links to do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bluebox.alerts import selectors as alert_selectors
from bluebox.alerts.models import CapAlert
from bluebox.core import access
from bluebox.core import selectors as core_selectors
from bluebox.core.roles import Resource
from bluebox.deployment import selectors as deployment_selectors
from bluebox.deployment.models import PlanStatus
from bluebox.detention import selectors as detention_selectors
from bluebox.engagement import selectors as engagement_selectors
from bluebox.hrddp import selectors as hrddp_selectors
from bluebox.incidents import selectors as incident_selectors
from bluebox.incidents.models import IncidentStatus
from bluebox.sharing import selectors as sharing_selectors

#: A custody clock this close to its handover target is in the inbox before it is late.
CUSTODY_WARNING = timedelta(hours=6)
#: HRDDP reviews and expiries due within this many days are in the inbox.
HRDDP_HORIZON_DAYS = 14


@dataclass(frozen=True)
class InboxItem:
    key: str
    text: str
    count: int
    url: str
    urgent: bool = False


def _may(user: Any, resource: Resource, action: str) -> bool:
    return bool(access.grants(user, resource, action))


def inbox_for(*, user: Any, now: datetime) -> list[InboxItem]:
    """What waits for ``user`` at ``now``, most urgent first; empty when nothing does."""
    items = [
        *_custody(user, now),
        *_alerts(user, now),
        *_plans(user),
        *_warnings(user),
        *_incidents(user),
        *_hrddp(user, now),
        *_sharing(user, now),
        *_engagement(user, now),
        *_reveal_alerts(user),
        *_downgrades(user, now),
    ]
    return sorted(items, key=lambda item: not item.urgent)


def _custody(user: Any, now: datetime) -> list[InboxItem]:
    if not _may(user, Resource.DETENTION, "manage"):
        return []
    rows = detention_selectors.board(user, now)
    late = sum(1 for r in rows if r.clock.target_breached or r.clock.limit_breached)
    near = sum(
        1
        for r in rows
        if not (r.clock.target_breached or r.clock.limit_breached)
        and r.clock.to_target <= CUSTODY_WARNING
    )
    url = reverse("custody-board")
    items = []
    if late:
        text = ngettext(
            "%(n)d person held past the handover deadline",
            "%(n)d people held past the handover deadline",
            late,
        ) % {"n": late}
        items.append(InboxItem("custody-late", text, late, url, urgent=True))
    if near:
        text = ngettext(
            "%(n)d custody clock within 6 hours of its handover target",
            "%(n)d custody clocks within 6 hours of their handover target",
            near,
        ) % {"n": near}
        items.append(InboxItem("custody-near", text, near, url, urgent=True))
    return items


def _alerts(user: Any, now: datetime) -> list[InboxItem]:
    if not _may(user, Resource.ALERT, "triage"):
        return []
    overdue = sum(1 for _alert, clock in alert_selectors.board(user, now) if clock.overdue)
    if not overdue:
        return []
    text = ngettext(
        "%(n)d community alert past its clock", "%(n)d community alerts past their clocks", overdue
    ) % {"n": overdue}
    return [InboxItem("alerts-overdue", text, overdue, reverse("alert-board"), urgent=True)]


def _plans(user: Any) -> list[InboxItem]:
    if not _may(user, Resource.DEPLOYMENT_PLAN, "approve"):
        return []
    waiting = deployment_selectors.plans_for(user).filter(status=PlanStatus.PROPOSED).count()
    if not waiting:
        return []
    text = ngettext(
        "%(n)d deployment plan to approve", "%(n)d deployment plans to approve", waiting
    ) % {"n": waiting}
    return [InboxItem("plans", text, waiting, reverse("deployment-board"))]


def _warnings(user: Any) -> list[InboxItem]:
    if not _may(user, Resource.CAP_ALERT, "publish"):
        return []
    drafts = alert_selectors.caps_for(user).filter(state=CapAlert.State.DRAFT).count()
    if not drafts:
        return []
    text = ngettext(
        "%(n)d early-warning draft to review", "%(n)d early-warning drafts to review", drafts
    ) % {"n": drafts}
    return [InboxItem("cap-drafts", text, drafts, reverse("cap-list"))]


def _incidents(user: Any) -> list[InboxItem]:
    if not _may(user, Resource.INCIDENT, "verify"):
        return []
    filters = incident_selectors.IncidentFilters(status=IncidentStatus.REPORTED)
    waiting = incident_selectors.incidents_for(user, filters).count()
    if not waiting:
        return []
    text = ngettext(
        "%(n)d incident report to verify", "%(n)d incident reports to verify", waiting
    ) % {"n": waiting}
    url = f"{reverse('incident-list')}?status={IncidentStatus.REPORTED}"
    return [InboxItem("incidents", text, waiting, url)]


def _hrddp(user: Any, now: datetime) -> list[InboxItem]:
    if not _may(user, Resource.HRDDP, "assess"):
        return []
    due = hrddp_selectors.calendar(user, now.date(), HRDDP_HORIZON_DAYS)
    overdue = sum(1 for item in due if item.overdue)
    if not due:
        return []
    if overdue:
        text = _("%(n)d HRDDP reviews or mitigations overdue, %(m)d due within 14 days") % {
            "n": overdue,
            "m": len(due) - overdue,
        }
    else:
        text = ngettext(
            "%(n)d HRDDP review due within 14 days",
            "%(n)d HRDDP reviews due within 14 days",
            len(due),
        ) % {"n": len(due)}
    return [InboxItem("hrddp", text, len(due), reverse("hrddp-calendar"), urgent=bool(overdue))]


#: An agreement this close to its expiry is urgent in its parties' inboxes.
SHARING_URGENT = timedelta(days=3)


def _sharing(user: Any, now: datetime) -> list[InboxItem]:
    """Agreements awaiting the commander's approval; agreements about to expire, for both the
    police side that keeps them and the recipients who read under them."""
    items = []
    url = reverse("sharing-home")
    awaiting = sharing_selectors.awaiting_approval(user).count()
    if awaiting:
        text = ngettext(
            "%(n)d sharing agreement awaits your approval",
            "%(n)d sharing agreements await your approval",
            awaiting,
        ) % {"n": awaiting}
        items.append(InboxItem("sharing-approve", text, awaiting, url))
    expiring = sharing_selectors.expiring(user, now)
    if expiring:
        text = ngettext(
            "%(n)d sharing agreement expires within 14 days",
            "%(n)d sharing agreements expire within 14 days",
            len(expiring),
        ) % {"n": len(expiring)}
        urgent = any(a.expires_at - now <= SHARING_URGENT for a in expiring)
        items.append(InboxItem("sharing-expiry", text, len(expiring), url, urgent=urgent))
    return items


def _engagement(user: Any, now: datetime) -> list[InboxItem]:
    """Commitments past their due date (for the engagement team and commanders), protection
    plan measures due for review, and the person's own unread notices (follow-up of the
    commitments they follow, suspended certificates)."""
    items = []
    if _may(user, Resource.ENGAGEMENT, "follow_up"):
        overdue = engagement_selectors.overdue_count(user, now)
        if overdue:
            text = ngettext(
                "%(n)d dialogue commitment past its due date",
                "%(n)d dialogue commitments past their due date",
                overdue,
            ) % {"n": overdue}
            url = f"{reverse('engagement-commitments')}?overdue=1"
            items.append(InboxItem("commitments-overdue", text, overdue, url, urgent=True))
        due = engagement_selectors.measures_due(user, now.date(), HRDDP_HORIZON_DAYS).count()
        if due:
            text = ngettext(
                "%(n)d protection plan measure due for review",
                "%(n)d protection plan measures due for review",
                due,
            ) % {"n": due}
            items.append(InboxItem("plan-reviews", text, due, reverse("engagement-home")))
    unread = engagement_selectors.unread_count(user)
    if unread:
        text = ngettext(
            "%(n)d engagement notice (commitments you follow, certificates)",
            "%(n)d engagement notices (commitments you follow, certificates)",
            unread,
        ) % {"n": unread}
        items.append(InboxItem("engagement-notices", text, unread, reverse("engagement-notices")))
    return items


def _reveal_alerts(user: Any) -> list[InboxItem]:
    if not _may(user, Resource.REVEAL_ALERT, "acknowledge"):
        return []
    waiting = core_selectors.reveal_alerts_for(user, open_only=True).count()
    if not waiting:
        return []
    text = ngettext(
        "%(n)d person revealed more identities than the mission allows",
        "%(n)d alerts: people revealed more identities than the mission allows",
        waiting,
    ) % {"n": waiting}
    return [InboxItem("reveal-alerts", text, waiting, reverse("reveal-alerts"), urgent=True)]


def _downgrades(user: Any, now: datetime) -> list[InboxItem]:
    """Requests to lower a record's marking that this person may decide (never their own)."""
    if not _may(user, Resource.DOWNGRADE, "approve"):
        return []
    waiting = core_selectors.downgrades_to_decide(user, now).count()
    if not waiting:
        return []
    text = ngettext(
        "%(n)d request to lower a classification awaits your decision",
        "%(n)d requests to lower a classification await your decision",
        waiting,
    ) % {"n": waiting}
    return [InboxItem("downgrades", text, waiting, reverse("downgrade-queue"))]
