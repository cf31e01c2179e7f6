"""Patrol plans against an attacker who learns the coverage by watching the patrols.

For generated sites of about 200, 600 and 1,300 targets (seeds 0-2), compares against the same
watcher (evaluation.py: N weeks observed, smoothed frequencies, best target, ties at random):

* the equilibrium plan (rational attacker, robust tie-break: the solver's ``rational`` mode);
* the learning plan (``attacker="learning"``: Frank-Wolfe against a quantal response on the
  attacker's own utility, from the equilibrium);
* the baselines (uniform, hot spot, risk-proportional) on the same game.

Prints, per site, the defender's realised utility against watchers of 4 and 12 weeks, the
rational guarantee, the solve times, and the ratio of each baseline's loss to the plan's
(above 1: the plan loses less), then the time of a whole mission (15 sites) in each mode.

    .venv/bin/python bench/bench_patrol_learning.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bluebox.engines.patrol.evaluation import evaluate_policies
from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import problem_from_dict
from bluebox.engines.patrol.network import compile_game
from bluebox.engines.patrol.sampling import decompose
from bluebox.engines.patrol.solver import solve

BASELINES = ("uniform", "hotspot", "risk-proportional")


def site(n_targets: int, seed: int, trials: int) -> dict[str, dict[str, float]]:
    problem = problem_from_dict(generate_problem(n_targets, seed))
    game = compile_game(problem)
    out: dict[str, dict[str, float]] = {}
    for mode in ("rational", "learning"):
        t0 = time.perf_counter()
        sol = solve(problem, time_limit_s=60, game=game, attacker=mode)
        elapsed = time.perf_counter() - t0
        reports = evaluate_policies(
            game,
            decompose(game, sol.edge_prob),
            seed=seed,
            pool_weeks=300,
            trials=trials,
            coverage=sol.coverage,
            observed_weeks=(4, 12),
        )
        for r in reports:
            name = (
                ("equilibrium" if mode == "rational" else "learning plan")
                if r.policy == "plan"
                else r.policy
            )
            if name in out:
                continue
            out[name] = {
                "rational": r.defender_value_rational,
                "n4": r.defender_value_learning[4],
                "n12": r.defender_value_learning[12],
                "time": elapsed if r.policy == "plan" else 0.0,
            }
    return out


def mission(attacker: str, sizes: list[int]) -> float:
    problems = [
        problem_from_dict(generate_problem(n, 100 + i, site_id=f"site-{i + 1}"))
        for i, n in enumerate(sizes)
    ]
    t0 = time.perf_counter()
    for p in problems:
        solve(p, time_limit_s=60, attacker=attacker)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="210 targets, one seed")
    args = parser.parse_args()
    sizes, seeds, trials = ([200], [0], 200) if args.quick else ([200, 600, 1300], [0, 1, 2], 400)
    print(
        "| targets | seed | policy | U_d watcher N=4 | U_d watcher N=12 | U_d rational | solve s |"
    )
    print("|---|---|---|---|---|---|---|")
    ratios: dict[tuple[int, str], list[float]] = {}
    for n in sizes:
        for seed in seeds:
            res = site(n, seed, trials)
            for name, v in res.items():
                print(
                    f"| {n} | {seed} | {name} | {v['n4']:.4f} | {v['n12']:.4f} | "
                    f"{v['rational']:.4f} | {v['time']:.2f} |"
                )
            plan_loss = -res["learning plan"]["n12"]
            for other in ("equilibrium", *BASELINES):
                ratios.setdefault((n, other), []).append(-res[other]["n12"] / plan_loss)
    print("\nloss ratio against a watcher of 12 weeks (other's loss / learning plan's), median")
    print("| targets | against | median ratio | min ratio |")
    print("|---|---|---|---|")
    for (n, other), values in ratios.items():
        print(f"| {n} | {other} | {statistics.median(values):.2f} | {min(values):.2f} |")
    mission_sizes = [200, 300, 450, 600, 800, 1000, 1300] * 2 + [1300]
    if args.quick:
        mission_sizes = mission_sizes[:3]
    t_rational = mission("rational", mission_sizes)
    t_learning = mission("learning", mission_sizes)
    print(
        f"\nwhole mission, {len(mission_sizes)} sites, about {sum(mission_sizes)} targets: "
        f"rational {t_rational:.2f} s, learning {t_learning:.2f} s "
        f"(learning / rational {t_learning / t_rational:.2f}x)"
    )


if __name__ == "__main__":
    main()
