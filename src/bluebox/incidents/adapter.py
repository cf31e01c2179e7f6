"""Incident records into the primacy rules (blue box / green box) and the assessment back."""

from __future__ import annotations

from bluebox.incidents import primacy
from bluebox.incidents.models import (
    Incident,
)
from bluebox.missions.models import Mission


def rules_for(mission: Mission) -> primacy.PrimacyRules:
    return primacy.PrimacyRules.from_settings((mission.settings or {}).get("primacy_rules"))


def assess_primacy(incident: Incident, rules: primacy.PrimacyRules) -> None:
    assessment = primacy.classify(
        weapons=incident.weapons or [],
        fatalities_best=incident.fatalities_best,
        perpetrator_category=incident.perpetrator_category,
        violence_type=incident.violence_type,
        rules=rules,
    )
    incident.threat_nature = assessment.nature
    incident.threat_nature_reason = assessment.reason_text
    if not incident.primacy:
        incident.primacy = assessment.nature
