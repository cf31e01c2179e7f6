"""The forced password change: an account whose password someone else set (an invitation, a
reset) opens no page but the password change until its holder chooses their own."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bluebox.core import services
from bluebox.core.models import ApiToken, AuditEntry, RoleAssignment, User
from bluebox.core.roles import Role
from bluebox.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a river crossing at dawn 7"


def _invite(world: SimpleNamespace, username: str = "newcomer", role: str = Role.ADMIN) -> str:
    """Invite through the people page; the one-time password the page shows."""
    admin = Client()
    admin.force_login(world.admin)
    page = admin.post(
        "/people/new/",
        {"username": username, "role": role, "scope": f"mission:{world.mission.pk}"},
    )
    assert page.status_code == 200
    return str(page.context["one_time_password"])


def _signed_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


def test_an_invited_account_reaches_nothing_before_choosing_its_password(world):
    one_time = _invite(world)
    person = User.objects.get(username="newcomer")
    assert person.must_change_password
    # Whoever holds the one-time password (the inviter, someone who read it over a shoulder)
    # tries every other way in first.
    client = _signed_in("newcomer", one_time)
    for path in ("/", "/people/", f"/people/{world.planner.pk}/", "/audit/", "/account/security/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/password/?next="), path
    assert client.get("/admin/").status_code == 302
    # A form posted elsewhere does nothing either.
    response = client.post(
        f"/people/{world.planner.pk}/disable/", {"reason": "taking over"}, follow=False
    )
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    world.planner.refresh_from_db()
    assert world.planner.is_active
    # The API through the session is closed, and the password makes no token.
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and "password" in api.json()["detail"]
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "newcomer", "password": one_time}, format="json"
    )
    assert token.status_code == 400 and not ApiToken.objects.filter(user=person).exists()
    # The password page itself opens and says why.
    page = client.get("/account/password/?next=/people/")
    assert page.status_code == 200 and b"password-change-required" in page.content


def test_choosing_a_password_opens_the_pages_and_is_audited(world):
    one_time = _invite(world)
    client = _signed_in("newcomer", one_time)
    wrong = client.post(
        "/account/password/",
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    same = client.post(
        "/account/password/",
        {"old_password": one_time, "new_password1": one_time, "new_password2": one_time},
    )
    assert same.status_code == 400 and b"not the one you have now" in same.content
    weak = client.post(
        "/account/password/",
        {"old_password": one_time, "new_password1": "12345", "new_password2": "12345"},
    )
    assert weak.status_code == 400
    assert User.objects.get(username="newcomer").must_change_password
    done = client.post(
        "/account/password/",
        {
            "old_password": one_time,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": "/people/",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/people/"
    person = User.objects.get(username="newcomer")
    assert not person.must_change_password and person.check_password(NEW_PASSWORD)
    # The same session goes on, now everywhere its roles allow.
    assert client.get("/people/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert AuditEntry.objects.filter(action="password-change", object_id=str(person.pk)).exists()
    # The one-time password no longer signs in.
    refused = Client().post("/login/", {"username": "newcomer", "password": one_time})
    assert refused.status_code == 200


def test_a_next_address_elsewhere_is_not_followed(world):
    one_time = _invite(world, "second")
    client = _signed_in("second", one_time)
    done = client.post(
        "/account/password/",
        {
            "old_password": one_time,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "next": "https://elsewhere.example/",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/"


def test_a_reset_from_the_people_page_forces_a_new_change(world):
    admin = Client()
    admin.force_login(world.admin)
    planner = world.planner
    services.token_create(actor=planner, user=planner, name="laptop")
    page = admin.post(f"/people/{planner.pk}/password/")
    assert page.status_code == 200
    one_time = str(page.context["one_time_password"])
    planner.refresh_from_db()
    assert planner.must_change_password and planner.check_password(one_time)
    # The reset ended the tokens and withdrew the operational role.
    assert not ApiToken.objects.filter(user=planner, revoked_at__isnull=True).exists()
    assert not RoleAssignment.objects.filter(user=planner, role=Role.PLANNER).exists()
    client = _signed_in("planner", one_time)
    assert client.get("/").status_code == 302
    # The old password is gone.
    old = Client().post("/login/", {"username": "planner", "password": TEST_PASSWORD})
    assert old.status_code == 200


def test_only_the_missions_administrator_resets_a_password(world):
    for who in (world.commissioner, world.reporter_at_a, world.outsider):
        client = Client()
        client.force_login(who)
        assert client.post(f"/people/{world.planner.pk}/password/").status_code in (403, 404)
    world.planner.refresh_from_db()
    assert not world.planner.must_change_password and world.planner.check_password(TEST_PASSWORD)
    # An administrator resets someone else's, never their own here.
    admin = Client()
    admin.force_login(world.admin)
    response = admin.post(f"/people/{world.admin.pk}/password/", follow=True)
    assert b"security page" in response.content
    world.admin.refresh_from_db()
    assert world.admin.check_password(TEST_PASSWORD)


def test_the_operator_reset_and_an_own_change_set_and_clear_the_flag(world):
    person = world.analyst
    services.user_password_set(actor=world.admin, user=person, password="handed over 1234")
    person.refresh_from_db()
    assert person.must_change_password
    services.user_password_set(actor=person, user=person, password=NEW_PASSWORD)
    person.refresh_from_db()
    assert not person.must_change_password
