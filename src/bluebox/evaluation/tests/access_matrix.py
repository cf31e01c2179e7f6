"""Access matrix rows for evaluation endpoints (see bluebox.testing.matrix)."""

from __future__ import annotations

from bluebox.testing.matrix import allowed, endpoint, everyone

# Who may evaluate site A: analysts (mission and sector east), planners and commanders.
EVALUATORS = {"commissioner", "analyst", "east_analyst", "planner"}

ENDPOINTS = [
    endpoint("api/v1/evaluation/sites/<int:pk>/", "get", allowed(EVALUATORS, 200, 404), "site_a"),
    endpoint("evaluation/", "get", everyone(200), api=False),
    endpoint(
        "evaluation/sites/<int:pk>/", "get", allowed(EVALUATORS, 200, 404), "site_a", api=False
    ),
]
