"""The people pages, tested as an attacker: the administrator and everyone else."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from bluebox.core import services
from bluebox.core.models import AuditEntry, CompartmentGrant, RoleAssignment, User
from bluebox.core.roles import Role
from bluebox.testing.factories import IncidentFactory, ProtectedPersonFactory, person

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def test_the_list_shows_people_their_roles_and_no_operational_content(world: SimpleNamespace):
    IncidentFactory(site=world.site_a, title="Ambush at the northern ford")
    ProtectedPersonFactory(
        incident__site=world.site_a, identity="Amara Kone", pseudonym="INF-0000CAFE"
    )
    admin = _client(world.admin)
    page = admin.get("/people/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "reporter_a" in body and "Reporter — site Site A" in body
    assert "Analyst — sector Sector East" in body
    # Someone of another mission is not listed.
    assert "other_commander" not in body
    for secret in ("Ambush at the northern ford", "Amara Kone", "INF-0000CAFE"):
        assert secret not in body
        for who in (world.source_handler, world.reporter_at_a):
            assert secret not in admin.get(f"/people/{who.pk}/").content.decode()


def test_a_reporter_and_an_outsider_reach_no_people_page(world: SimpleNamespace):
    for who in (world.reporter_at_a, world.outsider, world.auditor):
        client = _client(who)
        assert client.get("/people/").status_code == 403
        assert client.get("/people/new/").status_code == 403
        assert client.get(f"/people/{world.planner.pk}/").status_code == 404
        response = client.post(
            f"/people/{world.planner.pk}/roles/",
            {"role": Role.COMMANDER, "scope": f"mission:{world.mission.pk}"},
        )
        assert response.status_code == 404
    assert not RoleAssignment.objects.filter(user=world.planner, role=Role.COMMANDER).exists()


def test_a_commander_reads_the_people_of_their_mission_and_changes_nothing(world):
    client = _client(world.commissioner)
    assert client.get("/people/").status_code == 200
    detail = client.get(f"/people/{world.planner.pk}/")
    assert detail.status_code == 200 and b"Grant role" not in detail.content
    response = client.post(
        f"/people/{world.planner.pk}/roles/",
        {"role": Role.ANALYST, "scope": f"mission:{world.mission.pk}"},
    )
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=world.planner, role=Role.ANALYST).exists()
    # Another mission's commander does not even find them.
    assert _client(world.other_commander).get(f"/people/{world.planner.pk}/").status_code == 404


def test_an_admin_cannot_grant_itself_an_operational_role(world: SimpleNamespace):
    admin = _client(world.admin)
    response = admin.post(
        f"/people/{world.admin.pk}/roles/",
        {"role": Role.SOURCE_HANDLER, "scope": f"mission:{world.mission.pk}"},
        follow=True,
    )
    assert "Refused: nobody grants a role or compartment to themselves." in _messages(response)
    assert set(RoleAssignment.objects.filter(user=world.admin).values_list("role", flat=True)) == {
        Role.ADMIN
    }
    response = admin.post(
        f"/people/{world.admin.pk}/compartments/",
        {"compartment": 1, "mission": world.mission.pk, "reason": "need to know"},
        follow=True,
    )
    assert any(m.startswith("Refused:") for m in _messages(response))
    assert not CompartmentGrant.objects.filter(user=world.admin).exists()
    assert AuditEntry.objects.filter(action="role-grant", outcome="denied").exists()


def test_an_admin_cannot_give_another_admin_an_operational_role(world: SimpleNamespace):
    second = person("second_admin", Role.ADMIN, mission=world.mission)
    response = _client(world.admin).post(
        f"/people/{second.pk}/roles/",
        {"role": Role.ANALYST, "scope": f"mission:{world.mission.pk}"},
        follow=True,
    )
    assert "Refused: an administrator holds no operational role or compartment." in _messages(
        response
    )
    assert not RoleAssignment.objects.filter(user=second, role=Role.ANALYST).exists()


def test_an_admin_grants_and_revokes_roles_within_its_mission_only(world: SimpleNamespace):
    admin = _client(world.admin)
    response = admin.post(
        f"/people/{world.planner.pk}/roles/",
        {"role": Role.REPORTER, "scope": f"site:{world.site_b.pk}"},
        follow=True,
    )
    assert "Role granted." in _messages(response)
    granted = RoleAssignment.objects.get(user=world.planner, role=Role.REPORTER)
    assert granted.site == world.site_b and granted.sector is None
    # A scope of another mission is not one of the choices: nothing changes.
    response = admin.post(
        f"/people/{world.planner.pk}/roles/",
        {"role": Role.REPORTER, "scope": f"site:{world.other_site.pk}"},
        follow=True,
    )
    assert RoleAssignment.objects.filter(user=world.planner, role=Role.REPORTER).count() == 1
    response = admin.post(f"/people/{world.planner.pk}/roles/{granted.pk}/revoke/", follow=True)
    assert "Role revoked." in _messages(response)
    assert not RoleAssignment.objects.filter(pk=granted.pk).exists()
    # Another person's assignment through this person's URL is not found.
    other = RoleAssignment.objects.get(user=world.analyst)
    assert admin.post(f"/people/{world.planner.pk}/roles/{other.pk}/revoke/").status_code == 404
    assert RoleAssignment.objects.filter(pk=other.pk).exists()


def test_an_admin_of_another_mission_reaches_none_of_this_missions_people(world):
    other_admin = person("other_admin", Role.ADMIN, mission=world.other_mission)
    client = _client(other_admin)
    assert b"reporter_a" not in client.get("/people/").content
    assert client.get(f"/people/{world.planner.pk}/").status_code == 404
    response = client.post(f"/people/{world.planner.pk}/disable/", {"reason": "gone"})
    assert response.status_code == 404
    world.planner.refresh_from_db()
    assert world.planner.is_active


def test_disable_and_enable_with_a_reason(world: SimpleNamespace):
    admin = _client(world.admin)
    response = admin.post(f"/people/{world.planner.pk}/disable/", {"reason": ""}, follow=True)
    world.planner.refresh_from_db()
    assert world.planner.is_active and _messages(response)
    admin.post(f"/people/{world.planner.pk}/disable/", {"reason": "end of rotation"})
    world.planner.refresh_from_db()
    assert not world.planner.is_active
    assert b"Disabled" in admin.get("/people/").content
    admin.post(f"/people/{world.planner.pk}/enable/", {"reason": "extended"})
    world.planner.refresh_from_db()
    assert world.planner.is_active


def test_an_invitation_shows_the_one_time_password_once(world: SimpleNamespace):
    admin = _client(world.admin)
    response = admin.post(
        "/people/new/",
        {
            "username": "new_admin",
            "display_name": "Nadia Admin",
            "role": Role.ADMIN,
            "scope": f"mission:{world.mission.pk}",
        },
    )
    assert response.status_code == 200, _messages(response)
    created = User.objects.get(username="new_admin")
    assert created.credentials_set_by == world.admin
    page = response.content.decode()
    password = page.split("<code>")[1].split("</code>")[0]
    assert created.check_password(password)
    assert b"<code>" not in admin.get(f"/people/{created.pk}/").content
    assert RoleAssignment.objects.filter(user=created, role=Role.ADMIN).exists()


def test_an_invited_account_gets_its_operational_role_from_another_administrator(world):
    response = _client(world.admin).post(
        "/people/new/",
        {"username": "new_reporter", "role": Role.REPORTER, "scope": f"site:{world.site_a.pk}"},
        follow=True,
    )
    created = User.objects.get(username="new_reporter")
    assert any("grants it no operational role" in m for m in _messages(response))
    assert not RoleAssignment.objects.filter(user=created).exists()
    assert b"new_reporter" in _client(world.admin).get("/people/").content
    # A second administrator, who did not set the password, grants the role.
    second = person("second_admin", Role.ADMIN, mission=world.mission)
    response = _client(second).post(
        f"/people/{created.pk}/roles/",
        {"role": Role.REPORTER, "scope": f"site:{world.site_a.pk}"},
        follow=True,
    )
    assert "Role granted." in _messages(response)
    assert RoleAssignment.objects.filter(user=created, role=Role.REPORTER).exists()
    # The one who invited it still cannot add another.
    response = _client(world.admin).post(
        f"/people/{created.pk}/roles/",
        {"role": Role.ANALYST, "scope": f"mission:{world.mission.pk}"},
        follow=True,
    )
    assert any(m.startswith("Refused: whoever set") for m in _messages(response))
    assert not RoleAssignment.objects.filter(user=created, role=Role.ANALYST).exists()
    # A reporter never sees the people pages, its new colleague included (once its holder has
    # chosen a password: before that, no page opens at all).
    assert _client(created).get("/people/").status_code == 302
    services.user_password_set(actor=created, user=created, password="chosen by the reporter 9")
    assert _client(created).get("/people/").status_code == 403


def test_the_people_pages_speak_french(world: SimpleNamespace):
    page = _client(world.admin).get("/fr/people/").content.decode()
    assert "Inviter une personne" in page and "Dernière connexion" in page
