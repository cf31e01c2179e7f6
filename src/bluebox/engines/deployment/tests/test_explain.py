"""Infeasibility explanations name the real conflict, and only it."""

from __future__ import annotations

from bluebox.engines.deployment import (
    CaveatSet,
    IpoClass,
    Problem,
    explain_infeasibility,
    solve,
)

from .conftest import fpu, site


def _camp_needs_sgbv(excluded: bool) -> Problem:
    caveat = CaveatSet(
        id="CB",
        country="PCCB",
        excluded_site_kinds=("idp_camp",) if excluded else (),
        excluded_tasks=("detention",),
    )
    return Problem(
        name="sgbv",
        horizon_days=30,
        sites=(
            site("A"),
            site("C", "idp_camp", lon=0.1, skills=(("sgbv", 3),), min_women_share=0.1),
            site("D", "market", lon=0.2),
        ),
        fpus=(fpu("F1"),),
        ipo_classes=(
            IpoClass(id="I1", country="PCCA", count=20),
            IpoClass(
                id="I2", country="PCCB", count=4, female=True, skills=("sgbv",), caveat_set="CB"
            ),
        ),
        caveat_sets=(caveat,),
    )


def test_the_caveat_that_blocks_the_only_sgbv_officers_is_named() -> None:
    problem = _camp_needs_sgbv(excluded=True)
    sol = solve(problem, time_limit_s=10)
    assert sol.status == "INFEASIBLE"
    assert sol.conflict is not None
    groups = {c.group for c in sol.conflict}
    assert groups == {"caveat:CB:kind:idp_camp", "site:C:skill:sgbv"}
    assert any("idp_camp" in c.text for c in sol.conflict)


def test_lifting_either_named_requirement_makes_a_plan_possible() -> None:
    assert solve(_camp_needs_sgbv(excluded=False), time_limit_s=10).assignment is not None


def test_feasible_problem_has_no_conflict() -> None:
    assert explain_infeasibility(_camp_needs_sgbv(excluded=False)) == []


def test_fpu_with_every_base_closed_names_its_caveats() -> None:
    problem = Problem(
        name="closed",
        horizon_days=30,
        sites=(site("A"), site("B", lon=0.5)),
        fpus=(fpu("F1", caveat_set="CX"),),
        caveat_sets=(CaveatSet(id="CX", country="PCCA", excluded_sites=("A", "B")),),
    )
    conflict = explain_infeasibility(problem)
    assert {c.group for c in conflict} == {"caveat:CX:site:A", "caveat:CX:site:B"}


def test_qrf_cover_conflict_with_a_site_caveat() -> None:
    # The only FPU may not be based at A, and only A is close enough to cover the camp.
    problem = Problem(
        name="qrf",
        horizon_days=30,
        sites=(
            site("A"),
            site("B", lon=3.0),
            site("C", "idp_camp", lon=0.2, needs_qrf_cover=True),
        ),
        fpus=(fpu("F1", caveat_set="CX"),),
        caveat_sets=(CaveatSet(id="CX", country="PCCA", excluded_sites=("A",)),),
    )
    conflict = explain_infeasibility(problem)
    assert {c.group for c in conflict} == {"caveat:CX:site:A", "site:C:qrf"}
