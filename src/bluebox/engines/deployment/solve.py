"""``solve(problem, *, time_limit_s) -> Solution``: the deployment optimiser's entry point."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from bluebox.engines.messages import Message

from .backends import CpSatOptions, RawResult, solve_cpsat, solve_highs
from .model import LinearModel, build_model
from .plan import Assignment, Evaluation, evaluate
from .problem import Interval, Problem

log = logging.getLogger(__name__)

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
    cpu_time_s: float | None = None
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
    neighbourhood: Collection[str] | None = None,
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
    neighbourhood : collection of str, optional
        With ``hint``: the units a change touches. The hybrid solve first lets only these
        move from the hinted plan and widens to every unit when that plan is not within
        ``rel_gap`` of the bound (what-if re-solves).

    Returns
    -------
    Solution
    """
    from .split import missions

    t0, cpu0 = time.monotonic(), time.process_time()
    if missions(problem) is not None and backend == "hybrid":
        sol = _solve_by_mission(
            problem,
            time_limit_s=time_limit_s,
            rel_gap=rel_gap,
            hint=hint,
            compare_greedy=compare_greedy,
            explain=explain,
        )
    else:
        sol = _solve_one(
            problem,
            time_limit_s=time_limit_s,
            backend=backend,
            options=options,
            hint=hint,
            aggregate=aggregate,
            compare_greedy=compare_greedy,
            explain=explain,
            rel_gap=rel_gap,
            neighbourhood=neighbourhood,
        )
    return replace(sol, wall_time_s=time.monotonic() - t0, cpu_time_s=time.process_time() - cpu0)


def _solve_one(
    problem: Problem,
    *,
    time_limit_s: float,
    backend: Backend,
    options: CpSatOptions | None,
    hint: Assignment | None,
    aggregate: bool,
    compare_greedy: bool,
    explain: bool,
    rel_gap: float,
    neighbourhood: Collection[str] | None,
) -> Solution:
    from .greedy import greedy

    # The limit counts from here: building the model and the greedy plan use it too.
    deadline = time.monotonic() + time_limit_s
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

        free = None
        if neighbourhood is not None and start is not None:
            moving = set(neighbourhood)
            free = [
                v
                for table in (m.base, m.platoons, m.spt)
                for (u, _), v in table.items()
                if u in moving
            ]
        raw = solve_hybrid(
            m,
            time_limit_s=time_limit_s,
            rel_gap=rel_gap,
            hint=start,
            free=free,
            deadline=deadline,
        )
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


@dataclass
class _Part:
    """One mission of a multi-mission solve, while its time is being shared out."""

    name: str
    problem: Problem
    model: LinearModel
    need: float
    relaxation: object = None
    raw: RawResult | None = None
    hint: dict[str, int] | None = None
    fallback: str | None = None

    @property
    def done(self) -> bool:
        return self.raw is not None and self.raw.status in ("OPTIMAL", "INFEASIBLE")

    def gap_points(self) -> float:
        """The mission's gap in its own points (the whole bound when it has no plan)."""
        if self.raw is None or self.raw.bound is None:
            return float(self.model.max_points)
        return float(max(0, self.raw.bound - (self.raw.objective or 0)))


# Time kept back from the missions for merging and evaluating the plan (seconds, at most).
MERGE_RESERVE_S = 0.5


def _sub_assignment(a: Assignment, sub: Problem) -> Assignment:
    fpus = {f.id for f in sub.fpus}
    spts = {t.id for t in sub.spts}
    classes = {c.id for c in sub.ipo_classes}
    return Assignment(
        {f: s for f, s in a.fpu_base.items() if f in fpus},
        {f: p for f, p in a.fpu_platoons.items() if f in fpus},
        {t: s for t, s in a.spt_site.items() if t in spts},
        {c: d for c, d in a.ipo_sites.items() if c in classes},
    )


