"""The scenario suite (scenarios/minuvar.yaml): every question answered as the file says."""

from __future__ import annotations

import pytest

from bluebox.guide import scenarios

SUITE = scenarios.load()


def test_the_suite_has_at_least_a_hundred_scenarios() -> None:
    assert len(SUITE.scenarios) >= 100
    assert len({s.name for s in SUITE.scenarios}) == len(SUITE.scenarios), "duplicate scenarios"


@pytest.mark.parametrize("scenario", SUITE.scenarios, ids=lambda s: s.name)
def test_scenario(scenario: scenarios.Scenario) -> None:
    _, problems = scenarios.check(SUITE, scenario)
    assert not problems, f"{scenario.name}: " + "; ".join(problems)


def test_a_wrong_expectation_is_caught() -> None:
    """The runner is not a rubber stamp: flipping an expectation makes it fail."""
    scenario = next(s for s in SUITE.scenarios if s.expect.get("rule") == "utm-arrest")
    flipped = scenarios.Scenario(
        scenario.name,
        scenario.on,
        scenario.site,
        scenario.action,
        scenario.facts,
        {**scenario.expect, "expect": "no"},
    )
    _, problems = scenarios.check(SUITE, flipped)
    assert problems == ["answer is yes"]
