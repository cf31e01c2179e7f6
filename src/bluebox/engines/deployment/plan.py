"""A deployment plan (who goes where) and its evaluation against the problem.

:func:`evaluate` is the referee: it recomputes the protection of any plan (the optimiser's,
the greedy baseline's, or one typed by a planner) and lists every rule the plan breaks, in
words. It shares its arithmetic with the model (:mod:`.coverage`) so a solver's objective and
the evaluated protection agree to the point.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .coverage import (
    Unit,
    available_in,
    caveat_exclusions,
    coverage_lines,
    coverage_points,
    epochs,
    max_site_points,
    pending_in,
    same_mission,
    site_weight,
    unit_strength,
    unit_women,
    units,
)
from .problem import Interval, Problem, qrf_reach


@dataclass(frozen=True)
class Assignment:
    """Where each unit is placed for the plan period.

    ``fpu_base`` maps an FPU to the site of its headquarters and QRF; ``fpu_platoons`` maps it
    to the number of its platoons at each site; ``spt_site`` maps a team to a site (or None);
    ``ipo_sites`` maps an IPO class to the number of its officers at each site.
    """

    fpu_base: dict[str, str] = field(default_factory=dict)
    fpu_platoons: dict[str, dict[str, int]] = field(default_factory=dict)
    spt_site: dict[str, str | None] = field(default_factory=dict)
    ipo_sites: dict[str, dict[str, int]] = field(default_factory=dict)

    def units_at(self, site_id: str) -> list[str]:
        """Ids of the units with officers at a site."""
        out = [f for f, s in self.fpu_base.items() if s == site_id]
        out += [f for f, p in self.fpu_platoons.items() if p.get(site_id) and f not in out]
        out += [t for t, s in self.spt_site.items() if s == site_id]
        out += [c for c, p in self.ipo_sites.items() if p.get(site_id)]
        return out


@dataclass(frozen=True)
class SiteEpoch:
    """What one site has in one epoch under a plan."""

    site: str
    epoch: Interval
    officers: int
    women: int
    coverage: int
    qrf_bases: int


@dataclass(frozen=True)
class Evaluation:
    """Protection of a plan and the rules it breaks."""

    points: int
    max_points: int
    violations: list[str]
    site_epochs: list[SiteEpoch]

    @property
    def share(self) -> float:
        """Risk-weighted protection as a share of the most achievable (0-1)."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def feasible(self) -> bool:
        """Whether the plan breaks no rule."""
        return not self.violations


def _placements(problem: Problem, a: Assignment) -> list[tuple[Unit, str, int, int, str]]:
    """(unit, site, officers, women, role) for every placement the plan makes."""
    out: list[tuple[Unit, str, int, int, str]] = []
    for f in problem.fpus:
        base = a.fpu_base.get(f.id)
        if base is not None:
            out.append((f, base, f.hq_strength, f.hq_women, "hq"))
        platoons = a.fpu_platoons.get(f.id)
        if platoons is None and base is not None:
            platoons = {base: f.platoons}
        for s, k in (platoons or {}).items():
            if k:
                out.append((f, s, k * f.platoon_strength, k * f.platoon_women, "platoon"))
    for t in problem.spts:
        where = a.spt_site.get(t.id)
        if where is not None:
            out.append((t, where, t.strength, t.women, "spt"))
    for c in problem.ipo_classes:
        for s, k in a.ipo_sites.get(c.id, {}).items():
            if k:
                out.append((c, s, k, k if c.female else 0, "ipo"))
    return out


