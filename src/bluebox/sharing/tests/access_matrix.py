"""Access matrix rows for the sharing endpoints (see bluebox.testing.matrix).

In the matrix world the analyst proposes, the commissioner approves, and the human rights officer
is the one recipient; nobody else is named in any agreement.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bluebox.testing.matrix import Endpoint, allowed, everyone

# Those who keep the mission's agreements (a sector's analyst reads them; proposing and
# approving need the role over the whole mission).
PROPOSERS = {"commissioner", "analyst"}
KEEPERS = PROPOSERS | {"east_analyst"}
RECIPIENTS = {"human_rights_officer", "partner"}


def _proposed(w: Any) -> None:
    from bluebox.sharing.tests.conftest import make_agreement

    w.agreement = make_agreement(w, approve=False)


def _shared(w: Any) -> None:
    from bluebox.sharing.tests.conftest import make_agreement
    from bluebox.testing.factories import IncidentFactory

    w.shared = IncidentFactory(site=w.site_a, classification=0)
    w.agreement = make_agreement(w)


def _decide(who: str) -> int:
    return 302 if who == "commissioner" else 403 if who in KEEPERS else 404


def _proposal(w: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "mission": w.mission.pk,
        "title": "Police to human rights",
        "purpose": "Monitoring of violations",
        "party": "human_rights",
        "recipients": [w.human_rights_officer.pk],
        "shared_fields": ["act", "when"],
        "max_classification": 0,
        "tlp": "amber",
        "location_resolution": 6,
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "expires_at": (now + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
    }


A = "api/v1/sharing/"
ENDPOINTS = [
    Endpoint(
        "sharing/",
        "get",
        lambda w: "/sharing/",
        allowed(KEEPERS | RECIPIENTS | {"other_commander"}, 200, 403),
        api=False,
    ),
    Endpoint(
        "sharing/new/",
        "get",
        lambda w: "/sharing/new/",
        allowed(PROPOSERS | {"other_commander"}, 200, 403),
        api=False,
    ),
    Endpoint(
        "sharing/new/",
        "post",
        lambda w: "/sharing/new/",
        # Another mission's commander may propose in their own mission only: the form refuses.
        lambda who: 302 if who in PROPOSERS else 200 if who == "other_commander" else 403,
        body=_proposal,
        api=False,
    ),
    Endpoint(
        "sharing/agreements/<int:pk>/",
        "get",
        lambda w: f"/sharing/agreements/{w.agreement.pk}/",
        allowed(KEEPERS, 200, 404),
        setup=_proposed,
        api=False,
    ),
    Endpoint(
        "sharing/agreements/<int:pk>/approve/",
        "post",
        lambda w: f"/sharing/agreements/{w.agreement.pk}/approve/",
        _decide,
        setup=_proposed,
        api=False,
    ),
    Endpoint(
        "sharing/agreements/<int:pk>/refuse/",
        "post",
        lambda w: f"/sharing/agreements/{w.agreement.pk}/refuse/",
        _decide,
        body=lambda w: {"note": "Not needed for now"},
        setup=_proposed,
        api=False,
    ),
    Endpoint(
        "sharing/agreements/<int:pk>/revoke/",
        "post",
        lambda w: f"/sharing/agreements/{w.agreement.pk}/revoke/",
        _decide,
        body=lambda w: {"reason": "Purpose fulfilled"},
        setup=_shared,
        api=False,
    ),
    # Shared HRDDP assessments: the recipient roles reach the page (empty without a live
    # agreement on assessments); everyone else is refused.
    Endpoint(
        "sharing/shared/assessments/",
        "get",
        lambda w: "/sharing/shared/assessments/",
        allowed(RECIPIENTS, 200, 403),
        setup=_shared,
        api=False,
    ),
    Endpoint(
        "sharing/shared/",
        "get",
        lambda w: "/sharing/shared/",
        allowed(RECIPIENTS, 200, 403),
        api=False,
    ),
    Endpoint(
        "sharing/shared/<int:pk>/",
        "get",
        lambda w: f"/sharing/shared/{w.shared.pk}/",
        allowed({"human_rights_officer"}, 200, 404),
        setup=_shared,
        api=False,
    ),
    Endpoint(
        "sharing/shared/export/<str:fmt>/",
        "get",
        lambda w: "/sharing/shared/export/csv/",
        allowed(RECIPIENTS, 200, 403),
        setup=_shared,
        api=False,
    ),
    Endpoint(
        "sharing/incidents/<int:pk>/disclosures/",
        "get",
        lambda w: f"/sharing/incidents/{w.shared.pk}/disclosures/",
        allowed(KEEPERS, 200, 404),
        setup=_shared,
        api=False,
    ),
    Endpoint(f"{A}agreements/", "get", lambda w: f"/{A}agreements/", everyone(200), setup=_shared),
    Endpoint(
        f"{A}agreements/<int:pk>/",
        "get",
        lambda w: f"/{A}agreements/{w.agreement.pk}/",
        allowed(KEEPERS, 200, 404),
        setup=_shared,
    ),
    Endpoint(f"{A}received/", "get", lambda w: f"/{A}received/", everyone(200), setup=_shared),
    Endpoint(f"{A}extracts/", "get", lambda w: f"/{A}extracts/", everyone(200), setup=_shared),
    Endpoint(
        f"{A}extracts/<int:pk>/",
        "get",
        lambda w: f"/{A}extracts/{w.shared.pk}/",
        allowed({"human_rights_officer"}, 200, 404),
        setup=_shared,
    ),
    Endpoint(
        f"{A}incidents/<int:pk>/disclosures/",
        "get",
        lambda w: f"/{A}incidents/{w.shared.pk}/disclosures/",
        allowed(KEEPERS, 200, 404),
        setup=_shared,
    ),
]
