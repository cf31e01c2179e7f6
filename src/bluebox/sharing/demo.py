"""Demo data for sharing: the two agreements the demo mission ships with.

Police → human rights section: incidents naming host-state forces, up to CONFIDENTIAL, every
field group, locations blurred to about 5 km², names pseudonymised, text shared (TLP:AMBER).
Police → military component: armed-group and militia activity, UNCLASSIFIED only, when, where,
act and perpetrator, locations blurred to about 250 km², names pseudonymised, text withheld
(TLP:GREEN), expiring within the warning window so the parties see the warning.

Proposed by the analyst and approved by the commissioner through the services, like any
agreement; deterministic for a given mission (times relative to ``now``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from bluebox.core.models import User
from bluebox.core.sharing import TLP, Party, SharedField
from bluebox.missions.models import Mission
from bluebox.sharing import services


def load_demo_sharing(mission: Mission, *, now: datetime | None = None) -> int:
    """Create and approve the demo's two agreements; returns how many were made."""
    now = now or timezone.now()
    analyst = User.objects.get(username="analyst")
    commissioner = User.objects.get(username="commissioner")
    human_rights = User.objects.get(username="hr.officer")
    liaison = User.objects.get(username="partner")
    terms: list[dict[str, Any]] = [
        {
            "title": "Police to human rights: violations by host-state forces",
            "purpose": (
                "Monitoring and reporting of violations by host-state security forces, and the "
                "HRDDP assessments that depend on them."
            ),
            "party": Party.HUMAN_RIGHTS,
            "recipient_ids": [human_rights.pk],
            "perpetrator_categories": ["host_state_forces"],
            "max_classification": 1,
            "tlp": TLP.AMBER,
            "shared_fields": list(SharedField.values),
            "location_resolution": 7,
            "pseudonymise_names": True,
            "withhold_text": False,
            "starts_at": now - timedelta(days=30),
            "expires_at": now + timedelta(days=150),
        },
        {
            "title": "Police to the force: armed-group activity",
            "purpose": "Force protection and the planning of joint patrols near field sites.",
            "party": Party.MILITARY,
            "recipient_ids": [liaison.pk],
            "perpetrator_categories": ["armed_group", "militia"],
            "max_classification": 0,
            "tlp": TLP.GREEN,
            "shared_fields": [
                SharedField.WHEN,
                SharedField.WHERE,
                SharedField.ACT,
                SharedField.PERPETRATOR,
            ],
            "location_resolution": 5,
            "pseudonymise_names": True,
            "withhold_text": True,
            "starts_at": now - timedelta(days=60),
            "expires_at": now + timedelta(days=10),
        },
    ]
    for term in terms:
        agreement = services.agreement_propose(actor=analyst, mission_id=mission.pk, **term)
        services.agreement_approve(
            actor=commissioner, agreement_id=agreement.pk, note="Demo agreement"
        )
    return len(terms)
