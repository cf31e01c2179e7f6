"""Deployment engine benchmark: solve quality and time against the greedy baseline.

On generated mission-scale and global-scale problems it measures, in one run: the greedy
baseline's time (the baseline every time ratio is divided by), the optimiser's time, status,
gap and objective as a ratio of greedy's, one what-if re-solve per mission, a full caveat and
split sweep on the first mission, and peak memory.

    .venv/bin/python bench/bench_deployment.py            # 30 missions + 5 global problems
    .venv/bin/python bench/bench_deployment.py --quick    # a smoke run in seconds
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

from bluebox.engines.deployment import evaluate, generate, greedy, solve
from bluebox.engines.deployment.model import build_model
from bluebox.engines.deployment.whatif import caveat_items, split_changes, sweep, what_if


def _run(scale: str, seed: int, limit: float, whatif: bool) -> dict[str, float | str]:
    problem = generate(scale, seed=seed)  # type: ignore[arg-type]
    m = build_model(problem)
    t0 = time.perf_counter()
    g = evaluate(problem, greedy(problem))
    t_greedy = time.perf_counter() - t0
    t0 = time.perf_counter()
    sol = solve(problem, time_limit_s=limit, compare_greedy=False)
    t_solve = time.perf_counter() - t0
    row: dict[str, float | str] = {
        "seed": seed,
        "police": sum(f.strength for f in problem.fpus)
        + sum(c.count for c in problem.ipo_classes)
        + sum(t.strength for t in problem.spts),
        "sites": len(problem.sites),
        "fpus": len(problem.fpus),
        "classes": len(problem.ipo_classes),
        "vars": len(m.names),
        "status": sol.status,
        "gap": sol.gap if sol.gap is not None else float("nan"),
        "t_greedy": t_greedy,
        "t_solve": t_solve,
        "ratio": (sol.objective_points or 0) / g.points if g.points else float("nan"),
        "greedy_feasible": str(g.feasible),
    }
    if whatif:
        changes = caveat_items(problem) + split_changes(problem)
        if changes:
            t0 = time.perf_counter()
            what_if(problem, changes[0], base=sol, time_limit_s=limit)
            row["t_whatif"] = time.perf_counter() - t0
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 missions, 1 global, short limits")
    args = parser.parse_args()
    n_mission, n_global = (3, 1) if args.quick else (30, 5)
    rows = []
    for seed in range(n_mission):
        rows.append(("mission", _run("mission", seed, 10.0, True)))
        print(f"mission {seed}: {rows[-1][1]}", file=sys.stderr)
    for seed in range(n_global):
        rows.append(("global", _run("global", seed, 60.0, False)))
        print(f"global {seed}: {rows[-1][1]}", file=sys.stderr)
    problem = generate("mission", seed=0)
    t0 = time.perf_counter()
    ranked = sweep(problem, time_limit_s=10.0)
    t_sweep = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "| scale | n | police | vars | proven <=0.1 % | median gap | max gap | median solve s "
        "| max solve s | solve / greedy time | objective / greedy |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for scale in ("mission", "global"):
        rs = [r for s, r in rows if s == scale]
        if not rs:
            continue
        t = [float(r["t_solve"]) for r in rs]
        ratios = [float(r["t_solve"]) / float(r["t_greedy"]) for r in rs]
        print(
            f"| {scale} | {len(rs)} | {statistics.median(float(r['police']) for r in rs):.0f} "
            f"| {statistics.median(float(r['vars']) for r in rs):.0f} "
            f"| {sum(r['status'] == 'OPTIMAL' for r in rs)}/{len(rs)} "
            f"| {statistics.median(float(r['gap']) for r in rs):.3%} "
            f"| {max(float(r['gap']) for r in rs):.3%} "
            f"| {statistics.median(t):.2f} | {max(t):.2f} "
            f"| {statistics.median(ratios):.0f}x "
            f"| {statistics.median(float(r['ratio']) for r in rs):.3f} "
            f"(min {min(float(r['ratio']) for r in rs):.3f}) |"
        )
    wi = [float(r["t_whatif"]) for s, r in rows if s == "mission" and "t_whatif" in r]
    base_t = statistics.median(float(r["t_solve"]) for s, r in rows if s == "mission")
    if wi:
        print(
            f"\none what-if (mission): median {statistics.median(wi):.2f} s, max {max(wi):.2f} s; "
            f"{statistics.median(wi) / base_t:.2f}x a full solve"
        )
    print(
        f"full sweep (mission seed 0, {len(ranked)} changes): {t_sweep:.1f} s; "
        f"{t_sweep / base_t:.1f}x a full solve; top: "
        + "; ".join(f"{w.text} {w.delta or 0:+.2%}" for w in ranked[:3])
    )
    greedy_ok = sum(r["greedy_feasible"] == "True" for _, r in rows)
    print(f"greedy plans meeting every requirement: {greedy_ok}/{len(rows)}")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
