"""Setting a mission up from its definition file: create, re-apply, export, refuse bad files."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluebox.cli import main
from bluebox.core.models import AuditEntry
from bluebox.missions import definition, selectors, services
from bluebox.missions.models import FieldSite, Mission, PartnerOrganisation, Sector

EXAMPLE = Path(__file__).resolve().parents[4] / "docs" / "examples" / "sahel-border"

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the shipped example, so a test may edit it."""
    target = tmp_path / "kelmara"
    shutil.copytree(EXAMPLE, target)
    return target / "mission.yaml"


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Mission.objects.count(),
        Sector.objects.count(),
        FieldSite.objects.count(),
        PartnerOrganisation.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_shipped_example_creates_a_mission_with_its_files(example, capsys):
    assert main(["mission", "create", "--from", str(example)]) == 0
    mission = Mission.objects.get(code="kelmara")
    assert mission.authority == "non_executive"
    assert mission.timezone == "Africa/Niamey"
    assert mission.settings["detention"]["hard_limit_hours"] == 48
    assert mission.settings["alert_clocks"]["respond_minutes"] == 45
    assert mission.settings["boundary"]["type"] == "Polygon"
    assert mission.settings["languages"] == ["fr", "en"]
    camp = FieldSite.objects.get(code="tessit-camp")
    assert (camp.latitude, camp.longitude, camp.sector.code) == (15.1, 2.9, "north")
    station = PartnerOrganisation.objects.get(name="Tessit police station")
    assert station.parent.name == "Kelmara National Police"
    assert station.site.code == "tessit-station"
    entry = AuditEntry.objects.get(action="mission-create")
    assert entry.mission_id == mission.pk
    assert entry.detail["via"].startswith("cli:")
    assert "created mission 'kelmara' with 2 sectors and 4 sites" in capsys.readouterr().out


def test_applying_the_same_file_again_changes_nothing_and_writes_nothing(example, capsys):
    assert main(["mission", "create", "--from", str(example)]) == 0
    before = _counts()
    assert main(["mission", "update", "--from", str(example)]) == 0
    assert _counts() == before
    assert "nothing changed" in capsys.readouterr().out


