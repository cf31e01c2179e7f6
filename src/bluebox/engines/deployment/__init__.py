"""Deployment engine: FPUs, SPTs and classes of IPOs to field sites under national caveats.

Public API (pure Python, no Django):

* :func:`problem_from_dict` / :func:`problem_to_dict` - the problem JSON document;
* :func:`solve` - the optimised plan (:class:`Solution`), compared with :func:`greedy`;
* :func:`evaluate` - protection of any plan and the rules it breaks;
* :func:`explain_infeasibility` - a smallest set of conflicting requirements;
* :func:`what_if`, :func:`sweep`, :func:`force_curve` - calibration;
* :func:`generate` - realistic synthetic problems;
* :func:`solution_to_dict` - the plan JSON document.
"""

from .documents import ProblemError, problem_from_dict, problem_to_dict
from .explain import explain_infeasibility
from .generate import generate
from .greedy import greedy
from .plan import Assignment, Evaluation, evaluate
from .problem import CaveatSet, Fpu, IpoClass, Problem, QrfRule, Site, Spt
from .solve import Conflict, Solution, solve

__all__ = [
    "Assignment",
    "CaveatSet",
    "Conflict",
    "Evaluation",
    "Fpu",
    "IpoClass",
    "Problem",
    "ProblemError",
    "QrfRule",
    "Site",
    "Solution",
    "Spt",
    "evaluate",
    "explain_infeasibility",
    "generate",
    "greedy",
    "problem_from_dict",
    "problem_to_dict",
    "solve",
]
