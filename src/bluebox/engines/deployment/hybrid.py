"""The default solve: relax, fix, polish (a matheuristic with a proven bound).

Measured on generated missions (``docs/engines/deployment.md``), neither CP-SAT nor HiGHS
alone proves a mission plan within 0.1 % in 20 s: the LP relaxation is tight (within 0.05 %
of the best plans), but CP-SAT is slow to find plans near it and HiGHS's branch and bound is
slower still. The structure helps: once the FPUs are placed, rounding the IPO counts of the
LP costs almost nothing. So:

1. solve the LP relaxation with HiGHS: an upper bound on protection;
2. place FPUs and SPTs with HiGHS, unit variables integer and IPO counts continuous, starting
   from the hint when one is given (a MIP start). With ``free`` (a what-if), only the units the
   change touches may move at first; the neighbourhood widens to every unit when the plan it
   gives is not within ``rel_gap`` of the bound. When the full placement finds no plan in its
   share, units are restricted to the sites the LP uses, a smaller search that finds plans
   sooner (the fallback, not the default: its plans are measured worse when both finish);
3. with the units fixed, let CP-SAT choose every IPO count between the floor and ceiling
   of its relaxed value (a tiny neighbourhood, solved to optimality in milliseconds);
4. if the plan is not yet within ``rel_gap`` of the bound, CP-SAT searches the full model
   from that plan for the remaining time; its own bound is used too.

The whole call honours ``time_limit_s`` (or ``deadline``) in wall time: every step gets at
most what is left. Every step is deterministic (HiGHS single-threaded, CP-SAT one worker,
fixed seed) except for where a time limit stops it.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from .backends import CpSatOptions, RawResult, solve_cpsat, solve_highspy
from .model import LinearModel

PLACEMENT_GAP = 2e-4
# Time kept back from unit placement for the polishing steps (seconds, at most).
POLISH_RESERVE_S = 0.5
# Seed the full placement with a first plan from the LP-support search (measured: see the
# engine's documentation), and the share of the placement time that search may take at most.
SEED_FROM_SUPPORT: str | bool = True
# CP-SAT on the full model only when this much time is left: building its model alone takes
# a few tenths of a second at mission scale.
FULL_SEARCH_MIN_S = 1.0
SEED_SHARE = 0.3


@dataclass
class Relaxation:
    """The LP relaxation of a model: its bound (points) and its values."""

    status: str
    bound: int | None
    x: np.ndarray | None


def relax(m: LinearModel, *, deadline: float) -> Relaxation:
    """Solve the LP relaxation with HiGHS before ``deadline`` (a :func:`time.monotonic` time)."""
    run = solve_highspy(m, time_limit_s=deadline - time.monotonic(), integer=[], deadline=deadline)
    if run.raw.status == "OPTIMAL" and run.x is not None:
        return Relaxation("OPTIMAL", run.raw.objective, run.x)
    return Relaxation(run.raw.status, None, None)


def solve_hybrid(  # noqa: PLR0912 - the steps of the module docstring, in order
    m: LinearModel,
    *,
    time_limit_s: float,
    rel_gap: float = 1e-3,
    hint: Mapping[str, int] | None = None,
    options: CpSatOptions | None = None,
    deadline: float | None = None,
    relaxation: Relaxation | None = None,
    free: Collection[int] | None = None,
) -> RawResult:
    """Relax, fix and polish; see the module docstring.

    Parameters
    ----------
    m : LinearModel
    time_limit_s : float
        Wall-time budget for the whole call.
    rel_gap : float
        Stop when the plan is proven within this relative gap of the bound.
    hint : dict, optional
        A previous plan (variable name to value): the MIP start of the placement.
    options : CpSatOptions, optional
    deadline : float, optional
        A :func:`time.monotonic` instant that overrides ``time_limit_s`` when earlier.
    relaxation : Relaxation, optional
        The LP relaxation when the caller has already solved it.
    free : collection of int, optional
        Unit variables allowed to move in a first, small placement around ``hint``.
    """
    t0 = time.monotonic()
    end = t0 + time_limit_s if deadline is None else min(deadline, t0 + time_limit_s)
    opts = options or CpSatOptions(rel_gap=rel_gap)
    lp = relaxation or relax(m, deadline=end)
    if lp.status == "INFEASIBLE":
        return RawResult("INFEASIBLE", None, None, None, time.monotonic() - t0)
    if lp.x is None or lp.bound is None:
        return _timed(solve_cpsat(m, time_limit_s=_left(end), options=opts, hint=hint), t0)
    bound = lp.bound
    units = [*m.base.values(), *m.platoons.values(), *m.spt.values()]
    start = _vector(m, hint) if hint else None
    values, place_bound = _place_units(m, units, lp, rel_gap, end, start, free)
    if place_bound is not None:
        bound = min(bound, place_bound)
    best: RawResult | None = None
    if values is not None:
        lb, ub = list(m.lb), list(m.ub)
        for v in units:
            lb[v] = ub[v] = round(values[v])
        for v in m.ipo.values():
            lb[v] = max(m.lb[v], int(np.floor(values[v] + 1e-6)))
            ub[v] = min(m.ub[v], int(np.ceil(values[v] - 1e-6)))
        fixed = LinearModel(**{**m.__dict__, "lb": lb, "ub": ub})
        # The polish is not skipped at the deadline: the placement's IPO counts are
        # fractional, and this tiny step (milliseconds) is what turns them into a plan.
        best = solve_cpsat(
            fixed, time_limit_s=max(_left(end), 0.2), options=CpSatOptions(rel_gap=0.0)
        )
        if best.values is None:
            best = None
    if (best is None or _gap(best.objective, bound) > rel_gap) and _left(end) > FULL_SEARCH_MIN_S:
        begin = dict(hint or {})
        if best is not None and best.values is not None:
            begin = {m.names[i]: v for i, v in enumerate(best.values)}
        full = solve_cpsat(m, time_limit_s=_left(end), options=opts, hint=begin)
        if full.bound is not None:
            bound = min(bound, full.bound)
        if full.status == "INFEASIBLE":
            return _timed(full, t0)
        if full.values is not None and (
            best is None or (full.objective or 0) > (best.objective or 0)
        ):
            best = full
    if best is None or best.values is None:
        return RawResult("UNKNOWN", None, None, bound, time.monotonic() - t0)
    bound = max(bound, best.objective or 0)
    status = "OPTIMAL" if _gap(best.objective, bound) <= rel_gap else "FEASIBLE"
    return RawResult(status, best.values, best.objective, bound, time.monotonic() - t0)


def _left(end: float) -> float:
    return max(0.0, end - time.monotonic())


def _timed(raw: RawResult, t0: float) -> RawResult:
    raw.wall_time_s = time.monotonic() - t0
    return raw


def _gap(objective: int | None, bound: int) -> float:
    if objective is None:
        return 1.0
    return max(0, bound - objective) / bound if bound > 0 else 0.0


def _vector(m: LinearModel, hint: Mapping[str, int]) -> np.ndarray:
    return np.array([float(hint.get(n, 0)) for n in m.names])


def _place_units(  # noqa: PLR0912 - the placement steps of the module docstring
    m: LinearModel,
    units: list[int],
    lp: Relaxation,
    rel_gap: float,
    end: float,
    start: np.ndarray | None,
    free: Collection[int] | None,
) -> tuple[np.ndarray | None, int | None]:
    """Unit placement with IPO counts relaxed (HiGHS branch and cut): values and a bound."""
    assert lp.x is not None and lp.bound is not None  # noqa: S101 - checked by the caller
    gap = min(PLACEMENT_GAP, rel_gap)
    best_x: np.ndarray | None = None
    best_obj = -1
    bound: int | None = None
    if free is not None and start is not None:
        # A what-if: units the change does not touch stay where the base plan has them.
        lb, ub = list(m.lb), list(m.ub)
        movable = set(free)
        for v in units:
            if v not in movable:
                lb[v] = ub[v] = round(start[v])
        run = solve_highspy(
            m,
            time_limit_s=_left(end),
            rel_gap=gap,
            integer=units,
            lb=lb,
            ub=ub,
            start=start,
            deadline=end,
        )
        if run.x is not None and run.raw.objective is not None:
            best_x, best_obj, start = run.x, run.raw.objective, run.x
            if _gap(best_obj, lp.bound) <= rel_gap * 0.5:
                return best_x, None
    reserve = min(POLISH_RESERVE_S, 0.1 * _left(end))
    share = end - reserve
    restricted = list(m.ub)
    for v in units:
        if lp.x[v] < 1e-6:
            restricted[v] = 0
    seed_lb = list(m.lb)
    if SEED_FROM_SUPPORT == "round":
        # Units the LP places (almost) whole stay there; the others search the LP's support.
        for v in m.base.values():
            if lp.x[v] > 0.5:
                seed_lb[v] = 1
    tried = False
    if start is None and SEED_FROM_SUPPORT:
        # A first plan from the smaller search, as the full search's MIP start.
        tried = True
        cap = time.monotonic() + SEED_SHARE * _left(share)
        run = solve_highspy(
            m,
            time_limit_s=_left(cap),
            rel_gap=gap,
            integer=units,
            lb=seed_lb,
            ub=restricted,
            deadline=cap,
            max_plans=1,
        )
        if run.x is not None and run.raw.objective is not None:
            best_x, best_obj, start = run.x, run.raw.objective, run.x
    run = solve_highspy(
        m, time_limit_s=_left(share), rel_gap=gap, integer=units, start=start, deadline=share
    )
    if run.raw.bound is not None and run.raw.status in ("OPTIMAL", "FEASIBLE"):
        bound = run.raw.bound
    if run.x is not None and (run.raw.objective or 0) > best_obj:
        best_x, best_obj = run.x, run.raw.objective or 0
    if best_x is None and not tried and _left(share) > 0.05:
        # No plan in the full search: restrict units to the sites the LP uses.
        run = solve_highspy(
            m, time_limit_s=_left(share), rel_gap=gap, integer=units, ub=restricted, deadline=share
        )
        if run.x is not None:
            best_x = run.x
    return best_x, bound
