"""Access matrix rows for the offline field app (see bluebox.testing.matrix)."""

from __future__ import annotations

from bluebox.testing.matrix import OPERATIONS, allowed, endpoint, everyone

# Those who may file an incident (reporter, analyst, commander, source handler) or record a
# patrol (reporter, planner, commander) somewhere.
FILERS = OPERATIONS | {"source_handler", "other_commander"}

ENDPOINTS = [
    endpoint("field/", "get", allowed(FILERS, 200, 403), api=False),
    endpoint("field/manifest.webmanifest", "get", everyone(200), api=False),
    endpoint("sw.js", "get", everyone(200), api=False),
    # The language switch (kept on the account of whoever is signed in).
    endpoint(
        "i18n/setlang/",
        "post",
        everyone(302),
        body=lambda w: {"language": "en", "next": "/"},
        api=False,
    ),
    endpoint("api/v1/field/session/", "get", allowed(FILERS, 200, 403)),
    endpoint("api/v1/field/reference/", "get", allowed(FILERS, 200, 403)),
]
