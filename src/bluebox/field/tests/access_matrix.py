"""Access matrix rows for the offline field app (see bluebox.testing.matrix)."""

from __future__ import annotations

from bluebox.testing.matrix import Endpoint, allowed, everyone

# Those who may file an incident (reporter, analyst, commander, source handler) or record a
# patrol (reporter, planner, commander) somewhere.
FILERS = {
    "commissioner",
    "reporter_at_a",
    "reporter_at_b",
    "analyst",
    "east_analyst",
    "planner",
    "source_handler",
    "other_commander",
}

ENDPOINTS = [
    Endpoint("field/", "get", lambda w: "/field/", allowed(FILERS, 200, 403), api=False),
    Endpoint(
        "field/manifest.webmanifest",
        "get",
        lambda w: "/field/manifest.webmanifest",
        everyone(200),
        api=False,
    ),
    Endpoint("sw.js", "get", lambda w: "/sw.js", everyone(200), api=False),
    # The language switch (kept on the account of whoever is signed in).
    Endpoint(
        "i18n/setlang/",
        "post",
        lambda w: "/i18n/setlang/",
        everyone(302),
        body=lambda w: {"language": "en", "next": "/"},
        api=False,
    ),
    Endpoint(
        "api/v1/field/session/",
        "get",
        lambda w: "/api/v1/field/session/",
        allowed(FILERS, 200, 403),
    ),
    Endpoint(
        "api/v1/field/reference/",
        "get",
        lambda w: "/api/v1/field/reference/",
        allowed(FILERS, 200, 403),
    ),
]
