"""What-if deltas are exactly the difference of two full solves."""

from __future__ import annotations

import pytest

from bluebox.engines.deployment import Problem, generate, solve
from bluebox.engines.deployment.whatif import (
    Change,
    apply_change,
    caveat_items,
    force_curve,
    split_changes,
    standard_profiles,
    sweep,
    what_if,
)


def _exact(problem: Problem) -> float:
    sol = solve(problem, time_limit_s=20, rel_gap=0.0, compare_greedy=False)
    assert sol.status == "OPTIMAL"
    assert sol.objective is not None
    return sol.objective


@pytest.mark.parametrize("seed", [3, 11])
def test_each_what_if_delta_equals_two_full_solves(seed: int) -> None:
    problem = generate("small", seed=seed)
    base = solve(problem, time_limit_s=20, rel_gap=0.0, compare_greedy=False)
    if base.status != "OPTIMAL":
        pytest.skip("instance without a plan")
    changes = (caveat_items(problem) + split_changes(problem))[:4]
    changes.append(Change("remove_unit", problem.ipo_classes[0].id))
    assert changes
    for ch in changes:
        w = what_if(problem, ch, base=base, time_limit_s=20, rel_gap=0.0)
        expected = _exact(apply_change(problem, ch)) - _exact(problem)
        assert w.delta == pytest.approx(expected, abs=1e-12), ch.key


def test_lifting_a_caveat_or_allowing_a_split_never_loses_protection() -> None:
    problem = generate("small", seed=5)
    results = sweep(problem, time_limit_s=20, rel_gap=0.0)
    assert results
    for w in results:
        assert w.delta is not None and w.delta >= -1e-12, w.change.key
    deltas = [w.delta for w in results]
    assert deltas == sorted(deltas, reverse=True)


def test_force_curve_rises_and_stops_at_the_target() -> None:
    problem = generate("small", seed=2)
    fpu_profile = standard_profiles(problem)[0]
    curve = force_curve(problem, fpu_profile, max_added=3, target=0.999, time_limit_s=20)
    values = [p.objective for p in curve.points if p.objective is not None]
    assert values == sorted(values)
    assert curve.points[0].added == 0
    reached = [p.added for p in curve.points if (p.objective or 0) >= 0.999]
    assert curve.units_needed == (reached[0] if reached else None)


def test_unknown_caveat_item_is_refused() -> None:
    problem = generate("small", seed=5)
    with pytest.raises(KeyError):
        apply_change(problem, Change("lift_caveat", "caveat:nope:site:X"))
