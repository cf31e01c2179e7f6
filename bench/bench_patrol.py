"""Patrol engine benchmark: solve time, textbook ratio, utility vs baselines, sampling.

Run: ``.venv/bin/python bench/bench_patrol.py`` (``--quick`` for a smoke run in seconds).

Every time is reported with a ratio against a baseline measured in the same run:

- the exact compact solver against the textbook one-LP-per-target method on the same game
  (timed on a sample of attacked targets and extrapolated to all of them, except where the
  game is small enough to run it whole; the table says which);
- the default solve (exact equilibrium plus robust tie-break) against the exact part alone;
- the plan's defender loss against each baseline's (loss = minus expected utility against a
  rational attacker; a ratio above 1 means the baseline loses more);
- drawing a week from the plan against drawing one from the uniform baseline.

Peak memory is traced with ``tracemalloc`` (solve, decomposition, 1,000 weeks; in a separate
run from the timed one, since tracing slows Python code) and reported with the process's
maximum resident set size.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from bluebox.engines.patrol.baselines import WeekSampler
from bluebox.engines.patrol.evaluation import evaluate_policies
from bluebox.engines.patrol.generate import generate_problem
from bluebox.engines.patrol.model import problem_from_dict
from bluebox.engines.patrol.network import compile_game
from bluebox.engines.patrol.sampling import decompose, sample_weeks
from bluebox.engines.patrol.solver import solve
from bluebox.engines.patrol.sse import solve_compact, solve_multiple_lps


def timed(fn: Callable[[], Any], *, trace: bool = False) -> tuple[Any, float, float]:
    """Result, seconds and (if ``trace``) peak MiB of one call.

    Tracing allocations slows Python code several-fold, so a traced call is run again,
    untraced, for its time.
    """
    peak = float("nan")
    if trace:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, peak


def bench_site(n_targets: int, seed: int, *, textbook_sample: int, pool: int) -> dict[str, Any]:
    problem = problem_from_dict(generate_problem(n_targets, seed))
    game, t_compile, _ = timed(lambda: compile_game(problem))
    exact, t_exact, _ = timed(lambda: solve_compact(game, time_limit_s=60, robust=False))
    sol, t_full, m_full = timed(lambda: solve(problem, time_limit_s=60, game=game), trace=True)
    assert exact.status == "optimal" and sol.status == "optimal", (exact.status, sol.status)
    rng = np.random.default_rng(seed)
    if textbook_sample >= game.n_targets:
        sample = np.arange(game.n_targets)
        extrapolated = False
    else:
        sample = rng.choice(game.n_targets, size=textbook_sample, replace=False)
        extrapolated = True
    tb, t_tb, _ = timed(lambda: solve_multiple_lps(game, time_limit_s=600, targets=sample))
    t_textbook = t_tb / tb.n_lps * game.n_targets
    if not extrapolated:
        assert abs(tb.defender_value - exact.defender_value) < 1e-6
    mixtures, t_decomp, m_decomp = timed(lambda: decompose(game, sol.edge_prob), trace=True)
    _, t_week, _ = timed(lambda: sample_weeks(problem, game.travel, mixtures, 1, seed=1))
    weeks, t_1000, m_1000 = timed(
        lambda: sample_weeks(problem, game.travel, mixtures, 1000, seed=1), trace=True
    )
    uniform = WeekSampler(game, "uniform")
    _, t_uniform_week, _ = timed(lambda: uniform.draw(np.random.default_rng(1), 1))
    n_slots = len(problem.slots)
    a_ix, s_ix = problem.area_index(), problem.slot_index()
    counts = np.zeros(problem.n_targets)
    for w in weeks:
        for p in w.patrols:
            counts[a_ix[p.area] * n_slots + s_ix[p.slot]] += 1
    coverage_gap_pp = float(np.abs(counts / len(weeks) - sol.coverage).max() * 100)
    reports = evaluate_policies(
        game, mixtures, seed=seed, pool_weeks=pool, trials=200, coverage=sol.coverage
    )
    by = {r.policy: r for r in reports}
    plan_loss = -by["plan"].defender_value_rational
    return {
        "targets": problem.n_targets,
        "teams": len(problem.teams),
        "edges": len(game.edge_team),
        "candidates": exact.n_candidates,
        "lps": exact.n_lps,
        "t_compile": t_compile,
        "t_exact": t_exact,
        "t_full": t_full,
        "t_textbook": t_textbook,
        "textbook_extrapolated": extrapolated,
        "textbook_lps_timed": tb.n_lps,
        "t_decompose": t_decomp,
        "t_week": t_week,
        "t_1000_weeks": t_1000,
        "t_uniform_week": t_uniform_week,
        "coverage_gap_pp": coverage_gap_pp,
        "peak_mib": max(m_full, m_decomp, m_1000),
        "loss_ratio": {
            name: (-by[name].defender_value_rational) / plan_loss if plan_loss > 0 else np.inf
            for name in ("uniform", "hotspot", "risk-proportional")
        },
        "reports": reports,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, seconds")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per size (median)")
    args = parser.parse_args(argv)
    sizes = (200,) if args.quick else (200, 600, 1300)
    seeds = 1 if args.quick else args.seeds
    n_sites = 3 if args.quick else 15
    textbook_sample = 10 if args.quick else 60
    pool = 60 if args.quick else 300

    print(f"patrol benchmark ({'quick' if args.quick else 'full'}), seeds per size: {seeds}")
    print(
        "\n| targets | teams | edges | candidates | exact solve s | default solve s "
        "| textbook s | textbook / exact | coverage gap pp (1000 weeks) | peak MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    per_size: dict[int, list[dict[str, Any]]] = {}
    for n in sizes:
        rows = []
        for seed in range(seeds):
            print(f"  size {n}, seed {seed}...", file=sys.stderr)
            rows.append(bench_site(n, seed, textbook_sample=textbook_sample, pool=pool))
        per_size[n] = rows

        def med(key: str, rows: list[dict[str, Any]] = rows) -> float:
            return statistics.median(r[key] for r in rows)

        note = "*" if rows[0]["textbook_extrapolated"] else ""
        print(
            f"| {rows[0]['targets']} | {rows[0]['teams']} | {int(med('edges'))} "
            f"| {int(med('candidates'))} | {med('t_exact'):.3f} | {med('t_full'):.3f} "
            f"| {med('t_textbook'):.2f}{note} | {med('t_textbook') / med('t_exact'):.0f}x "
            f"| {max(r['coverage_gap_pp'] for r in rows):.2f} "
            f"| {max(r['peak_mib'] for r in rows):.1f} |"
        )
    print(
        "\n* textbook time extrapolated from "
        f"{textbook_sample} cold LPs on randomly chosen attacked targets."
    )

    print(
        "\n| targets | decompose s | one week s | 1000 weeks s | uniform week s | plan / uniform |"
    )
    print("|---|---|---|---|---|---|")
    for _n, rows in per_size.items():
        r = rows[0]
        print(
            f"| {r['targets']} | {r['t_decompose']:.3f} | {r['t_week']:.4f} "
            f"| {r['t_1000_weeks']:.2f} | {r['t_uniform_week']:.4f} "
            f"| {r['t_week'] / r['t_uniform_week']:.2f}x |"
        )

    print(
        "\nDefender loss of each baseline / loss of the plan (rational attacker; >1: the plan "
        "loses less), median over seeds, and metrics of the first seed:"
    )
    print(
        "\n| targets | policy | loss ratio | U_d rational | U_d SUQR | attack success N=1/4/12 "
        "| U_d learning attacker N=12 | entropy bits/week | executable weeks | executable patrols |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for _n, rows in per_size.items():
        for rep in rows[0]["reports"]:
            ratio = (
                "1"
                if rep.policy == "plan"
                else f"{statistics.median(r['loss_ratio'][rep.policy] for r in rows):.2f}"
            )
            succ = "/".join(f"{rep.attack_success[k]:.2f}" for k in (1, 4, 12))
            print(
                f"| {rows[0]['targets']} | {rep.policy} | {ratio} "
                f"| {rep.defender_value_rational:.4f} | {rep.defender_value_suqr:.4f} | {succ} "
                f"| {rep.defender_value_learning[12]:.4f} | {rep.entropy_bits:.1f} "
                f"| {rep.executable_week_share:.2f} | {rep.executable_patrol_share:.3f} |"
            )

    # A whole mission: 15 sites of mixed size solved one after the other.
    rng = np.random.default_rng(2024)
    site_sizes = rng.choice((200, 400, 600, 900, 1300), size=n_sites)
    problems = [
        problem_from_dict(generate_problem(int(n), 100 + i, site_id=f"site-{i + 1}"))
        for i, n in enumerate(site_sizes)
    ]

    def mission(robust: bool) -> list[Any]:
        return [solve(p, time_limit_s=60, robust=robust) for p in problems]

    sols, t_mission, m_mission = timed(lambda: mission(True), trace=True)
    _, t_mission_exact, _ = timed(lambda: mission(False))
    assert all(s.status == "optimal" for s in sols)
    total = sum(p.n_targets for p in problems)
    print(
        f"\nMission: {n_sites} sites, {total} targets in all: default solve {t_mission:.2f} s, "
        f"exact part alone {t_mission_exact:.2f} s "
        f"(default / exact {t_mission / t_mission_exact:.1f}x), "
        f"peak traced {m_mission:.1f} MiB."
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Process peak resident memory: {rss:.0f} MiB.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
