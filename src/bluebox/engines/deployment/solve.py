"""``solve(problem, *, time_limit_s) -> Solution``: the deployment optimiser's entry point."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bluebox.engines.messages import Message

from .backends import CpSatOptions, RawResult, solve_cpsat, solve_highs
from .model import LinearModel, build_model
from .plan import Assignment, Evaluation, evaluate
from .problem import Interval, Problem

Backend = Literal["hybrid", "cpsat", "highs"]


@dataclass(frozen=True)
class Conflict:
    """One requirement of a smallest set that cannot all hold together."""

    group: str
    message: Message

    @property
    def text(self) -> str:
        """The requirement in English."""
        return self.message.render()


@dataclass(frozen=True)
class GreedyComparison:
    """The greedy baseline on the same problem."""

    points: int
    share: float
    feasible: bool
    violations: tuple[str, ...]


@dataclass(frozen=True)
class Solution:
    """The optimiser's answer.

    ``status`` is one of OPTIMAL (proven), FEASIBLE (a plan, not proven best), INFEASIBLE
    (no plan meets every requirement; see ``conflict``), UNKNOWN (no plan found in time) or
    MODEL_INVALID. ``objective`` and ``bound`` are shares of the maximum risk-weighted
    protection (0-1); ``*_points`` are the exact integers the solver works with.
    """

    status: str
    backend: str
    assignment: Assignment | None
    objective: float | None
    objective_points: int | None
    bound: float | None
    bound_points: int | None
    max_points: int
    epochs: tuple[Interval, ...]
    wall_time_s: float | None = None
    evaluation: Evaluation | None = None
    greedy: GreedyComparison | None = None
    conflict: tuple[Conflict, ...] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def proven_optimal(self) -> bool:
        """Whether the plan is proven optimal (within the relative gap asked for)."""
        return self.status == "OPTIMAL"

    @property
    def gap(self) -> float | None:
        """Relative optimality gap ``(bound - objective) / bound``; 0 when proven optimal."""
        if self.objective_points is None or self.bound_points is None:
            return None
        if self.bound_points <= 0:
            return 0.0
        return max(0, self.bound_points - self.objective_points) / self.bound_points

    @property
    def greedy_ratio(self) -> float | None:
        """Optimised protection divided by the greedy baseline's."""
        if self.greedy is None or self.objective_points is None or self.greedy.points <= 0:
            return None
        return self.objective_points / self.greedy.points


def decode(problem: Problem, m: LinearModel, values: list[int]) -> Assignment:
    """Turn solver values into an :class:`Assignment`."""
    fpu_base: dict[str, str] = {}
    for (f, s), v in m.base.items():
        if values[v]:
            fpu_base[f] = s
    platoons: dict[str, dict[str, int]] = {}
    for (f, s), v in m.platoons.items():
        if values[v]:
            platoons.setdefault(f, {})[s] = values[v]
    for unit in problem.fpus:
        if unit.id in fpu_base and unit.id not in platoons:
            platoons[unit.id] = {fpu_base[unit.id]: unit.platoons}
    spt_site: dict[str, str | None] = {t.id: None for t in problem.spts}
    for (t, s), v in m.spt.items():
        if values[v]:
            spt_site[t] = s
    ipo: dict[str, dict[str, int]] = {c.id: {} for c in problem.ipo_classes}
    for (c, s), v in m.ipo.items():
        if values[v]:
            ipo[c][s] = values[v]
    return Assignment(fpu_base, platoons, spt_site, ipo)


def hint_from(problem: Problem, m: LinearModel, a: Assignment) -> dict[str, int]:
    """Variable values that reproduce a plan, to warm-start a solve of ``problem``."""
    hint: dict[str, int] = {}
    for (f, s), v in m.base.items():
        hint[m.names[v]] = int(a.fpu_base.get(f) == s)
    for (f, s), v in m.platoons.items():
        default = {a.fpu_base[f]: problem_fpu_platoons(problem, f)} if f in a.fpu_base else {}
        hint[m.names[v]] = a.fpu_platoons.get(f, default).get(s, 0)
    for (t, s), v in m.spt.items():
        hint[m.names[v]] = int(a.spt_site.get(t) == s)
    for (c, s), v in m.ipo.items():
        hint[m.names[v]] = a.ipo_sites.get(c, {}).get(s, 0)
    for se in evaluate(problem, a).site_epochs:
        e = m.epochs.index(se.epoch)
        hint[f"y[{se.site},{e}]"] = se.officers
        hint[f"z[{se.site},{e}]"] = se.coverage
    return hint


