"""Commands that act for a person need that person's credentials; whatever the operator does at
the command line is audited as the operator's."""

from __future__ import annotations

import csv
import io

import pytest

from bluebox.cli import main
from bluebox.core import services
from bluebox.core.models import ApiToken, AuditEntry, RoleAssignment
from bluebox.core.roles import Role
from bluebox.testing.factories import TEST_PASSWORD, IncidentFactory


@pytest.fixture
def an_incident(world):
    return IncidentFactory(site=world.site_a, title="One incident")


def test_export_as_someone_needs_their_credentials_not_only_their_name(
    world, an_incident, tmp_path, monkeypatch, capsys
):
    """`export --as source_handler` used to export with the source handler's rights for
    whoever typed it, and the entry named the source handler."""
    out = tmp_path / "export.csv"
    monkeypatch.setattr("sys.stdin", io.StringIO("a guess\n"))
    code = main(["export", "incidents", "--as", "analyst", "--password-stdin", "-o", str(out)])
    assert code == 2 and not out.exists()
    assert AuditEntry.objects.filter(action="login-failed").exists()
    assert not AuditEntry.objects.filter(action="export").exists()
    # Someone else's token does not do either.
    _, planner_key = services.token_create(actor=world.planner, user=world.planner, name="cli")
    monkeypatch.setenv("BLUEBOX_API_TOKEN", planner_key)
    assert main(["export", "incidents", "--as", "analyst", "-o", str(out)]) == 2
    assert not out.exists()


def test_an_export_with_the_persons_password_names_them_and_the_operator(
    world, an_incident, tmp_path, monkeypatch
):
    out = tmp_path / "export.csv"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TEST_PASSWORD}\n"))
    code = main(["export", "incidents", "--as", "analyst", "--password-stdin", "-o", str(out)])
    assert code == 0
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == "analyst" and entry.detail["rows"] == 1
    assert entry.detail["channel"].startswith("command line, operator ")


def test_a_token_is_created_at_the_console_only_by_its_holder(world, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TEST_PASSWORD}\n"))
    assert main(["token", "create", "--as", "analyst", "--password-stdin", "--days", "5"]) == 0
    key = capsys.readouterr().out.splitlines()[-1]
    token = ApiToken.objects.get()
    assert key.startswith("bbx_") and key not in (token.digest, token.prefix)
    # The operator revokes it, and the audit trail says who did.
    assert main(["token", "revoke", str(token.pk)]) == 0
    entry = AuditEntry.objects.get(action="token-revoke")
    assert entry.actor.startswith("operator:") and entry.actor_id is None


def test_an_import_at_the_console_is_audited_as_the_operator(world, tmp_path):
    from bluebox.incidents.tests.conftest import UCDP_COLUMNS, ucdp_row

    path = tmp_path / "ged.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=UCDP_COLUMNS)
        writer.writeheader()
        writer.writerows([ucdp_row(n) for n in range(1, 3)])
    assert main(["import", "ucdp", str(path), "--mission", world.mission.code, "--quiet"]) == 0
    entry = AuditEntry.objects.filter(resource="incident").latest("seq")
    assert entry.actor.startswith("operator:") and entry.actor_id is None


def test_a_password_reset_at_the_console_is_the_audited_reset(world, monkeypatch):
    answers = iter(["a long new passphrase", "a long new passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    # A management command closes the database connections when it ends; the test's
    # transaction must outlive it (a real command reconnects for the entry it writes after).
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    assert main(["manage", "changepassword", "source_handler"]) == 0
    assert not RoleAssignment.objects.filter(
        user=world.source_handler, role=Role.SOURCE_HANDLER
    ).exists()
    reset = AuditEntry.objects.get(action="password-reset")
    assert reset.actor.startswith("operator:")
    assert AuditEntry.objects.filter(
        action="operator-command", detail__command="resetpassword"
    ).exists()
