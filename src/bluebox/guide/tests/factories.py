"""Rule versions for tests: the demo documents, addressed to the test mission."""

from __future__ import annotations

import copy
from typing import Any

from bluebox.guide import services
from bluebox.guide.demo import demo_document
from bluebox.guide.models import RuleVersion
from bluebox.missions.models import Mission


def rule_document(mission: Mission, name: str = "minuvar-2026.yaml", **over: Any) -> dict[str, Any]:
    doc = copy.deepcopy(demo_document(name))
    doc["mission"] = mission.code
    doc.update(over)
    return doc


def proposed(mission: Mission, name: str = "minuvar-2026.yaml", **over: Any) -> RuleVersion:
    return services.rules_propose(
        actor=None, mission=mission, document=rule_document(mission, name, **over), via="test"
    )


def approved(
    mission: Mission, commander: Any, name: str = "minuvar-2026.yaml", **over: Any
) -> RuleVersion:
    version = proposed(mission, name, **over)
    return services.rules_approve(actor=commander, version_id=version.pk)