def problem_fpu_platoons(problem: Problem, fpu_id: str) -> int:
    """Number of platoons of an FPU."""
    return next(f.platoons for f in problem.fpus if f.id == fpu_id)


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 10.0,
    backend: Backend = "hybrid",
    options: CpSatOptions | None = None,
    hint: Assignment | None = None,
    aggregate: bool = True,
    compare_greedy: bool = True,
    explain: bool = True,
    rel_gap: float = 1e-3,
) -> Solution:
    """Find the deployment that maximises risk-weighted protection under every rule.

    Parameters
    ----------
    problem : Problem
    time_limit_s : float
        Search limit; the best plan found so far is returned with status FEASIBLE.
    backend : {"hybrid", "cpsat", "highs"}
        ``hybrid`` (default, chosen by measurement: see ``docs/engines/deployment.md``)
        relaxes with HiGHS, places units and polishes with CP-SAT (:mod:`.hybrid`);
        ``cpsat`` and ``highs`` run one solver on the whole model.
    options : CpSatOptions, optional
        Workers, seed and gap for CP-SAT. The default (one worker, seed 0) is deterministic.
    hint : Assignment, optional
        A plan to start from (what-if re-solves pass the base plan).
    aggregate : bool
        Integer counts for identical platoons and IPOs (default) instead of one boolean each.
    compare_greedy : bool
        Also run the greedy baseline; its plan seeds CP-SAT when no hint is given.
    explain : bool
        When infeasible, compute a smallest conflicting set of requirements.
    rel_gap : float
        Stop when proven within this relative gap (default 0.1 %; 0 asks for an exact
        proof, which CP-SAT may need much longer for).

    Returns
    -------
    Solution
    """
    from .greedy import greedy
    from .split import missions

    if missions(problem) is not None and backend == "hybrid":
        return _solve_by_mission(
            problem,
            time_limit_s=time_limit_s,
            rel_gap=rel_gap,
            hint=hint,
            compare_greedy=compare_greedy,
            explain=explain,
        )
    m = build_model(problem, aggregate=aggregate)
    greedy_cmp = None
    if compare_greedy:
        g = greedy(problem)
        ev = evaluate(problem, g)
        greedy_cmp = GreedyComparison(ev.points, ev.share, ev.feasible, tuple(ev.violations))
        if hint is None and ev.feasible:
            hint = g
    start = hint_from(problem, m, hint) if hint is not None else None
    if backend == "hybrid":
        from .hybrid import solve_hybrid

        raw = solve_hybrid(m, time_limit_s=time_limit_s, rel_gap=rel_gap, hint=start)
    elif backend == "cpsat":
        opts = options or CpSatOptions(rel_gap=rel_gap)
        raw = solve_cpsat(m, time_limit_s=time_limit_s, options=opts, hint=start)
    else:
        raw, _ = solve_highs(m, time_limit_s=time_limit_s, rel_gap=rel_gap)
    return _finish(problem, m, raw, backend, greedy_cmp, explain, time_limit_s, rel_gap)


def _finish(
    problem: Problem,
    m: LinearModel,
    raw: RawResult,
    backend: str,
    greedy_cmp: GreedyComparison | None,
    explain: bool,
    time_limit_s: float,
    rel_gap: float,
) -> Solution:
    assignment = evaluation = None
    conflict = None
    if raw.values is not None:
        assignment = decode(problem, m, raw.values)
        evaluation = evaluate(problem, assignment)
    if raw.status == "INFEASIBLE" and explain:
        from .explain import explain_infeasibility

        conflict = tuple(explain_infeasibility(problem, time_limit_s=time_limit_s))
    top = m.max_points
    # A plan found before the time limit may leave coverage variables below their ceiling;
    # the evaluated protection of the plan is the true (and never lower) value.
    points = evaluation.points if evaluation is not None else raw.objective
    status = raw.status
    if (
        status == "FEASIBLE"
        and points is not None
        and raw.bound is not None
        and (raw.bound <= 0 or (raw.bound - points) / raw.bound <= rel_gap)
    ):
        status = "OPTIMAL"
    return Solution(
        status=status,
        backend=backend,
        assignment=assignment,
        objective=points / top if points is not None and top else None,
        objective_points=points,
        bound=raw.bound / top if raw.bound is not None and top else None,
        bound_points=raw.bound,
        max_points=top,
        epochs=tuple(m.epochs),
        wall_time_s=raw.wall_time_s,
        evaluation=evaluation,
        greedy=greedy_cmp,
        conflict=conflict,
    )


def _solve_by_mission(
    problem: Problem,
    *,
    time_limit_s: float,
    rel_gap: float,
    hint: Assignment | None,
    compare_greedy: bool,
    explain: bool,
) -> Solution:
    """Solve each mission of a multi-mission problem on its own and merge the plans."""
    from .greedy import greedy
    from .split import merge, missions, scaled_bound, sub_problem

    names = missions(problem) or []
    parts = []
    for name in names:
        sub = sub_problem(problem, name)
        parts.append(
            solve(
                sub,
                time_limit_s=time_limit_s / len(names),
                rel_gap=rel_gap,
                hint=hint,
                compare_greedy=False,
                explain=explain,
            )
        )
    m = build_model(problem)
    greedy_cmp = None
    if compare_greedy:
        ev_g = evaluate(problem, greedy(problem))
        greedy_cmp = GreedyComparison(
            ev_g.points, ev_g.share, ev_g.feasible, tuple(ev_g.violations)
        )
    if any(p.assignment is None for p in parts):
        worst = next(p for p in parts if p.assignment is None)
        conflict = tuple(c for p in parts for c in (p.conflict or ()))
        return Solution(
            worst.status,
            "hybrid",
            None,
            None,
            None,
            None,
            None,
            m.max_points,
            tuple(m.epochs),
            greedy=greedy_cmp,
            conflict=conflict or None,
        )
    assignment = merge([p.assignment for p in parts if p.assignment is not None])
    ev = evaluate(problem, assignment)
    bound = sum(
        scaled_bound(problem, sub_problem(problem, n), p.bound or 0.0)
        for n, p in zip(names, parts, strict=True)
    )
    bound_points = max(ev.points, int(bound) + 1)
    gap = (bound_points - ev.points) / bound_points if bound_points else 0.0
    status = (
        "OPTIMAL" if all(p.status == "OPTIMAL" for p in parts) and gap <= rel_gap else ("FEASIBLE")
    )
    return Solution(
        status=status,
        backend="hybrid",
        assignment=assignment,
        objective=ev.points / m.max_points if m.max_points else None,
        objective_points=ev.points,
        bound=bound_points / m.max_points if m.max_points else None,
        bound_points=bound_points,
        max_points=m.max_points,
        epochs=tuple(m.epochs),
        evaluation=ev,
        greedy=greedy_cmp,
        notes=(f"solved as {len(names)} independent missions",),
    )
