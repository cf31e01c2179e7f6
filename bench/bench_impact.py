"""Impact engine: the simulation study behind its intervals and verdicts.

Run: ``.venv/bin/python bench/bench_impact.py`` (``--quick`` for seconds,
``--replications N`` to change the study's size; default 1,000 per scenario).

For each scenario, panels with a known effect are simulated (hot spots patrolled because they
were extreme, transient shocks that regress to the mean, spillovers to neighbours) and the
estimator is fitted on each. Printed per scenario: how often the 95 % interval covers the true
effect (sandwich and randomisation intervals), how often an effect is claimed (the
false-positive rate where the truth is zero, the power elsewhere), the bias and RMSE against
the truth, and the bias of the naive (unweighted) comparison, the baseline in the same run.
Time per fit is a ratio of the time to simulate one panel.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bluebox.engines.impact import verdict
from bluebox.engines.impact.displacement import SpilloverEffect
from bluebox.engines.impact.dose import DoseResponse, simulate_visits
from bluebox.engines.impact.observational import (
    StaggeredDiD,
    SyntheticControl,
    simulate_intervention_panel,
)
from bluebox.engines.impact.randomised import PatrolEffect
from bluebox.engines.impact.simulate import simulate_patrol_panel


def _binom_ci(k: int, n: int) -> str:
    p = k / n
    half = 1.96 * np.sqrt(p * (1 - p) / n)
    return f"{p * 100:.1f} % (±{half * 100:.1f})"


def ipw_scenarios() -> list[tuple[str, dict[str, Any], int]]:
    return [
        ("patrol effect 0.7, no spillover", {"effect": 0.7}, 0),
        ("no effect (1.0), no spillover", {"effect": 1.0}, 0),
        ("effect 0.7, displacement +20 %", {"effect": 0.7, "spillover": 0.2}, 0),
        ("no effect, displacement +20 %", {"effect": 1.0, "spillover": 0.2}, 0),
        ("next slot: carry-over 0.8", {"effect": 0.7, "carryover": 0.8}, 1),
        ("next slot: no carry-over", {"effect": 0.7, "carryover": 1.0}, 1),
    ]


def run_ipw(replications: int, n_resamples: int, size: dict[str, int]) -> None:
    print(
        f"\n### Patrol presence, IPW + randomisation inference "
        f"({size['n_areas']} areas x {size['n_weeks']} weeks x 21 slots, "
        f"{replications} panels per scenario, {n_resamples} redraws each)\n"
    )
    print(
        "| scenario | true effect (per area-slot) | coverage sandwich | coverage randomisation "
        "| coverage relative | effect claimed | bias | RMSE | naive bias | fit / simulate time |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, kwargs, horizon in ipw_scenarios():
        key = "additive" if horizon == 0 else "additive_next"
        rel_key = "relative" if horizon == 0 else "relative_next"
        cov = cov_ri = cov_rel = claimed = 0
        errors, naive, truths = [], [], []
        t_sim = t_fit = 0.0
        for r in range(replications):
            t0 = time.perf_counter()
            sim = simulate_patrol_panel(**size, **kwargs, random_state=100_000 + r)
            t1 = time.perf_counter()
            e = PatrolEffect(horizon=horizon, n_resamples=n_resamples, random_state=r)
            est = e.fit(sim.panel).estimate_
            t2 = time.perf_counter()
            t_sim += t1 - t0
            t_fit += t2 - t1
            truth = sim.truth[key]
            truths.append(truth)
            cov += est.covers(truth)
            cov_ri += est.detail["randomisation_low"] <= truth <= est.detail["randomisation_high"]
            if est.relative_low is not None and est.relative_high is not None:
                cov_rel += est.relative_low <= sim.truth[rel_key] <= est.relative_high
            claimed += est.verdict in (verdict.REDUCTION, verdict.INCREASE)
            errors.append(est.estimate - truth)
            naive.append(est.detail["naive_difference"] - truth)
        n = replications
        print(
            f"| {name} | {np.mean(truths):+.4f} | {_binom_ci(cov, n)} | {_binom_ci(cov_ri, n)} "
            f"| {_binom_ci(cov_rel, n)} | {_binom_ci(claimed, n)} | {np.mean(errors):+.5f} "
            f"| {np.sqrt(np.mean(np.square(errors))):.4f} | {np.mean(naive):+.4f} "
            f"| {t_fit / max(t_sim, 1e-9):.2f} |"
        )
        sys.stdout.flush()


def run_spillover(replications: int, size: dict[str, int]) -> None:
    print(
        f"\n### Displacement to neighbours, randomised exposure ({size['n_areas']} areas x "
        f"{size['n_weeks']} weeks, {replications} panels per scenario)\n"
    )
    print("| scenario | true spillover | coverage | effect claimed | bias | RMSE |")
    print("|---|---|---|---|---|---|")
    for name, spill in (("displacement +30 %", 0.3), ("diffusion -20 %", -0.2), ("none", 0.0)):
        cov = claimed = 0
        errors, truths = [], []
        for r in range(replications):
            sim = simulate_patrol_panel(
                **size, effect=0.7, spillover=spill, random_state=200_000 + r
            )
            est = SpilloverEffect(neighbours=sim.neighbours).fit(sim.panel).estimate_
            truth = sim.truth["spillover"]
            truths.append(truth)
            cov += est.covers(truth)
            claimed += est.verdict in (verdict.REDUCTION, verdict.INCREASE)
            errors.append(est.estimate - truth)
        n = replications
        print(
            f"| {name} | {np.mean(truths):+.4f} | {_binom_ci(cov, n)} | {_binom_ci(claimed, n)} "
            f"| {np.mean(errors):+.5f} | {np.sqrt(np.mean(np.square(errors))):.4f} |"
        )
        sys.stdout.flush()


def run_dose(replications: int) -> None:
    print(f"\n### Dose-response, Cox model (400 visits, {replications} samples per scenario)\n")
    print("| scenario | true log HR per doubling | coverage | effect claimed | bias | RMSE |")
    print("|---|---|---|---|---|---|")
    for name, hr in (("HR 0.8 per doubling", 0.8), ("HR 0.9", 0.9), ("no effect", 1.0)):
        cov = claimed = 0
        errors = []
        truth = float(np.log(hr))
        for r in range(replications):
            visits, _ = simulate_visits(hazard_ratio=hr, random_state=300_000 + r)
            est = DoseResponse().fit(visits).estimate_
            cov += est.covers(truth)
            claimed += est.verdict in (verdict.REDUCTION, verdict.INCREASE)
            errors.append(est.estimate - truth)
        n = replications
        print(
            f"| {name} | {truth:+.4f} | {_binom_ci(cov, n)} | {_binom_ci(claimed, n)} "
            f"| {np.mean(errors):+.5f} | {np.sqrt(np.mean(np.square(errors))):.4f} |"
        )
        sys.stdout.flush()


def run_did(replications: int) -> None:
    print(
        f"\n### Staggered DiD, units chosen at their peak (30 units x 52 weeks, 5 treated, "
        f"{replications} panels per scenario)\n"
    )
    print(
        "| scenario | selection window left out | placebos | coverage | effect claimed "
        "| bias (log ratio) |"
    )
    print("|---|---|---|---|---|---|")
    for name, effect in (("no effect", 1.0), ("effect 0.7", 0.7)):
        for window, placebo in ((4, "extreme"), (4, "random"), (0, "random")):
            cov = claimed = 0
            errors = []
            for r in range(replications):
                frame, truth = simulate_intervention_panel(effect=effect, random_state=400_000 + r)
                est = (
                    StaggeredDiD(
                        selection_window=window,
                        placebo=placebo,
                        n_bootstrap=100,
                        n_placebos=60,
                        random_state=r,
                    )
                    .fit(frame)
                    .estimate_
                )
                cov += est.covers(truth["log_ratio"])
                claimed += est.verdict in (verdict.REDUCTION, verdict.INCREASE)
                errors.append(est.estimate - truth["log_ratio"])
            n = replications
            print(
                f"| {name} | {window} | {placebo} | {_binom_ci(cov, n)} | {_binom_ci(claimed, n)} "
                f"| {np.mean(errors):+.4f} |"
            )
            sys.stdout.flush()


def run_sc(replications: int) -> None:
    print(
        f"\n### Synthetic control, one unit chosen at its peak (30 units x 52 weeks, "
        f"{replications} panels per scenario)\n"
    )
    print(
        "| scenario | scale | coverage (relative) | effect claimed | insufficient data "
        "| bias (relative) | RMSE | naive before/after bias | fit / simulate time |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, effect, scale in (
        ("no effect", 1.0, "mean"),
        ("no effect", 1.0, "none"),
        ("effect 0.6 (-40 %)", 0.6, "mean"),
        ("effect 0.3 (-70 %)", 0.3, "mean"),
        ("effect 0.3 (-70 %), quiet shocks (sd 0.15)", 0.3, "mean"),
    ):
        cov = claimed = insufficient = 0
        errors, naive = [], []
        fit_time = sim_time = 0.0
        for r in range(replications):
            t0 = time.perf_counter()
            frame, truth = simulate_intervention_panel(
                n_units=30,
                n_treated=1,
                effect=effect,
                shock_sd=0.15 if "quiet" in name else 0.5,
                random_state=500_000 + r,
            )
            t1 = time.perf_counter()
            unit = frame.loc[frame["start"].notna(), "unit"].iloc[0]
            est = SyntheticControl(unit=unit, scale=scale).fit(frame).estimate_
            t2 = time.perf_counter()
            sim_time += t1 - t0
            fit_time += t2 - t1
            cov += est.relative_low <= truth["relative"] <= est.relative_high
            claimed += est.verdict in (verdict.REDUCTION, verdict.INCREASE)
            insufficient += est.verdict == verdict.INSUFFICIENT
            errors.append(est.relative - truth["relative"])
            # The baseline: the unit's own after against its own four weeks before the start.
            own = frame[frame["unit"] == unit].sort_values("period")["incidents"].to_numpy()
            start = int(frame.loc[frame["unit"] == unit, "start"].iloc[0])
            before = own[start - 4 : start].mean()
            if before > 0:
                naive.append(own[start:].mean() / before - 1 - truth["relative"])
        n = replications
        print(
            f"| {name} | {scale} | {_binom_ci(cov, n)} | {_binom_ci(claimed, n)} "
            f"| {_binom_ci(insufficient, n)} | {np.mean(errors):+.4f} "
            f"| {np.sqrt(np.mean(np.square(errors))):.4f} | {np.mean(naive):+.4f} "
            f"| {fit_time / max(sim_time, 1e-9):.1f} |"
        )
        sys.stdout.flush()


STUDIES: dict[str, Callable[..., None]] = {
    "did": run_did,
    "sc": run_sc,
    "ipw": run_ipw,
    "spillover": run_spillover,
    "dose": run_dose,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--only", choices=sorted(STUDIES), action="append")
    args = parser.parse_args(argv)
    reps = 20 if args.quick else args.replications
    size = {"n_areas": 25, "n_weeks": 4 if args.quick else 8}
    started = time.perf_counter()
    for name in args.only or list(STUDIES):
        if name == "ipw":
            run_ipw(reps, 200 if args.quick else 500, size)
        elif name == "spillover":
            run_spillover(reps, size)
        elif name == "dose":
            run_dose(reps)
        elif name == "did":
            run_did(max(reps // 5, 5))
        elif name == "sc":
            run_sc(max(reps // 2, 10))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
