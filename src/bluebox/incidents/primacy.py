"""Threat nature (blue box / green box): a transparent, per-mission rule set.

Police hold primacy for threats without sustained, large-scale use of firearms or military
weapons; beyond that the military does. The rules below decide which side of the line an
incident falls on and say why, in words a commander can check. A mission overrides any
threshold in ``Mission.settings["primacy_rules"]`` (see docs/incidents.md); the classification
is advice recorded with its reason, and a change of who holds primacy is a separate, recorded
decision (:func:`bluebox.incidents.services.incident_primacy_handover`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

# Weapons whose use points to a military-scale threat.
MILITARY_WEAPONS = (
    "heavy_machine_gun",
    "rpg",
    "mortar",
    "artillery",
    "rocket",
    "explosive",
    "ied",
    "armoured_vehicle",
    "aircraft",
    "drone",
)
# Weapons the police handle (firearms count only in sustained, large-scale use).
WEAPON_CHOICES = (
    "none",
    "blade",
    "blunt",
    "fire",
    "small_arms",
    "automatic_rifle",
    *MILITARY_WEAPONS,
)


@dataclass(frozen=True)
class PrimacyRules:
    military_weapons: tuple[str, ...] = MILITARY_WEAPONS
    # Fatalities (best estimate) at or above which the threat is military-scale.
    fatalities_threshold: int = 10
    # Armed attackers (when known) at or above which the threat is military-scale.
    attackers_threshold: int = 50
    # Perpetrator categories that, with firearms, make a threat military-scale.
    military_actor_categories: tuple[str, ...] = ("armed_group",)
    firearms: tuple[str, ...] = ("automatic_rifle", "small_arms")
    # UCDP state-based conflict (type 1) is armed conflict between organised forces.
    military_violence_types: tuple[int, ...] = (1,)

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any] | None) -> PrimacyRules:
        """Rules with a mission's overrides; unknown keys are refused loudly."""
        if not raw:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown primacy rule settings: {sorted(unknown)}")
        values: dict[str, Any] = {}
        for key, value in raw.items():
            values[key] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


@dataclass(frozen=True)
class PrimacyAssessment:
    nature: str  # "blue" or "green"
    reasons: list[str] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


def classify(
    *,
    weapons: Iterable[str],
    fatalities_best: int,
    perpetrator_category: str,
    violence_type: int | None = None,
    attackers: int | None = None,
    rules: PrimacyRules | None = None,
) -> PrimacyAssessment:
    """Blue (police) or green (military) primacy, with every rule that fired."""
    r = rules or PrimacyRules()
    used = set(weapons)
    reasons: list[str] = []
    military = sorted(used & set(r.military_weapons))
    if military:
        reasons.append(f"military weapons used: {', '.join(military)}")
    if fatalities_best >= r.fatalities_threshold:
        reasons.append(
            f"{fatalities_best} fatalities, at or above the threshold of {r.fatalities_threshold}"
        )
    if attackers is not None and attackers >= r.attackers_threshold:
        reasons.append(
            f"{attackers} attackers, at or above the threshold of {r.attackers_threshold}"
        )
    firearms = sorted(used & set(r.firearms))
    if firearms and perpetrator_category in r.military_actor_categories:
        reasons.append(f"{perpetrator_category.replace('_', ' ')} using {', '.join(firearms)}")
    if violence_type is not None and violence_type in r.military_violence_types:
        reasons.append("state-based armed conflict between organised forces")
    if reasons:
        return PrimacyAssessment("green", reasons)
    return PrimacyAssessment(
        "blue",
        [
            "no military weapons, scale below the thresholds "
            f"({r.fatalities_threshold} fatalities), no armed-group firearms use"
        ],
    )
