"""The default solve: relax, fix, polish (a matheuristic with a proven bound).

Measured on generated missions (``docs/engines/deployment.md``), neither CP-SAT nor HiGHS
alone proves a mission plan within 0.1 % in 20 s: the LP relaxation is tight (within 0.05 %
of the best plans), but CP-SAT is slow to find plans near it and HiGHS's branch and bound is
slower still. The structure helps: once the FPUs are placed, rounding the IPO counts of the
LP costs almost nothing. So:

1. solve the LP relaxation with HiGHS: an upper bound on protection;
2. place FPUs and SPTs with HiGHS, unit variables integer and IPO counts continuous;
3. with the units fixed, let CP-SAT choose every IPO count between the floor and ceiling
   of its relaxed value (a tiny neighbourhood, solved to optimality in milliseconds);
4. if the plan is not yet within ``rel_gap`` of the bound, CP-SAT searches the full model
   from that plan (and from any hint) for the remaining time; its own bound is used too.

Every step is deterministic (HiGHS single-threaded, CP-SAT one worker, fixed seed).
"""

from __future__ import annotations

import numpy as np

from .backends import CpSatOptions, RawResult, solve_cpsat, solve_highs
from .model import LinearModel

PLACEMENT_GAP = 2e-4


def solve_hybrid(
    m: LinearModel,
    *,
    time_limit_s: float,
    rel_gap: float = 1e-3,
    hint: dict[str, int] | None = None,
    options: CpSatOptions | None = None,
) -> RawResult:
    """Relax, fix and polish; see the module docstring.

    Parameters
    ----------
    m : LinearModel
    time_limit_s : float
        Budget for the polishing step (the LP and unit placement steps come first).
    rel_gap : float
        Stop when the plan is proven within this relative gap of the bound.
    hint : dict, optional
        A previous plan (variable name to value) for the polishing step.
    options : CpSatOptions, optional
    """
    opts = options or CpSatOptions(rel_gap=rel_gap)
    lp, x_lp = solve_highs(m, time_limit_s=time_limit_s, integer=[])
    if lp.status == "INFEASIBLE":
        return RawResult("INFEASIBLE", None, None, None, None)
    if x_lp is None or lp.objective is None:
        return solve_cpsat(m, time_limit_s=time_limit_s, options=opts, hint=hint)
    bound = lp.objective
    units = [*m.base.values(), *m.platoons.values(), *m.spt.values()]
    # Half the budget for placing units, the rest for polishing: a fixed split keeps the
    # outcome independent of how fast earlier steps happened to run.
    values = _place_units(m, units, time_limit_s / 2)
    best: RawResult | None = None
    if values is not None:
        lb, ub = list(m.lb), list(m.ub)
        for v in units:
            lb[v] = ub[v] = round(values[v])
        for v in m.ipo.values():
            lb[v] = max(m.lb[v], int(np.floor(values[v] + 1e-6)))
            ub[v] = min(m.ub[v], int(np.ceil(values[v] - 1e-6)))
        fixed = LinearModel(**{**m.__dict__, "lb": lb, "ub": ub})
        best = solve_cpsat(fixed, time_limit_s=time_limit_s, options=CpSatOptions(rel_gap=0.0))
        if best.values is None:
            best = None
    if best is None or _gap(best.objective, bound) > rel_gap:
        start = dict(hint or {})
        if best is not None and best.values is not None:
            start = {m.names[i]: v for i, v in enumerate(best.values)}
        full = solve_cpsat(m, time_limit_s=time_limit_s / 2, options=opts, hint=start)
        if full.bound is not None:
            bound = min(bound, full.bound)
        if full.status == "INFEASIBLE":
            return full
        if best is None or (full.objective or 0) > (best.objective or 0):
            best = full
    if best is None or best.values is None:
        return RawResult("UNKNOWN", None, None, bound, None)
    bound = max(bound, best.objective or 0)
    status = "OPTIMAL" if _gap(best.objective, bound) <= rel_gap else "FEASIBLE"
    return RawResult(status, best.values, best.objective, bound, None)


def _gap(objective: int | None, bound: int) -> float:
    if objective is None:
        return 1.0
    return max(0, bound - objective) / bound if bound > 0 else 0.0


def _place_units(m: LinearModel, units: list[int], time_limit_s: float) -> np.ndarray | None:
    """Unit placement with IPO counts relaxed (HiGHS branch and cut)."""
    # Restricting units to the sites their LP solution uses was measured and rejected: the
    # best placements often use sites the LP leaves at zero (0.3 % worse on average).
    raw, x = solve_highs(m, time_limit_s=time_limit_s, rel_gap=PLACEMENT_GAP, integer=units)
    if x is not None and raw.status in ("OPTIMAL", "FEASIBLE"):
        return x
    return None
