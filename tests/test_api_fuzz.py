"""The published API schema, fuzzed against a running server as each role and as nobody.

Every operation in ``docs/openapi.yaml`` gets a bounded number of generated requests, valid
and invalid, sent over HTTP to a live server with a real API token obtained from the token
endpoint. Two properties must hold for every request: no server error (bad input is a 4xx), and
every answer matches the schema the clients are generated from.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from bluebox.testing.factories import TEST_PASSWORD
from tests.test_access_matrix import ENDPOINTS

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml"
# Generated requests per operation and mode (valid, invalid). Small on purpose: CI runs this for
# six identities; the bounds on input are what make larger runs safe, not this number.
EXAMPLES = 3
ROLES = ["reporter_at_a", "analyst", "commissioner", "detention_officer", None]


def _records(world: Any) -> dict[str, dict[str, str]]:
    """Build every record the access matrix uses, and the path parameters naming them.

    Valid requests then reach real records (so their answers are checked against the schema),
    while invalid ones still get generated identifiers.
    """
    done: set[Any] = set()
    params: dict[str, dict[str, str]] = {}
    for endpoint in ENDPOINTS:
        if endpoint.setup is not None and endpoint.setup not in done:
            done.add(endpoint.setup)
            endpoint.setup(world)
    for endpoint in ENDPOINTS:
        if not endpoint.api or "<" not in endpoint.route:
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", endpoint.route)
        pattern = "^/" + re.sub(r"<(?:\w+:)?\w+>", "([^/]+)", endpoint.route) + "$"
        found = re.match(pattern, endpoint.url(world))
        if found is None:
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", endpoint.route).replace("{pk}", "{id}")
        params[path] = {
            ("id" if name == "pk" else name): value
            for name, value in zip(names, found.groups(), strict=True)
        }
    return params


def _token(base_url: str, user: Any) -> str:
    """A real token, asked for as a client would: password, and the second-factor code of those
    asked for one (commanders and detention officers reach compartments)."""
    from django.utils import timezone

    from bluebox.core import mfa
    from bluebox.testing.second_factor import TEST_SECRET, enrol_totp

    data = {"username": user.get_username(), "password": TEST_PASSWORD}
    if mfa.asks_second_factor(user):
        enrol_totp(user)
        data["code"] = mfa.totp_code(TEST_SECRET, timezone.now())
    response = requests.post(f"{base_url}/api/v1/auth/token/", data=data, timeout=10)
    response.raise_for_status()
    return str(response.json()["token"])


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    headers: dict[str, str],
    session: requests.Session,
    counts: Counter[str],
    failures: list[str],
    records: dict[str, dict[str, str]],
    examples: int,
) -> None:
    seen: set[str] = set()
    fixed = records.get(operation.path) if mode is GenerationMode.POSITIVE else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, session=session)
        counts["cases"] += 1
        if response.status_code >= 500:
            counts["5xx"] += 1
        try:
            case.validate_response(
                response,
                checks=[not_a_server_error, response_schema_conformance],
                headers=headers,
            )
        except (AssertionError, FailureGroup) as exc:
            if response.status_code < 500:
                counts["schema violations"] += 1
            key = f"{operation.label} [{mode.value}] {response.status_code}"
            if key not in seen:
                seen.add(key)
                failures.append(f"{key}: {str(exc)[:600]}")

    try:
        check()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, no body).
        if mode is GenerationMode.POSITIVE:
            raise


def _fuzz(
    base_url: str, headers: dict[str, str], records: dict[str, dict[str, str]], examples: int
) -> tuple[Counter[str], list[str]]:
    schema = schemathesis.openapi.from_path(SCHEMA_PATH)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        # Without a token every operation answers 401 before reading its input: one valid
        # request each shows that, and that the 401 matches the schema.
        modes = [GenerationMode.POSITIVE] if not headers else list(GenerationMode)
        for mode in modes:
            _fuzz_operation(
                operation, mode, base_url, headers, session, counts, failures, records, examples
            )
    return counts, failures


@pytest.mark.slow
@pytest.mark.parametrize("who", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_no_server_error_and_every_answer_matches_the_schema(
    who: str | None, live_server: Any, world: Any, capsys: Any
) -> None:
    if who is None:
        headers = {}
    else:
        headers = {"Authorization": f"Token {_token(live_server.url, getattr(world, who))}"}
    started = time.monotonic()
    examples = EXAMPLES if headers else 1
    counts, failures = _fuzz(live_server.url, headers, _records(world), examples)
    with capsys.disabled():
        print(
            f"\nschemathesis {who or 'anonymous'}: {counts['cases']} cases, {counts['5xx']} 5xx, "
            f"{counts['schema violations']} schema violations, {time.monotonic() - started:.0f} s"
        )
    assert counts["cases"] > 0
    assert not failures, "\n\n".join(failures)
