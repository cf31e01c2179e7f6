"""Deployment engine benchmark: solve quality and time against the greedy baseline.

On generated mission-scale and global-scale problems it measures, in one run: the greedy
baseline's time (the baseline every time ratio is divided by), the optimiser's time, status,
gap and objective as a ratio of greedy's, one what-if re-solve per mission, a full caveat and
split sweep on the first mission, and peak memory.

    .venv/bin/python bench/bench_deployment.py            # 30 missions + 5 global problems
    .venv/bin/python bench/bench_deployment.py --quick    # a smoke run in seconds
    .venv/bin/python bench/bench_deployment.py --missions 0 --global-seeds 5,6,7,8,9 --no-sweep

Every solve also reports its process CPU time: on a shared machine the wall time a solver
gets depends on the load, and the CPU time says how much search it did.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

from bluebox.engines.deployment import evaluate, generate, greedy, solve
from bluebox.engines.deployment.model import build_model
from bluebox.engines.deployment.whatif import (
    apply_change,
    caveat_items,
    split_changes,
    sweep,
    what_if,
)


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _run(scale: str, seed: int, limit: float, whatif: bool) -> dict[str, float | str]:
    problem = generate(scale, seed=seed)  # type: ignore[arg-type]
    m = build_model(problem)
    t0 = time.perf_counter()
    g = evaluate(problem, greedy(problem))
    t_greedy = time.perf_counter() - t0
    t0 = time.perf_counter()
    sol = solve(problem, time_limit_s=limit, compare_greedy=False)
    t_solve = time.perf_counter() - t0
    load = _load()
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
        "cpu_solve": sol.cpu_time_s or 0.0,
        "load": load,
        "ratio": (sol.objective_points or 0) / g.points if g.points else float("nan"),
        "greedy_feasible": str(g.feasible),
    }
    if whatif:
        changes = caveat_items(problem) + split_changes(problem)
        if changes and sol.assignment is not None:
            t0 = time.perf_counter()
            w = what_if(problem, changes[0], base=sol, time_limit_s=limit)
            row["t_whatif"] = time.perf_counter() - t0
            row["cpu_whatif"] = w.solution.cpu_time_s or 0.0
            # The same change solved cold: what the warm start saves, and that both agree.
            t0 = time.perf_counter()
            cold = solve(
                apply_change(problem, changes[0]), time_limit_s=limit, compare_greedy=False
            )
            row["t_cold"] = time.perf_counter() - t0
            row["cpu_cold"] = cold.cpu_time_s or 0.0
            top = max(cold.bound_points or 0, w.solution.bound_points or 0) or 1
            row["whatif_diff"] = (
                (w.solution.objective_points or 0) - (cold.objective_points or 0)
            ) / top
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 missions, 1 global, short limits")
    parser.add_argument("--missions", type=int, help="number of mission seeds (from 0)")
    parser.add_argument("--global-seeds", help="global seeds, e.g. 5,6 (default 0-4; '' for none)")
    parser.add_argument("--no-sweep", action="store_true", help="skip the full sweep")
    args = parser.parse_args()
    n_mission, n_global = (3, 1) if args.quick else (30, 5)
    if args.missions is not None:
        n_mission = args.missions
    global_seeds = list(range(n_global))
    if args.global_seeds is not None:
        global_seeds = [int(s) for s in args.global_seeds.split(",") if s]
    print(f"load average at start: {_load()}")
    rows = []
    for seed in range(n_mission):
        rows.append(("mission", _run("mission", seed, 10.0, True)))
        print(f"mission {seed}: {rows[-1][1]}", file=sys.stderr)
    for seed in global_seeds:
        rows.append(("global", _run("global", seed, 60.0, False)))
        r = rows[-1][1]
        print(
            f"global seed {seed}: {r['status']}, gap {float(r['gap']):.3%}, "
            f"{float(r['t_solve']):.1f} s wall, {float(r['cpu_solve']):.1f} s CPU, "
            f"load {r['load']}, {r['vars']} vars, {r['police']} police"
        )
    ranked = []
    t_sweep = 0.0
    if not args.no_sweep:
        problem = generate("mission", seed=0)
        t0 = time.perf_counter()
        ranked = sweep(problem, time_limit_s=10.0)
        t_sweep = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "| scale | n | police | vars | proven <=0.1 % | median gap | max gap | median solve s "
        "| max solve s | median CPU s | solve / greedy time | objective / greedy |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
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
            f"| {statistics.median(float(r['cpu_solve']) for r in rs):.2f} "
            f"| {statistics.median(ratios):.0f}x "
            f"| {statistics.median(float(r['ratio']) for r in rs):.3f} "
            f"(min {min(float(r['ratio']) for r in rs):.3f}) |"
        )
    wr = [r for s, r in rows if s == "mission" and "t_whatif" in r]
    if wr:
        wi = [float(r["t_whatif"]) for r in wr]
        cold = [float(r["t_cold"]) for r in wr]
        diff = [abs(float(r["whatif_diff"])) for r in wr]
        print(
            f"\none what-if (mission, n={len(wr)}): median {statistics.median(wi):.2f} s, "
            f"max {max(wi):.2f} s (CPU median "
            f"{statistics.median(float(r['cpu_whatif']) for r in wr):.2f} s); the same change "
            f"solved cold: median {statistics.median(cold):.2f} s (CPU "
            f"{statistics.median(float(r['cpu_cold']) for r in wr):.2f} s); "
            f"warm / cold time {statistics.median(wi) / statistics.median(cold):.2f}x; "
            f"objective difference warm - cold: max {max(diff):.3%} of the bound"
        )
    if ranked:
        base_t = statistics.median(float(r["t_solve"]) for s, r in rows if s == "mission")
        print(
            f"full sweep (mission seed 0, {len(ranked)} changes): {t_sweep:.1f} s; "
            f"{t_sweep / base_t:.1f}x a full solve; top: "
            + "; ".join(f"{w.text} {w.delta or 0:+.2%}" for w in ranked[:3])
        )
    greedy_ok = sum(r["greedy_feasible"] == "True" for _, r in rows)
    print(f"greedy plans meeting every requirement: {greedy_ok}/{len(rows)}")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    print(f"load average at end: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
