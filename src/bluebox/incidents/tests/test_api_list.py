"""The incident list by API: summary rows by default, the whole record with ``view=full``.

The summary is read as plain values rather than through a model serializer per row, so these
tests hold it to the plain path: the same rows in the same order on every page, the same values,
the same people seeing the same records, and one audit entry per page that shows strictly
confidential or compartmented incidents.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bluebox.core import access, audit, pagination
from bluebox.core.classification import Classification, Compartment
from bluebox.core.models import AuditEntry, RoleAssignment
from bluebox.core.roles import Role
from bluebox.incidents.api import SUMMARY_FIELDS, IncidentSummarySerializer
from bluebox.incidents.models import Incident
from bluebox.testing.factories import IncidentFactory
from bluebox.testing.world import build_world

LISTERS = ["commissioner", "reporter_at_a", "east_analyst", "source_handler", "outsider"]
TYPES = ["killing", "looting", "abduction", "threat"]


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def walk(client: APIClient, url: str) -> list[list[dict[str, Any]]]:
    """Every page of a list from ``url``, following ``next``."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body["results"])
        url = body["next"]
    return pages


def varied_incidents(world: Any, seed: int, count: int = 36) -> None:
    """Incidents at both sites, at mission level and in the other mission, of every marking,
    many of them at the same few times (so the id settles the order)."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for _ in range(count):
        where = rng.choice(["a", "b", "mission", "other"])
        place: dict[str, Any] = {
            "a": {"site": world.site_a},
            "b": {"site": world.site_b},
            "mission": {"site": None, "sector": None, "mission": world.mission},
            "other": {"site": world.other_site},
        }[where]
        tied = rng.random() < 0.5
        IncidentFactory(
            **place,
            incident_type=rng.choice(TYPES),
            status=rng.choice(["reported", "verified"]),
            occurred_at=start
            + (
                timedelta(hours=rng.randrange(3))
                if tied
                else timedelta(minutes=rng.randrange(9999))
            ),
            latitude=round(rng.uniform(2.5, 3.5), 6),
            longitude=round(rng.uniform(-10.0, -9.0), 6),
            location_precision=rng.randrange(1, 8),
            classification=rng.choice([0, 1, 1, 2]),
            compartments=rng.choice([0, 0, 0, int(Compartment.SOURCE), int(Compartment.SGBV)]),
            primacy=rng.choice(["", "blue", "green"]),
            **dict(
                zip(
                    ["fatalities_low", "fatalities_best", "fatalities_high"],
                    sorted(rng.randrange(5) for _ in range(3)),
                    strict=True,
                )
            ),
            description="Said by a witness at the water point",
        )


@pytest.mark.parametrize("seed", [1, 2])
def test_summary_pages_hold_the_full_pages_rows_in_the_same_order(world, seed):
    varied_incidents(world, seed)
    filters = [
        "",
        f"&site={world.site_a.pk}",
        "&status=verified",
        f"&mission={world.mission.pk}&incident_type=looting",
        "&q=water",
    ]
    rng = random.Random(seed)
    for who in LISTERS:
        client = client_for(getattr(world, who))
        for extra in filters:
            size = rng.choice([1, 3, 7])
            summary = walk(client, f"/api/v1/incidents/?page_size={size}{extra}")
            full = walk(client, f"/api/v1/incidents/?page_size={size}{extra}&view=full")
            assert [[r["id"] for r in page] for page in summary] == [
                [r["id"] for r in page] for page in full
            ], (who, extra)
            for summary_row, full_row in zip(
                (r for page in summary for r in page),
                (r for page in full for r in page),
                strict=True,
            ):
                assert list(summary_row) == SUMMARY_FIELDS
                assert summary_row == {name: full_row[name] for name in SUMMARY_FIELDS}


def test_a_summary_row_is_what_the_summary_serializer_writes(world):
    varied_incidents(world, 3, count=12)
    rows = client_for(world.commissioner).get("/api/v1/incidents/?page_size=500").json()
    assert rows["results"]
    for row in rows["results"]:
        expected = IncidentSummarySerializer(Incident.objects.get(pk=row["id"])).data
        assert row == dict(expected)


def test_the_summary_is_ordered_newest_first_then_by_id(world):
    varied_incidents(world, 4)
    ids = [
        r["id"]
        for page in walk(client_for(world.commissioner), "/api/v1/incidents/?page_size=5")
        for r in page
    ]
    visible = access.visible(world.commissioner, Incident.objects.filter(voided_at__isnull=True))
    expected = visible.order_by("-occurred_at", "-id")
    assert ids == list(expected.values_list("id", flat=True))


def test_a_person_gets_in_the_summary_only_what_they_may_open(world):
    source = IncidentFactory(site=world.site_a, compartments=int(Compartment.SOURCE))
    secret = IncidentFactory(site=world.site_a, classification=Classification.STRICTLY_CONFIDENTIAL)
    plain = IncidentFactory(site=world.site_a)
    for who in [*LISTERS, "human_rights_officer", "partner", "admin", "auditor"]:
        client = client_for(getattr(world, who))
        listed = {r["id"] for page in walk(client, "/api/v1/incidents/") for r in page}
        opened = {
            i.pk
            for i in (source, secret, plain)
            if client.get(f"/api/v1/incidents/{i.pk}/").status_code == 200
        }
        assert listed == opened, who
    reporter = client_for(world.reporter_at_a)
    assert {r["id"] for r in reporter.get("/api/v1/incidents/").json()["results"]} == {plain.pk}


def test_the_summary_leaves_the_rest_of_the_record_to_the_detail(world):
    IncidentFactory(
        site=world.site_a,
        description="Said by Amina Traore at the water point",
        perpetrator_actor="Unit 7 commander",
        void_reason="",
    )
    client = client_for(world.commissioner)
    summary = client.get("/api/v1/incidents/")
    assert b"Amina" not in summary.content and b"Unit 7" not in summary.content
    full = client.get("/api/v1/incidents/?view=full")
    assert b"Amina" in full.content and b"Unit 7" in full.content


def test_an_unknown_view_is_a_clear_400(world):
    response = client_for(world.commissioner).get("/api/v1/incidents/?view=everything")
    assert response.status_code == 400
    assert "view" in response.json()


@pytest.mark.parametrize("view", ["", "&view=full"])
def test_each_page_showing_sensitive_incidents_writes_one_entry_naming_them(
    world, view, django_capture_on_commit_callbacks
):
    start = datetime(2026, 5, 1, tzinfo=UTC)
    marks = [
        (Classification.STRICTLY_CONFIDENTIAL, 0),
        (Classification.CONFIDENTIAL, 0),
        (Classification.CONFIDENTIAL, 0),
        (Classification.CONFIDENTIAL, 0),
        (Classification.CONFIDENTIAL, int(Compartment.DETENTION)),
        (Classification.STRICTLY_CONFIDENTIAL, int(Compartment.HRDDP)),
    ]
    made = [
        IncidentFactory(
            site=world.site_a,
            classification=level,
            compartments=compartments,
            occurred_at=start - timedelta(days=i),
        )
        for i, (level, compartments) in enumerate(marks)
    ]
    with django_capture_on_commit_callbacks(execute=True):  # the anchor, as a commit writes it
        pages = walk(client_for(world.commissioner), f"/api/v1/incidents/?page_size=2{view}")
    assert [[r["id"] for r in page] for page in pages] == [
        [made[0].pk, made[1].pk],
        [made[2].pk, made[3].pk],
        [made[4].pk, made[5].pk],
    ]
    reads = AuditEntry.objects.filter(action="list-read", actor="commissioner").order_by("seq")
    assert [entry.detail["ids"] for entry in reads] == [
        [str(made[0].pk)],
        [str(made[4].pk), str(made[5].pk)],
    ]
    assert {(e.resource, e.mission_id) for e in reads} == {("incident", world.mission.pk)}
    assert audit.verify().ok


def _synchronous() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
        else:
            cursor.execute("PRAGMA synchronous")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_list_reads_commit_unflushed_and_the_chain_and_anchor_stay_true(monkeypatch):
    """Outside a test's transaction, as in a running server: each page's entry commits without
    waiting for the disk, the connection flushes its other commits as before, and the anchor
    follows every entry, so cutting list reads off the chain is caught like any truncation."""
    world = build_world()
    start = datetime(2026, 5, 1, tzinfo=UTC)
    for i in range(4):
        IncidentFactory(
            site=world.site_a,
            classification=Classification.STRICTLY_CONFIDENTIAL,
            occurred_at=start - timedelta(days=i),
        )
    flushed = audit.record(actor=None, action="event-before")
    before = _synchronous()
    seen: list[str] = []
    unflushed = audit._unflushed_commit

    @contextmanager
    def watched() -> Iterator[None]:
        with unflushed():
            seen.append(_synchronous())
            yield

    monkeypatch.setattr(audit, "_unflushed_commit", watched)

    with CaptureQueriesContext(connection) as queries:
        pages = walk(client_for(world.commissioner), "/api/v1/incidents/?page_size=1")

    assert len(pages) == 4
    reads = list(AuditEntry.objects.filter(action="list-read", seq__gt=flushed.seq))
    assert len(reads) == 4
    # Each committed without a flush, and the connection flushes every other commit as before.
    if connection.vendor == "postgresql":
        # Two round trips each: the unflushed transaction and locked head, then the writes.
        sent = [q["sql"] for q in queries.captured_queries]
        opened = [q for q in sent if q.startswith("BEGIN; SET LOCAL synchronous_commit TO OFF;")]
        committed = [q for q in sent if q.startswith("INSERT INTO") and q.endswith("; COMMIT")]
        assert len(opened) == len(committed) == 4 and seen == []
        assert _synchronous() == before == "on"
    else:
        assert seen == ["1"] * 4
        assert _synchronous() == before != seen[0]
    anchor = audit.read_anchor()
    assert isinstance(anchor, audit.Anchor) and anchor.seq == reads[-1].seq
    assert audit.verify().ok


def test_the_list_compiles_its_statement_once_per_scope_and_filters(world, monkeypatch):
    varied_incidents(world, 5)
    compiled: list[bool] = []
    original = pagination._Statement.compile.__func__  # type: ignore[attr-defined]

    def counted(cls: Any, *args: Any) -> Any:
        compiled.append(args[2])  # whether it pages from a cursor
        return original(cls, *args)

    monkeypatch.setattr(pagination, "_STATEMENTS", {})
    monkeypatch.setattr(pagination._Statement, "compile", classmethod(counted))
    client = client_for(world.commissioner)
    pages = walk(client, "/api/v1/incidents/?page_size=2")
    assert len(pages) > 3
    assert compiled == [False, True]  # the first page's statement, then every later page's
    assert walk(client, "/api/v1/incidents/?page_size=2") == pages
    assert len(compiled) == 2
    # Another filter, another person, a search: statements of their own, or none kept.
    walk(client, "/api/v1/incidents/?page_size=2&status=verified")
    walk(client_for(world.reporter_at_a), "/api/v1/incidents/?page_size=2")
    assert len(compiled) == 6
    walk(client, "/api/v1/incidents/?page_size=2&q=water")
    assert len(compiled) == 6 and len(pagination._STATEMENTS) == 6


def test_a_changed_role_changes_the_list_at_once(world):
    varied_incidents(world, 6)
    at_b = {
        i.pk
        for i in Incident.objects.filter(site=world.site_b, classification__lte=1, compartments=0)
    }
    assert at_b

    def listed() -> set[int]:
        # Each request reads its user afresh, as token and session authentication do.
        user = type(world.reporter_at_a).objects.get(pk=world.reporter_at_a.pk)
        return {r["id"] for page in walk(client_for(user), "/api/v1/incidents/") for r in page}

    before = listed()
    assert not before & at_b
    assignment = RoleAssignment.objects.create(
        user=world.reporter_at_a, role=Role.REPORTER, mission=world.mission, site=world.site_b
    )
    assert listed() == before | at_b
    assignment.delete()
    assert listed() == before


def test_a_filter_value_equal_to_a_cursor_marker_is_kept_as_it_is(world):
    varied_incidents(world, 7)
    client = client_for(world.commissioner)
    marker = pagination._MARKERS["BigAutoField"][0]
    for url in (
        f"/api/v1/incidents/?page_size=2&mission={-marker}",
        "/api/v1/incidents/?page_size=2",
    ):
        summary = walk(client, url)
        full = walk(client, url + "&view=full")
        assert [[r["id"] for r in p] for p in summary] == [[r["id"] for r in p] for p in full]
