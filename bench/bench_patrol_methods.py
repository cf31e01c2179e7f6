"""Patrol engine: the measurements behind the formulation choices.

Run: ``.venv/bin/python bench/bench_patrol_methods.py`` (``--quick`` for seconds).

On the same generated games, compares the exact methods (compact pruned multiple LPs, the
ERASER MILP) as a ratio of the compact method's time, and the equilibrium as the LP returns it
(a vertex) against the robust tie-break, on entropy per week and defender utility against the
SUQR attacker. Peak memory is the
process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import problem_from_dict
from bluebox.engines.patrol.network import compile_game
from bluebox.engines.patrol.sampling import decompose
from bluebox.engines.patrol.solver import solve


def entropy_bits(mixtures: list) -> float:
    return float(sum(-(w[w > 0] * np.log2(w[w > 0])).sum() for w, _ in mixtures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    sizes = (200,) if args.quick else (200, 600, 1300)
    seeds = range(1 if args.quick else 3)
    print(
        "| targets | seed | compact s | ERASER s | ERASER / compact | same value "
        "| entropy vertex / robust (bits/week) | U_d SUQR vertex / robust | robust s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        for seed in seeds:
            problem = problem_from_dict(generate_problem(n, seed))
            game = compile_game(problem)
            times = {}
            sols = {}
            for label, method, robust in (
                ("compact", "compact", False),
                ("eraser", "eraser", False),
                ("robust", "compact", True),
            ):
                t0 = time.perf_counter()
                sols[label] = solve(
                    problem, time_limit_s=120, method=method, robust=robust, game=game
                )
                times[label] = time.perf_counter() - t0
            same = abs(sols["compact"].defender_value - sols["eraser"].defender_value) < 1e-6
            h_vertex = entropy_bits(decompose(game, sols["compact"].edge_prob))
            h_robust = entropy_bits(decompose(game, sols["robust"].edge_prob))
            print(
                f"| {problem.n_targets} | {seed} | {times['compact']:.3f} | {times['eraser']:.3f} "
                f"| {times['eraser'] / times['compact']:.1f}x | {same} "
                f"| {h_vertex:.1f} / {h_robust:.1f} "
                f"| {sols['compact'].defender_value_suqr:.4f} / "
                f"{sols['robust'].defender_value_suqr:.4f} | {times['robust']:.3f} |"
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nProcess peak resident memory {rss:.0f} MiB.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
