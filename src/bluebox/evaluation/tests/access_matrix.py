"""Access matrix rows for evaluation endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

from bluebox.testing.matrix import Endpoint, allowed, everyone

# Who may evaluate site A: analysts (mission and sector east), planners and commanders.
EVALUATORS = {"commissioner", "analyst", "east_analyst", "planner"}

ENDPOINTS = [
    Endpoint(
        "api/v1/evaluation/sites/<int:pk>/",
        "get",
        lambda w: f"/api/v1/evaluation/sites/{w.site_a.pk}/",
        allowed(EVALUATORS, 200, 404),
    ),
    Endpoint("evaluation/", "get", lambda w: "/evaluation/", everyone(200), api=False),
    Endpoint(
        "evaluation/sites/<int:pk>/",
        "get",
        lambda w: f"/evaluation/sites/{w.site_a.pk}/",
        allowed(EVALUATORS, 200, 404),
        api=False,
    ),
]
