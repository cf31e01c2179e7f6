"""Invitations from a CSV file: all rows or none, the same file twice invites nobody twice,
every bad row named, and the accounts made like a single invitation's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from bluebox.core.models import AuditEntry, RoleAssignment, User
from bluebox.core.roles import Role

pytestmark = pytest.mark.django_db

LAST_DAY = (timezone.now().date() + timedelta(days=200)).isoformat()


def _csv(world, rows: list[str]) -> str:  # type: ignore[no-untyped-def]
    return "username,name,email,role,site,sector,rotation_end\n" + "\n".join(rows) + "\n"


def _good(world) -> str:  # type: ignore[no-untyped-def]
    return _csv(
        world,
        [
            f"amina.d,Amina Diallo,amina@example.org,reporter,{world.site_a.code},,{LAST_DAY}",
            f",Jean Ruiz,jean.ruiz@example.org,planner,,{world.east.code},",
            "ops.admin,Second Admin,,admin,,,",
        ],
    )


def _post(client: Client, world, text: str, status: int):  # type: ignore[no-untyped-def]
    response = client.post(
        "/people/import/",
        {
            "mission": world.mission.pk,
            "file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv"),
        },
    )
    assert response.status_code == status, response.content[:600]
    return response


def _admin(world) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.admin)
    return client


def test_a_file_invites_everyone_once_with_one_time_passwords(world):
    admin = _admin(world)
    page = _post(admin, world, _good(world), 200)
    report = page.context["report"]
    assert [row["person"].username for row in report.created] == [
        "amina.d",
        "jean.ruiz@example.org",
        "ops.admin",
    ]
    amina = User.objects.get(username="amina.d")
    assert amina.must_change_password and amina.display_name == "Amina Diallo"
    assert amina.access_ends_on.isoformat() == LAST_DAY
    assert amina.check_password(report.created[0]["password"])
    # The admin role is granted; operational roles wait for another administrator.
    assert RoleAssignment.objects.filter(user__username="ops.admin", role=Role.ADMIN).exists()
    assert not RoleAssignment.objects.filter(user=amina).exists()
    body = page.content.decode()
    assert report.created[0]["password"] in body and "awaiting" in body
    # The same file again: nobody invited twice, nothing written, no new password.
    again = _post(admin, world, _good(world), 200).context["report"]
    assert again.created == [] and again.unchanged == 3
    assert User.objects.filter(username__in=["amina.d", "ops.admin"]).count() == 2
    assert AuditEntry.objects.filter(action="people-import").count() == 2
    assert AuditEntry.objects.filter(action="user-create").count() == 3


def test_one_bad_row_invites_nobody_and_every_bad_row_is_named(world):
    admin = _admin(world)
    text = _csv(
        world,
        [
            f"ok.one,Fine,ok@example.org,reporter,{world.site_a.code},,",
            "bad.role,Bad,,general,,,",
            "bad.site,Bad,,reporter,NOSUCH,,",
            "bad.day,Bad,,reporter,,,2020-01-01",
            "ok.one,Twice,,reporter,,,",
            f"{world.planner.username},Taken,,reporter,,,",
        ],
    )
    page = _post(admin, world, text, 400)
    shown = " ".join(str(m) for m in page.context["messages"])
    assert "5 bad rows; nobody was invited." in shown
    for expected in (
        "row 2 (id bad.role): role",
        "row 3 (id bad.site): site: no field site NOSUCH",
        "row 4 (id bad.day): rotation_end: already past",
        "row 5 (id ok.one): username: this username is already in the file",
        f"row 6 (id {world.planner.username}): username",
    ):
        assert expected in shown, expected
    assert not User.objects.filter(username="ok.one").exists()
    assert not AuditEntry.objects.filter(action="people-import").exists()


def test_a_misspelt_header_refuses_the_file(world):
    page = _post(_admin(world), world, "username,role,rotaton_end\nx,reporter,\n", 400)
    assert any("Unknown columns: rotaton_end" in str(m) for m in page.context["messages"])
    assert not User.objects.filter(username="x").exists()


def test_only_the_missions_administrator_imports(world):
    for who, status in ((world.commissioner, 403), (world.reporter_at_a, 403)):
        client = Client()
        client.force_login(who)
        response = client.post(
            "/people/import/",
            {
                "mission": world.mission.pk,
                "file": SimpleUploadedFile("p.csv", _good(world).encode()),
            },
        )
        assert response.status_code == status
    # Another mission's id is not a choice of this administrator's form.
    from bluebox.testing.factories import MissionFactory

    other = MissionFactory()
    admin = _admin(world)
    response = admin.post(
        "/people/import/",
        {"mission": other.pk, "file": SimpleUploadedFile("p.csv", _good(world).encode())},
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="amina.d").exists()


def test_an_imported_account_signs_in_to_choose_its_password(world):
    report = _post(_admin(world), world, _good(world), 200).context["report"]
    row = report.created[2]
    client = Client()
    response = client.post(
        "/login/", {"username": row["person"].username, "password": row["password"]}
    )
    # Signed in (the admin role needs no second factor), but no page opens before the change.
    assert response.status_code == 302 and "/login/" not in response["Location"]
    assert client.get("/people/")["Location"].startswith("/account/password/")
