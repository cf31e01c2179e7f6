"""Two-person downgrade: a lower marking only when a second, cleared person approves.

Attacks tried: the requester approving their own request, an administrator without the role,
an analyst who may ask but not decide, a commander not cleared for the record's compartment,
two approvals racing, a lapsed request, a record changed meanwhile, a "downgrade" that raises or
adds a compartment, and a direct edit of the marking through the ordinary pages and the API.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import access, downgrades, selectors
from bluebox.core.classification import Classification, Compartment
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.models import AuditEntry, AuditOutcome, DowngradeRequest, DowngradeStatus
from bluebox.core.roles import Role
from bluebox.incidents.models import Incident
from bluebox.overview.inbox import inbox_for
from bluebox.testing.factories import IncidentFactory, person

SC = Classification.STRICTLY_CONFIDENTIAL
REASON = "Published in the joint press release of 3 November"
TYPE = "incidents.incident"


@pytest.fixture
def incident(world):
    return IncidentFactory(site=world.site_a, classification=SC, title="Night raid on the camp")


@pytest.fixture
def deputy(world):
    """A second commander of the mission: the second person the analyst needs."""
    return person("deputy", Role.COMMANDER, mission=world.mission)


def ask(who, incident, to=Classification.CONFIDENTIAL, compartments=None, reason=REASON):
    return downgrades.downgrade_request(
        actor=who,
        record_type=TYPE,
        object_id=incident.pk,
        to_classification=int(to),
        to_compartments=incident.compartments if compartments is None else compartments,
        reason=reason,
    )


def marking(incident):
    incident.refresh_from_db()
    return incident.classification, incident.compartments


def entries(action, **fields):
    return AuditEntry.objects.filter(action=action, **fields)


def test_a_request_changes_nothing_until_a_second_person_approves(world, incident):
    request = ask(world.analyst, incident)
    assert marking(incident) == (SC, 0)
    assert request.status == DowngradeStatus.PENDING
    entry = entries("downgrade-request").get()
    assert entry.actor_id == world.analyst.pk and entry.mission_id == world.mission.pk
    assert entry.detail["to"] == {"classification": 1, "compartments": 0}

    approved = downgrades.downgrade_approve(
        actor=world.commissioner, request_id=request.pk, note="Public now"
    )
    assert approved.status == DowngradeStatus.APPROVED
    assert approved.decided_by == world.commissioner
    assert marking(incident) == (Classification.CONFIDENTIAL, 0)
    assert entries("downgrade-approve", object_id=str(request.pk)).count() == 1
    reclassified = entries("reclassify", resource="incident", object_id=str(incident.pk)).get()
    assert reclassified.detail["requested_by"] == world.analyst.pk
    assert reclassified.detail["approved_by"] == world.commissioner.pk


def test_the_requester_cannot_approve_their_own_request(world, incident, deputy):
    request = ask(world.commissioner, incident)
    with pytest.raises(NotPermitted) as refused:
        downgrades.downgrade_approve(actor=world.commissioner, request_id=request.pk)
    access.record_refusal(refused.value)  # what every request boundary does after the rollback
    with pytest.raises(NotPermitted):
        downgrades.downgrade_refuse(actor=world.commissioner, request_id=request.pk, note=REASON)
    assert marking(incident) == (SC, 0)
    refusal = entries("approve", outcome=AuditOutcome.DENIED).get()
    assert refusal.detail == {"rule": "second person"}
    # Nor is it in their queue or inbox; it is in the other commander's.
    now = timezone.now()
    assert not selectors.downgrades_to_decide(world.commissioner, now).exists()
    assert "downgrades" not in [i.key for i in inbox_for(user=world.commissioner, now=now)]
    assert "downgrades" in [i.key for i in inbox_for(user=deputy, now=now)]
    downgrades.downgrade_approve(actor=deputy, request_id=request.pk)
    assert marking(incident) == (Classification.CONFIDENTIAL, 0)


def test_an_administrator_neither_asks_nor_decides(world, incident):
    with pytest.raises(NotVisible):
        ask(world.admin, incident)
    request = ask(world.analyst, incident)
    with pytest.raises(NotVisible):
        downgrades.downgrade_approve(actor=world.admin, request_id=request.pk)
    with pytest.raises(NotVisible):
        downgrades.downgrade_refuse(actor=world.admin, request_id=request.pk, note=REASON)
    assert not selectors.downgrades_for(world.admin).exists()
    assert marking(incident) == (SC, 0)


def test_who_may_ask_is_not_who_may_decide(world, incident):
    request = ask(world.analyst, incident)
    # Another analyst sees the request but may not decide it; a reporter may not even ask.
    with pytest.raises(NotPermitted):
        downgrades.downgrade_approve(actor=world.east_analyst, request_id=request.pk)
    low = IncidentFactory(site=world.site_a, classification=Classification.CONFIDENTIAL)
    with pytest.raises(NotPermitted):
        ask(world.reporter_at_a, low, to=Classification.UNCLASSIFIED)
    # Another mission's commander: the request does not exist for them.
    with pytest.raises(NotVisible):
        downgrades.downgrade_approve(actor=world.other_commander, request_id=request.pk)
    assert marking(incident) == (SC, 0)


def test_removing_a_compartment_needs_a_commander_cleared_for_it(world):
    record = IncidentFactory(
        site=world.site_a, classification=SC, compartments=int(Compartment.SOURCE)
    )
    request = ask(world.source_handler, record, to=SC, compartments=0)
    # A commander holds DETENTION and HRDDP, not SOURCE: the request is hidden from them, as the
    # record is.
    with pytest.raises(NotVisible):
        downgrades.downgrade_approve(actor=world.commissioner, request_id=request.pk)
    assert not selectors.downgrades_for(world.commissioner).filter(pk=request.pk).exists()
    assert not selectors.downgrades_for(world.analyst).filter(pk=request.pk).exists()
    world.commissioner.compartment_grants.create(
        mission=world.mission,
        compartment=int(Compartment.SOURCE),
        reason="case",
        granted_by=world.admin,
    )
    access.forget(world.commissioner)
    downgrades.downgrade_approve(actor=world.commissioner, request_id=request.pk)
    assert marking(record) == (SC, 0)


def test_a_refusal_changes_nothing_and_says_why(world, incident):
    request = ask(world.analyst, incident)
    with pytest.raises(ServiceError):
        downgrades.downgrade_refuse(actor=world.commissioner, request_id=request.pk, note="no")
    downgrades.downgrade_refuse(
        actor=world.commissioner, request_id=request.pk, note="The source is still at risk"
    )
    assert marking(incident) == (SC, 0)
    request.refresh_from_db()
    assert request.status == DowngradeStatus.REFUSED
    assert entries("downgrade-refuse", object_id=str(request.pk)).count() == 1
    # Decided once: no approval after a refusal.
    with pytest.raises(ServiceError, match="already decided"):
        downgrades.downgrade_approve(actor=world.commissioner, request_id=request.pk)
    assert marking(incident) == (SC, 0)


def test_a_lapsed_request_changes_nothing(world, incident, settings):
    request = ask(world.analyst, incident)
    later = request.requested_at + timedelta(days=settings.DOWNGRADE_REQUEST_DAYS, seconds=1)
    with pytest.raises(ServiceError, match="lapsed"):
        downgrades.downgrade_approve(actor=world.commissioner, request_id=request.pk, now=later)
    assert marking(incident) == (SC, 0)
    assert not selectors.downgrades_to_decide(world.commissioner, later).exists()
    # A lapsed request no longer blocks a new one.
    DowngradeRequest.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - timedelta(days=settings.DOWNGRADE_REQUEST_DAYS + 1)
    )
    assert ask(world.analyst, incident).pk != request.pk


def test_a_record_changed_since_the_request_is_not_lowered(world, incident):
    request = ask(world.analyst, incident)
    Incident.objects.filter(pk=incident.pk).update(compartments=int(Compartment.HRDDP))
    with pytest.raises(ServiceError, match="changed"):
        downgrades.downgrade_approve(actor=world.commissioner, request_id=request.pk)
    assert marking(incident) == (SC, int(Compartment.HRDDP))
    request.refresh_from_db()
    assert request.status == DowngradeStatus.PENDING


@pytest.mark.parametrize(
    ("to", "compartments", "field"),
    [
        (SC, 0, "to_classification"),  # the same marking
        (Classification.CONFIDENTIAL, int(Compartment.SGBV), "to_compartments"),  # adds one
        (7, 0, "to_classification"),  # no such level
        (Classification.CONFIDENTIAL, 64, "to_compartments"),  # no such compartment
    ],
)
def test_only_lower_markings_are_asked_for(world, incident, to, compartments, field):
    with pytest.raises(ServiceError) as refused:
        ask(world.analyst, incident, to=to, compartments=compartments)
    assert field in refused.value.field_errors
    assert not DowngradeRequest.objects.exists()


def test_a_higher_level_is_not_a_downgrade(world):
    low = IncidentFactory(site=world.site_a, classification=Classification.CONFIDENTIAL)
    with pytest.raises(ServiceError) as refused:
        ask(world.analyst, low, to=SC)
    assert "to_classification" in refused.value.field_errors


def test_one_open_request_per_record_and_a_reason_is_required(world, incident):
    with pytest.raises(ServiceError) as refused:
        ask(world.analyst, incident, reason="because")
    assert "reason" in refused.value.field_errors
    ask(world.analyst, incident)
    with pytest.raises(ServiceError, match="already waiting"):
        ask(world.east_analyst, incident, to=Classification.UNCLASSIFIED)


def test_the_requester_withdraws_and_nobody_else_does(world, incident):
    request = ask(world.analyst, incident)
    with pytest.raises(NotPermitted):
        downgrades.downgrade_withdraw(actor=world.east_analyst, request_id=request.pk)
    downgrades.downgrade_withdraw(actor=world.analyst, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == DowngradeStatus.WITHDRAWN
    with pytest.raises(ServiceError):
        downgrades.downgrade_approve(actor=world.commissioner, request_id=request.pk)
    assert marking(incident) == (SC, 0)


def test_requests_are_seen_only_in_the_scope_of_the_record(world):
    at_b = IncidentFactory(site=world.site_b, classification=SC)
    request = ask(world.analyst, at_b)
    assert not selectors.downgrades_for(world.east_analyst).filter(pk=request.pk).exists()
    assert not selectors.downgrades_for(world.reporter_at_b).exists()
    with pytest.raises(NotVisible):
        downgrades.downgrade_withdraw(actor=world.east_analyst, request_id=request.pk)


def test_an_unknown_or_unlowerable_record_type_answers_like_a_missing_record(world, incident):
    for record_type in ("incidents.nothing", "core.user", "missions.mission", "nonsense"):
        with pytest.raises(NotVisible):
            downgrades.downgrade_request(
                actor=world.analyst,
                record_type=record_type,
                object_id=incident.pk,
                to_classification=0,
                to_compartments=0,
                reason=REASON,
            )


@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_lower_the_record_once(world, incident, deputy):
    request = ask(world.analyst, incident)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(who):
        try:
            barrier.wait(timeout=10)
            downgrades.downgrade_approve(actor=who, request_id=request.pk)
            outcomes.append("approved")
        except ServiceError as exc:
            outcomes.append(exc.message)
        except OperationalError:
            # SQLite's shared in-memory test database refuses a second writer outright where
            # a file database (WAL, IMMEDIATE transactions) makes it wait: refused either way.
            if connection.vendor == "sqlite":
                outcomes.append("locked")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(w,)) for w in (world.commissioner, deputy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("approved") == 1, outcomes
    assert marking(incident) == (Classification.CONFIDENTIAL, 0)
    assert entries("downgrade-approve").count() == 1
    assert entries("reclassify").count() == 1


def test_the_ordinary_api_and_pages_cannot_lower_a_marking(world, incident):
    api = APIClient()
    api.force_authenticate(world.commissioner)
    url = f"/api/v1/incidents/{incident.pk}/"
    for method in (api.patch, api.put):
        response = method(url, {"classification": 0, "compartments": 0}, format="json")
        assert response.status_code == 405
    api.post(f"/api/v1/incidents/{incident.pk}/verify/", {"classification": 0}, format="json")
    page = Client()
    page.force_login(world.commissioner)
    page.post(f"/incidents/{incident.pk}/verify/", {"classification": 0, "compartments": 0})
    page.post(f"/incidents/{incident.pk}/respond/", {"classification": 0, "mode": "patrol"})
    assert marking(incident) == (SC, 0)


def test_the_pages_ask_then_a_second_person_approves(world, incident):
    analyst = Client()
    analyst.force_login(world.analyst)
    detail = analyst.get(f"/incidents/{incident.pk}/")
    new_url = f"/downgrades/new/{TYPE}/{incident.pk}/"
    assert new_url in detail.content.decode()
    assert analyst.get(new_url).status_code == 200
    response = analyst.post(new_url, {"to_classification": "1", "reason": REASON}, follow=True)
    assert response.redirect_chain[-1][0] == f"/incidents/{incident.pk}/"
    request = DowngradeRequest.objects.get()
    assert marking(incident) == (SC, 0)
    # A second request from the page is refused with the reason shown.
    again = analyst.post(new_url, {"to_classification": "0", "reason": REASON}, follow=True)
    assert "already waiting" in again.content.decode()

    commander = Client()
    commander.force_login(world.commissioner)
    queue = commander.get("/downgrades/").content.decode()
    assert f'data-downgrade="{request.pk}"' in queue and "approve-form" in queue
    commander.post(f"/downgrades/{request.pk}/approve/", {"note": "Public now"})
    assert marking(incident) == (Classification.CONFIDENTIAL, 0)
    # The requester's own queue shows the decision, never a form to decide.
    mine = analyst.get("/downgrades/").content.decode()
    assert "approve-form" not in mine and "Approved and applied" in mine


def test_a_page_for_a_record_one_may_not_see_is_not_found(world, incident):
    outsider = Client()
    outsider.force_login(world.reporter_at_b)
    assert outsider.get(f"/downgrades/new/{TYPE}/{incident.pk}/").status_code == 404
    assert outsider.get(f"/downgrades/new/core.user/{world.admin.pk}/").status_code == 404
