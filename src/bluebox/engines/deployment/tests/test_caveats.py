"""Property: whatever the instance and the caveats, an optimised plan never breaks one.

The checks below are written from the problem data alone, independently of the engine's own
evaluator, so a bug shared by the model and the evaluator would still be caught.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluebox.engines.deployment import Problem, generate, solve
from bluebox.engines.deployment.problem import Site

KINDS = ["team_site", "poc_site", "idp_camp", "market", "police_station"]
TASKS = ["crowd_control", "detention", "static_guard", "escort"]


@st.composite
def caveated_problems(draw: st.DrawFn) -> Problem:
    problem = generate("small", seed=draw(st.integers(0, 10_000)))
    sites = [s.id for s in problem.sites]
    sets = []
    for cs in problem.caveat_sets:
        sets.append(
            replace(
                cs,
                excluded_sites=tuple(draw(st.sets(st.sampled_from(sites), max_size=2))),
                excluded_site_kinds=tuple(draw(st.sets(st.sampled_from(KINDS), max_size=1))),
                excluded_tasks=tuple(draw(st.sets(st.sampled_from(TASKS), max_size=1))),
                no_overnight_outside_base=draw(st.booleans()),
                redeployment_approval_days=draw(st.sampled_from([None, 0, 20])),
            )
        )
    return problem.with_changes(caveat_sets=tuple(sets))


def _placements(problem: Problem, sol_assignment: object) -> list[tuple[str, str | None, str]]:
    a = sol_assignment
    out: list[tuple[str, str | None, str]] = []
    for f in problem.fpus:
        out.append((f.id, f.caveat_set, a.fpu_base[f.id]))  # type: ignore[attr-defined]
        for s, k in a.fpu_platoons[f.id].items():  # type: ignore[attr-defined]
            if k:
                out.append((f.id, f.caveat_set, s))
    for t in problem.spts:
        s = a.spt_site[t.id]  # type: ignore[attr-defined]
        if s is not None:
            out.append((t.id, t.caveat_set, s))
    for c in problem.ipo_classes:
        for s, k in a.ipo_sites[c.id].items():  # type: ignore[attr-defined]
            if k:
                out.append((c.id, c.caveat_set, s))
    return out


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(caveated_problems())
def test_no_plan_ever_breaks_a_caveat_or_splitting_rule(problem: Problem) -> None:
    sol = solve(problem, time_limit_s=5, compare_greedy=False, explain=False)
    if sol.assignment is None:
        return
    sites: dict[str, Site] = {s.id: s for s in problem.sites}
    caveats = {c.id: c for c in problem.caveat_sets}
    for unit, cs_id, sid in _placements(problem, sol.assignment):
        site = sites[sid]
        if cs_id is None:
            continue
        cs = caveats[cs_id]
        assert sid not in cs.excluded_sites, (unit, sid)
        assert site.kind not in cs.excluded_site_kinds, (unit, sid)
        assert not set(site.tasks) & set(cs.excluded_tasks), (unit, sid)
        if cs.no_overnight_outside_base:
            assert site.overnight_base, (unit, sid)
    for f in problem.fpus:
        base = sol.assignment.fpu_base[f.id]
        assert sites[base].fpu_base
        platoons = sol.assignment.fpu_platoons[f.id]
        assert sum(platoons.values()) == f.platoons
        away = [s for s, k in platoons.items() if k and s != base]
        if not f.may_split:
            assert away == [], f.id
        for s in away:
            assert sites[s].base_support, (f.id, s)
    for c in problem.ipo_classes:
        assert sum(sol.assignment.ipo_sites[c.id].values()) <= c.count