def test_create_refuses_a_mission_that_exists(example, capsys):
    assert main(["mission", "create", "--from", str(example)]) == 0
    before = _counts()
    assert main(["mission", "create", "--from", str(example)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert _counts() == before


def test_update_changes_only_what_the_file_changes_and_keeps_unlisted_sites(example, capsys):
    assert main(["mission", "create", "--from", str(example)]) == 0
    site_ids = dict(FieldSite.objects.values_list("code", "pk"))

    def change(data: dict[str, Any]) -> None:
        data["sop"]["detention"]["hard_limit_hours"] = 72
        data["sectors"][1]["name"] = "Sector South (Ayorou)"
        data["sites"] = "sites-reduced.geojson"

    sites = json.loads((example.parent / "sites.geojson").read_text())
    sites["features"] = sites["features"][:3]
    sites["features"][0]["properties"]["population"] = 21000
    (example.parent / "sites-reduced.geojson").write_text(json.dumps(sites))
    _edit(example, change)
    capsys.readouterr()
    assert main(["mission", "update", "--from", str(example)]) == 0
    out = capsys.readouterr().out
    assert "3 change(s)" in out
    assert "site tessit-camp: population" in out
    assert "kept (not in the file, never deleted): site south-team-site" in out
    assert Mission.objects.get().settings["detention"]["hard_limit_hours"] == 72
    assert Sector.objects.get(code="south").name == "Sector South (Ayorou)"
    # The same rows, updated in place: records pointing at them keep pointing at them.
    assert dict(FieldSite.objects.values_list("code", "pk")) == site_ids
    entry = AuditEntry.objects.get(action="mission-update")
    assert entry.detail["count"] == 3


def test_export_round_trips_into_an_empty_database(example, tmp_path):
    assert main(["mission", "create", "--from", str(example)]) == 0
    exported = tmp_path / "exported.json"
    assert main(["mission", "export", "kelmara", "--format", "json", "-o", str(exported)]) == 0
    first = json.loads(exported.read_text())
    # The export is a valid definition that applies as "no change" to the mission it came from...
    report = services.mission_update(
        actor=None,
        mission=Mission.objects.get(),
        definition=definition.load(exported),
        via="test",
    )
    assert not report.changed
    # ...and, under another code, sets up an identical mission.
    twin = copy.deepcopy(first)
    twin["code"] = "kelmara-twin"
    services.mission_create(actor=None, definition=definition.parse(twin), via="test")
    again = selectors.mission_definition(mission=Mission.objects.get(code="kelmara-twin"))
    assert {**again, "code": "kelmara"} == first


def test_yaml_export_reads_back_as_the_same_definition(example, tmp_path):
    assert main(["mission", "create", "--from", str(example)]) == 0
    out = tmp_path / "exported.yaml"
    assert main(["mission", "export", "kelmara", "-o", str(out)]) == 0
    assert definition.load(out).data == selectors.mission_definition(mission=Mission.objects.get())


BAD_EDITS = [
    (lambda d: d.update(timezone="Mars/Olympus"), "timezone", "unknown IANA time zone"),
    (lambda d: d["mandate"].update(authority="martial"), "mandate.authority", "is not one of"),
    (lambda d: d.update(colour="blue"), "", "unknown key: 'colour'"),
    (
        lambda d: d["sop"]["detention"].update(handover_target_hours=96),
        "sop.detention",
        "handover target <= hard limit",
    ),
    (
        lambda d: d["sop"]["alert_clocks"].update(respond_minutes=0),
        "sop.alert_clocks.respond_minutes",
        "less than the minimum",
    ),
    (lambda d: d["sectors"].append({"code": "north", "name": "Again"}), "sectors[2].code", "more"),
    (
        lambda d: d["partners"][1].update(parent="Nobody"),
        "partners[1].parent",
        "no partner named 'Nobody'",
    ),
    (lambda d: d.update(boundary="missing.geojson"), "boundary", "no such file"),
    (
        lambda d: d.setdefault("settings", {}).update(primacy_rules={"tanks": 1}),
        "settings.primacy_rules",
        "unknown primacy rule settings",
    ),
]


@pytest.mark.parametrize(("edit", "path", "message"), BAD_EDITS)
def test_a_bad_definition_names_the_error_with_its_path_and_writes_nothing(
    example, capsys, edit, path, message
):
    _edit(example, edit)
    before = _counts()
    assert main(["mission", "create", "--from", str(example)]) == 1
    out = capsys.readouterr().out
    assert "nothing written" in out
    line = next(line for line in out.splitlines() if message in line)
    assert line.strip().startswith(f"{path or '(file)'}:"), out
    assert _counts() == before


def test_every_error_is_listed_at_once(example, capsys):
    sites = json.loads((example.parent / "sites.geojson").read_text())
    # Swapped coordinates (latitude written first) put the camp in the Gulf of Guinea.
    sites["features"][0]["geometry"]["coordinates"] = [15.1, 2.9]
    sites["features"][1]["properties"]["sector"] = "east"
    (example.parent / "sites.geojson").write_text(json.dumps(sites))
    _edit(example, lambda d: d.update(timezone="Nowhere/Atall"))
    assert main(["mission", "create", "--from", str(example)]) == 1
    out = capsys.readouterr().out
    assert "refused: 3 error(s)" in out
    assert "sites[0]: site 'tessit-camp' (2.9, 15.1) is outside the country boundary" in out
    assert "sites[1].sector: no sector with code 'east'" in out
    assert "timezone: unknown IANA time zone" in out
    assert Mission.objects.count() == 0


def test_a_sector_outside_the_country_is_refused(example, capsys):
    def move(data: dict[str, Any]) -> None:
        data["sectors"][0]["boundary"]["coordinates"] = [
            [[2.0, 14.5], [9.0, 14.5], [9.0, 15.5], [2.0, 15.5], [2.0, 14.5]]
        ]

    _edit(example, move)
    assert main(["mission", "create", "--from", str(example)]) == 1
    assert "sectors[0].boundary: sector 'north' extends outside" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text",
    ["code: [unclosed", "- just\n- a list\n", "\xff\xfe"],
    ids=["broken-yaml", "not-a-mapping", "not-utf8"],
)
def test_unreadable_files_are_refused_clearly(tmp_path, capsys, text):
    path = tmp_path / "mission.yaml"
    path.write_bytes(text.encode("latin-1"))
    assert main(["mission", "check", "--from", str(path)]) == 1
    out = capsys.readouterr().out
    assert "refused" in out
    assert "Traceback" not in out


def test_update_through_the_service_needs_the_right_to_change_the_mission(example, world):
    parsed = definition.load(example)
    services.mission_create(actor=None, definition=parsed, via="test")
    mission = Mission.objects.get(code="kelmara")
    from bluebox.core.access import NotPermitted

    with pytest.raises(NotPermitted):
        services.mission_update(
            actor=world.reporter_at_a, mission=mission, definition=parsed, via="web"
        )


def test_the_documented_schema_is_the_one_the_code_uses():
    docs = Path(__file__).resolve().parents[4] / "docs" / "schemas"
    shipped = json.loads((docs / "mission-definition.schema.json").read_text())
    assert shipped == definition.schema()


def test_sites_from_an_hxl_csv_give_the_same_mission_as_the_geojson(example):
    from_geojson = definition.load(example).data["sites"]
    _edit(example, lambda d: d.update(sites="sites.csv"))
    from_csv = definition.load(example).data["sites"]
    by_code = {s["code"]: s for s in from_geojson}
    for site in from_csv:
        expected = {
            "national_police_present": False,
            "national_police_operational": False,
            **by_code[site["code"]],
        }
        assert site == expected


def test_an_hxl_csv_without_coordinates_is_refused_naming_the_columns(example, capsys):
    csv_path = example.parent / "sites.csv"
    lines = csv_path.read_text().splitlines()
    lines[1] = lines[1].replace("#geo+lat", "#meta+lat")
    csv_path.write_text("\n".join(lines) + "\n")
    _edit(example, lambda d: d.update(sites="sites.csv"))
    assert main(["mission", "create", "--from", str(example)]) == 1
    assert "sites: the sites CSV lacks the columns latitude (#geo+lat)" in capsys.readouterr().out


def test_a_bad_cell_in_the_csv_is_named_by_its_row(example, capsys):
    csv_path = example.parent / "sites.csv"
    csv_path.write_text(csv_path.read_text().replace("14.0,3.3", "fourteen,3.3"))
    _edit(example, lambda d: d.update(sites="sites.csv"))
    assert main(["mission", "create", "--from", str(example)]) == 1
    assert "sites[2].latitude: 'fourteen' is not of type 'number'" in capsys.readouterr().out
