"""Access matrix rows for mission-model endpoints (see bluebox.testing.matrix)."""

from io import BytesIO

from bluebox.testing.matrix import MISSION_MEMBERS, Endpoint, allowed, everyone

# The mission's definition: its commanders and administrator; other members are refused (403),
# people outside the mission do not learn it exists (404).
SETTINGS_KEEPERS = {"commissioner", "admin"}


def _keepers(who: str) -> int:
    if who in SETTINGS_KEEPERS:
        return 200
    return 403 if who in MISSION_MEMBERS else 404


def _bad_definition(world: object) -> dict[str, object]:
    upload = BytesIO(b'{"code": "minutest"}')
    upload.name = "mission.json"
    return {"definition": upload}


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
    Endpoint(
        "missions/<int:pk>/settings/",
        "get",
        lambda w: f"/missions/{w.mission.pk}/settings/",
        _keepers,
        api=False,
    ),
    Endpoint(
        "missions/<int:pk>/settings/",
        "post",
        lambda w: f"/missions/{w.mission.pk}/settings/",
        _keepers,
        body=_bad_definition,
        api=False,
    ),
    Endpoint(
        "missions/<int:pk>/definition.yaml",
        "get",
        lambda w: f"/missions/{w.mission.pk}/definition.yaml",
        _keepers,
        api=False,
    ),
]
