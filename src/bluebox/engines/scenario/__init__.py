"""Synthetic demo mission: a fictional country, its mission, force and incident history."""

from bluebox.engines.scenario.generator import generate_scenario, intensity
from bluebox.engines.scenario.model import Scenario

__all__ = ["Scenario", "generate_scenario", "intensity"]
