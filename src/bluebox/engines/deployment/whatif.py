"""What-if and calibration: the exact protection a change buys, re-solved.

A change (lift one caveat item, let one FPU split, add or remove a unit) is applied to the
problem, which is then solved in full, starting from the base plan where the solver allows
it. The delta is the difference of the two solves' objectives: a what-if never estimates.
:func:`sweep` ranks every caveat item and every split by the protection it costs, and
:func:`force_curve` adds reinforcements one at a time to show what a mission would need.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bluebox.engines.messages import Message, gettext_noop

from .coverage import unit_strength, units
from .plan import Assignment
from .problem import CaveatSet, Fpu, IpoClass, Problem, Spt
from .solve import Solution, solve

ChangeKind = Literal["lift_caveat", "allow_split", "add_unit", "remove_unit"]


@dataclass(frozen=True)
class Change:
    """One modification of a problem.

    ``target`` is a caveat item key (``caveat:<set>:site:<site>``, ``caveat:<set>:kind:<kind>``,
    ``caveat:<set>:task:<task>``, ``caveat:<set>:no_overnight`` or
    ``caveat:<set>:redeployment``), an FPU id (allow_split), or a unit id (remove_unit);
    ``unit`` is the unit to add (add_unit).
    """

    kind: ChangeKind
    target: str
    unit: Fpu | Spt | IpoClass | None = None

    @property
    def key(self) -> str:
        """A stable name for reports, e.g. ``allow_split:FPU03``."""
        return f"{self.kind}:{self.target}"


@dataclass(frozen=True)
class WhatIf:
    """The outcome of one change, compared with the base plan."""

    change: Change
    message: Message
    status: str
    objective: float | None
    delta: float | None
    solution: Solution
    moved_units: tuple[str, ...]

    @property
    def text(self) -> str:
        """The change in English."""
        return self.message.render()


def describe(problem: Problem, change: Change) -> Message:
    """The change in words (a message to translate where it is read)."""
    if change.kind == "lift_caveat":
        parts = change.target.split(":")
        item = ":".join(parts[2:])
        return Message.of(
            gettext_noop("lift caveat %(item)s of caveat set %(set)s"), item=item, set=parts[1]
        )
    if change.kind == "allow_split":
        return Message.of(
            gettext_noop("allow FPU %(unit)s to split into platoons"), unit=change.target
        )
    if change.kind == "add_unit":
        assert change.unit is not None  # noqa: S101 - add_unit always carries its unit
        u = change.unit
        kind = {
            "Fpu": gettext_noop("FPU"),
            "Spt": gettext_noop("SPT"),
            "IpoClass": gettext_noop("IPO class"),
        }[type(u).__name__]
        return Message.of(
            gettext_noop("add %(kind)s %(unit)s (%(n)s officers)"),
            kind=Message(kind),
            unit=u.id,
            n=unit_strength(u),
        )
    return Message.of(gettext_noop("remove unit %(unit)s"), unit=change.target)


def apply_change(problem: Problem, change: Change) -> Problem:
    """Return the problem with the change made.

    Raises
    ------
    KeyError
        If the change names a caveat set, item or unit the problem does not have.
    """
    if change.kind == "lift_caveat":
        # "caveat:<set>:<item>[:<argument>]", as caveat_items() writes them.
        parts = change.target.split(":")
        sets = {c.id: c for c in problem.caveat_sets}
        if len(parts) < 3 or parts[0] != "caveat" or parts[1] not in sets:
            raise KeyError(change.target)
        cs_id = parts[1]
        cs = _lift(sets[cs_id], parts[2:])
        return problem.with_changes(
            caveat_sets=tuple(cs if c.id == cs_id else c for c in problem.caveat_sets)
        )
    if change.kind == "allow_split":
        if change.target not in {f.id for f in problem.fpus}:
            raise KeyError(change.target)
        return problem.with_changes(
            fpus=tuple(
                replace(f, may_split=True) if f.id == change.target else f for f in problem.fpus
            )
        )
    if change.kind == "add_unit":
        u = change.unit
        if isinstance(u, Fpu):
            return problem.with_changes(fpus=(*problem.fpus, u))
        if isinstance(u, Spt):
            return problem.with_changes(spts=(*problem.spts, u))
        if isinstance(u, IpoClass):
            return problem.with_changes(ipo_classes=(*problem.ipo_classes, u))
        raise KeyError("add_unit needs a unit")
    ids = {u.id for u in units(problem)}
    if change.target not in ids:
        raise KeyError(change.target)
    return problem.with_changes(
        fpus=tuple(u for u in problem.fpus if u.id != change.target),
        spts=tuple(u for u in problem.spts if u.id != change.target),
        ipo_classes=tuple(u for u in problem.ipo_classes if u.id != change.target),
    )


def _lift(cs: CaveatSet, item: list[str]) -> CaveatSet:
    what, *arg = item
    arg = arg or [""]
    if what == "site" and arg[0] in cs.excluded_sites:
        return replace(cs, excluded_sites=tuple(s for s in cs.excluded_sites if s != arg[0]))
    if what == "kind" and arg[0] in cs.excluded_site_kinds:
        return replace(
            cs, excluded_site_kinds=tuple(k for k in cs.excluded_site_kinds if k != arg[0])
        )
    if what == "task" and arg[0] in cs.excluded_tasks:
        return replace(cs, excluded_tasks=tuple(t for t in cs.excluded_tasks if t != arg[0]))
    if what == "no_overnight" and cs.no_overnight_outside_base:
        return replace(cs, no_overnight_outside_base=False)
    if what == "redeployment" and cs.redeployment_approval_days is not None:
        return replace(cs, redeployment_approval_days=None)
    raise KeyError(f"caveat set {cs.id} has no item {':'.join(item)}")


def caveat_items(problem: Problem) -> list[Change]:
    """Every caveat item of every caveat set used by some unit, as a lift change."""
    used = {u.caveat_set for u in units(problem)}
    out = []
    for c in problem.caveat_sets:
        if c.id not in used:
            continue
        keys = [f"site:{s}" for s in c.excluded_sites]
        keys += [f"kind:{k}" for k in c.excluded_site_kinds]
        keys += [f"task:{t}" for t in c.excluded_tasks]
        keys += ["no_overnight"] if c.no_overnight_outside_base else []
        keys += ["redeployment"] if c.redeployment_approval_days is not None else []
        out += [Change("lift_caveat", f"caveat:{c.id}:{k}") for k in keys]
    return out


def split_changes(problem: Problem) -> list[Change]:
    """Allowing each FPU that may not split to split."""
    return [Change("allow_split", f.id) for f in problem.fpus if not f.may_split]


def touched_units(problem: Problem, change: Change) -> set[str]:
    """The units a change concerns directly: the first ones a warm-started re-solve moves.

    Lifting a caveat item concerns the units of that caveat set; a split, the FPU; an added
    unit, itself; a removed unit, none (the others are freed when the plan without it is not
    within the gap).
    """
    if change.kind == "lift_caveat":
        cs_id = change.target.split(":")[1]
        return {u.id for u in units(problem) if u.caveat_set == cs_id}
    if change.kind == "add_unit" and change.unit is not None:
        return {change.unit.id}
    if change.kind == "allow_split":
        return {change.target}
    return set()


def _moved(a: Assignment | None, b: Assignment | None) -> tuple[str, ...]:
    if a is None or b is None:
        return ()
    ids = set(a.fpu_platoons) | set(b.fpu_platoons) | set(a.spt_site) | set(b.spt_site)
    ids |= set(a.ipo_sites) | set(b.ipo_sites)
    moved = [
        u
        for u in sorted(ids)
        if a.fpu_base.get(u) != b.fpu_base.get(u)
        or a.fpu_platoons.get(u) != b.fpu_platoons.get(u)
        or a.spt_site.get(u) != b.spt_site.get(u)
        or a.ipo_sites.get(u) != b.ipo_sites.get(u)
    ]
    return tuple(moved)


def what_if(
    problem: Problem,
    change: Change,
    *,
    base: Solution | None = None,
    time_limit_s: float = 10.0,
    rel_gap: float = 1e-3,
) -> WhatIf:
    """Solve the problem with one change and compare with the base plan.

    Parameters
    ----------
    problem : Problem
    change : Change
    base : Solution, optional
        The base plan (solved here if not given); it warm-starts the re-solve.
    time_limit_s, rel_gap : float
        As for :func:`~.solve.solve`, for each solve.

    Returns
    -------
    WhatIf
        ``delta`` is the change in protection share (positive: the change protects more).
    """
    if base is None:
        base = solve(problem, time_limit_s=time_limit_s, rel_gap=rel_gap, compare_greedy=False)
    changed = apply_change(problem, change)
    sol = solve(
        changed,
        time_limit_s=time_limit_s,
        rel_gap=rel_gap,
        hint=base.assignment,
        compare_greedy=False,
        explain=False,
        neighbourhood=touched_units(problem, change),
    )
    delta = None
    if sol.objective is not None and base.objective is not None:
        delta = sol.objective - base.objective
    return WhatIf(
        change=change,
        message=describe(problem, change),
        status=sol.status,
        objective=sol.objective,
        delta=delta,
        solution=sol,
        moved_units=_moved(base.assignment, sol.assignment),
    )


def sweep(
    problem: Problem,
    *,
    base: Solution | None = None,
    time_limit_s: float = 10.0,
    rel_gap: float = 1e-3,
    progress: object = None,
) -> list[WhatIf]:
    """Lift every caveat item and allow every FPU split, one at a time; rank by protection.

    Returns
    -------
    list of WhatIf
        Largest gain first: the restriction at the top costs the mission the most protection.
    """
    if base is None:
        base = solve(problem, time_limit_s=time_limit_s, rel_gap=rel_gap, compare_greedy=False)
    changes = caveat_items(problem) + split_changes(problem)
    out = []
    for i, ch in enumerate(changes):
        out.append(what_if(problem, ch, base=base, time_limit_s=time_limit_s, rel_gap=rel_gap))
        if callable(progress):
            progress(i + 1, len(changes), ch.key)
    return sorted(out, key=lambda w: (-(w.delta if w.delta is not None else -1.0), w.change.key))


@dataclass(frozen=True)
class CurvePoint:
    """Protection with ``added`` reinforcements of one profile."""

    added: int
    officers_added: int
    status: str
    objective: float | None


@dataclass(frozen=True)
class ForceCurve:
    """Protection achieved against the number of additional units of one profile."""

    profile: str
    target: float
    units_needed: int | None
    points: tuple[CurvePoint, ...]


def force_curve(
    problem: Problem,
    profile: Fpu | IpoClass,
    *,
    max_added: int = 6,
    target: float = 0.8,
    time_limit_s: float = 10.0,
    rel_gap: float = 1e-3,
) -> ForceCurve:
    """Add 0, 1, 2... copies of a reinforcement profile and re-solve each time.

    Parameters
    ----------
    problem : Problem
    profile : Fpu or IpoClass
        The unit a headquarters could send (its id is suffixed with the copy number).
    max_added : int
        Largest number of copies tried; the curve stops early once ``target`` is reached.
    target : float
        Protection share the mission wants to reach (``0.8``: 80 % of the risk covered).

    Returns
    -------
    ForceCurve
        ``units_needed`` is the smallest number of copies that reaches the target, or None.
    """
    points: list[CurvePoint] = []
    current = problem
    hint: Assignment | None = None
    needed = None
    for k in range(max_added + 1):
        if k:
            unit = replace(profile, id=f"{profile.id}+{k}")
            current = apply_change(current, Change("add_unit", unit.id, unit))
        sol = solve(
            current,
            time_limit_s=time_limit_s,
            rel_gap=rel_gap,
            hint=hint,
            compare_greedy=False,
            explain=False,
        )
        hint = sol.assignment
        points.append(CurvePoint(k, k * unit_strength(profile), sol.status, sol.objective))
        if sol.objective is not None and sol.objective >= target:
            needed = k
            break
    return ForceCurve(profile.id, target, needed, tuple(points))


def standard_profiles(problem: Problem) -> list[Fpu | IpoClass]:
    """Reinforcements a headquarters typically offers: a standard FPU and 20 IPOs.

    They come without caveats, may split, speak the language most sites ask for and are
    available for the whole plan period.
    """
    wanted = [lang for s in problem.sites for lang, _ in s.languages]
    lang = max(sorted(set(wanted)), key=wanted.count) if wanted else "en"
    missions = sorted({s.mission for s in problem.sites if s.mission is not None})
    mission = missions[0] if len(missions) == 1 else None
    return [
        Fpu(
            id="NEW-FPU",
            country="reinforcement",
            platoons=4,
            platoon_strength=30,
            platoon_women=5,
            hq_strength=20 + problem.qrf.strength,
            hq_women=4,
            may_split=True,
            languages=(lang,),
            mission=mission,
        ),
        IpoClass(
            id="NEW-IPO",
            country="reinforcement",
            count=20,
            languages=(lang,),
            skills=("community_policing",),
            mission=mission,
        ),
    ]
