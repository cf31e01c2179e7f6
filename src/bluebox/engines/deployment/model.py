"""The deployment mixed-integer model, built once in a solver-neutral form.

Decision variables (aggregated formulation, the default):

* ``base[f,s]`` (0/1): FPU *f* has its headquarters and QRF at site *s*;
* ``plt[f,s]`` (0..platoons): how many of FPU *f*'s platoons are at *s* (only for FPUs that may
  split; a whole FPU's platoons follow ``base``);
* ``spt[t,s]`` (0/1): specialised team *t* is at *s*;
* ``ipo[c,s]`` (0..count): how many officers of IPO class *c* are at *s*;
* ``y[s,e]``: officers present at *s* in epoch *e*; ``z[s,e]`` (0..1000): coverage per mille.

Identical platoons and interchangeable IPOs are integer counts, not one boolean each: the
model has no symmetric copies of the same plan. ``aggregate=False`` builds the plain
formulation with one boolean per platoon and per officer, kept to measure the difference.

Caveats fix variables: in the normal build the excluded site-unit pairs simply have no
variable. In the *explain* build every pair exists and each caveat item, each FPU's integrity
and each site requirement is a named group of rows that the solver may switch off, which is
how a smallest conflicting set of requirements is found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bluebox.engines.messages import Message, gettext_noop

from .coverage import (
    COVERAGE_SCALE,
    Unit,
    available_in,
    caveat_exclusions,
    coverage_lines,
    epochs,
    max_site_points,
    pending_in,
    same_mission,
    site_weight,
    unit_strength,
    unit_women,
    units,
)
from .problem import Fpu, Interval, Problem, qrf_reach

INF = 1 << 50


@dataclass
class Row:
    """``lo <= sum(coef * var) <= hi``, switched off with its group when that group is relaxed."""

    idx: list[int]
    coef: list[int]
    lo: int
    hi: int
    group: str | None = None


@dataclass
class LinearModel:
    """A maximisation over integer variables with integer coefficients."""

    names: list[str] = field(default_factory=list)
    lb: list[int] = field(default_factory=list)
    ub: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    objective: dict[int, int] = field(default_factory=dict)
    max_points: int = 0
    groups: dict[str, Message] = field(default_factory=dict)
    # Decoding maps: (unit id, site id) -> variable index.
    base: dict[tuple[str, str], int] = field(default_factory=dict)
    platoons: dict[tuple[str, str], int] = field(default_factory=dict)
    spt: dict[tuple[str, str], int] = field(default_factory=dict)
    ipo: dict[tuple[str, str], int] = field(default_factory=dict)
    epochs: list[Interval] = field(default_factory=list)

    def var(self, name: str, lb: int, ub: int) -> int:
        """Add an integer variable and return its index."""
        self.names.append(name)
        self.lb.append(lb)
        self.ub.append(ub)
        return len(self.names) - 1

    def row(self, terms: list[tuple[int, int]], lo: int, hi: int, group: str | None = None) -> None:
        """Add a linear row over ``(index, coefficient)`` terms (repeated indices are summed)."""
        acc: dict[int, int] = {}
        for i, c in terms:
            acc[i] = acc.get(i, 0) + c
        acc = {i: c for i, c in acc.items() if c}
        self.rows.append(Row(list(acc), list(acc.values()), lo, hi, group))


@dataclass
class _Part:
    """A decision that puts officers at one site, with what they bring there."""

    var: int
    site: str
    unit: Unit
    officers: int
    women: int


def _count(m: LinearModel, name: str, ub: int, aggregate: bool, slots: list[list[int]]) -> int:
    """An integer count variable; in the plain formulation it is the sum of one boolean per
    platoon/officer, and ``slots[i]`` collects entity *i*'s booleans across sites."""
    v = m.var(name, 0, ub)
    if aggregate or ub <= 1:
        return v
    bools = [m.var(f"{name}#{i}", 0, 1) for i in range(ub)]
    for i, b in enumerate(bools):
        slots[i].append(b)
    m.row([(v, 1)] + [(b, -1) for b in bools], 0, 0)
    return v


