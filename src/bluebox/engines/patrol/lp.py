"""A thin, typed wrapper around HiGHS for the patrol LPs and MILPs.

The models are built as sparse matrices (columns = variables) and passed to HiGHS in one call:
building them with HiGHS' per-variable Python API costs more than solving them at this size.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf


@dataclass
class LpResult:
    """Outcome of one HiGHS solve."""

    status: str
    x: np.ndarray
    objective: float


_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
}


class LpModel:
    """An LP (or MILP) kept alive in HiGHS so that costs and row bounds can be changed and the
    model re-solved from the previous basis (the pruned multiple-LP search relies on this)."""

    def __init__(
        self,
        matrix: sp.spmatrix,
        cost: np.ndarray,
        *,
        col_bounds: tuple[np.ndarray, np.ndarray],
        row_bounds: tuple[np.ndarray, np.ndarray],
        maximize: bool,
        integrality: np.ndarray | None = None,
    ) -> None:
        col_lower, col_upper = col_bounds
        row_lower, row_upper = row_bounds
        a = sp.csc_matrix(matrix)
        a.sort_indices()
        lp = highspy.HighsLp()
        lp.num_col_ = a.shape[1]
        lp.num_row_ = a.shape[0]
        lp.col_cost_ = np.asarray(cost, dtype=np.float64)
        lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
        lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
        lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
        lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(np.float64)
        lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        if integrality is not None:
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
                for v in integrality
            ]
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        # One thread: solves are small, and runs stay reproducible on a shared 2-core machine.
        self.highs.setOptionValue("threads", 1)
        self.highs.setOptionValue("random_seed", 0)
        self.highs.passModel(lp)
        self.n_cols = a.shape[1]

    def set_costs(self, cols: np.ndarray, costs: np.ndarray) -> None:
        cols = np.asarray(cols, dtype=np.int32)
        self.highs.changeColsCost(len(cols), cols, np.asarray(costs, dtype=np.float64))

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        self.highs.changeRowBounds(int(row), float(lower), float(upper))

    def solve(self, time_limit_s: float) -> LpResult:
        self.highs.setOptionValue("time_limit", max(float(time_limit_s), 1e-3))
        self.highs.run()
        status = _STATUS.get(self.highs.getModelStatus(), "error")
        sol = self.highs.getSolution()
        x = np.asarray(sol.col_value, dtype=float)
        if x.size != self.n_cols:
            x = np.zeros(self.n_cols)
        obj = float(self.highs.getInfo().objective_function_value)
        return LpResult(status, x, obj)
