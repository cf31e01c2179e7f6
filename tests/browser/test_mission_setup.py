"""A mission set up from nothing, as a police component would: the operator creates it from its
definition file and its two first administrators; one administrator, in the browser, chooses a
password and invites the mission's people from a CSV file; the other, who set none of their
passwords, grants the commander role; the commander signs in (second factor, own password) and
works in the mission.

Then the same from files uploaded on the pages: the operator creates only the mission's name;
an administrator uploads its definition with the sites GeoJSON and the country boundary beside
it and invites a reporter and a planner; the planner loads the IPO roster on the force register
and finds those officers on the deployment board; the reporter files an incident at a site that
came from the GeoJSON and finds it on their home page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bluebox.cli import main
from bluebox.core import operators, services
from bluebox.core.models import AuditEntry, RoleAssignment, User
from bluebox.core.roles import Role
from bluebox.deployment.models import IndividualPoliceOfficer
from bluebox.incidents.models import Incident
from bluebox.missions.models import FieldSite, Mission
from bluebox.testing.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/sahel-border/mission.yaml"
FIRST_PASSWORD = "handed over in person 41"


def _one_time(page, username: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.inner_text(f"#one-time-passwords tr[data-person='{username}'] code")).strip()


def _operator_sets_up(definition: Path) -> Mission:
    """The operator at the server: the mission, then its two first administrators."""
    assert main(["mission", "create", "--from", str(definition)]) == 0
    mission = Mission.objects.get(code="kelmara")
    with operators.as_operator("installer"):
        for username in ("amadou", "karim"):
            admin = services.user_create(actor=None, username=username, password=FIRST_PASSWORD)
            services.role_grant(actor=None, user=admin, role=Role.ADMIN, mission=mission)
    return mission


def _invite(page, base: str, mission: Mission, rows: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Invite people from a CSV file on the people page; their one-time passwords are shown."""
    people = tmp_path / "people.csv"
    people.write_text("username,name,email,role,site,sector,rotation_end\n" + rows, "utf-8")
    page.goto(f"{base}/people/import/")
    page.select_option("#id_mission", str(mission.pk))
    page.set_input_files("#id_file", str(people))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#one-time-passwords")