def build_model(problem: Problem, *, explain: bool = False, aggregate: bool = True) -> LinearModel:
    """Build the deployment model.

    Parameters
    ----------
    problem : Problem
    explain : bool
        Keep every site-unit pair and tag caveats, FPU integrity and site requirements as
        named groups (for infeasibility explanations).
    aggregate : bool
        Integer counts for platoons and IPOs (default) or one boolean per platoon/officer.

    Returns
    -------
    LinearModel
    """
    m = LinearModel()
    eps = epochs(problem)
    m.epochs = eps
    sites = {s.id: s for s in problem.sites}
    parts: list[_Part] = []

    def allowed(unit: Unit) -> list[str]:
        caveat = problem.caveat_set(unit.caveat_set)
        out = []
        for s in problem.sites:
            if not same_mission(unit, s):
                continue
            excl = caveat_exclusions(caveat, s)
            if excl and not explain:
                continue
            out.append(s.id)
        return out

    def tag_caveats(unit: Unit, var: int, site_id: str) -> None:
        for key, text in caveat_exclusions(problem.caveat_set(unit.caveat_set), sites[site_id]):
            m.groups[key] = text
            m.row([(var, 1)], 0, 0, key)

    for f in problem.fpus:
        _build_fpu(m, problem, f, allowed(f), parts, explain, aggregate, tag_caveats)
    for t in problem.spts:
        terms = []
        for s in allowed(t):
            v = m.var(f"spt[{t.id},{s}]", 0, 1)
            m.spt[(t.id, s)] = v
            tag_caveats(t, v, s)
            parts.append(_Part(v, s, t, t.strength, t.women))
            terms.append((v, 1))
        m.row(terms, 0, 1)
    for c in problem.ipo_classes:
        slots: list[list[int]] = [[] for _ in range(c.count)]
        terms = []
        for s in allowed(c):
            cap = c.count
            v = _count(m, f"ipo[{c.id},{s}]", cap, aggregate, slots)
            m.ipo[(c.id, s)] = v
            tag_caveats(c, v, s)
            parts.append(_Part(v, s, c, 1, 1 if c.female else 0))
            terms.append((v, 1))
        m.row(terms, 0, c.count)
        for slot in slots:
            if slot:
                m.row([(b, 1) for b in slot], 0, 1)
    _build_sites(m, problem, eps, parts)
    return m


def _build_fpu(  # noqa: PLR0912 - one branch per splitting rule
    m: LinearModel,
    problem: Problem,
    f: Fpu,
    sites_ok: list[str],
    parts: list[_Part],
    explain: bool,
    aggregate: bool,
    tag: Callable[[Unit, int, str], None],
) -> None:
    sites = {s.id: s for s in problem.sites}
    base_sites = [s for s in sites_ok if sites[s].fpu_base]
    base_terms = []
    for s in base_sites:
        v = m.var(f"base[{f.id},{s}]", 0, 1)
        m.base[(f.id, s)] = v
        tag(f, v, s)
        base_terms.append((v, 1))
        parts.append(_Part(v, s, f, f.hq_strength, f.hq_women))
    # Every FPU has exactly one base; with no possible base the problem is infeasible and the
    # explanation will name the caveats that closed every site.
    m.row(base_terms, 1, 1)
    split_possible = f.may_split or explain
    if not split_possible:
        for s in base_sites:
            v = m.base[(f.id, s)]
            parts.append(
                _Part(v, s, f, f.platoons * f.platoon_strength, f.platoons * f.platoon_women)
            )
        return
    slots: list[list[int]] = [[] for _ in range(f.platoons)]
    plt_terms = []
    keep = min(problem.min_platoons_at_base, f.platoons)
    for s in sites_ok:
        if not (sites[s].fpu_base or sites[s].base_support):
            continue
        v = _count(m, f"plt[{f.id},{s}]", f.platoons, aggregate, slots)
        m.platoons[(f.id, s)] = v
        tag(f, v, s)
        parts.append(_Part(v, s, f, f.platoon_strength, f.platoon_women))
        plt_terms.append((v, 1))
        b = m.base.get((f.id, s))
        if not sites[s].base_support:
            # A platoon away from its unit needs base support at the site.
            if b is None:
                m.row([(v, 1)], 0, 0)
            else:
                m.row([(v, 1), (b, -f.platoons)], -INF, 0)
        if b is not None and keep:
            m.row([(v, 1), (b, -keep)], 0, INF)
        if not f.may_split and b is not None:
            key = f"integrity:{f.id}"
            m.groups[key] = Message.of(
                gettext_noop("FPU %(unit)s must stay whole (no split into platoons)"), unit=f.id
            )
            m.row([(v, 1), (b, -f.platoons)], 0, 0, key)
        elif not f.may_split:
            key = f"integrity:{f.id}"
            m.groups[key] = Message.of(
                gettext_noop("FPU %(unit)s must stay whole (no split into platoons)"), unit=f.id
            )
            m.row([(v, 1)], 0, 0, key)
    m.row(plt_terms, f.platoons, f.platoons)
    for slot in slots:
        if slot:
            m.row([(b, 1) for b in slot], 1, 1)


