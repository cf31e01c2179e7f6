"""Shared arithmetic of the plan: epochs, presence of units and the coverage function.

The model, the evaluator and the greedy baseline all use these helpers, so the objective the
solver maximises and the protection reported for any plan are computed the same way, to the
integer point.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from bluebox.engines.messages import Message, gettext_noop

from .problem import CaveatSet, Fpu, Interval, IpoClass, Problem, Site, Spt

# Coverage slopes are kept to three decimals and site risk to thousandths. A site's
# protection in an epoch is ``weight * Z`` with ``Z = need * 1000 * coverage``: Z is an exact
# integer for any whole number of officers (no rounding inside the model), and the weight
# ``risk * days / need`` is rounded once. Points are integers, so CP-SAT and HiGHS optimise
# the same number and what-if deltas are exact.
COVERAGE_SCALE = 1000
RISK_SCALE = 1000
WEIGHT_SCALE = 1000

Unit = Fpu | Spt | IpoClass


@dataclass(frozen=True)
class Line:
    """One piece of the concave coverage: ``need * z <= intercept + slope * officers``."""

    slope: int
    intercept_per_need: int


def coverage_lines(problem: Problem) -> list[Line]:
    """Integer lines whose minimum is the coverage (per mille) of a site with some officers."""
    lines = []
    pts = problem.coverage
    for (x0, y0), (x1, y1) in pairwise(pts):
        slope = (y1 - y0) / (x1 - x0)
        lines.append(
            Line(
                slope=round(COVERAGE_SCALE * slope),
                intercept_per_need=round(COVERAGE_SCALE * (y0 - slope * x0)),
            )
        )
    return lines


def coverage_points(lines: list[Line], need: int, officers: int) -> int:
    """``Z``: coverage of a site with this many officers, times ``1000 * need`` (exact)."""
    z = COVERAGE_SCALE * need
    for ln in lines:
        z = min(z, ln.intercept_per_need * need + ln.slope * officers)
    return max(0, z)


def risk_points(site: Site) -> int:
    """Site risk as an integer."""
    return max(0, round(site.risk * RISK_SCALE))


def site_weight(site: Site, days: int) -> int:
    """Objective weight of ``Z`` for one site over ``days``: risk x days / need, as an integer."""
    return round(risk_points(site) * days * WEIGHT_SCALE / site.need)


def max_site_points(site: Site, days: int) -> int:
    """Points of a fully covered site over ``days``."""
    return site_weight(site, days) * COVERAGE_SCALE * site.need


def epochs(problem: Problem) -> list[Interval]:
    """Cut the plan period where any unit arrives, leaves or may first move.

    Within an epoch the set of units present at each site cannot change, so requirements and
    coverage need only be checked once per epoch.
    """
    horizon = problem.horizon_days
    cuts = {0, horizon}
    for u in units(problem):
        for a, b in u.available or ():
            cuts.update(d for d in (a, b) if 0 < d < horizon)
        d = move_delay(problem, u)
        if u.current_site is not None and 0 < d < horizon:
            cuts.add(d)
    ordered = sorted(cuts)
    return list(pairwise(ordered))


def units(problem: Problem) -> list[Unit]:
    """All units, FPUs first."""
    return [*problem.fpus, *problem.spts, *problem.ipo_classes]


def move_delay(problem: Problem, unit: Unit) -> int:
    """Days before a unit moved away from its current site is present at its new site."""
    caveat = problem.caveat_set(unit.caveat_set)
    approval = caveat.redeployment_approval_days if caveat is not None else None
    return problem.redeployment_days + (approval or 0)


def available_in(unit: Unit, epoch: Interval) -> bool:
    """Whether the unit is in the mission area during the whole epoch."""
    if unit.available is None:
        return True
    start, end = epoch
    return any(a <= start and end <= b for a, b in unit.available)


def pending_in(problem: Problem, unit: Unit, epoch: Interval) -> bool:
    """Whether, in this epoch, the unit is still at its current site whatever the plan says."""
    return unit.current_site is not None and epoch[1] <= move_delay(problem, unit)


def unit_strength(u: Unit) -> int:
    """Officers in a unit (all officers of an IPO class)."""
    if isinstance(u, Fpu | Spt):
        return u.strength
    return u.count


def unit_women(u: Unit) -> int:
    """Women in a unit."""
    if isinstance(u, Fpu):
        return u.hq_women + u.platoons * u.platoon_women
    if isinstance(u, Spt):
        return u.women
    return u.count if u.female else 0


def same_mission(unit: Unit, site: Site) -> bool:
    """Units and sites without a mission tag match everything."""
    return unit.mission is None or site.mission is None or unit.mission == site.mission


def caveat_exclusions(caveat: CaveatSet | None, site: Site) -> list[tuple[str, Message]]:
    """The caveat items that forbid a unit under ``caveat`` to be at ``site``.

    Returns ``(key, message)`` pairs; the key names the item for what-if and explanations, the
    message says it (:mod:`bluebox.engines.messages`).
    """
    if caveat is None:
        return []
    out: list[tuple[str, Message]] = []
    who = {"set": caveat.id, "country": caveat.country}
    if site.id in caveat.excluded_sites:
        out.append(
            (
                f"caveat:{caveat.id}:site:{site.id}",
                Message.of(
                    gettext_noop("caveat set %(set)s (%(country)s): no deployment to %(site)s"),
                    site=site.name,
                    **who,
                ),
            )
        )
    if site.kind in caveat.excluded_site_kinds:
        out.append(
            (
                f"caveat:{caveat.id}:kind:{site.kind}",
                Message.of(
                    gettext_noop(
                        "caveat set %(set)s (%(country)s): no deployment to sites of kind %(kind)s"
                    ),
                    kind=site.kind,
                    **who,
                ),
            )
        )
    for task in sorted(set(site.tasks) & set(caveat.excluded_tasks)):
        out.append(
            (
                f"caveat:{caveat.id}:task:{task}",
                Message.of(
                    gettext_noop("caveat set %(set)s (%(country)s): may not perform %(task)s"),
                    task=task,
                    **who,
                ),
            )
        )
    if caveat.no_overnight_outside_base and not site.overnight_base:
        out.append(
            (
                f"caveat:{caveat.id}:no_overnight",
                Message.of(
                    gettext_noop("caveat set %(set)s (%(country)s): no overnight outside a base"),
                    **who,
                ),
            )
        )
    return out
