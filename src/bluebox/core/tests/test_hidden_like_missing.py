"""A record the caller may not see answers like a missing one: same status, body, queries, audit.

The attack: time the answer for an id that exists but is hidden against one that does not
exist. When only hidden records had their refusal written to the audit trail, they answered
measurably slower. Timing tests are flaky on a shared machine, so these compare the work done:
the SQL statements (values masked), the audit entries written, the status and the body.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bluebox.core.models import AuditEntry
from bluebox.hrddp.tests.factories import HostUnitFactory
from bluebox.testing.factories import IncidentFactory

pytestmark = pytest.mark.django_db
MISSING = 987654

_VALUES = re.compile(r"'(?:[^']|'')*'|\"s\d+_x\d+\"|\bNULL\b|\b\d+(?:\.\d+)?\b")


# Each response masks the CSRF token afresh; nothing else in a page may differ.
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _shape(sql: str) -> str:
    return _VALUES.sub("?", sql)


def _answer(client: Any, url: str) -> dict[str, Any]:
    client.get(url)  # warm caches (session, assignments) so both calls do the same work
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    written = list(AuditEntry.objects.order_by("seq")[before:])
    return {
        "status": response.status_code,
        "body": _CSRF.sub(b"", response.content),
        "queries": [_shape(q["sql"]) for q in queries.captured_queries],
        "audit": [(e.actor, e.action, e.resource, e.outcome) for e in written],
        "object_ids": [e.object_id for e in written],
    }


def _alike(hidden: dict[str, Any], missing: dict[str, Any]) -> None:
    assert hidden["status"] == missing["status"] == 404
    assert hidden["body"] == missing["body"]
    assert hidden["queries"] == missing["queries"]
    assert hidden["audit"] == missing["audit"] and len(hidden["audit"]) == 1
    assert hidden["audit"][0][3] == "denied"


def test_the_api_answers_a_hidden_incident_exactly_like_a_missing_one(world):
    hidden = IncidentFactory(site=world.site_b)
    client = APIClient()
    client.force_authenticate(world.reporter_at_a)
    h = _answer(client, f"/api/v1/incidents/{hidden.pk}/")
    m = _answer(client, f"/api/v1/incidents/{MISSING}/")
    _alike(h, m)
    assert h["object_ids"] == [str(hidden.pk)] and m["object_ids"] == [str(MISSING)]


def test_the_incident_page_answers_a_hidden_incident_exactly_like_a_missing_one(world):
    hidden = IncidentFactory(site=world.site_b)
    client = Client()
    client.force_login(world.reporter_at_a)
    _alike(
        _answer(client, f"/incidents/{hidden.pk}/"),
        _answer(client, f"/incidents/{MISSING}/"),
    )


def test_the_support_gate_answers_another_missions_unit_like_a_missing_one(world):
    unit = HostUnitFactory(mission=world.other_mission)
    client = APIClient()
    client.force_authenticate(world.planner)
    _alike(
        _answer(client, f"/api/v1/hrddp/gate/?partner={unit.pk}&activity=training"),
        _answer(client, f"/api/v1/hrddp/gate/?partner={MISSING}&activity=training"),
    )


def test_a_units_hrddp_file_answers_another_missions_unit_like_a_missing_one(world):
    unit = HostUnitFactory(mission=world.other_mission)
    client = Client()
    client.force_login(world.hrddp_officer)
    _alike(_answer(client, f"/hrddp/units/{unit.pk}/"), _answer(client, f"/hrddp/units/{MISSING}/"))
