"""Metrics: the plan against the baselines, and the predictability of manual overrides.

For every policy (the plan and each baseline of :mod:`.baselines`):

- defender expected utility against a rational attacker (best response to the policy's
  coverage, ties in the defender's favour) and against the SUQR attacker;
- a *learning* attacker that watches N executed weeks, estimates each target's coverage by its
  smoothed frequency ``(k + 1) / (N + 2)``, attacks its best target in a new week, and succeeds
  if no patrol is there: its success rate and the defender's realised utility;
- the entropy of one week's schedule, in bits;
- the share of weeks whose every patrol is executable, and the share of executable patrols.

Weeks are drawn independently here (not by the comb sampler): an observer of real weeks should
not be credited with the comb's balancing. Only ``seed`` drives randomness.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bluebox.engines.patrol.baselines import BASELINES, WeekSampler
from bluebox.engines.patrol.network import Game
from bluebox.engines.patrol.sampling import SlotMixture, WeeklySchedule, schedule_violations
from bluebox.engines.patrol.sse import best_response
from bluebox.engines.patrol.suqr import suqr_defender_value


@dataclass(frozen=True)
class PolicyReport:
    """Metrics of one policy (see the module docstring)."""

    policy: str
    defender_value_rational: float
    defender_value_suqr: float
    entropy_bits: float
    executable_week_share: float
    executable_patrol_share: float
    attack_success: dict[int, float] = field(default_factory=dict)
    defender_value_learning: dict[int, float] = field(default_factory=dict)


def rational_defender_value(game: Game, coverage: np.ndarray) -> float:
    """Defender utility when a rational attacker best-responds to ``coverage``."""
    t = best_response(game, coverage)
    return float(game.defender_utility(coverage)[t])


def evaluate_policies(
    game: Game,
    mixtures: list[SlotMixture],
    *,
    seed: int,
    pool_weeks: int = 400,
    observed_weeks: tuple[int, ...] = (1, 4, 12),
    trials: int = 300,
    coverage: np.ndarray | None = None,
    ties: str = "random",
) -> list[PolicyReport]:
    """Compare the plan (its mixtures) with the baselines on the same game.

    Parameters
    ----------
    game : Game
    mixtures : list of SlotMixture
        The plan's per-slot mixtures (:func:`.sampling.decompose`).
    seed : int
    pool_weeks : int
        Weeks drawn per policy; coverage of the baselines is estimated from them, and the
        learning attacker's observations and attack weeks are drawn from them.
    observed_weeks : tuple of int
        Values of N for the learning attacker.
    trials : int
        Learning-attacker trials per N.
    coverage : ndarray, optional
        The plan's exact coverage; estimated from the pool if omitted.
    ties : {"random", "worst"}
        How the learning attacker breaks ties between his best targets: at random, or against
        the defender (the target worst for him, by its true expected utility).

    Returns
    -------
    list of PolicyReport
        The plan first, then the baselines in :data:`.baselines.BASELINES` order.
    """
    if ties not in ("random", "worst"):
        raise ValueError(f"unknown tie-break {ties!r}; expected 'random' or 'worst'")
    rng = np.random.default_rng(seed)
    reports = []
    for policy in ("plan", *BASELINES):
        sampler = WeekSampler(game, policy, mixtures if policy == "plan" else None)
        weeks, ordered, executable, full = sampler.draw(rng, pool_weeks)
        cov = coverage if policy == "plan" and coverage is not None else weeks.mean(axis=0)
        success, learned = {}, {}
        for n_obs in observed_weeks:
            s, v = _learning_attacker(game, weeks, n_obs, trials, rng, cov, ties)
            success[n_obs], learned[n_obs] = s, v
        reports.append(
            PolicyReport(
                policy=policy,
                defender_value_rational=rational_defender_value(game, cov),
                defender_value_suqr=suqr_defender_value(game, cov, game.problem.suqr),
                entropy_bits=sampler.entropy_bits(),
                executable_week_share=full / pool_weeks,
                executable_patrol_share=executable / ordered if ordered else 1.0,
                attack_success=success,
                defender_value_learning=learned,
            )
        )
    return reports


def _learning_attacker(
    game: Game,
    weeks: np.ndarray,
    n_obs: int,
    trials: int,
    rng: np.random.Generator,
    coverage: np.ndarray,
    ties: str,
) -> tuple[float, float]:
    hits, value = 0, 0.0
    harm = game.defender_utility(coverage)
    for _ in range(trials):
        idx = rng.choice(len(weeks), size=n_obs + 1, replace=False)
        estimate = (weeks[idx[:-1]].sum(axis=0) + 1.0) / (n_obs + 2.0)
        ua = game.attacker_utility(estimate)
        # A real attacker has no tie-breaking loyalty: pick among its best targets at random.
        best = np.flatnonzero(ua >= ua.max() - 1e-9)
        # The draw is made in both modes so that the two see the same observed weeks.
        t = int(rng.choice(best))
        if ties == "worst":
            t = int(best[np.argmin(harm[best])])
        covered = weeks[idx[-1], t] > 0
        hits += int(not covered)
        value += float(game.defender_covered[t] if covered else game.defender_uncovered[t])
    return hits / trials, value / trials


@dataclass(frozen=True)
class OverrideScore:
    """How much a manual override of a week makes patrols predictable.

    Attributes
    ----------
    score : float
        0 when the override costs nothing against an attacker who learns it, 1 when it is
        as bad as not patrolling at all (the "predictability meter").
    changed_slots : list of str
        Slots whose patrols differ from the drawn week (all overridden slots if no drawn week
        was given); their patrols are treated as fixed habits an attacker can learn.
    violations : list of str
        Rules the override breaks (caveats, shift limits, unreachable areas...).
    defender_value_plan, defender_value_override : float
        Defender utility against a rational attacker, for the plan's coverage and for the
        coverage with the changed slots fixed as overridden.
    coverage_gap_pp : float
        Mean absolute change of coverage over the changed slots' targets, in points.
    exposed : list of dict
        Up to five targets whose attacker payoff rose most, with coverage before and after.
    """

    score: float
    changed_slots: list[str]
    violations: list[str]
    defender_value_plan: float
    defender_value_override: float
    coverage_gap_pp: float
    exposed: list[dict[str, object]]


def score_override(
    game: Game,
    coverage: np.ndarray,
    override: WeeklySchedule,
    *,
    drawn: WeeklySchedule | None = None,
) -> OverrideScore:
    """Score a manually overridden weekly schedule against the computed coverage.

    Parameters
    ----------
    game : Game
        The plan's compiled game.
    coverage : ndarray
        The plan's coverage per target.
    override : WeeklySchedule
        The schedule as edited by the planner.
    drawn : WeeklySchedule, optional
        The week the engine drew; only slots that differ from it count as overridden.

    Returns
    -------
    OverrideScore
    """
    problem = game.problem
    slot_ix, area_ix = problem.slot_index(), problem.area_index()
    n_slots = len(problem.slots)

    def by_slot(week: WeeklySchedule) -> dict[str, set[tuple[str, str]]]:
        out: dict[str, set[tuple[str, str]]] = {}
        for p in week.patrols:
            out.setdefault(p.slot, set()).add((p.team, p.area))
        return out

    edited = by_slot(override)
    if drawn is None:
        changed = sorted(edited, key=lambda s: slot_ix.get(s, -1))
    else:
        before = by_slot(drawn)
        changed = [
            s.id for s in problem.slots if edited.get(s.id, set()) != before.get(s.id, set())
        ]
    violations = schedule_violations(problem, game.travel, override)
    new_cov = coverage.reshape(-1, n_slots).copy()
    for sid in changed:
        if sid not in slot_ix:
            continue
        j = slot_ix[sid]
        new_cov[:, j] = 0.0
        for _, area in edited.get(sid, ()):
            if area in area_ix:
                new_cov[area_ix[area], j] = 1.0
    new_flat = new_cov.ravel()
    v_plan = rational_defender_value(game, coverage)
    v_new = rational_defender_value(game, new_flat)
    v_none = rational_defender_value(game, np.zeros_like(coverage))
    span = v_plan - v_none
    score = float(np.clip((v_plan - v_new) / span, 0.0, 1.0)) if span > 1e-12 else 0.0
    cols = [slot_ix[s] for s in changed if s in slot_ix]
    mask = np.zeros((len(problem.areas), n_slots), dtype=bool)
    mask[:, cols] = True
    gap = float(np.abs(new_flat - coverage)[mask.ravel()].mean() * 100) if cols else 0.0
    rise = game.attacker_utility(new_flat) - game.attacker_utility(coverage)
    exposed = []
    for t in np.argsort(-rise)[:5]:
        if rise[t] <= 1e-9:
            break
        area, slot = problem.target_id(int(t))
        exposed.append(
            {
                "area": area,
                "slot": slot,
                "coverage_plan": round(float(coverage[t]), 4),
                "coverage_override": round(float(new_flat[t]), 4),
            }
        )
    return OverrideScore(score, changed, violations, v_plan, v_new, gap, exposed)
