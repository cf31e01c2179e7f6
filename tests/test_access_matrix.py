"""Role × endpoint × scope: every endpoint of every app, every person in the fixtures.

Rows come from each app's ``tests/access_matrix.py`` (see :mod:`bluebox.testing.matrix`). A URL
that no app lists fails ``test_every_endpoint_is_in_the_matrix``.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from bluebox.core import access
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.matrix import PEOPLE, Endpoint
from bluebox.testing.world import build_world


def _collect() -> list[Endpoint]:
    endpoints: list[Endpoint] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("bluebox."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.access_matrix")
        except ModuleNotFoundError:
            continue
        endpoints.extend(module.ENDPOINTS)
    return endpoints


ENDPOINTS = _collect()


@pytest.fixture(scope="module")
def _matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[SimpleNamespace]:
    """The 15-person world, built once for every row of this module.

    It lives in a transaction held for the module and rolled back at its end; each row runs in
    a savepoint inside it (the ``db`` fixture), so what a row writes is gone before the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(db: None, _matrix_world: SimpleNamespace) -> SimpleNamespace:
    """A row's own copy of the shared world: what its set-up adds or changes on these objects
    does not outlive it (the database side is rolled back with the row's savepoint)."""
    fresh = SimpleNamespace()
    for name, shared in vars(_matrix_world).items():
        own = copy.copy(shared) if isinstance(shared, models.Model) else shared
        if isinstance(own, models.Model):
            access.forget(own)
        setattr(fresh, name, own)
    return fresh


# Django's own machinery, checked by their own tests or below.
NOT_IN_MATRIX = {"admin/", "i18n/", "setlang/"}


def _routes(patterns: list[Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for p in patterns:
        route = prefix + str(p.pattern).lstrip("^").replace("\\Z", "").replace("$", "")
        if isinstance(p, URLResolver):
            if str(p.pattern) in NOT_IN_MATRIX or route in NOT_IN_MATRIX:
                continue
            found |= _routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            found.add(route)
    return found


def test_every_endpoint_is_in_the_matrix():
    routes = {r.removeprefix("en/") for r in _routes(get_resolver().url_patterns)}
    covered = {e.route for e in ENDPOINTS}
    assert routes - covered == set(), "add these endpoints to the access matrix"


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}:{e.route or '/'}")
def test_role_by_endpoint(world, who, endpoint):
    if endpoint.setup:
        endpoint.setup(world)
    user = getattr(world, who)
    client: Any = APIClient() if endpoint.api else Client()
    client.force_login(user)
    body = endpoint.body(world) if endpoint.body else None
    call = getattr(client, endpoint.method)
    # Bodies carrying a file go as multipart, like a browser's or an API client's upload.
    upload = body is not None and any(hasattr(value, "read") for value in body.values())
    response = (
        call(endpoint.url(world), body, format="multipart" if upload else "json")
        if endpoint.api and body
        else (call(endpoint.url(world), body) if body else call(endpoint.url(world)))
    )
    assert response.status_code == endpoint.expect(who), (
        who,
        endpoint.route,
        response.content[:300],
    )


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.api and e.route != "api/v1/auth/token/"],
    ids=lambda e: f"{e.method}:{e.route}",
)
def test_anonymous_api_calls_are_refused(world, endpoint):
    if endpoint.setup:
        endpoint.setup(world)
    response = getattr(APIClient(), endpoint.method)(endpoint.url(world))
    assert response.status_code == endpoint.anonymous


@pytest.mark.parametrize("view", ["summary", "full"])
@pytest.mark.parametrize("who", PEOPLE)
def test_the_list_equals_the_visible_details(world, who, view):
    IncidentFactory(site=world.site_a)
    IncidentFactory(site=world.site_b)
    IncidentFactory(site=world.other_site)
    client = APIClient()
    client.force_login(getattr(world, who))
    ids: list[int] = []
    url = (
        f"/api/v1/incidents/?page_size=1&view={view}"  # every page: none leaks what a detail hides
    )
    while url:
        listed = client.get(url).json()
        ids += [row["id"] for row in listed["results"]]
        url = listed["next"]
    assert len(ids) == len(set(ids))
    from bluebox.incidents.models import Incident

    for incident in Incident.objects.all():
        status = client.get(f"/api/v1/incidents/{incident.pk}/").status_code
        assert (status == 200) == (incident.pk in ids)


def test_only_the_auditor_reads_the_audit_trail(world):
    at_b = IncidentFactory(site=world.site_b)
    client = APIClient()
    client.force_login(world.reporter_at_a)
    assert client.get(f"/api/v1/incidents/{at_b.pk}/").status_code == 404  # refused: audited
    client.force_login(world.auditor)
    assert client.get("/api/v1/audit/").json()["count"] > 0
    client.force_login(world.commissioner)
    assert client.get("/api/v1/audit/").json()["count"] == 0
    client.force_login(world.admin)
    assert client.get("/api/v1/audit/").json()["count"] == 0


def test_the_admin_site_lists_no_operational_content(world):
    client = Client()
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"incident" not in index.content.lower()
    assert client.get("/admin/incidents/incident/").status_code == 404
