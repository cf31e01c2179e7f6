"""What the deployment engine says (what-if changes, the requirements that conflict when no plan
exists) is kept as messages and read in the reader's language, with the records' names."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.test import Client
from django.utils import translation

from bluebox.core import words
from bluebox.deployment import services
from bluebox.deployment.models import PlanStatus
from bluebox.deployment.tests.test_plans import solved  # noqa: F401 - the fixture
from bluebox.engines.deployment import Fpu, whatif
from bluebox.engines.deployment.generate import generate
from bluebox.engines.deployment.solve import solve

ARABIC = re.compile("[\u0600-\u06ff]")


def _both(message, values):
    english = message.render()
    for code in ("fr", "ar"):
        with translation.override(code):
            said = words.render(message.as_dict())
        assert said != english, (code, said)
        assert all(v in said for v in values), (code, said)
        if code == "ar":
            assert ARABIC.search(said), said


def test_what_if_changes_read_in_french_and_in_arabic():
    problem = generate("small", seed=2)
    lift = whatif.caveat_items(problem)[0]
    parts = lift.target.split(":")
    _both(whatif.describe(problem, lift), [parts[1], ":".join(parts[2:])])
    split = whatif.Change("allow_split", problem.fpus[0].id)
    _both(whatif.describe(problem, split), [problem.fpus[0].id])
    unit = Fpu(id="NEW-FPU", country="x", platoons=4, platoon_strength=25, hq_strength=20)
    add = whatif.describe(problem, whatif.Change("add_unit", unit.id, unit))
    _both(add, ["NEW-FPU", "120"])
    with translation.override("fr"):
        assert words.render(add) == "ajouter UPC NEW-FPU (120 agents)"


def test_the_conflicting_requirements_read_in_french_and_in_arabic():
    problem = generate("small", seed=2)
    site = problem.sites[0]
    impossible = problem.with_changes(
        sites=(replace(site, skills=(("forensics", 500),)), *problem.sites[1:])
    )
    sol = solve(impossible, time_limit_s=10)
    assert sol.conflict, sol.status
    for conflict in sol.conflict:
        values = [str(v) for v in conflict.message.params.values() if isinstance(v, str | int)]
        _both(conflict.message, values)


@pytest.mark.django_db
def test_an_infeasible_plan_says_its_conflict_in_the_readers_language(force_world, solved):  # noqa: F811
    w = force_world
    w.mission.settings = {"deployment": {"sites": {"site-b": {"skills": {"forensics": 3}}}}}
    w.mission.save()
    plan = solved(w)
    assert plan.status == PlanStatus.FAILED and plan.conflict
    client = Client()
    client.force_login(w.planner)

    def conflict(prefix: str) -> str:
        html = client.get(f"{prefix}/deployment/plans/{plan.pk}/").content.decode()
        return re.search(r'<div class="error" id="conflict">(.*?)</div>', html, re.S)[1]

    assert "forensics" in conflict("") and "Site B" in conflict("")
    french = conflict("/fr")
    assert "au moins" in french and "Site B" in french and "<bdi>3</bdi>" in french
    arabic = conflict("/ar")
    assert ARABIC.search(arabic) and "Site B" in arabic and "at least" not in arabic


@pytest.mark.django_db
def test_a_what_if_is_titled_in_the_readers_language(
    force_world,
    solved,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    w = force_world
    plan = solved(w)
    with django_capture_on_commit_callbacks(execute=True):
        what = services.deployment_whatif_request(
            actor=w.planner,
            plan_id=plan.pk,
            kind="lift_caveat",
            target="caveat:pcc-STR:site:site-a",
        )
    what.refresh_from_db()
    assert "Strictland" in what.title and what.change["message"]["msgid"]
    client = Client()
    client.force_login(w.planner)
    french = client.get(f"/fr/deployment/plans/{what.pk}/").content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", french, re.S)[1]
    assert "lever la restriction" in h1 and "Strictland" in h1, h1
    arabic = client.get(f"/ar/deployment/plans/{what.pk}/").content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", arabic, re.S)[1]
    assert "رفع القيد" in h1 and "Strictland" in h1, h1