def _unit_rules(problem: Problem, a: Assignment) -> list[str]:  # noqa: PLR0912 - one branch per rule, kept together to read as a list
    sites = {s.id: s for s in problem.sites}
    bad: list[str] = []
    for f in problem.fpus:
        base = a.fpu_base.get(f.id)
        if base is None:
            bad.append(f"FPU {f.id} has no base")
            continue
        if not sites[base].fpu_base:
            bad.append(f"FPU {f.id} has its base at {base}, which cannot host an FPU")
        platoons = a.fpu_platoons.get(f.id, {base: f.platoons})
        if sum(platoons.values()) != f.platoons:
            bad.append(f"FPU {f.id} places {sum(platoons.values())} of {f.platoons} platoons")
        away = {s: k for s, k in platoons.items() if k and s != base}
        if away and not f.may_split:
            bad.append(f"FPU {f.id} is split but may not split")
        for s in away:
            if not sites[s].base_support:
                bad.append(f"a platoon of FPU {f.id} is at {s} without base support")
        if platoons.get(base, 0) < min(problem.min_platoons_at_base, f.platoons):
            bad.append(f"FPU {f.id} keeps too few platoons at its base")
    for c in problem.ipo_classes:
        placed = sum(a.ipo_sites.get(c.id, {}).values())
        if placed > c.count or any(k < 0 for k in a.ipo_sites.get(c.id, {}).values()):
            bad.append(f"IPO class {c.id} places {placed} of {c.count} officers")
    for u, s, _, _, _ in _placements(problem, a):
        site = sites[s]
        if not same_mission(u, site):
            bad.append(f"{u.id} is placed at {s} outside its mission")
        for _, text in caveat_exclusions(problem.caveat_set(u.caveat_set), site):
            bad.append(f"{u.id} at {s} breaks {text.render()}")
    return bad


def evaluate(problem: Problem, a: Assignment) -> Evaluation:  # noqa: PLR0912 - one branch per rule, kept together to read as a list
    """Protection of a plan and every rule it breaks.

    Parameters
    ----------
    problem : Problem
    a : Assignment

    Returns
    -------
    Evaluation
        ``points`` equals the model's objective for the same plan.
    """
    eps = epochs(problem)
    lines = coverage_lines(problem)
    reach = qrf_reach(problem)
    violations = _unit_rules(problem, a)
    officers: dict[tuple[str, int], int] = defaultdict(int)
    women: dict[tuple[str, int], int] = defaultdict(int)
    skill: dict[tuple[str, int, str], int] = defaultdict(int)
    lang: dict[tuple[str, int, str], int] = defaultdict(int)

    def add(u: Unit, s: str, e: int, off: int, wom: int) -> None:
        officers[(s, e)] += off
        women[(s, e)] += wom
        for k in u.skills:
            skill[(s, e, k)] += off
        for k in u.languages:
            lang[(s, e, k)] += off

    placements = _placements(problem, a)
    for e, ep in enumerate(eps):
        for u, s, off, wom, _ in placements:
            if available_in(u, ep) and not pending_in(problem, u, ep):
                add(u, s, e, off, wom)
        for u in units(problem):
            if u.current_site is not None and available_in(u, ep) and pending_in(problem, u, ep):
                add(u, u.current_site, e, unit_strength(u), unit_women(u))
    qrf_at: dict[int, list[str]] = defaultdict(list)
    for f in problem.fpus:
        for e, ep in enumerate(eps):
            if not available_in(f, ep):
                continue
            where = f.current_site if pending_in(problem, f, ep) else a.fpu_base.get(f.id)
            if where is not None:
                qrf_at[e].append(where)
    points = max_points = 0
    out: list[SiteEpoch] = []
    for site in problem.sites:
        for e, ep in enumerate(eps):
            n, w = officers[(site.id, e)], women[(site.id, e)]
            span = f"days {ep[0]}-{ep[1]}"
            if site.max_officers is not None and n > site.max_officers:
                violations.append(
                    f"{site.name}: {n} officers over capacity {site.max_officers} ({span})"
                )
            if site.min_women_share and 1000 * w < round(site.min_women_share * 1000) * n:
                violations.append(
                    f"{site.name}: {w} women of {n} officers, "
                    f"under {site.min_women_share:.0%} ({span})"
                )
            for k, need in site.skills:
                if skill[(site.id, e, k)] < need:
                    violations.append(f"{site.name}: fewer than {need} officers with {k} ({span})")
            for k, need in site.languages:
                if lang[(site.id, e, k)] < need:
                    violations.append(
                        f"{site.name}: fewer than {need} officers speaking {k} ({span})"
                    )
            bases = sum(1 for b in qrf_at[e] if b in reach[site.id])
            if site.needs_qrf_cover and bases == 0:
                violations.append(f"{site.name}: no QRF within reach ({span})")
            cov = coverage_points(lines, site.need, n)
            points += site_weight(site, ep[1] - ep[0]) * cov
            max_points += max_site_points(site, ep[1] - ep[0])
            out.append(SiteEpoch(site.id, ep, n, w, cov, bases))
    return Evaluation(points, max_points, violations, out)
