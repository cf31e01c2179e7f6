"""Agreements made the way a mission makes them: an analyst proposes, the commissioner approves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from bluebox.core.sharing import SharedField, SharingAgreement
from bluebox.sharing import services

EVERY_FIELD = list(SharedField.values)


def make_agreement(world: Any, *, approve: bool = True, **overrides: Any) -> SharingAgreement:
    now = timezone.now()
    recipients = overrides.pop("recipients", [world.human_rights_officer])
    args: dict[str, Any] = {
        "mission_id": world.mission.pk,
        "title": "Police to human rights: host-state forces",
        "purpose": "Monitoring of violations by host-state forces",
        "party": "human_rights",
        "recipient_ids": [u.pk for u in recipients],
        "shared_fields": EVERY_FIELD,
        "starts_at": now - timedelta(days=1),
        "expires_at": now + timedelta(days=30),
        "tlp": "amber",
        "max_classification": 1,
        **overrides,
    }
    agreement = services.agreement_propose(actor=world.analyst, **args)
    if approve:
        agreement = services.agreement_approve(actor=world.commissioner, agreement_id=agreement.pk)
    return agreement


@pytest.fixture
def agreement_for(world: Any) -> Any:
    return lambda **kw: make_agreement(world, **kw)
