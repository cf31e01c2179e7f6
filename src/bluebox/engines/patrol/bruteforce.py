"""Reference solver for tiny games: enumerate pure strategies, one LP per target.

This is the Conitzer-Sandholm "multiple LPs" method on the game's normal form: every pure
defender strategy (one executable assignment per slot) is listed and the defender's mixed
strategy over them is optimised once per attacked target, with SciPy's LP interface. It shares
no code with the compact solvers beyond the compiled game, which is the point: tests compare
the two. The number of pure strategies grows exponentially; keep games to a few slots,
areas and teams.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

from bluebox.engines.patrol.network import Game


def _slot_assignments(game: Game, slot: int) -> list[tuple[tuple[int, int], ...]]:
    """All executable assignments of the slot's teams to distinct areas (idle allowed)."""
    e = np.flatnonzero(game.edge_slot == slot)
    options: dict[int, list[int]] = {}
    for k, a in zip(game.edge_team[e], game.edge_area[e], strict=True):
        options.setdefault(int(k), []).append(int(a))
    teams = sorted(options)
    out = []
    for choice in itertools.product(*[[-1, *options[k]] for k in teams]):
        used = [a for a in choice if a >= 0]
        if len(used) == len(set(used)):
            out.append(tuple((k, a) for k, a in zip(teams, choice, strict=True) if a >= 0))
    return out


def pure_strategies(game: Game) -> np.ndarray:
    """Coverage (0/1 per target) of every pure defender strategy, one row each."""
    n_slots = len(game.problem.slots)
    per_slot = [_slot_assignments(game, j) for j in range(n_slots)]
    rows = []
    for combo in itertools.product(*per_slot):
        cov = np.zeros(game.n_targets)
        for j, assignment in enumerate(combo):
            for _, a in assignment:
                cov[a * n_slots + j] = 1.0
        rows.append(cov)
    return np.unique(np.array(rows), axis=0)


def solve_bruteforce(game: Game) -> tuple[float, int, np.ndarray]:
    """Strong Stackelberg equilibrium by enumeration.

    Returns
    -------
    defender_value : float
    attacked_target : int
    coverage : ndarray
    """
    cover = pure_strategies(game)  # strategies x targets
    n_s = cover.shape[0]
    ua = game.attacker_uncovered + cover * (game.attacker_covered - game.attacker_uncovered)
    ud = game.defender_uncovered + cover * (game.defender_covered - game.defender_uncovered)
    best = (-np.inf, -1, np.zeros(game.n_targets))
    for t in range(game.n_targets):
        # Attacker prefers t: sum_s q_s (ua[s, t'] - ua[s, t]) <= 0 for every t'.
        a_ub = (ua - ua[:, [t]]).T
        res = linprog(
            -ud[:, t],
            A_ub=a_ub,
            b_ub=np.zeros(game.n_targets),
            A_eq=np.ones((1, n_s)),
            b_eq=[1.0],
            bounds=(0, 1),
            method="highs",
        )
        if res.status == 0 and -res.fun > best[0] + 1e-9:
            best = (float(-res.fun), t, res.x @ cover)
    return best
