"""The role × endpoint access matrix, assembled from every app.

Each domain app lists its endpoints in ``bluebox/<app>/tests/access_matrix.py`` as ``ENDPOINTS``;
``tests/test_access_matrix.py`` runs every endpoint for every named person of the ``world``
fixture and fails when the URL conf holds a route that no app listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Everyone in the `world` fixture (conftest.py).
PEOPLE = [
    "commissioner",
    "reporter_at_a",
    "reporter_at_b",
    "analyst",
    "east_analyst",
    "planner",
    "source_handler",
    "detention_officer",
    "hrddp_officer",
    "community_officer",
    "human_rights_officer",
    "partner",
    "auditor",
    "admin",
    "outsider",
    "other_commander",
]
# People holding any role in the test mission (they see its structure).
MISSION_MEMBERS = frozenset(PEOPLE) - {"auditor", "outsider", "other_commander"}
# The mission's operations staff, the first six above: the commissioner, the reporters at sites
# A and B, the analysts (mission-wide and sector East) and the planner.
OPERATIONS = frozenset(PEOPLE[:6])


@dataclass(frozen=True)
class Endpoint:
    """One route and method, what each person gets, and how to call it."""

    route: str  # the URL pattern as Django shows it, without the language prefix
    method: str
    url: Callable[[Any], str]  # world -> URL
    expect: Callable[[str], int]  # person -> status code
    body: Callable[[Any], dict[str, Any]] | None = None
    api: bool = True
    setup: Callable[[Any], None] | None = None  # world -> None, before the call
    # Without credentials: 401, except the few documents that are public by design.
    anonymous: int = 401


def allowed(people: set[str] | frozenset[str], yes: int, no: int) -> Callable[[str], int]:
    return lambda who: yes if who in people else no


def everyone(code: int) -> Callable[[str], int]:
    return lambda who: code


def acting(people: set[str], viewers: set[str] | frozenset[str], yes: int) -> Callable[[str], int]:
    """Who may act gets ``yes``; who sees the record but may not act 403; anyone else 404."""
    return lambda who: yes if who in people else (403 if who in viewers else 404)


def endpoint(
    route: str,
    method: str,
    expect: Callable[[str], int],
    on: str | None = None,
    *,
    query: str = "",
    body: Callable[[Any], dict[str, Any]] | None = None,
    api: bool = True,
    setup: Callable[[Any], None] | None = None,
    anonymous: int = 401,
) -> Endpoint:
    """An endpoint called at its own route: ``<int:pk>`` becomes the key of ``world.<on>``, and
    ``query`` (a ``str.format`` template over the world ``w``, e.g. ``"?mission={w.mission.pk}"``)
    follows the path."""
    path = "/" + (route.replace("<int:pk>", f"{{w.{on}.pk}}") if on else route) + query
    if "<" in path:
        raise ValueError(f"{route}: name the record whose key fills the route")
    return Endpoint(
        route,
        method,
        lambda w: path.format(w=w),
        expect,
        body=body,
        api=api,
        setup=setup,
        anonymous=anonymous,
    )
