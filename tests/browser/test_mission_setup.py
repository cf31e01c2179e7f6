"""A mission set up from nothing, as a police component would: the operator creates it from its
definition file and its two first administrators; one administrator, in the browser, chooses a
password and invites the mission's people from a CSV file; the other, who set none of their
passwords, grants the commander role; the commander signs in (second factor, own password) and
works in the mission."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluebox.cli import main
from bluebox.core import operators, services
from bluebox.core.models import AuditEntry, RoleAssignment, User
from bluebox.core.roles import Role
from bluebox.missions.models import Mission
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/sahel-border/mission.yaml"
FIRST_PASSWORD = "handed over in person 41"


def _one_time(page, username: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.inner_text(f"#one-time-passwords tr[data-person='{username}'] code")).strip()


def test_a_mission_is_set_up_from_nothing_and_its_commander_works_in_it(
    live_server, browser, tmp_path, page_errors
):
    assert not Mission.objects.exists() and not User.objects.exists()
    # The operator at the server: the mission from its definition, then its first administrator.
    assert main(["mission", "create", "--from", str(EXAMPLE)]) == 0
    mission = Mission.objects.get(code="kelmara")
    with operators.as_operator("installer"):
        for username in ("amadou", "karim"):
            admin = services.user_create(actor=None, username=username, password=FIRST_PASSWORD)
            services.role_grant(actor=None, user=admin, role=Role.ADMIN, mission=mission)
    site = mission.sites.order_by("code").first()
    assert site is not None

    base = live_server.url
    admin_page = page_errors.watch(browser.new_context().new_page())
    sign_in(admin_page, base, "amadou", password=FIRST_PASSWORD)
    # The first thing the administrator saw was the password change; now the pages open.
    admin_page.goto(f"{base}/people/import/")
    people = tmp_path / "people.csv"
    people.write_text(
        "username,name,email,role,site,sector,rotation_end\n"
        "fatou.commander,Fatou Sow,fatou@example.org,commander,,,\n"
        "zara.admin,Zara Haddad,,admin,,,\n"
        f"ibrahim.reporter,Ibrahim Ali,,reporter,{site.code},,\n",
        encoding="utf-8",
    )
    admin_page.select_option("#id_mission", str(mission.pk))
    admin_page.set_input_files("#id_file", str(people))
    admin_page.click("form.card button[type=submit]")
    admin_page.wait_for_selector("#one-time-passwords")
    passwords = {
        name: _one_time(admin_page, name)
        for name in ("fatou.commander", "zara.admin", "ibrahim.reporter")
    }
    assert all(len(p) >= 12 for p in passwords.values())
    # The administrator role is granted at once; whoever set the commander's password does not
    # make them a commander, even through the administrator account they just invited.
    assert RoleAssignment.objects.filter(user__username="zara.admin", role=Role.ADMIN).exists()
    commander = User.objects.get(username="fatou.commander")
    assert not RoleAssignment.objects.filter(user=commander).exists()
    zara_page = page_errors.watch(browser.new_context().new_page())
    sign_in(zara_page, base, "zara.admin", password=passwords["zara.admin"])
    zara_page.goto(f"{base}/people/{commander.pk}/")
    zara_page.select_option("#id_role", Role.COMMANDER)
    zara_page.select_option("#id_scope", f"mission:{mission.pk}")
    zara_page.click("#roles form button[type=submit]")
    zara_page.wait_for_load_state()
    assert "Refused" in zara_page.inner_text("main")
    assert not RoleAssignment.objects.filter(user=commander).exists()

    second_page = page_errors.watch(browser.new_context().new_page())
    sign_in(second_page, base, "karim", password=FIRST_PASSWORD)
    second_page.goto(f"{base}/people/{commander.pk}/")
    second_page.select_option("#id_role", Role.COMMANDER)
    second_page.select_option("#id_scope", f"mission:{mission.pk}")
    second_page.click("#roles form button[type=submit]")
    second_page.wait_for_load_state()
    assert "Commander" in second_page.inner_text("#roles ul")
    assert RoleAssignment.objects.filter(
        user=commander, role=Role.COMMANDER, mission=mission
    ).exists()

    page = page_errors.watch(browser.new_context().new_page())
    sign_in(page, base, "fatou.commander", password=passwords["fatou.commander"])
    commander.refresh_from_db()
    assert not commander.must_change_password
    page.goto(f"{base}/missions/{mission.pk}/settings/")
    text = page.inner_text("main")
    assert mission.name in text and "Africa/Niamey" in text
    # The commander reads the mission's people (and changes none of them).
    page.goto(f"{base}/people/")
    assert "ibrahim.reporter" in page.inner_text("#people")
    assert page.locator("a[href$='/people/import/']").count() == 0
    # The set-up is in the audit trail, each step by whom it was done.
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"people-import", "role-grant", "password-change", "user-create"} <= actions
    assert page_errors == []
