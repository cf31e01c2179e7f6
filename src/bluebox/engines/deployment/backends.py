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


@dataclass
class HighsRun:
    """One :func:`solve_highspy` call: the result, the raw values and HiGHS's own effort."""

    raw: RawResult
    x: np.ndarray | None
    work: float
    """Simplex iterations plus branch-and-bound nodes: a machine-independent effort figure."""


def _arrays(m: LinearModel) -> tuple[object, np.ndarray, np.ndarray, np.ndarray]:
    import scipy.sparse as sp

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
    a = sp.csc_matrix((data, (rows, cols)), shape=(len(m.rows), len(m.names)))
    a.sort_indices()
    c = np.zeros(len(m.names))
    for i, w in m.objective.items():
        c[i] = float(w)
    return a, c, np.array(lo), np.array(hi)


def solve_highspy(  # noqa: PLR0912, PLR0915 - one step per HiGHS setting
    m: LinearModel,
    *,
    time_limit_s: float,
    rel_gap: float = 0.0,
    integer: Iterable[int] | None = None,
    lb: list[int] | None = None,
    ub: list[int] | None = None,
    start: np.ndarray | None = None,
    heuristic_effort: float | None = None,
    deadline: float | None = None,
    max_plans: int | None = None,
) -> HighsRun:
    """Solve with HiGHS through ``highspy`` (which, unlike :func:`solve_highs`, takes a MIP start).

    ``highspy`` is pinned to the HiGHS that OR-Tools bundles, so both load in one process.
    ``start`` is a full assignment offered as the first incumbent (HiGHS repairs or drops it
    if it breaks a row); ``heuristic_effort`` is HiGHS's ``mip_heuristic_effort`` (default
    0.05): the share of the search spent on primal heuristics. The time limit is HiGHS's
    own wall-clock limit, which it does not check everywhere (a MIP with the units fixed was
    measured running 100 s past a 5 s limit); ``deadline`` (a :func:`time.monotonic`
    instant) is therefore also enforced from HiGHS's MIP interrupt callback (the same MIP then
    stopped at 5.2 s). ``max_plans`` stops the search after that many improving plans (1: the
    first plan found).
    """
    import time

    import highspy

    if deadline is not None:
        time_limit_s = min(time_limit_s, deadline - time.monotonic())
        if time_limit_s <= 0:
            return HighsRun(RawResult("UNKNOWN", None, None, None, 0.0), None, 0.0)
    else:
        deadline = time.monotonic() + time_limit_s

    a, c, lo, hi = _arrays(m)
    n = len(m.names)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(m.rows)
    lp.col_cost_ = c
    lp.col_lower_ = np.array(lb or m.lb, dtype=np.float64)
    lp.col_upper_ = np.array(ub or m.ub, dtype=np.float64)
    lp.row_lower_ = np.where(np.isfinite(lo), lo, -highspy.kHighsInf)
    lp.row_upper_ = np.where(np.isfinite(hi), hi, highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)  # type: ignore[attr-defined]
    lp.a_matrix_.index_ = a.indices.astype(np.int32)  # type: ignore[attr-defined]
    lp.a_matrix_.value_ = a.data.astype(np.float64)  # type: ignore[attr-defined]
    lp.sense_ = highspy.ObjSense.kMaximize
    keep = set(range(n)) if integer is None else set(integer)
    if keep:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i in keep else highspy.HighsVarType.kContinuous
            for i in range(n)
        ]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", max(0.01, float(time_limit_s)))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    if max_plans is not None:
        h.setOptionValue("mip_max_improving_sols", int(max_plans))
    if heuristic_effort is not None:
        h.setOptionValue("mip_heuristic_effort", float(heuristic_effort))
    h.passModel(lp)
    stop_at = deadline

    def _interrupt(e: object) -> None:
        if time.monotonic() >= stop_at:
            e.interrupt()  # type: ignore[attr-defined]

    if keep:
        # Only the MIP's callback: the simplex one would run Python at every iteration, and
        # an LP here takes a few CPU seconds at most under HiGHS's own limit.
        h.cbMipInterrupt += _interrupt
    if start is not None and keep:
        sol = highspy.HighsSolution()
        sol.col_value = [float(v) for v in start]
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    work = float(max(0, info.simplex_iteration_count) + max(0, info.mip_node_count))
    ms = highspy.HighsModelStatus
    has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.array(h.getSolution().col_value) if has_x else None
    objective = bound = None
    if x is not None:
        if keep and len(keep) == n:
            objective = round(info.objective_function_value)
        else:
            objective = int(np.ceil(info.objective_function_value * (1 + 1e-9) + 1e-6))
    if keep and np.isfinite(info.mip_dual_bound):
        bound = int(np.floor(info.mip_dual_bound + 1e-6))
    if status == ms.kOptimal:
        name = "OPTIMAL"
        if bound is None:
            bound = objective
        if not keep:
            bound = objective
    elif status in (ms.kInfeasible, ms.kUnboundedOrInfeasible) and time.monotonic() < stop_at:
        name = "INFEASIBLE"
    elif x is not None:
        name = "FEASIBLE"
    else:
        name = "UNKNOWN"
    values = [round(v) for v in x] if x is not None else None
    return HighsRun(RawResult(name, values, objective, bound, h.getRunTime()), x, work)
