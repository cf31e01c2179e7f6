"""Why is there no plan? A smallest set of requirements that cannot all hold.

Every caveat item, every FPU's integrity and every site requirement is a named group of
constraints switched on by an assumption literal. CP-SAT returns a set of assumptions that
is already infeasible (a core); a deletion filter then drops each group whose removal keeps
the rest infeasible, so what remains is irreducible: lifting any one of the named
requirements makes a plan possible again (with the others kept).
"""

from __future__ import annotations

from bluebox.engines.messages import Message, gettext_noop

from .backends import solve_cpsat
from .model import LinearModel, build_model
from .problem import Problem
from .solve import Conflict


def explain_infeasibility(problem: Problem, *, time_limit_s: float = 10.0) -> list[Conflict]:
    """Return an irreducible set of conflicting requirements, each in words (a message).

    Parameters
    ----------
    problem : Problem
        A problem with no feasible plan.
    time_limit_s : float
        Limit for each feasibility check.

    Returns
    -------
    list of Conflict
        Empty when the problem is feasible. When the facts alone (units, sites, availability)
        admit no plan, a single ``facts`` entry says so.
    """
    m = build_model(problem, explain=True)
    everything = sorted(m.groups)
    raw = solve_cpsat(m, time_limit_s=time_limit_s, assume=everything, feasibility_only=True)
    if raw.status != "INFEASIBLE":
        return []
    core = list(raw.core or [])
    if not core:
        # Presolve may prove infeasibility without naming assumptions; fall back to all groups.
        core = everything
    if not _infeasible(m, core, time_limit_s):
        core = everything
    if not _infeasible(m, core, time_limit_s):
        return []
    kept = list(core)
    for g in list(core):
        trial = [x for x in kept if x != g]
        if _infeasible(m, trial, time_limit_s):
            kept = trial
    if not kept:
        return [
            Conflict(
                "facts",
                Message(gettext_noop("the units available cannot all be placed at any site")),
            )
        ]
    return [Conflict(g, m.groups[g]) for g in kept]


def _infeasible(m: LinearModel, groups: list[str], time_limit_s: float) -> bool:
    raw = solve_cpsat(m, time_limit_s=time_limit_s, assume=groups, feasibility_only=True)
    return raw.status == "INFEASIBLE"
