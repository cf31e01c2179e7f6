"""Patrol plans against an attacker who learns the coverage by watching the patrols.

For generated sites of about 200, 600 and 1,300 targets (seeds 0-2), compares against the same
watcher (evaluation.py: N weeks observed, smoothed frequencies, best target), once with ties
broken at random and once against the defender:

* the equilibrium plan (rational attacker, robust tie-break: the solver's ``rational`` mode);
* the learning plan (``attacker="learning"``: Frank-Wolfe against a quantal response on the
  attacker's own utility, from the equilibrium);
* the robust plan (``attacker="robust"``: the margin LPs of robust.py, then a short ascent
  against the same quantal response);
* the baselines (uniform, hot spot, risk-proportional) on the same game.

Prints, per site, the defender's realised utility against watchers of 4 and 12 weeks, the
rational guarantee with ties for and against the defender, the solve times, and the ratio of
each other policy's loss to the robust plan's (above 1: the robust plan loses less), then the
time of a whole mission (the 15 sites of bench_patrol.py) in each mode, with the exact
equilibrium (no tie-break) as the baseline measured in the same run.

    .venv/bin/python bench/bench_patrol_learning.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from bluebox.engines.patrol.evaluation import evaluate_policies
from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import problem_from_dict
from bluebox.engines.patrol.network import compile_game
from bluebox.engines.patrol.robust import worst_tie_defender_value
from bluebox.engines.patrol.sampling import decompose
from bluebox.engines.patrol.solver import solve

BASELINES = ("uniform", "hotspot", "risk-proportional")
PLANS = {"rational": "equilibrium", "learning": "learning plan", "robust": "robust plan"}
TIES = ("random", "worst")


def site(n_targets: int, seed: int, trials: int) -> dict[str, dict[str, float]]:
    problem = problem_from_dict(generate_problem(n_targets, seed))
    game = compile_game(problem)
    out: dict[str, dict[str, float]] = {}
    for mode, label in PLANS.items():
        t0 = time.perf_counter()
        sol = solve(problem, time_limit_s=60, game=game, attacker=mode)
        elapsed = time.perf_counter() - t0
        mixtures = decompose(game, sol.edge_prob)
        for ties in TIES:
            reports = evaluate_policies(
                game,
                mixtures,
                seed=seed,
                pool_weeks=300,
                trials=trials,
                coverage=sol.coverage,
                observed_weeks=(4, 12),
                ties=ties,
            )
            for r in reports:
                name = label if r.policy == "plan" else r.policy
                row = out.setdefault(name, {})
                if f"n12_{ties}" in row:
                    continue
                cov = sol.coverage if r.policy == "plan" else None
                row.update(
                    {
                        f"n4_{ties}": r.defender_value_learning[4],
                        f"n12_{ties}": r.defender_value_learning[12],
                        "rational": r.defender_value_rational,
                        "time": elapsed if r.policy == "plan" else 0.0,
                    }
                )
                if cov is not None:
                    row["worst_tie"] = worst_tie_defender_value(game, cov)
    return out


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def mission_problems(quick: bool) -> list:
    """The 15 sites of bench_patrol.py's mission (9,660 targets), or 3 with --quick."""
    rng = np.random.default_rng(2024)
    sizes = rng.choice((200, 400, 600, 900, 1300), size=3 if quick else 15)
    return [
        problem_from_dict(generate_problem(int(n), 100 + i, site_id=f"site-{i + 1}"))
        for i, n in enumerate(sizes)
    ]


def mission(problems: list, attacker: str, robust: bool = True) -> float:
    t0 = time.perf_counter()
    for p in problems:
        solve(p, time_limit_s=60, attacker=attacker, robust=robust)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="210 targets, one seed")
    parser.add_argument(
        "--part",
        choices=("all", "sites", "mission"),
        default="all",
        help="sites: the watcher tables only (not timed, no lock needed); mission: the timing only",
    )
    args = parser.parse_args()
    sizes, seeds, trials = ([200], [0], 200) if args.quick else ([200, 600, 1300], [0, 1, 2], 400)
    print(f"load average at start: {load()}")
    print(
        "| targets | seed | policy | U_d watcher N=4 (random / worst ties) "
        "| U_d watcher N=12 (random / worst ties) | U_d rational (ties for / against) | solve s |"
    )
    print("|---|---|---|---|---|---|---|")
    ratios: dict[tuple[int, str, str], list[float]] = {}
    for n in sizes if args.part != "mission" else []:
        for seed in seeds:
            res = site(n, seed, trials)
            for name, v in res.items():
                worst = f"{v['worst_tie']:.4f}" if "worst_tie" in v else "-"
                print(
                    f"| {n} | {seed} | {name} | {v['n4_random']:.4f} / {v['n4_worst']:.4f} | "
                    f"{v['n12_random']:.4f} / {v['n12_worst']:.4f} | "
                    f"{v['rational']:.4f} / {worst} | {v['time']:.2f} |"
                )
            for ties in TIES:
                plan_loss = -res["robust plan"][f"n12_{ties}"]
                for other in ("equilibrium", "learning plan", *BASELINES):
                    ratios.setdefault((n, ties, other), []).append(
                        -res[other][f"n12_{ties}"] / plan_loss
                    )
    print("\nloss ratio against a watcher of 12 weeks (other's loss / robust plan's)")
    print("| targets | ties | against | median ratio | min ratio |")
    print("|---|---|---|---|---|")
    for (n, ties, other), values in ratios.items():
        print(f"| {n} | {ties} | {other} | {statistics.median(values):.2f} | {min(values):.2f} |")
    if args.part == "sites":
        return
    problems = mission_problems(args.quick)
    total = sum(p.n_targets for p in problems)
    print(f"\nload average before the mission: {load()}")
    t_exact = mission(problems, "rational", robust=False)
    times = {mode: mission(problems, mode) for mode in PLANS}
    t_exact_again = mission(problems, "rational", robust=False)
    print(
        f"whole mission, {len(problems)} sites, {total} targets: exact equilibrium "
        f"{t_exact:.2f} s (again after the others: {t_exact_again:.2f} s); "
        + ", ".join(f"{PLANS[m]} {t:.2f} s ({t / t_exact:.2f}x exact)" for m, t in times.items())
    )
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
