"""Access matrix rows for mission-model endpoints (see bluebox.testing.matrix)."""

from bluebox.testing.matrix import MISSION_MEMBERS, Endpoint, allowed, everyone

ENDPOINTS = [
    Endpoint("api/v1/missions/", "get", lambda w: "/api/v1/missions/", everyone(200)),
    Endpoint(
        "api/v1/missions/<int:pk>/",
        "get",
        lambda w: f"/api/v1/missions/{w.mission.pk}/",
        allowed(MISSION_MEMBERS, 200, 404),
    ),
    Endpoint("api/v1/sectors/", "get", lambda w: "/api/v1/sectors/", everyone(200)),
    Endpoint("api/v1/sites/", "get", lambda w: "/api/v1/sites/", everyone(200)),
    Endpoint(
        "api/v1/sites/<int:pk>/",
        "get",
        lambda w: f"/api/v1/sites/{w.site_a.pk}/",
        allowed(MISSION_MEMBERS, 200, 404),
    ),
    Endpoint("api/v1/partners/", "get", lambda w: "/api/v1/partners/", everyone(200)),
    Endpoint("", "get", lambda w: "/", everyone(200), api=False),
]
