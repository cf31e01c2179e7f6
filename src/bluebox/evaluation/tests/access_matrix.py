"""Access matrix rows for evaluation endpoints (see bluebox.testing.matrix).

Site evaluations need the site's patrols as well as the evaluation; an intervention sits at
site A: analysts (mission and sector East), the planner and the commissioner read its
evaluation, analysts and commanders record interventions (a commander of another mission in
their own mission only), nobody else learns that one exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bluebox.core.classification import Classification
from bluebox.evaluation import services
from bluebox.testing.matrix import allowed, endpoint, everyone

# Who may evaluate site A: analysts (mission and sector east), planners and commanders.
EVALUATORS = {"commissioner", "analyst", "east_analyst", "planner"}
RECORDERS = {"commissioner", "analyst", "east_analyst"}


def _intervention(w: Any) -> None:
    w.intervention = services.intervention_create(
        actor=w.commissioner,
        mission_id=w.mission.pk,
        kind="fpu",
        title="FPU platoon at site A",
        site_id=w.site_a.pk,
        started_on=date(2026, 1, 5),
    )


def _record(who: str) -> int:
    if who in RECORDERS:
        return 302
    # A commander of another mission gets the form of their own mission, where site A is not.
    return 400 if who == "other_commander" else 403


ENDPOINTS = [
    endpoint("api/v1/evaluation/sites/<int:pk>/", "get", allowed(EVALUATORS, 200, 404), "site_a"),
    endpoint("evaluation/", "get", everyone(200), api=False),
    endpoint(
        "evaluation/sites/<int:pk>/", "get", allowed(EVALUATORS, 200, 404), "site_a", api=False
    ),
    endpoint(
        "evaluation/interventions/new/",
        "get",
        allowed(RECORDERS | {"other_commander"}, 200, 403),
        api=False,
    ),
    endpoint(
        "evaluation/interventions/new/",
        "post",
        _record,
        body=lambda w: {
            "kind": "dialogue",
            "title": "Dialogue at site A",
            "site": w.site_a.pk,
            "area": "",
            "started_on": "2026-02-02",
            "description": "",
            "classification": int(Classification.CONFIDENTIAL),
        },
        api=False,
    ),
    endpoint(
        "evaluation/interventions/<int:pk>/",
        "get",
        allowed(EVALUATORS, 200, 404),
        "intervention",
        api=False,
        setup=_intervention,
    ),
]
