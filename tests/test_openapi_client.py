"""The published OpenAPI document works for a generated client.

A client is generated from ``docs/openapi.yaml`` with openapi-python-client (offline), every
module it writes is imported, and a few calls go to the test server with an API token (made
with the token service): missions, incidents and the patrol plans (whose components once shared
names with the deployment plans').
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from bluebox.core import services as core_services
from bluebox.testing.factories import IncidentFactory

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "docs" / "openapi.yaml"


def test_every_component_name_belongs_to_one_serializer():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    clashes = [w for w in GENERATOR_STATS._warn_cache if "identical names" in w]
    assert clashes == []
    components = schema["components"]["schemas"]
    assert {"PatrolPlan", "DeploymentPlan", "PaginatedPatrolPlanList"} <= set(components)
    assert "Plan" not in components
    patrol_list = schema["paths"]["/api/v1/patrols/plans/"]["get"]["responses"]["200"]
    ref = patrol_list["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/PaginatedPatrolPlanList")


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated") / "bluebox_client"
    tool = Path(sys.executable).with_name("openapi-python-client")
    env = {**os.environ, "PATH": f"{tool.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(tool), "generate", "--path", str(SCHEMA), "--output-path", str(out), "--meta", "none"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module("bluebox_client")
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m.split(".")[0] == "bluebox_client"]:
            del sys.modules[name]


def test_every_generated_module_imports(generated_client):
    modules = list(pkgutil.walk_packages(generated_client.__path__, "bluebox_client."))
    failures = {}
    for module in modules:
        try:
            importlib.import_module(module.name)
        except Exception as exc:  # report every module that fails, not just the first
            failures[module.name] = repr(exc)
    assert failures == {}
    assert len(modules) > 100


@pytest.mark.django_db(transaction=True)
def test_the_generated_client_talks_to_the_server_with_a_token(
    generated_client, live_server, world
):
    from bluebox_client import AuthenticatedClient, Client
    from bluebox_client.api.incidents import incidents_list
    from bluebox_client.api.missions import missions_list
    from bluebox_client.api.patrols import patrols_plans_list

    IncidentFactory(site=world.site_a, title="Seen through the client", classification=0)
    anonymous = Client(base_url=live_server.url)
    _, key = core_services.token_create(actor=world.analyst, user=world.analyst, name="client")
    api = AuthenticatedClient(base_url=live_server.url, token=key, prefix="Token")

    missions = missions_list.sync(client=api)
    assert missions is not None
    assert [m.code for m in missions.results] == ["minutest"]

    incidents = incidents_list.sync(client=api, mission=world.mission.pk)
    assert incidents is not None
    assert [i.title for i in incidents.results] == ["Seen through the client"]

    plans = patrols_plans_list.sync(client=api)
    assert plans is not None and plans.results == []

    refused = missions_list.sync_detailed(client=anonymous)
    assert refused.status_code == 401
