"""Accounts end at the end of rotation: after their last day nobody signs in with them, their
sessions and tokens end, and the mission's administrator sees it coming and extends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import jobs, services
from bluebox.core.models import ApiToken, AuditEntry, User
from bluebox.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _today():  # type: ignore[no-untyped-def]
    return timezone.now().date()


def _ends(user: User, days_from_today: int) -> None:
    last_day = _today() + timedelta(days=days_from_today)
    User.objects.filter(pk=user.pk).update(access_ends_on=last_day)
    user.refresh_from_db()


def _login(username: str, password: str = TEST_PASSWORD):  # type: ignore[no-untyped-def]
    client = Client()
    return client, client.post("/login/", {"username": username, "password": password})


def test_sign_in_is_refused_after_the_last_day_with_the_reason(world):
    _ends(world.planner, 0)
    _client, response = _login("planner")
    assert response.status_code == 302  # the last day itself still signs in
    _ends(world.planner, -1)
    _client, response = _login("planner")
    assert response.status_code == 200
    body = response.content.decode()
    assert "access ended on" in body and "end of its rotation" in body
    assert AuditEntry.objects.filter(
        action="login-access-ended", object_id=str(world.planner.pk)
    ).exists()
    # Without the right password nothing says the account exists, let alone that it ended.
    _client, wrong = _login("planner", "not the password")
    assert "access ended" not in wrong.content.decode()
    # Nor does the API give a token.
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "planner", "password": TEST_PASSWORD}, format="json"
    )
    assert token.status_code == 400 and "access ended" in str(token.json())


def test_a_session_and_a_token_stop_at_the_end_of_the_last_day(world):
    client, response = _login("analyst")
    assert response.status_code == 302 and client.get("/audit/").status_code == 200
    _token, key = services.token_create(actor=world.analyst, user=world.analyst, name="laptop")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    _ends(world.analyst, -1)
    # Before any sweep: the next page signs the session out, the token authenticates nobody.
    page = client.get("/audit/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/login/")
    assert any("access has ended" in str(m) for m in page.context["messages"])
    assert client.get("/audit/").status_code == 302
    assert api.get("/api/v1/me/").status_code == 401


def test_the_sweep_ends_sessions_and_tokens_once(world):
    _login("analyst")
    services.token_create(actor=world.analyst, user=world.analyst, name="laptop")
    _ends(world.analyst, -1)
    _ends(world.planner, 0)  # its last day: left alone
    _login("planner")
    assert jobs.expire_accounts(today=_today()) == 1
    assert not ApiToken.objects.filter(user=world.analyst, revoked_at__isnull=True).exists()
    owners = {s.get_decoded().get("_auth_user_id") for s in Session.objects.all()}
    assert str(world.analyst.pk) not in owners and str(world.planner.pk) in owners
    entry = AuditEntry.objects.get(action="access-ended")
    assert entry.object_id == str(world.analyst.pk) and entry.detail["tokens_revoked"] == 1
    # Again: nothing more to do, no second entry.
    assert jobs.expire_accounts(today=_today()) == 0
    assert AuditEntry.objects.filter(action="access-ended").count() == 1
    # The next day the planner's turn comes.
    assert jobs.expire_accounts(today=_today() + timedelta(days=1)) == 1


def test_the_administrator_sees_what_ends_soon_and_extends_it(world):
    _ends(world.planner, -2)
    _ends(world.analyst, 10)
    _ends(world.reporter_at_a, 90)
    jobs.expire_accounts(today=_today())
    admin = Client()
    admin.force_login(world.admin)
    page = admin.get("/people/").content.decode()
    ending = page[page.index('id="access-ending"') : page.index('id="people"')]
    assert 'data-person="planner"' in ending and 'data-person="analyst"' in ending
    assert "reporter_a" not in ending
    assert ending.index("planner") < ending.index("analyst")  # soonest (and ended) first
    later = (_today() + timedelta(days=60)).isoformat()
    response = admin.post(
        f"/people/{world.planner.pk}/access-end/",
        {"access_ends_on": later, "reason": "rotation extended by the PCC"},
        follow=True,
    )
    assert "Last day of access saved." in [str(m) for m in response.context["messages"]]
    world.planner.refresh_from_db()
    assert world.planner.access_ends_on.isoformat() == later
    assert world.planner.access_ended_at is None
    assert _login("planner")[1].status_code == 302
    entry = AuditEntry.objects.get(action="access-end-set")
    assert entry.detail["to"] == later and entry.actor_id == world.admin.pk


def test_an_extension_needs_a_reason_a_day_to_come_and_someone_else(world):
    admin = Client()
    admin.force_login(world.admin)
    past = (_today() - timedelta(days=1)).isoformat()
    admin.post(f"/people/{world.planner.pk}/access-end/", {"access_ends_on": past, "reason": "x"})
    admin.post(f"/people/{world.planner.pk}/access-end/", {"access_ends_on": "", "reason": ""})
    # Another administrator's own end is not theirs to move.
    _ends(world.admin, 5)
    response = admin.post(
        f"/people/{world.admin.pk}/access-end/", {"access_ends_on": "", "reason": "staying"}
    )
    assert response.status_code == 302
    world.planner.refresh_from_db()
    world.admin.refresh_from_db()
    assert world.planner.access_ends_on is None
    assert world.admin.access_ends_on == _today() + timedelta(days=5)
    # Nothing changed; the refusal of one's own is in the trail.
    assert not AuditEntry.objects.filter(action="access-end-set", outcome="allowed").exists()
    assert AuditEntry.objects.filter(action="access-end-set", outcome="denied").count() == 1
    for who, status in ((world.commissioner, 403), (world.reporter_at_a, 404)):
        client = Client()
        client.force_login(who)
        response = client.post(
            f"/people/{world.planner.pk}/access-end/",
            {"access_ends_on": "", "reason": "let me in"},
        )
        assert response.status_code == status


def test_an_invitation_carries_the_end_of_rotation(world):
    admin = Client()
    admin.force_login(world.admin)
    last = (_today() + timedelta(days=300)).isoformat()
    page = admin.post(
        "/people/new/",
        {
            "username": "rotating",
            "role": "admin",
            "scope": f"mission:{world.mission.pk}",
            "access_ends_on": last,
        },
    )
    assert page.status_code == 200 and last in page.content.decode()
    assert User.objects.get(username="rotating").access_ends_on.isoformat() == last
