"""Solver back-ends for a :class:`~.model.LinearModel`: OR-Tools CP-SAT and HiGHS.

HiGHS is reached through :func:`scipy.optimize.milp`, which bundles it: the ``highspy``
wheel ships its own ``libhighs`` that clashes with the copy inside OR-Tools when both are
loaded in one process, and the deployment engine needs CP-SAT for explanations anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from .model import LinearModel

STATUSES = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID")


@dataclass
class RawResult:
    """What a back-end found, in model units (objective points)."""

    status: str
    values: list[int] | None
    objective: int | None
    bound: int | None
    wall_time_s: float | None
    core: list[str] | None = None


@dataclass(frozen=True)
class CpSatOptions:
    """CP-SAT parameters.

    One worker with a fixed seed is deterministic: the same problem gives the same plan. With
    more workers CP-SAT races subsolvers and may return a different plan of equal value; set
    ``interleave=True`` to keep several subsolvers but run them deterministically in turn.
    """

    workers: int = 1
    seed: int = 0
    rel_gap: float = 0.0
    interleave: bool = False


def solve_cpsat(  # noqa: PLR0912 - one branch per solver option
    m: LinearModel,
    *,
    time_limit_s: float,
    options: CpSatOptions | None = None,
    hint: Mapping[str, int] | None = None,
    assume: Iterable[str] | None = None,
    feasibility_only: bool = False,
) -> RawResult:
    """Solve with CP-SAT.

    Parameters
    ----------
    m : LinearModel
    time_limit_s : float
        Wall-clock limit for the search.
    options : CpSatOptions, optional
    hint : mapping of variable name to value, optional
        A previous plan (warm start); names that no longer exist are ignored.
    assume : iterable of str, optional
        Groups to enforce through assumption literals; groups not listed are free (relaxed).
        ``None`` enforces every group as a hard constraint.
    feasibility_only : bool
        Drop the objective (explanations only ask whether a plan exists).
    """
    opts = options or CpSatOptions()
    model = cp_model.CpModel()
    proto = model.Proto()
    for lb, ub in zip(m.lb, m.ub, strict=True):
        proto.variables.add().domain.extend([lb, ub])
    literals: dict[str, int] = {}
    if assume is not None:
        for g in sorted(m.groups):
            literals[g] = len(proto.variables)
            proto.variables.add().domain.extend([0, 1])
    for row in m.rows:
        if row.group is not None and assume is not None:
            ct = proto.constraints.add()
            ct.enforcement_literal.append(literals[row.group])
        else:
            ct = proto.constraints.add()
        ct.linear.vars.extend(row.idx)
        ct.linear.coeffs.extend(row.coef)
        ct.linear.domain.extend([row.lo, row.hi])
    if not feasibility_only and m.objective:
        idx = list(m.objective)
        proto.objective.vars.extend(idx)
        # CP-SAT minimises: negate the coefficients and flip the sign back with the scale.
        proto.objective.coeffs.extend(-m.objective[i] for i in idx)
        proto.objective.scaling_factor = -1.0
    if hint:
        for i, name in enumerate(m.names):
            if name in hint:
                proto.solution_hint.vars.append(i)
                proto.solution_hint.values.append(int(hint[name]))
    if assume is not None:
        proto.assumptions.extend(literals[g] for g in sorted(set(assume)) if g in literals)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = float(time_limit_s)
    p.random_seed = opts.seed
    p.relative_gap_limit = opts.rel_gap
    if assume is not None:
        # Cores are only reported by the single-threaded search.
        p.num_workers = 1
    else:
        p.num_workers = opts.workers
        p.interleave_search = opts.interleave
    status = solver.Solve(model)
    name = solver.StatusName(status)
    has_solution = name in ("OPTIMAL", "FEASIBLE")
    values = list(solver.ResponseProto().solution)[: len(m.names)] if has_solution else None
    core = None
    if name == "INFEASIBLE" and assume is not None:
        back = {v: g for g, v in literals.items()}
        core = sorted(back[i] for i in solver.SufficientAssumptionsForInfeasibility())
    objective = bound = None
    if has_solution and not feasibility_only:
        objective = round(solver.ObjectiveValue())
        bound = int(np.floor(solver.BestObjectiveBound() + 1e-6))
    return RawResult(name, values, objective, bound, solver.WallTime(), core)


def solve_highs(
    m: LinearModel,
    *,
    time_limit_s: float,
    rel_gap: float = 0.0,
    integer: Iterable[int] | None = None,
    lb: list[int] | None = None,
    ub: list[int] | None = None,
) -> tuple[RawResult, np.ndarray | None]:
    """Solve with HiGHS (branch and cut) through :func:`scipy.optimize.milp`.

    ``integer`` lists the variables kept integer (default: all; an empty list solves the LP
    relaxation); ``lb``/``ub`` override the variable bounds. Returns the result and the raw
    (possibly fractional) values.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array

    n = len(m.names)
    integrality = np.ones(n)
    if integer is not None:
        integrality = np.zeros(n)
        integrality[list(integer)] = 1
    c = np.zeros(n)
    for i, w in m.objective.items():
        c[i] = -float(w)
    data: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    lo: list[float] = []
    hi: list[float] = []
    for r, row in enumerate(m.rows):
        rows.extend([r] * len(row.idx))
        cols.extend(row.idx)
        data.extend(float(x) for x in row.coef)
        lo.append(-np.inf if row.lo <= -(1 << 49) else float(row.lo))
        hi.append(np.inf if row.hi >= (1 << 49) else float(row.hi))
    a = csr_array((data, (rows, cols)), shape=(len(m.rows), n))
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(np.array(lb or m.lb, float), np.array(ub or m.ub, float)),
        constraints=LinearConstraint(a, np.array(lo), np.array(hi)),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": rel_gap, "disp": False},
    )
    # scipy: 0 optimal, 1 iteration/time limit, 2 infeasible, 3 unbounded, 4 other.
    has_x = res.x is not None
    values = [round(v) for v in res.x] if has_x else None
    objective = round(-res.fun) if has_x else None
    if has_x and integrality.sum() < n:
        # Fractional values: the objective is a relaxation value, rounded up to stay a bound.
        objective = int(np.ceil(-res.fun * (1 + 1e-9) + 1e-6))
    dual = getattr(res, "mip_dual_bound", None)
    bound = int(np.floor(-dual + 1e-6)) if dual is not None and np.isfinite(dual) else None
    if res.status == 0:
        # HiGHS proved the plan optimal within ``rel_gap``.
        status = "OPTIMAL"
        if bound is None:
            bound = objective
    elif res.status == 2:
        status = "INFEASIBLE"
    elif has_x:
        status = "FEASIBLE"
    else:
        status = "UNKNOWN"
    # scipy does not report HiGHS's run time; callers time the call themselves.
    return RawResult(status, values, objective, bound, None), (res.x if has_x else None)
