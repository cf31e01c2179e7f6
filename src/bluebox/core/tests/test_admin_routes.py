"""The administrator reaches no operational content by any route (findings 1 and 2).

Each test is an attack an administrator (or someone holding the database) tried: read a
colleague's API token and act as them, grant themselves a role through the admin site, grant it
through a second account, reset a source handler's password, disable an account and keep using
its sessions.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bluebox.core import access, services
from bluebox.core.classification import Compartment
from bluebox.core.exceptions import NotPermitted
from bluebox.core.models import ApiToken, AuditEntry, CompartmentGrant, RoleAssignment, User
from bluebox.core.roles import Role
from bluebox.testing.factories import TEST_PASSWORD, person


@pytest.fixture
def admin_site(world) -> Client:
    """The administrator signed in to the Django admin site, as the demo sets them up."""
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = Client()
    client.force_login(world.admin)
    return client


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- finding 1: tokens -------------------------------------------------------------------------


def test_the_admin_site_has_no_token_pages(world, admin_site):
    services.token_create(actor=world.source_handler, user=world.source_handler, name="laptop")
    assert admin_site.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert admin_site.get("/admin/authtoken/token/").status_code == 404
    assert admin_site.get("/admin/core/apitoken/").status_code == 404
    index = admin_site.get("/admin/").content.lower()
    assert b"authtoken" not in index and b"apitoken" not in index and b">tokens<" not in index


def test_nothing_stored_authenticates_as_the_token_holder(world):
    """Whoever reads the token table (the admin, a copy of the database) gets only digests."""
    _, key = services.token_create(
        actor=world.source_handler, user=world.source_handler, name="laptop"
    )
    assert _api(key).get("/api/v1/me/").json()["username"] == "source_handler"
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, prefix FROM core_apitoken")
        stored = cursor.fetchall()
    for digest, prefix in stored:
        assert key not in (digest, prefix)
        assert _api(digest).get("/api/v1/me/").status_code == 401
        assert _api(prefix).get("/api/v1/me/").status_code == 401


def test_a_token_is_shown_once_and_lists_without_its_key(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "analyst", "password": TEST_PASSWORD, "days": 7}
    )
    assert response.status_code == 200
    key = response.json()["token"]
    listed = _api(key).get("/api/v1/auth/tokens/").json()["results"]
    assert len(listed) == 1 and key not in str(listed)
    assert listed[0]["prefix"] == key[:12]


def test_an_expired_or_revoked_token_authenticates_no_one(world):
    token, key = services.token_create(actor=world.analyst, user=world.analyst, name="a", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(key).get("/api/v1/me/").status_code == 401
    token, key = services.token_create(actor=world.analyst, user=world.analyst, name="b")
    assert _api(key).delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert _api(key).get("/api/v1/me/").status_code == 401
    assert AuditEntry.objects.filter(
        action="token-revoke", object_id=str(world.analyst.pk)
    ).exists()


def test_nobody_creates_a_token_for_someone_else(world):
    with pytest.raises(NotPermitted) as refused:
        services.token_create(actor=world.admin, user=world.source_handler, name="mine now")
    access.record_refusal(refused.value)  # as the request boundary does after the rollback
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.filter(action="token-create", outcome="denied").exists()


def test_someone_elses_token_cannot_be_revoked_or_listed(world):
    token, _ = services.token_create(actor=world.analyst, user=world.analyst, name="laptop")
    client = APIClient()
    client.force_login(world.planner)
    assert client.get("/api/v1/auth/tokens/").json()["count"] == 0
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_tokens_from_the_plain_text_table_are_moved_as_digests(world):
    """The migration: a DRF key keeps working, its clear text does not survive."""
    import importlib

    migration = importlib.import_module(
        "bluebox.core.migrations.0005_api_tokens_hashed_and_who_set_each_password"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, "
            "created timestamp)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            ["0123456789abcdef0123456789abcdef01234567", world.analyst.pk, timezone.now()],
        )
    from types import SimpleNamespace

    from django.apps import apps

    migration._move_plain_tokens(apps, SimpleNamespace(connection=connection))
    assert "authtoken_token" not in connection.introspection.table_names()
    assert (
        _api("0123456789abcdef0123456789abcdef01234567").get("/api/v1/me/").json()["username"]
        == "analyst"
    )
    assert ApiToken.objects.get().expires_at > timezone.now()


# --- finding 2: grants and accounts --------------------------------------------------------------


def test_the_admin_cannot_give_itself_a_role_through_the_user_page(world, admin_site):
    """Finding 2: the role-assignment inline on the user page took any role, unaudited."""
    page = admin_site.get(f"/admin/core/user/{world.admin.pk}/change/")
    assert page.status_code == 200
    form = {
        "username": "admin",
        "display_name": "",
        "email": "",
        "preferred_language": "",
        "is_staff": "on",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-0-role": Role.SOURCE_HANDLER,
        "role_assignments-0-mission": world.mission.pk,
        "compartment_grants-TOTAL_FORMS": "1",
        "compartment_grants-INITIAL_FORMS": "0",
        "compartment_grants-0-compartment": int(Compartment.SOURCE),
        "compartment_grants-0-mission": world.mission.pk,
        "compartment_grants-0-reason": "need to know",
        "compartment_grants-0-granted_by": world.admin.pk,
    }
    admin_site.post(f"/admin/core/user/{world.admin.pk}/change/", form)
    assert not RoleAssignment.objects.filter(user=world.admin, role=Role.SOURCE_HANDLER).exists()
    assert not CompartmentGrant.objects.filter(user=world.admin).exists()


def test_nobody_grants_themselves_a_role_or_compartment(world):
    with pytest.raises(NotPermitted) as refused:
        services.role_grant(
            actor=world.admin, user=world.admin, role=Role.SOURCE_HANDLER, mission=world.mission
        )
    access.record_refusal(refused.value)
    with pytest.raises(NotPermitted):
        services.compartment_grant(
            actor=world.admin,
            user=world.admin,
            mission=world.mission,
            compartment=int(Compartment.SOURCE),
            reason="need to know",
        )
    assert AuditEntry.objects.filter(action="role-grant", outcome="denied").exists()


def test_two_administrators_cannot_grant_each_other_operational_roles(world):
    colleague = person("second_admin", Role.ADMIN, mission=world.mission)
    with pytest.raises(NotPermitted):
        services.role_grant(
            actor=colleague, user=world.admin, role=Role.SOURCE_HANDLER, mission=world.mission
        )
    # ... nor make an operational person an administrator to widen the circle.
    with pytest.raises(NotPermitted):
        services.role_grant(
            actor=colleague, user=world.source_handler, role=Role.ADMIN, mission=world.mission
        )


def test_an_account_the_admin_created_gets_no_operational_role_from_it(world):
    """The puppet account: create it, know its password, grant it the source handler role."""
    puppet = services.user_create(actor=world.admin, username="puppet", password="p" * 16)
    with pytest.raises(NotPermitted):
        services.role_grant(
            actor=world.admin, user=puppet, role=Role.SOURCE_HANDLER, mission=world.mission
        )
    # Through a second administrator account the admin created as well: still refused.
    deputy = services.user_create(actor=world.admin, username="deputy", password="d" * 16)
    services.role_grant(actor=world.admin, user=deputy, role=Role.ADMIN, mission=world.mission)
    with pytest.raises(NotPermitted):
        services.role_grant(
            actor=deputy, user=puppet, role=Role.SOURCE_HANDLER, mission=world.mission
        )
    # The puppet changing "its own" password (the admin can, knowing it) changes nothing.
    services.user_password_set(actor=puppet, user=puppet, password="q" * 16)
    with pytest.raises(NotPermitted):
        services.role_grant(
            actor=world.admin, user=puppet, role=Role.SOURCE_HANDLER, mission=world.mission
        )
    # An independent administrator may: that is the second person the rule asks for.
    independent = person("independent_admin", Role.ADMIN, mission=world.mission)
    services.role_grant(actor=independent, user=puppet, role=Role.REPORTER, mission=world.mission)
    assert RoleAssignment.objects.filter(user=puppet, role=Role.REPORTER).exists()


def test_resetting_a_source_handlers_password_withdraws_the_source_role(world):
    """The takeover: reset the password, sign in as the source handler, reveal."""
    browser = Client()
    browser.force_login(world.source_handler)
    services.user_password_set(actor=world.admin, user=world.source_handler, password="x" * 16)
    assert not RoleAssignment.objects.filter(
        user=world.source_handler, role=Role.SOURCE_HANDLER
    ).exists()
    assert browser.get("/").status_code == 302  # the session ended
    # Re-granting is for someone who did not set the password.
    with pytest.raises(NotPermitted):
        services.role_grant(
            actor=world.admin,
            user=world.source_handler,
            role=Role.SOURCE_HANDLER,
            mission=world.mission,
        )
    entry = AuditEntry.objects.get(action="password-reset")
    assert entry.actor == "admin" and "source_handler" in str(entry.detail["withdrawn"])


def test_the_admin_sites_password_form_is_the_audited_reset(world, admin_site):
    response = admin_site.post(
        f"/admin/core/user/{world.source_handler.pk}/password/",
        {
            "password1": "a new passphrase 1",
            "password2": "a new passphrase 1",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="password-reset", actor="admin").exists()
    assert not RoleAssignment.objects.filter(user=world.source_handler).exists()


def test_disabling_in_the_admin_site_ends_sessions_and_tokens_at_once(world, admin_site):
    browser = Client()
    browser.force_login(world.analyst)
    _, key = services.token_create(actor=world.analyst, user=world.analyst, name="laptop")
    response = admin_site.post(
        "/admin/core/user/",
        {"action": "disable_accounts", "_selected_action": [world.analyst.pk]},
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=world.analyst.pk).is_active
    assert browser.get("/").status_code == 302
    assert _api(key).get("/api/v1/me/").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action="user-disable", actor="admin").exists()
    # The checkbox is not editable: no unaudited way round the action.
    admin_site.post(
        f"/admin/core/user/{world.analyst.pk}/change/",
        {
            "username": "analyst",
            "is_active": "on",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
            "compartment_grants-TOTAL_FORMS": "0",
            "compartment_grants-INITIAL_FORMS": "0",
        },
    )
    assert not User.objects.get(pk=world.analyst.pk).is_active


def test_the_admin_site_deletes_no_account(world, admin_site):
    response = admin_site.post(
        "/admin/core/user/",
        {"action": "delete_selected", "_selected_action": [world.analyst.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert User.objects.filter(pk=world.analyst.pk).exists()
    assert admin_site.get(f"/admin/core/user/{world.analyst.pk}/delete/").status_code == 403


def test_only_an_administrator_manages_accounts(world):
    with pytest.raises(NotPermitted):
        services.role_grant(
            actor=world.commissioner, user=world.planner, role=Role.ANALYST, mission=world.mission
        )
    with pytest.raises(NotPermitted):
        services.user_disable(actor=world.analyst, user=world.planner, reason="rivalry")


def test_structure_edits_in_the_admin_site_are_audited(world, admin_site):
    response = admin_site.post(
        f"/admin/missions/sector/{world.east.pk}/change/",
        {"mission": world.mission.pk, "code": "east", "name": "Sector East (renamed)"},
    )
    assert response.status_code == 302, response.content[:500]
    assert AuditEntry.objects.filter(action="structure-change", actor="admin").exists()
