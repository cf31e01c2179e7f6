"""Panels with a known effect, to check the estimators before anyone trusts them.

The generators build the traps real patrol data sets: hot spots that are patrolled *because*
they were extreme last weeks (so a naive comparison blames patrols for the incidents that drew
them), transient shocks that fade on their own (regression to the mean: an area picked at its
peak improves whatever is done), and spillovers to neighbouring areas (displacement, or
diffusion of benefits). Each returns the panel an estimator reads and the true effect it
should find. Everything is drawn from ``random_state``; nothing reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SLOT_FACTORS = (0.7, 0.8, 1.5)  # morning, afternoon, night: violence peaks at night


@dataclass(frozen=True)
class SimulatedPanel:
    """A design panel and the truth behind it.

    Attributes
    ----------
    panel : DataFrame
        Columns of the design panel (``area``, ``period``, ``week``, ``probability``,
        ``treated``, ``minutes``, ``incidents``).
    truth : dict
        ``additive`` (mean over rows of the expected incidents with a patrol minus without,
        the rest of the world as it was), ``relative`` (rate ratio minus one), for horizon 0 and
        (keys ending ``_next``) for the following slot; ``spillover``: mean over rows of the
        expected incidents without an own patrol with a patrolled neighbour minus with none.
    neighbours : dict
        Area id -> ids of its adjacent areas (a square grid).
    """

    panel: pd.DataFrame
    truth: dict[str, float]
    neighbours: dict[str, list[str]] = field(default_factory=dict)


def grid_neighbours(n_areas: int) -> tuple[list[str], dict[str, list[str]]]:
    """Area ids on the smallest square grid holding ``n_areas``, with rook neighbours."""
    side = int(np.ceil(np.sqrt(n_areas)))
    ids = [f"a{i:03d}" for i in range(n_areas)]
    nbrs: dict[str, list[str]] = {a: [] for a in ids}
    for i in range(n_areas):
        r, c = divmod(i, side)
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            rr, cc = r + dr, c + dc
            j = rr * side + cc
            if rr >= 0 and 0 <= cc < side and j < n_areas:
                nbrs[ids[i]].append(ids[j])
    return ids, nbrs


def simulate_patrol_panel(
    *,
    n_areas: int = 25,
    n_weeks: int = 8,
    effect: float = 0.7,
    carryover: float = 1.0,
    spillover: float = 0.0,
    base_rate: float = 0.08,
    hotspot_share: float = 0.2,
    hotspot_factor: float = 4.0,
    shock_sd: float = 0.5,
    budget: float = 0.25,
    random_state: int | np.random.Generator | None = None,
) -> SimulatedPanel:
    """Weeks of randomised patrol plans over a grid of areas, with a known patrol effect.

    Parameters
    ----------
    n_areas, n_weeks : int
        Panel size; each week has 21 slots (morning, afternoon, night of seven days).
    effect : float
        Rate ratio of incidents in an area-slot while a patrol is there (0.7 = 30 % fewer;
        1.0 = no effect).
    carryover : float
        Rate ratio in the slot after a patrol (residual deterrence below 1).
    spillover : float
        Relative change of an area's rate when at least one neighbour is patrolled in the
        same slot (0.2 = 20 % more: displacement; negative: diffusion of benefits).
    base_rate : float
        Mean incidents per area-slot in an ordinary area.
    hotspot_share, hotspot_factor : float
        Share of areas that are persistent hot spots, and how much hotter they are.
    shock_sd : float
        Standard deviation of each area-week's transient log-shock (what regresses to the
        mean); shocks persist weakly (autocorrelation 0.3).
    budget : float
        Mean probability of a patrol per area-slot.
    random_state : int or Generator, optional

    Returns
    -------
    SimulatedPanel
        Plan probabilities follow the incident counts of the previous weeks, so areas picked
        at a peak are patrolled more just before their shock fades.
    """
    rng = np.random.default_rng(random_state)
    areas, nbrs = grid_neighbours(n_areas)
    n_slots = 21
    persistent = base_rate * rng.gamma(2.0, 0.5, size=n_areas)
    hot = rng.random(n_areas) < hotspot_share
    persistent = np.where(hot, persistent * hotspot_factor, persistent)
    slot_factor = np.tile(np.array(SLOT_FACTORS) / np.mean(SLOT_FACTORS), 7)
    nb_index = [[areas.index(b) for b in nbrs[a]] for a in areas]
    shock = rng.normal(0, shock_sd, size=n_areas)
    history = persistent * n_slots  # the plan's first risk estimate: the persistent level
    cols: dict[str, list[np.ndarray]] = {
        "probability": [],
        "treated": [],
        "minutes": [],
        "incidents": [],
    }
    carry_prev = np.zeros(n_areas)  # was the area patrolled in the previous slot?
    truth_add, truth_rel_num, truth_rel_den = [], 0.0, 0.0
    no_carry = np.zeros((n_weeks * n_slots, n_areas))
    spill_truth: list[np.ndarray] = []
    for week in range(n_weeks):
        shock = 0.3 * shock + rng.normal(0, shock_sd * np.sqrt(1 - 0.09), size=n_areas)
        level = persistent * np.exp(shock - shock_sd**2 / 2)
        risk = history / history.sum()
        scale = budget * n_areas / max(risk.sum(), 1e-12)
        week_counts = np.zeros(n_areas)
        for s in range(n_slots):
            p = np.clip(scale * risk * slot_factor[s] / slot_factor.mean(), 0.03, 0.9)
            d = (rng.random(n_areas) < p).astype(float)
            exposed = np.array([d[ix].max() if ix else 0.0 for ix in nb_index])
            unexposed = level * slot_factor[s] * np.where(carry_prev > 0, carryover, 1.0)
            rate0 = unexposed * np.where(exposed > 0, max(1 + spillover, 0.05), 1.0)
            spill_truth.append(unexposed * (max(1 + spillover, 0.05) - 1))
            rate = rate0 * np.where(d > 0, effect, 1.0)
            y = rng.poisson(rate)
            week_counts += y
            truth_add.extend((rate0 * (effect - 1)).tolist())
            truth_rel_num += float((rate0 * effect).sum())
            truth_rel_den += float(rate0.sum())
            period = week * n_slots + s
            # The rate without the previous slot's patrol, all else as drawn: the next-slot
            # truth of the previous row.
            no_carry[period] = rate0 / np.where(carry_prev > 0, carryover, 1.0)
            no_carry[period] *= np.where(d > 0, effect, 1.0)
            cols["probability"].append(p)
            cols["treated"].append(d.astype(int))
            cols["minutes"].append(np.where(d > 0, rng.uniform(30, 240, size=n_areas), 0.0))
            cols["incidents"].append(y)
            carry_prev = d
        # The plan reads the weeks just gone: extremes are chased.
        history = 0.5 * history + 0.5 * (week_counts + 0.5)
    n_periods = n_weeks * n_slots
    panel = pd.DataFrame(
        {
            "area": np.tile(np.array(areas, dtype=object), n_periods),
            "period": np.repeat(np.arange(n_periods), n_areas),
            "week": np.repeat(np.arange(n_periods) // n_slots, n_areas),
            **{k: np.concatenate(v) for k, v in cols.items()},
        }
    )
    # Row t's next-slot truth is what its patrol changes in slot t + 1 (none after the last).
    next_truth = float((no_carry[1:] * (carryover - 1)).mean())
    truth = {
        "additive": float(np.mean(truth_add)),
        "relative": truth_rel_num / truth_rel_den - 1,
        "additive_next": float(next_truth),
        "relative_next": carryover - 1,
        "spillover": float(np.concatenate(spill_truth).mean()),
    }
    return SimulatedPanel(panel=panel, truth=truth, neighbours=nbrs)
