"""Demo rules: the fictional MINUVAR mandate of 2025 and its 2026 renewal, approved by the
demo mission's commander (the renewal ends the 2025 version the day before it starts)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from bluebox.core.models import RoleAssignment
from bluebox.core.roles import Role
from bluebox.guide import services
from bluebox.guide.models import RuleVersion, VersionStatus
from bluebox.missions.models import Mission

DEMO_FILES = ("minuvar-2025.yaml", "minuvar-2026.yaml")


def demo_document(name: str) -> dict[str, Any]:
    text = resources.files("bluebox.guide").joinpath(f"rulesets/{name}").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def load_demo_rules(mission: Mission) -> list[RuleVersion]:
    """Store and approve the demo rule versions (idempotent); nothing without a commander."""
    assignment = (
        RoleAssignment.objects.filter(
            mission=mission, role=Role.COMMANDER, sector__isnull=True, site__isnull=True
        )
        .select_related("user")
        .first()
    )
    if assignment is None:
        return []
    out = []
    for name in DEMO_FILES:
        document = demo_document(name)
        document["mission"] = mission.code
        version = services.rules_propose(
            actor=None, mission=mission, document=document, note="Demo rule set", via="demo"
        )
        if version.status == VersionStatus.PROPOSED:
            version = services.rules_approve(actor=assignment.user, version_id=version.pk)
        out.append(version)
    return out