def _need(relaxation: object, m: LinearModel) -> float:
    """How much search a mission needs: its unit variables the LP leaves fractional."""
    from .hybrid import Relaxation

    assert isinstance(relaxation, Relaxation)  # noqa: S101 - built by relax()
    if relaxation.x is None:
        return 1.0
    units = [*m.base.values(), *m.platoons.values(), *m.spt.values()]
    x = relaxation.x[units]
    return 1.0 + float(((x > 1e-6) & (np.abs(x - np.round(x)) > 1e-6)).sum())


def _solve_by_mission(  # noqa: PLR0912, PLR0915 - the rounds of the schedule, in order
    problem: Problem,
    *,
    time_limit_s: float,
    rel_gap: float,
    hint: Assignment | None,
    compare_greedy: bool,
    explain: bool,
) -> Solution:
    """Solve each mission of a multi-mission problem on its own and merge the plans.

    The time limit is shared by need and honoured in wall time (``time.monotonic``):

    1. every mission's LP relaxation is solved first (its bound, a fraction of a second each);
    2. a mission's need is its number of unit variables the LP leaves fractional (what the
       branch and bound has to decide); missions are solved from the smallest need to the
       largest, each given the time left times its share of the needs still to come, so time
       a mission does not use (it proves its plan within ``rel_gap`` early) goes to the
       harder missions after it;
    3. time still left goes first to missions without a plan, then to missions whose gap in
       points is largest, re-solved from their plan as a MIP start;
    4. a mission still without a plan takes the greedy plan when that plan meets every
       requirement; only then is the whole answer UNKNOWN.
    """
    from .greedy import greedy
    from .hybrid import relax, solve_hybrid
    from .model import epochs
    from .split import merge, mission_tops, missions, sub_problem

    start = time.monotonic()
    end = start + time_limit_s
    names = missions(problem) or []
    parts: list[_Part] = []
    for name in names:
        sub = sub_problem(problem, name)
        m = build_model(sub)
        parts.append(_Part(name, sub, m, 1.0))
        if hint is not None:
            parts[-1].hint = hint_from(sub, m, _sub_assignment(hint, sub))
    # Merging builds the whole model and evaluates the plan, which costs about as much as
    # building the missions' models did: that much time (and a margin) is kept back.
    setup = time.monotonic() - start
    work_end = end - min(MERGE_RESERVE_S + 1.5 * setup, 0.25 * time_limit_s)
    for p in parts:
        p.relaxation = relax(p.model, deadline=work_end)
        p.need = _need(p.relaxation, p.model)
        if getattr(p.relaxation, "status", None) == "INFEASIBLE":
            p.raw = RawResult("INFEASIBLE", None, None, None, None)
    log.debug("relaxations done at %.1f s", time.monotonic() - start)
    order = sorted((p for p in parts if not p.done), key=lambda p: (p.need, p.name))
    for i, p in enumerate(order):
        left = work_end - time.monotonic()
        if left <= 0:
            break
        share = left * p.need / sum(q.need for q in order[i:])
        p.raw = solve_hybrid(
            p.model,
            time_limit_s=share,
            rel_gap=rel_gap,
            hint=p.hint,
            relaxation=p.relaxation,  # type: ignore[arg-type]
            deadline=work_end,
        )
        log.debug(
            "mission %s need %.0f share %.1f s: %s at %.1f s",
            p.name,
            p.need,
            share,
            p.raw.status,
            time.monotonic() - start,
        )
    # Round 2: missions without a plan, then the largest gaps in points of the whole problem.
    for _ in range(2):
        waiting = [p for p in parts if p.raw is None or p.raw.values is None]
        waiting = [p for p in waiting if not p.done]
        if not waiting:
            waiting = sorted(
                (p for p in parts if not p.done and p.raw is not None),
                key=lambda p: -p.gap_points() / max(1, p.model.max_points) * p.need,
            )[:1]
        for i, p in enumerate(waiting):
            left = work_end - time.monotonic()
            if left <= 0.2:
                break
            previous = p.raw
            begin = p.hint
            if previous is not None and previous.values is not None:
                begin = {p.model.names[k]: v for k, v in enumerate(previous.values)}
            raw = solve_hybrid(
                p.model,
                time_limit_s=left / (len(waiting) - i),
                rel_gap=rel_gap,
                hint=begin,
                relaxation=p.relaxation,  # type: ignore[arg-type]
                deadline=work_end,
            )
            if (
                previous is None
                or previous.values is None
                or (raw.objective or 0) > (previous.objective or 0)
            ):
                if previous is not None and previous.bound is not None and raw.bound is not None:
                    raw.bound = min(raw.bound, previous.bound)
                p.raw = raw
            elif raw.bound is not None and previous.bound is not None:
                # Every bound proven is valid: keep the tightest.
                previous.bound = min(previous.bound, raw.bound)
            log.debug("round 2 %s: %s at %.1f s", p.name, raw.status, time.monotonic() - start)
    solutions = []
    for p in parts:
        raw = p.raw or RawResult("UNKNOWN", None, None, None, None)
        if raw.values is None and raw.status != "INFEASIBLE" and time.monotonic() < work_end:
            g = greedy(p.problem)
            if evaluate(p.problem, g).feasible:
                raw = RawResult("FEASIBLE", _values(p.problem, p.model, g), None, raw.bound, None)
                p.fallback = "greedy"
        solutions.append(
            _finish(p.problem, p.model, raw, "hybrid", None, False, time_limit_s, rel_gap)
        )
    log.debug(
        "missions done at %.1f s (work end %.1f s)", time.monotonic() - start, work_end - start
    )
    tops = mission_tops(problem)
    max_points = sum(tops.values())
    plan_epochs = tuple(epochs(problem))
    greedy_cmp = None
    if compare_greedy:
        ev_g = evaluate(problem, greedy(problem))
        greedy_cmp = GreedyComparison(
            ev_g.points, ev_g.share, ev_g.feasible, tuple(ev_g.violations)
        )
    notes = [f"solved as {len(names)} independent missions"]
    notes += [
        f"mission {p.name}: greedy plan (no optimised plan in time)" for p in parts if p.fallback
    ]
    if any(s.assignment is None for s in solutions):
        worst = next(s for s in solutions if s.assignment is None)
        conflict = None
        if worst.status == "INFEASIBLE" and explain:
            from .explain import explain_infeasibility

            bad = next(p for p, s in zip(parts, solutions, strict=True) if s.status == "INFEASIBLE")
            conflict = tuple(explain_infeasibility(bad.problem, time_limit_s=time_limit_s))
        return Solution(
            worst.status,
            "hybrid",
            None,
            None,
            None,
            None,
            None,
            max_points,
            plan_epochs,
            greedy=greedy_cmp,
            conflict=conflict or None,
            notes=tuple(notes),
        )
    assignment = merge([s.assignment for s in solutions if s.assignment is not None])
    ev = evaluate(problem, assignment)
    # The bound is the plan plus each mission's gap, each gap scaled to the whole problem's
    # points: a mission proven optimal adds nothing, so a problem whose missions are all
    # proven is proven too (scaling whole bounds would add rounding to every mission).
    slack = 0.0
    for p, sol in zip(parts, solutions, strict=True):
        gap_share = (sol.bound or 0.0) - (sol.objective or 0.0)
        slack += max(0.0, gap_share) * tops.get(p.name, 0)
    bound_points = ev.points + (int(np.ceil(slack * (1 + 1e-9))) if slack > 0 else 0)
    gap = (bound_points - ev.points) / bound_points if bound_points else 0.0
    status = (
        "OPTIMAL"
        if all(sol.status == "OPTIMAL" for sol in solutions) and gap <= rel_gap
        else "FEASIBLE"
    )
    return Solution(
        status=status,
        backend="hybrid",
        assignment=assignment,
        objective=ev.points / max_points if max_points else None,
        objective_points=ev.points,
        bound=bound_points / max_points if max_points else None,
        bound_points=bound_points,
        max_points=max_points,
        epochs=plan_epochs,
        evaluation=ev,
        greedy=greedy_cmp,
        notes=tuple(notes),
    )


def _values(problem: Problem, m: LinearModel, a: Assignment) -> list[int]:
    """Model values of a plan (for a plan found outside the solver)."""
    hint = hint_from(problem, m, a)
    return [int(hint.get(n, 0)) for n in m.names]
