"""The force register of a real mission: the IPO roster file, units by hand, caveats in words."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bluebox.core.access import NotPermitted, NotVisible
from bluebox.core.exceptions import ServiceError
from bluebox.core.models import AuditEntry
from bluebox.deployment import services, wording
from bluebox.deployment.models import (
    Caveat,
    ContributingCountry,
    FormedPoliceUnit,
    IndividualPoliceOfficer,
)
from bluebox.deployment.tests.factories import CountryFactory, FpuFactory

HEADER = (
    "service_number,country,country_name,rank,gender,years_of_service,languages,skills,site,"
    "rotation_start,rotation_end,driving_licence"
)


def roster(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


GOOD = roster(
    "SN-1,SEN,Senegal,Sergeant,female,12,fr; wo,community_policing,site-a,"
    "2026-06-01,2027-05-31,yes",
    "SN-2,SEN,,Inspector,male,8,fr,investigation,site-b,2026-06-01,2027-05-31,no",
    "SN-3,JOR,Jordan,Captain,male,15,ar; en,,,,,",
)


def load(world, text: str = GOOD, actor=None):
    return services.ipo_roster_import(
        actor=actor or world.planner, mission_id=world.mission.pk, text=text, filename="r.csv"
    )


def test_a_roster_file_creates_the_officers_and_the_countries_it_names(world):
    report = load(world)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    officers = IndividualPoliceOfficer.objects.filter(mission=world.mission)
    first = officers.get(service_number="SN-1")
    assert first.country.name == "Senegal" and first.site == world.site_a
    assert first.languages == ["fr", "wo"] and first.driving_licence is True
    assert first.rotation_end == date(2027, 5, 31) and first.years_of_service == 12
    assert officers.get(service_number="SN-3").site is None
    assert set(ContributingCountry.objects.values_list("code", flat=True)) >= {"SEN", "JOR"}
    entry = AuditEntry.objects.get(action="import", resource="force")
    assert entry.detail["created"] == 3 and len(entry.detail["sha256"]) == 64
    assert "SN-1" not in str(entry.detail), "the audit says how many, not who"


def test_the_same_file_again_changes_nothing_and_a_changed_row_is_updated(world):
    load(world)
    again = load(world)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    moved = GOOD.replace(
        "SN-2,SEN,,Inspector,male,8,fr,investigation,site-b",
        "SN-2,SEN,,Inspector,male,9,fr,investigation,site-a",
    )
    report = load(world, moved)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    officer = IndividualPoliceOfficer.objects.get(service_number="SN-2")
    assert officer.site == world.site_a and officer.years_of_service == 9


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("SN-9,SEN,,Sergeant,woman,1,,,,,,", "gender", "female or male"),
        ("SN-9,SEN,,Sergeant,male,1,,,elsewhere,,,", "site", "no field site elsewhere"),
        ("SN-9,XYZ,,Sergeant,male,1,,,,,,", "country", "give its name"),
        ("SN-9,SEN,,Sergeant,male,1,,,,2027-01-01,2026-01-01,", "rotation_end", "before"),
        ("SN-9,SEN,,Sergeant,male,1,,,,2026-13-01,,", "rotation_start", "YYYY-MM-DD"),
        ("SN-9,SEN,,Sergeant,male,many,,,,,,", "years_of_service", "whole number"),
        ("SN-9,SEN,,Sergeant,male,1,,,,,,perhaps", "driving_licence", "yes or no"),
        ("SN-1,SEN,,Sergeant,male,1,,,,,,", "service_number", "already in the file"),
        (",SEN,,Sergeant,male,1,,,,,,", "service_number", "required"),
    ],
)
def test_one_bad_row_refuses_the_whole_file_with_the_row_and_column(world, row, column, words):
    with pytest.raises(services.RosterRefused) as refused:
        load(world, GOOD + row + "\n")
    errors = refused.value.report.errors
    assert [(e.row, e.field) for e in errors] == [(4, column)]
    assert words in errors[0].message
    assert IndividualPoliceOfficer.objects.count() == 0, "nothing was written"
    assert not ContributingCountry.objects.filter(code="JOR").exists()


def test_a_misspelt_or_missing_column_refuses_the_file(world):
    with pytest.raises(ServiceError, match="Unknown columns: rotaton_end"):
        load(
            world,
            roster(
                "SN-1,SEN,Senegal,Sgt,male",
                header="service_number,country,country_name,rank,gender,rotaton_end",
            ),
        )
    with pytest.raises(ServiceError, match="Missing columns: gender"):
        load(
            world, roster("SN-1,SEN,Senegal,Sgt", header="service_number,country,country_name,rank")
        )
    assert IndividualPoliceOfficer.objects.count() == 0


def test_only_those_who_keep_the_force_may_load_it_and_only_into_their_mission(world):
    for person in (world.analyst, world.reporter_at_a, world.human_rights_officer, world.admin):
        with pytest.raises(NotPermitted):
            load(world, actor=person)
    with pytest.raises((NotPermitted, NotVisible)):
        load(world, actor=world.other_commander)
    assert IndividualPoliceOfficer.objects.count() == 0
    assert load(world, actor=world.commissioner).created == 3


def test_a_unit_is_added_and_changed_with_its_numbers_checked(world):
    country = CountryFactory(code="BGD", name="Bangladesh")
    values = {
        "name": "BAN FPU 2",
        "country": country,
        "strength": 140,
        "women": 20,
        "home_site": world.site_a,
        "quick_reaction_force": 20,
    }
    unit = services.force_unit_save(
        actor=world.planner, mission_id=world.mission.pk, kind="fpu", values=values
    )
    assert unit.mission == world.mission and unit.home_site == world.site_a
    with pytest.raises(ServiceError) as wrong:
        services.force_unit_save(
            actor=world.planner,
            mission_id=world.mission.pk,
            kind="fpu",
            values={**values, "women": 141},
            unit_id=unit.pk,
        )
    assert "women" in wrong.value.field_errors
    with pytest.raises(ServiceError) as elsewhere:
        services.force_unit_save(
            actor=world.planner,
            mission_id=world.mission.pk,
            kind="fpu",
            values={**values, "home_site": world.other_site},
            unit_id=unit.pk,
        )
    assert "home_site" in elsewhere.value.field_errors
    services.force_unit_save(
        actor=world.planner,
        mission_id=world.mission.pk,
        kind="fpu",
        values={**values, "strength": 150},
        unit_id=unit.pk,
    )
    unit.refresh_from_db()
    assert unit.strength == 150 and unit.women == 20
    change = AuditEntry.objects.filter(action="change", resource="force").get()
    assert change.detail == {"record": "fpu", "fields": ["strength"]}


def test_caveats_read_as_sentences_with_the_sites_names(world):
    country = CountryFactory(code="SEN", name="Senegal")
    country.capital_approval_delay_days = 1
    unit = FpuFactory(
        mission=world.mission, home_site=world.site_a, country=country, name="SEN FPU 1"
    )
    sites = {"site-a": "Site A", "site-b": "Site B"}

    def said(kind, parameters, unit=None):
        caveat = Caveat(
            mission=world.mission, country=country, unit=unit, kind=kind, parameters=parameters
        )
        return wording.recorded_caveat_sentence(caveat, sites)

    assert said("excluded_sites", {"sites": ["site-a", "site-b"]}) == (
        "Officers from Senegal: No deployment to Site A and Site B."
    )
    assert said("excluded_site_kinds", {"site_kinds": ["idp_camp"]}, unit).startswith(
        "SEN FPU 1 (Senegal): No deployment to any "
    )
    assert said("excluded_tasks", {"tasks": ["crowd_control"]}).startswith(
        "Officers from Senegal: Not to be used for "
    )
    assert said("no_overnight_outside_base", {}) == (
        "Officers from Senegal: No overnight stay outside a base."
    )
    # The country's own delay when the caveat gives none.
    assert "takes 1 day." in said("capital_approval", {})
    assert "{" not in said("excluded_sites", {"sites": ["gone"]}), "never the raw parameters"


def test_a_planner_loads_the_roster_and_records_a_caveat_from_the_page(world):
    client = Client()
    client.force_login(world.planner)
    upload = SimpleUploadedFile("roster.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/deployment/forces/roster/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert "3 officers read: 3 new, 0 changed, 0 unchanged." in page
    assert IndividualPoliceOfficer.objects.filter(mission=world.mission).count() == 3
    senegal = ContributingCountry.objects.get(code="SEN")
    response = client.post(
        "/deployment/forces/caveats/new/",
        {"country": senegal.pk, "kind": "excluded_sites", "sites": ["site-b"]},
        follow=True,
    )
    page = response.content.decode()
    assert "Officers from Senegal: No deployment to Site B." in page
    assert "{&#x27;sites&#x27;" not in page and "{'sites'" not in page
    # The page groups officers by site: one line per site, not per officer.
    assert page.count("SN-1") == 0, "the register never lists officers one by one"


def test_a_bad_roster_from_the_page_says_which_row_and_changes_nothing(world):
    client = Client()
    client.force_login(world.planner)
    bad = GOOD + "SN-9,SEN,,Sergeant,woman,1,,,,,,\n"
    upload = SimpleUploadedFile("roster.csv", bad.encode(), content_type="text/csv")
    page = client.post("/deployment/forces/roster/", {"file": upload}, follow=True).content.decode()
    assert "1 bad rows; nothing was imported." in page
    assert "row 4 (id SN-9): gender: female or male" in page
    assert IndividualPoliceOfficer.objects.count() == 0


def test_an_analyst_sees_the_register_without_the_forms(world):
    FpuFactory(mission=world.mission, home_site=world.site_a, name="Visible FPU")
    client = Client()
    client.force_login(world.analyst)
    page = client.get("/deployment/forces/").content.decode()
    assert "Visible FPU" in page
    assert 'id="roster-upload"' not in page and 'id="caveat-new"' not in page
    assert FormedPoliceUnit.objects.count() == 1


def test_the_operator_loads_the_roster_from_the_command_line(world, tmp_path, capsys):
    from bluebox.cli import main

    path = tmp_path / "roster.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["forces", "roster", str(path), "--mission", world.mission.code]) == 0
    assert "3 officers read: 3 new, 0 changed, 0 unchanged" in capsys.readouterr().out
    path.write_text(GOOD + "SN-9,SEN,,Sergeant,woman,1,,,,,,\n", encoding="utf-8")
    report = tmp_path / "report.json"
    code = main(
        ["forces", "roster", str(path), "--mission", world.mission.code, "--report", str(report)]
    )
    assert code == 1
    assert "row 4 (id SN-9): gender: female or male" in capsys.readouterr().out
    assert '"error_count": 1' in report.read_text()
    entry = AuditEntry.objects.get(action="import", resource="force")
    assert entry.actor.startswith("operator:") and entry.detail["created"] == 3