def _build_sites(m: LinearModel, problem: Problem, eps: list[Interval], parts: list[_Part]) -> None:  # noqa: PLR0912, PLR0915 - one branch per rule, kept together to read as a list
    lines = coverage_lines(problem)
    reach = qrf_reach(problem)
    by_site: dict[str, list[_Part]] = defaultdict(list)
    for p in parts:
        by_site[p.site].append(p)
    # Officers pinned at their current site while a move awaits approval or transport.
    pinned: dict[tuple[str, int], tuple[int, int, list[Unit]]] = {}
    for u in units(problem):
        if u.current_site is None:
            continue
        for e, ep in enumerate(eps):
            if pending_in(problem, u, ep) and available_in(u, ep):
                off, wom, us = pinned.get((u.current_site, e), (0, 0, []))
                pinned[(u.current_site, e)] = (
                    off + unit_strength(u),
                    wom + unit_women(u),
                    [*us, u],
                )
    active_in = {
        u.id: [available_in(u, ep) and not pending_in(problem, u, ep) for ep in eps]
        for u in units(problem)
    }
    total = 0
    for s in problem.sites:
        here = by_site.get(s.id, [])
        for e, ep in enumerate(eps):
            active = [p for p in here if active_in[p.unit.id][e]]
            p_off, p_wom, p_units = pinned.get((s.id, e), (0, 0, []))
            off_terms = [(p.var, p.officers) for p in active if p.officers]
            if s.max_officers is not None:
                key = f"site:{s.id}:capacity"
                m.groups[key] = Message.of(
                    gettext_noop("%(site)s: at most %(n)s officers"), site=s.name, n=s.max_officers
                )
                m.row(off_terms, -INF, s.max_officers - p_off, key)
            if s.min_women_share:
                key = f"site:{s.id}:women"
                m.groups[key] = Message.of(
                    gettext_noop("%(site)s: at least %(share)s %% women present"),
                    site=s.name,
                    share=f"{100 * s.min_women_share:.0f}",
                )
                share = round(s.min_women_share * 1000)
                terms = [(p.var, 1000 * p.women - share * p.officers) for p in active]
                m.row([t for t in terms if t[1]], share * p_off - 1000 * p_wom, INF, key)
            for skill, need in s.skills:
                key = f"site:{s.id}:skill:{skill}"
                m.groups[key] = Message.of(
                    gettext_noop("%(site)s: at least %(n)s officers with skill %(skill)s"),
                    site=s.name,
                    n=need,
                    skill=skill,
                )
                have = sum(unit_strength(u) for u in p_units if skill in u.skills)
                terms = [(p.var, p.officers) for p in active if skill in p.unit.skills]
                m.row(terms, need - have, INF, key)
            for lang, need in s.languages:
                key = f"site:{s.id}:language:{lang}"
                m.groups[key] = Message.of(
                    gettext_noop("%(site)s: at least %(n)s officers speaking %(language)s"),
                    site=s.name,
                    n=need,
                    language=lang,
                )
                have = sum(unit_strength(u) for u in p_units if lang in u.languages)
                terms = [(p.var, p.officers) for p in active if lang in p.unit.languages]
                m.row(terms, need - have, INF, key)
            if s.needs_qrf_cover:
                key = f"site:{s.id}:qrf"
                m.groups[key] = Message.of(
                    gettext_noop("%(site)s: QRF cover from an FPU base within reach"), site=s.name
                )
                have, terms = 0, []
                for f in problem.fpus:
                    if not available_in(f, ep):
                        continue
                    if pending_in(problem, f, ep):
                        have += 1 if f.current_site in reach[s.id] else 0
                        continue
                    terms += [(m.base[(f.id, b)], 1) for b in reach[s.id] if (f.id, b) in m.base]
                m.row(terms, 1 - have, INF, key)
            weight = site_weight(s, ep[1] - ep[0])
            if weight == 0:
                continue
            y_max = p_off + sum(c * m.ub[v] for v, c in off_terms)
            y = m.var(f"y[{s.id},{e}]", 0, y_max)
            m.row([(y, 1)] + [(v, -c) for v, c in off_terms], p_off, p_off)
            z = m.var(f"z[{s.id},{e}]", 0, COVERAGE_SCALE * s.need)
            for ln in lines:
                m.row([(z, 1), (y, -ln.slope)], -INF, ln.intercept_per_need * s.need)
            m.objective[z] = weight
            total += max_site_points(s, ep[1] - ep[0])
    m.max_points = total
