"""Plan and what-if documents (``deployment-plan`` and ``deployment-whatif`` schemas)."""

from __future__ import annotations

from typing import Any

from .problem import Problem
from .solve import Solution
from .whatif import ForceCurve, WhatIf


def solution_to_dict(problem: Problem, sol: Solution) -> dict[str, Any]:
    """The plan document: assignments, per-site figures, proof status and greedy baseline."""
    a = sol.assignment
    assignments: dict[str, Any] = {"fpus": [], "spts": [], "ipo_classes": []}
    if a is not None:
        assignments["fpus"] = [
            {"fpu": f, "base_site": s, "platoons": dict(sorted(a.fpu_platoons.get(f, {}).items()))}
            for f, s in sorted(a.fpu_base.items())
        ]
        assignments["spts"] = [{"spt": t, "site": s} for t, s in sorted(a.spt_site.items())]
        assignments["ipo_classes"] = [
            {"ipo_class": c, "sites": dict(sorted(p.items()))}
            for c, p in sorted(a.ipo_sites.items())
        ]
    sites = []
    if sol.evaluation is not None:
        names = {s.id: s.name for s in problem.sites}
        for se in sol.evaluation.site_epochs:
            sites.append(
                {
                    "site": se.site,
                    "name": names[se.site],
                    "days": list(se.epoch),
                    "officers": se.officers,
                    "women": se.women,
                    "qrf_bases_in_reach": se.qrf_bases,
                    "units": a.units_at(se.site) if a is not None else [],
                }
            )
    greedy: dict[str, Any] = {"objective": 0.0, "feasible": False, "violations": [], "ratio": None}
    if sol.greedy is not None:
        greedy = {
            "objective": sol.greedy.share,
            "feasible": sol.greedy.feasible,
            "violations": list(sol.greedy.violations),
            "ratio": sol.greedy_ratio,
        }
    return {
        "schema_version": 1,
        "problem": problem.name,
        "status": sol.status,
        "backend": sol.backend,
        "objective": sol.objective,
        "objective_points": sol.objective_points,
        "bound": sol.bound,
        "gap": sol.gap,
        "proven_optimal": sol.proven_optimal,
        "epochs": [list(e) for e in sol.epochs],
        "assignments": assignments,
        "sites": sites,
        "greedy": greedy,
        "conflict": [
            {"group": c.group, "text": c.text, "message": c.message.as_dict()} for c in sol.conflict
        ]
        if sol.conflict is not None
        else None,
    }


def whatif_to_dict(
    problem: Problem, base: Solution, changes: list[WhatIf], curves: list[ForceCurve]
) -> dict[str, Any]:
    """The what-if document: ranked changes and force-requirement curves."""
    return {
        "schema_version": 1,
        "problem": problem.name,
        "base_status": base.status,
        "base_objective": base.objective,
        "changes": [
            {
                "change": w.change.key,
                "text": w.text,
                "message": w.message.as_dict(),
                "status": w.status,
                "objective": w.objective,
                "delta": w.delta,
                "proven_optimal": w.solution.proven_optimal,
                "moved_units": list(w.moved_units),
            }
            for w in changes
        ],
        "force_curves": [
            {
                "profile": c.profile,
                "target": c.target,
                "units_needed": c.units_needed,
                "points": [
                    {
                        "added": p.added,
                        "officers_added": p.officers_added,
                        "objective": p.objective,
                        "status": p.status,
                    }
                    for p in c.points
                ],
            }
            for c in curves
        ],
    }
