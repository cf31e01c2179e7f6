"""Property: over random agreements, records and people, nothing is shared that no live agreement
grants, in any channel, and a revocation or an expiry removes it on the next request.

The oracle below restates the rule from the agreement's own terms, independently of
``core.access``: a record is shared with a person when some agreement is approved, not revoked,
started and not expired, names the person, is in a mission where the person holds a recipient
role (human rights officer or partner liaison), and covers the record (its mission, sector or site,
types, perpetrators, period, classification ceiling; never a compartmented or voided record).
Each shared record shows exactly the union of the field groups of the agreements covering it,
at the finest location they allow, with text and names only where one of them allows it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from bluebox.core import access
from bluebox.core.sharing import TLP, TLP_ORDER, SharedField, SharingAgreement
from bluebox.incidents import selectors as incident_selectors
from bluebox.incidents.models import Incident
from bluebox.overview import selectors as picture
from bluebox.sharing import selectors

PEOPLE = ["human_rights_officer", "partner", "analyst", "admin", "outsider"]
RECIPIENT_ROLES = {"human_rights_officer", "partner"}  # of the test mission only
TYPES = ["killing", "abduction", "sgbv"]
PERPETRATORS = ["host_state_forces", "armed_group", "unknown"]
DAYS = [date(2026, 10, 1), date(2026, 11, 1), date(2026, 11, 20)]
STATES = ["live", "live", "live", "proposed", "refused", "revoked", "expired", "future"]

agreements_st = st.lists(
    st.fixed_dictionaries(
        {
            "mission": st.sampled_from(["mission", "mission", "other_mission"]),
            "recipients": st.sets(st.sampled_from(PEOPLE), min_size=1, max_size=3),
            "fields": st.sets(st.sampled_from(SharedField.values), min_size=1),
            "types": st.sets(st.sampled_from(TYPES), max_size=2),
            "perpetrators": st.sets(st.sampled_from(PERPETRATORS), max_size=2),
            "covers_from": st.sampled_from([None, None, date(2026, 10, 15), date(2026, 11, 10)]),
            "place": st.sampled_from([None, None, "east", "west", "site_a", "site_b"]),
            "ceiling": st.integers(0, 2),
            "resolution": st.sampled_from([None, 4, 5, 6, 7, 8]),
            "pseudonymise": st.booleans(),
            "withhold": st.booleans(),
            "tlp": st.sampled_from(TLP.values),
            "state": st.sampled_from(STATES),
        }
    ),
    min_size=1,
    max_size=8,
)
incidents_st = st.lists(
    st.fixed_dictionaries(
        {
            "site": st.sampled_from(["site_a", "site_b", "other_site"]),
            "classification": st.integers(0, 2),
            "compartments": st.sampled_from([0, 0, 0, 1, 2, 8]),
            "type": st.sampled_from(TYPES),
            "perpetrator": st.sampled_from(PERPETRATORS),
            "day": st.sampled_from(DAYS),
            "voided": st.sampled_from([False, False, False, True]),
        }
    ),
    min_size=1,
    max_size=12,
)


@dataclass
class Built:
    agreements: list[tuple[SharingAgreement, dict[str, Any]]]
    incidents: list[tuple[Incident, dict[str, Any]]]


def _build(world: Any, agreements: list[dict[str, Any]], incidents: list[dict[str, Any]]) -> Built:
    now = timezone.now()
    made = []
    for spec in agreements:
        mission = getattr(world, spec["mission"])
        place = getattr(world, spec["place"]) if spec["place"] else None
        in_mission = place is not None and spec["mission"] == "mission"
        state = spec["state"]
        starts = now - timedelta(days=5) if state != "future" else now + timedelta(days=1)
        expires = now + timedelta(days=5) if state != "expired" else now - timedelta(seconds=1)
        if state == "expired":
            starts = now - timedelta(days=5)
        a = SharingAgreement.objects.create(
            mission=mission,
            title="Property agreement",
            purpose="Random terms",
            party="human_rights",
            incident_types=sorted(spec["types"]),
            perpetrator_categories=sorted(spec["perpetrators"]),
            covers_from=spec["covers_from"],
            sector=place if in_mission and spec["place"] in ("east", "west") else None,
            site=place if in_mission and spec["place"] in ("site_a", "site_b") else None,
            max_classification=spec["ceiling"],
            tlp=spec["tlp"],
            shared_fields=sorted(spec["fields"]),
            location_resolution=spec["resolution"],
            pseudonymise_names=spec["pseudonymise"],
            withhold_text=spec["withhold"],
            pseudonym_key=secrets.token_hex(32),
            starts_at=starts,
            expires_at=expires,
            status={"proposed": "proposed", "refused": "refused"}.get(state, "approved"),
            revoked_at=now if state == "revoked" else None,
            proposed_by=world.analyst,
            proposed_at=now,
        )
        a.recipients.set([getattr(world, who) for who in spec["recipients"]])
        made.append((a, spec))
    records = []
    for spec in incidents:
        site = getattr(world, spec["site"])
        records.append(
            (
                Incident.objects.create(
                    mission=site.mission,
                    sector=site.sector,
                    site=site,
                    title="Secret title Qx9",
                    description="Secret words Wz4",
                    location_name="Secret place Pl7",
                    perpetrator_actor="Named Commander Nk2",
                    incident_type=spec["type"],
                    perpetrator_category=spec["perpetrator"],
                    occurred_at=datetime.combine(spec["day"], datetime.min.time(), UTC)
                    + timedelta(hours=8),
                    reported_at=now,
                    latitude=3.0123,
                    longitude=-9.4987,
                    classification=spec["classification"],
                    compartments=spec["compartments"],
                    voided_at=now if spec["voided"] else None,
                ),
                spec,
            )
        )
    return Built(made, records)


def _covers(
    world: Any, a: SharingAgreement, spec: dict[str, Any], i: Incident, ispec: dict
) -> bool:
    if a.mission_id != i.mission_id:
        return False
    if spec["place"] and spec["mission"] == "mission":
        place = getattr(world, spec["place"])
        if spec["place"] in ("east", "west") and i.sector_id != place.pk:
            return False
        if spec["place"] in ("site_a", "site_b") and i.site_id != place.pk:
            return False
    return (
        ispec["classification"] <= spec["ceiling"]
        and ispec["compartments"] == 0
        and not ispec["voided"]
        and (not spec["types"] or ispec["type"] in spec["types"])
        and (not spec["perpetrators"] or ispec["perpetrator"] in spec["perpetrators"])
        and (spec["covers_from"] is None or ispec["day"] >= spec["covers_from"])
    )


def _oracle(world: Any, built: Built, who: str, ended: set[int]) -> dict[int, list[dict]]:
    """Incident id -> the specs of the live agreements sharing it with ``who``."""
    out: dict[int, list[dict]] = {}
    if who not in RECIPIENT_ROLES:
        return out
    for i, ispec in built.incidents:
        for a, spec in built.agreements:
            live = spec["state"] == "live" and a.pk not in ended
            if (
                live
                and who in spec["recipients"]
                and spec["mission"] == "mission"
                and _covers(world, a, spec, i, ispec)
            ):
                out.setdefault(i.pk, []).append(spec)
    return out


def _expected_keys(specs: list[dict]) -> set[str]:
    fields = set().union(*(s["fields"] for s in specs))
    keys = {"id", "marking", "event"}
    for group, key in [
        ("act", "acts"),
        ("victims", "victims"),
        ("perpetrator", "perpetrators"),
        ("source", "source"),
        ("intervention", "interventions"),
    ]:
        if group in fields:
            keys.add(key)
    return keys


def _check_item(item: dict[str, Any], specs: list[dict]) -> None:
    assert set(item) == _expected_keys(specs), (item, specs)
    fields = set().union(*(s["fields"] for s in specs))
    body = repr(item)
    text_allowed = any(not s["withhold"] for s in specs)
    for secret in ("Secret title Qx9", "Secret words Wz4"):
        assert (secret in body) == text_allowed, (secret, specs)
    # A place name only from one agreement sharing both the exact place and text.
    place_named = any(
        not s["withhold"] and "where" in s["fields"] and s["resolution"] is None for s in specs
    )
    assert ("Secret place Pl7" in body) == place_named, specs
    naming = [s for s in specs if "perpetrator" in s["fields"]]
    names_clear = any(not s["pseudonymise"] for s in naming)
    assert ("Named Commander Nk2" in body) == names_clear, specs
    assert ("date" in item["event"]) == ("when" in fields)
    assert ("location" in item["event"]) == ("where" in fields)
    if "where" in fields:
        locating = [s for s in specs if "where" in s["fields"]]
        place = item["event"]["location"]
        if any(s["resolution"] is None for s in locating):
            assert place["exact"] is True and place["latitude"] == 3.0123
        else:
            assert place["exact"] is False
            assert place["resolution"] == max(s["resolution"] for s in locating)
            assert "3.0123" not in body and "-9.4987" not in body
    strictest = max((s["tlp"] for s in specs), key=lambda t: TLP_ORDER.index(TLP(t)))
    assert item["marking"]["tlp"] == "TLP:" + strictest.upper()


def _check_everyone(world: Any, built: Built, ended: set[int]) -> None:
    for who in PEOPLE:
        user = getattr(world, who)
        access.forget(user)
        expected = _oracle(world, built, who, ended)
        shared = selectors.shared_incidents(user)
        assert set(shared.values_list("pk", flat=True)) == set(expected), who
        assert shared.count() == len(expected)
        items = selectors.extracts(user, list(Incident.objects.all()))
        assert {item["id"] for item in items} == set(expected)
        for item in items:
            _check_item(item, expected[item["id"]])
        # No agreement opens an ordinary channel: incident lists, search, derived data.
        if who in RECIPIENT_ROLES:
            assert not incident_selectors.incidents_for(user).exists()
            assert not incident_selectors.incidents_for(
                user, incident_selectors.IncidentFilters(text="Secret")
            ).exists()
            assert access.clearances(user, "incident") == []
            world_view = picture.Box(-180, -90, 180, 90, zoom=0)
            layer = picture.incident_layer(user, incident_selectors.IncidentFilters(), world_view)
            assert (layer["total"], layer["in_view"], layer["markers"]) == (0, 0, [])


@pytest.mark.django_db
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(agreements=agreements_st, incidents=incidents_st, data=st.data())
def test_nothing_is_shared_beyond_a_live_agreement(world, agreements, incidents, data):
    with transaction.atomic():
        built = _build(world, agreements, incidents)
        _check_everyone(world, built, ended=set())
        live = [a for a, spec in built.agreements if spec["state"] == "live"]
        if live:
            # Revoke one and expire another: the very next read no longer shows them.
            gone = data.draw(st.sampled_from(live))
            SharingAgreement.objects.filter(pk=gone.pk).update(
                status="revoked", revoked_at=timezone.now()
            )
            ended = {gone.pk}
            others = [a for a in live if a.pk != gone.pk]
            if others:
                expired = data.draw(st.sampled_from(others))
                SharingAgreement.objects.filter(pk=expired.pk).update(
                    expires_at=timezone.now() - timedelta(seconds=1)
                )
                ended.add(expired.pk)
            _check_everyone(world, built, ended)
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(agreements=agreements_st, incidents=incidents_st)
def test_every_http_channel_agrees_with_the_rule(world, agreements, incidents):
    """Pages, API list and detail, downloads: the same records, the same status for the rest."""
    with transaction.atomic():
        built = _build(world, agreements, incidents)
        for who in ("human_rights_officer", "partner", "admin"):
            expected = set(_oracle(world, built, who, set()))
            client = APIClient()
            client.force_login(getattr(world, who))
            listed = client.get("/api/v1/sharing/extracts/?limit=1000").json()
            assert {r["id"] for r in listed["results"]} == expected
            assert listed["count"] == len(expected)
            for incident, _spec in built.incidents:
                status = client.get(f"/api/v1/sharing/extracts/{incident.pk}/").status_code
                assert status == (200 if incident.pk in expected else 404)
            exported = client.get("/sharing/shared/export/json/")
            if who == "admin":
                assert exported.status_code == 403
            else:
                ids = {r["id"] for r in exported.json()["records"]}
                assert ids == expected
        transaction.set_rollback(True)