def _grant(page, base: str, person: User, role: str, scope: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/people/{person.pk}/")
    page.select_option("#id_role", role)
    page.select_option("#id_scope", scope)
    page.click("#roles form button[type=submit]")
    page.wait_for_load_state()


def test_a_mission_is_set_up_from_nothing_and_its_commander_works_in_it(
    live_server, browser, tmp_path, page_errors
):
    assert not Mission.objects.exists() and not User.objects.exists()
    mission = _operator_sets_up(EXAMPLE)
    site = mission.sites.order_by("code").first()
    assert site is not None

    base = live_server.url
    admin_page = page_errors.watch(browser.new_context().new_page())
    sign_in(admin_page, base, "amadou", password=FIRST_PASSWORD)
    # The first thing the administrator saw was the password change; now the pages open.
    _invite(
        admin_page,
        base,
        mission,
        "fatou.commander,Fatou Sow,fatou@example.org,commander,,,\n"
        "zara.admin,Zara Haddad,,admin,,,\n"
        f"ibrahim.reporter,Ibrahim Ali,,reporter,{site.code},,\n",
        tmp_path,
    )
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
    _grant(zara_page, base, commander, Role.COMMANDER, f"mission:{mission.pk}")
    assert "Refused" in zara_page.inner_text("main")
    assert not RoleAssignment.objects.filter(user=commander).exists()

    second_page = page_errors.watch(browser.new_context().new_page())
    sign_in(second_page, base, "karim", password=FIRST_PASSWORD)
    _grant(second_page, base, commander, Role.COMMANDER, f"mission:{mission.pk}")
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


ROSTER = (
    "service_number,country,country_name,rank,gender,languages,site,rotation_start,rotation_end\n"
    "SN-1001,SEN,Senegal,Inspector,female,fr;wo,tessit-camp,2026-06-01,2027-05-31\n"
    "SN-1002,SEN,,Sergeant,male,fr,tessit-camp,2026-06-01,2027-05-31\n"
    "JO-2001,JOR,Jordan,Captain,female,ar;en,tessit-station,2026-09-01,2027-08-31\n"
    "JO-2002,JOR,,Lieutenant,male,ar,,2026-09-01,2027-08-31\n"
)


def test_an_administrator_sets_a_mission_up_from_files_and_its_people_work_in_it(
    live_server, browser, tmp_path, page_errors
):
    # The operator creates only the mission's frame: one sector, no site, no boundary.
    frame = tmp_path / "frame.yaml"
    frame.write_text(
        "code: kelmara\nname: UN Integrated Mission in Kelmara (example)\n"
        "host_country: Kelmara (fictional)\ntimezone: Africa/Niamey\n"
        "mandate: {chapter_vii: true, poc_mandate: true, authority: non_executive}\n"
        "sectors: [{code: north, name: Sector North}]\nsites: []\n",
        encoding="utf-8",
    )
    mission = _operator_sets_up(frame)
    assert not mission.sites.exists() and "boundary" not in mission.settings
    base = live_server.url

    # The administrator uploads the definition, whose boundary and sites are files of their own.
    admin_page = page_errors.watch(browser.new_context().new_page())
    sign_in(admin_page, base, "amadou", password=FIRST_PASSWORD)
    admin_page.goto(f"{base}/missions/{mission.pk}/settings/")
    admin_page.set_input_files("#definition", str(EXAMPLE))
    admin_page.click("form[enctype] button[type=submit]")
    admin_page.wait_for_load_state()
    # Without them the definition is refused whole, and says why.
    assert "Write boundaries and sites inline" in admin_page.inner_text("#problems-title + ul")
    assert not mission.sites.exists()
    admin_page.set_input_files("#definition", str(EXAMPLE))
    admin_page.set_input_files("#boundary", str(EXAMPLE.parent / "boundary.geojson"))
    admin_page.set_input_files("#sites", str(EXAMPLE.parent / "sites.geojson"))
    admin_page.click("form[enctype] button[type=submit]")
    admin_page.wait_for_selector("#report-title")
    features = json.loads((EXAMPLE.parent / "sites.geojson").read_text("utf-8"))["features"]
    from_file = {f["properties"]["code"]: f["properties"]["name"] for f in features}
    assert dict(mission.sites.values_list("code", "name")) == from_file
    assert set(mission.sectors.values_list("code", flat=True)) == {"north", "south"}
    mission.refresh_from_db()
    assert mission.settings["boundary"]["type"] in {"Polygon", "MultiPolygon"}
    summary = admin_page.inner_text("main")
    assert f"{len(from_file)} field sites" in summary and "2 sectors" in summary

    # The administrator invites a reporter and a planner; the other administrator, who set
    # neither password, grants their roles: the reporter at a site that came from the file.
    _invite(
        admin_page,
        base,
        mission,
        "awa.reporter,Awa Diallo,,reporter,tessit-camp,,\nomar.planner,Omar Said,,planner,,,\n",
        tmp_path,
    )
    passwords = {n: _one_time(admin_page, n) for n in ("awa.reporter", "omar.planner")}
    reporter, planner = (User.objects.get(username=n) for n in ("awa.reporter", "omar.planner"))
    camp = FieldSite.objects.get(mission=mission, code="tessit-camp")
    granting = page_errors.watch(browser.new_context().new_page())
    sign_in(granting, base, "karim", password=FIRST_PASSWORD)
    _grant(granting, base, reporter, Role.REPORTER, f"site:{camp.pk}")
    _grant(granting, base, planner, Role.PLANNER, f"mission:{mission.pk}")
    assert RoleAssignment.objects.filter(user=reporter, role=Role.REPORTER, site=camp).exists()
    assert RoleAssignment.objects.filter(user=planner, role=Role.PLANNER, mission=mission).exists()

    # The planner loads the IPO roster on the force register and finds it on the board.
    page = page_errors.watch(browser.new_context().new_page())
    sign_in(page, base, "omar.planner", password=passwords["omar.planner"])
    page.goto(f"{base}/deployment/")
    assert "0 IPOs (0 women)" in page.inner_text("#force")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    page.goto(f"{base}/deployment/forces/")
    page.set_input_files("#roster-upload input[type=file]", str(roster))
    page.click("#roster-upload button[type=submit]")
    page.wait_for_load_state()
    assert IndividualPoliceOfficer.objects.filter(mission=mission).count() == 4
    countries = page.inner_text("#countries")
    assert "Senegal" in countries and "Jordan" in countries
    assert "4 officers in all, 2 women" in page.inner_text("#ipos")
    assert "Tessit IDP camp" in page.inner_text("#ipos")
    page.click("main a[href$='/deployment/']")
    page.wait_for_selector("#force")
    assert "4 IPOs (2 women)" in page.inner_text("#force")
    # The administrator who set the mission up reaches none of its force records.
    for path in ("/deployment/forces/", "/deployment/"):
        refused = admin_page.goto(f"{base}{path}")
        assert refused is not None and refused.status == 403
        assert "Senegal" not in admin_page.content()

    # The reporter files an incident at the camp and finds it on their home page.
    page = page_errors.watch(browser.new_context().new_page())
    sign_in(page, base, "awa.reporter", password=passwords["awa.reporter"])
    page.goto(f"{base}/")
    assert page.inner_text("#incident-count") == "0"
    page.goto(f"{base}/incidents/new/")
    assert page.locator("#id_site option").all_inner_texts() == ["Tessit IDP camp"]
    page.select_option("#id_site", str(camp.pk))
    page.fill("#id_title", "Water point of the camp attacked")
    page.select_option("#id_incident_type", "roadblock")
    page.fill("#id_occurred_at", "2026-11-20T07:30")
    page.fill("#id_latitude", str(camp.latitude))
    page.fill("#id_longitude", str(camp.longitude))
    page.select_option("#id_perpetrator_category", "armed_group")
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#incident-status")
    incident = Incident.objects.get()
    assert (incident.site, incident.reported_by, incident.mission) == (camp, reporter, mission)
    page.goto(f"{base}/")
    assert page.inner_text("#incident-count") == "1"
    # The map fetches it for the view: one marker, whose popup names it.
    page.wait_for_selector("#map[data-loaded=true]")
    assert page.get_attribute("#incidents-count", "data-total") == "1"
    page.locator("path.incident-marker").first.click()
    assert "Water point of the camp attacked" in page.inner_text(".leaflet-popup-content")
    assert "Sector North" in page.inner_text("main")
    assert page_errors == []
