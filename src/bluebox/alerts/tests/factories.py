"""Records the alert tests build: a CAP warning drafted by the analyst at site A."""

from __future__ import annotations

from typing import Any

from bluebox.alerts import services
from bluebox.alerts.models import CapAlert


def cap_draft(world: Any, **overrides: Any) -> CapAlert:
    """A CAP draft near site A; ``overrides`` change any of ``warning_draft``'s arguments."""
    values = {
        "actor": world.analyst,
        "mission": world.mission,
        "area": {"description": "Site A and surroundings", "circle": (3.01, -9.49, 5)},
        "headline": "Raised risk of attacks on civilians near Site A",
        "description": "Armed groups seen moving towards the camp.",
        "severity": "Severe",
        "certainty": "Likely",
        "urgency": "Expected",
        "restriction": "UN police and protection cluster",
    }
    values.update(overrides)
    return services.warning_draft(**values)
