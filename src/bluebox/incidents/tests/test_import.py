"""Importing UCDP GED and ACLED files: all rows or none, idempotent, with a per-row report."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from bluebox.cli import main
from bluebox.core.access import NotPermitted
from bluebox.core.models import AuditEntry
from bluebox.incidents import jobs, services
from bluebox.incidents.models import Incident

from .conftest import ucdp_row, write_ucdp

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# Counts of the real CAR extract, computed independently from the file (see its README).
CAF_BY_VIOLENCE = {1: 205, 2: 371, 3: 1000}
CAF_BY_YEAR = {
    1991: 1, 1992: 1, 1993: 3, 1999: 1, 2000: 1, 2001: 21, 2002: 14, 2003: 5, 2004: 3,
    2005: 6, 2006: 42, 2007: 23, 2008: 5, 2009: 61, 2010: 43, 2011: 23, 2012: 31, 2013: 186,
    2014: 461, 2015: 149, 2016: 70, 2017: 220, 2018: 88, 2019: 62, 2020: 56,
}  # fmt: skip


def test_the_real_ucdp_extract_loads_every_event_with_the_right_counts(world, ucdp_caf, capsys):
    world.mission.host_country = "Central African Republic"
    world.mission.save()
    code = main(["import", "ucdp", str(ucdp_caf), "--mission", world.mission.code])
    assert code == 0, capsys.readouterr()
    assert "imported 1576 new events" in capsys.readouterr().out
    events = Incident.objects.filter(mission=world.mission, source="ucdp")
    assert events.count() == 1576
    assert Counter(events.values_list("violence_type", flat=True)) == CAF_BY_VIOLENCE
    years = Counter(d.year for d in events.values_list("occurred_at", flat=True))
    assert years == CAF_BY_YEAR
    assert sum(events.values_list("fatalities_best", flat=True)) == 13095
    assert events.filter(civilian_targeting=True).count() == 1000
    # PRIO-GRID ids derived here equal the file's own column on every row.
    with ucdp_caf.open(newline="", encoding="utf-8") as handle:
        expected = {row["id"]: int(row["priogrid_gid"]) for row in csv.DictReader(handle)}
    derived = dict(events.values_list("external_id", "priogrid_gid"))
    assert derived == expected
    government = events.filter(perpetrator_actor="Government of Central African Republic")
    assert government.exists()
    assert set(government.values_list("perpetrator_category", flat=True)) == {"host_state_forces"}
    assert set(events.filter(violence_type=1).values_list("threat_nature", flat=True)) == {"green"}
    # Civilians killed are kept on every event, battles included, as the file counts them.
    with ucdp_caf.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    civilians = {row["id"]: int(row["deaths_civilians"]) for row in rows}
    assert dict(events.values_list("external_id", "fatalities_civilians")) == civilians
    battles = events.filter(violence_type__in=[1, 2], fatalities_civilians__gt=0)
    in_file = [r for r in rows if r["type_of_violence"] in "12" and int(r["deaths_civilians"])]
    assert battles.count() == len(in_file) > 100
    assert sum(battles.values_list("fatalities_civilians", flat=True)) == sum(
        int(r["deaths_civilians"]) for r in in_file
    )
    # Foreign governments are foreign state forces, not armed groups.
    foreign = {"Government of Uganda", "Government of Chad", "Government of Congo"}
    assert set(
        events.filter(perpetrator_actor__in=foreign).values_list("perpetrator_category", flat=True)
    ) == {"foreign_state_forces"}
    # The row as received is kept (UCDP's own codes: dyad, sources, clarity...).
    first = events.get(external_id=rows[0]["id"])
    assert first.source_record == rows[0]

    # Importing the same file again changes nothing.
    before = list(events.order_by("pk").values())
    code = main(["import", "ucdp", str(ucdp_caf), "--mission", world.mission.code, "--quiet"])
    assert code == 0
    assert "imported 0 new events, 1576 already present" in capsys.readouterr().out
    assert list(events.order_by("pk").values()) == before


def test_an_analyst_imports_and_a_reporter_may_not(world, tmp_path):
    path = write_ucdp(tmp_path / "ok.csv", [ucdp_row(n) for n in range(5)])
    with pytest.raises(NotPermitted):
        jobs.incidents_import(
            actor=world.reporter_at_a, mission=world.mission, fmt="ucdp", path=path, now=NOW
        )
    assert Incident.objects.count() == 0
    report = jobs.incidents_import(
        actor=world.analyst, mission=world.mission, fmt="ucdp", path=path, now=NOW
    )
    assert (report.rows, report.created, report.unchanged) == (5, 5, 0)
    entry = AuditEntry.objects.filter(action="import", outcome="allowed").get()
    assert entry.detail["created"] == 5 and len(entry.detail["sha256"]) == 64


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        ({"latitude": ""}, "latitude", "missing coordinates"),
        ({"longitude": "200"}, "longitude", "out of range"),
        ({"date_start": "2020-02-30 00:00:00.000"}, "date_start", "impossible date"),
        ({"date_start": "2027-01-01 00:00:00.000"}, "date_start", "in the future"),
        ({"date_end": "2019-01-01 00:00:00.000"}, "date_end", "ends before it starts"),
        ({"type_of_violence": "4"}, "type_of_violence", "unknown code"),
        ({"where_prec": "9"}, "where_prec", "unknown code"),
        ({"date_prec": "0"}, "date_prec", "unknown code"),
        ({"best": "many"}, "best", "not a number"),
        ({"id": "900001"}, "id", "duplicate id"),
    ],
)
def test_one_bad_row_refuses_the_whole_file_with_a_row_report(world, tmp_path, bad, field, reason):
    rows = [ucdp_row(n) for n in range(6000)]  # more than one insert batch before the bad row
    rows[4500].update(bad)
    path = write_ucdp(tmp_path / "bad.csv", rows)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(services.ImportRefused) as refused:
        jobs.incidents_import(
            actor=world.analyst, mission=world.mission, fmt="ucdp", path=path, now=NOW
        )
    report = refused.value.report
    assert report.error_count == 1 and report.created == 0
    error = report.errors[0]
    assert (error.row, error.field) == (4501, field)
    assert reason in error.message
    assert Incident.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_a_file_that_is_not_ucdp_is_refused_with_a_clear_message(world, tmp_path, capsys):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    report_path = tmp_path / "report.json"
    code = main(
        ["import", "ucdp", str(path), "--mission", world.mission.code, "--report", str(report_path)]
    )
    assert code == 1
    assert "missing columns" in capsys.readouterr().out
    assert json.loads(report_path.read_text())["error_count"] == 1
    assert Incident.objects.count() == 0


def test_the_cli_shows_a_progress_bar(world, tmp_path, capsys):
    path = write_ucdp(tmp_path / "ok.csv", [ucdp_row(n) for n in range(3)])
    assert main(["import", "ucdp", str(path), "--mission", world.mission.code]) == 0
    assert "100.0%" in capsys.readouterr().err


ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]  # fmt: skip


def acled_row(n: int, **overrides: str) -> dict[str, str]:
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update(
        event_id_cnty=f"CEN{n}",
        event_date="2024-05-12",
        year="2024",
        time_precision="1",
        event_type="Violence against civilians",
        sub_event_type="Attack",
        actor1="3R: Return, Reclamation, Rehabilitation",
        inter1="2",
        actor2="Civilians (Central African Republic)",
        civilian_targeting="Civilian targeting",
        country="Central African Republic",
        admin1="Ouham-Pende",
        location="Bocaranga",
        latitude="6.9833",
        longitude="15.6333",
        geo_precision="1",
        fatalities="3",
    )
    row.update(overrides)
    return row


def test_acled_rows_map_to_the_taxonomy_and_bad_codes_are_reported(world, tmp_path):
    path = tmp_path / "acled.csv"
    rows = [
        acled_row(1),
        acled_row(2, sub_event_type="Sexual violence", fatalities="0"),
        acled_row(3, sub_event_type="Abduction/forced disappearance", event_date="3 May 2024"),
        acled_row(4, sub_event_type="Shelling/artillery/missile attack", inter1="1"),
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    report = jobs.incidents_import(
        actor=world.analyst, mission=world.mission, fmt="acled", path=path, now=NOW
    )
    assert report.created == 4
    by_id = {i.external_id: i for i in Incident.objects.filter(source="acled")}
    assert by_id["CEN1"].incident_type == "killing" and by_id["CEN1"].civilian_targeting
    assert by_id["CEN1"].perpetrator_category == "armed_group"
    assert by_id["CEN2"].incident_type == "sgbv"
    assert by_id["CEN3"].occurred_at == datetime(2024, 5, 3, tzinfo=UTC)
    assert by_id["CEN4"].weapons == ["artillery"] and by_id["CEN4"].threat_nature == "green"
    assert by_id["CEN4"].perpetrator_category == "host_state_forces"

    rows.append(acled_row(5, sub_event_type="Alien landing"))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(services.ImportRefused) as refused:
        jobs.incidents_import(
            actor=world.analyst, mission=world.mission, fmt="acled", path=path, now=NOW
        )
    assert refused.value.report.errors[0].field == "sub_event_type"
    assert Incident.objects.filter(source="acled").count() == 4


def _with_boundary(mission) -> None:
    """A mission area around the test rows' default position (5.7°N 20.7°E)."""
    mission.settings = {
        **(mission.settings or {}),
        "boundary": {
            "type": "Polygon",
            "coordinates": [[[19.0, 4.0], [23.0, 4.0], [23.0, 7.0], [19.0, 7.0], [19.0, 4.0]]],
        },
    }
    mission.save()


def test_events_outside_the_mission_area_refuse_the_file_unless_accepted(world, tmp_path, capsys):
    _with_boundary(world.mission)
    rows = [ucdp_row(n) for n in range(4)]
    # Two events of another country, one with latitude and longitude swapped.
    rows.append(ucdp_row(4, latitude="-1.95", longitude="30.06"))
    rows.append(ucdp_row(5, latitude="20.7", longitude="5.7"))
    path = write_ucdp(tmp_path / "mixed.csv", rows)
    with pytest.raises(jobs.ImportRefused) as refused:
        jobs.incidents_import(
            actor=world.analyst, mission=world.mission, fmt="ucdp", path=path, now=NOW
        )
    report = refused.value.report
    assert (report.outside, report.created, report.error_count) == (2, 0, 0)
    assert report.outside_sample == [(-1.95, 30.06), (20.7, 5.7)]
    assert "2 events lie outside the mission area" in str(refused.value)
    assert Incident.objects.count() == 0
    # The command line says the same and names the way through.
    code = main(["import", "ucdp", str(path), "--mission", world.mission.code, "--quiet"])
    out = capsys.readouterr().out
    assert code == 1 and "--accept-outside" in out and Incident.objects.count() == 0
    # Accepted explicitly, every event is imported, and the audit entry says how many lay out.
    assert (
        main(
            [
                "import",
                "ucdp",
                str(path),
                "--mission",
                world.mission.code,
                "--quiet",
                "--accept-outside",
            ]
        )
        == 0
    )
    assert Incident.objects.count() == 6
    entry = AuditEntry.objects.filter(action="import", outcome="allowed").get()
    assert entry.detail["outside_accepted"] == 2


def test_a_mission_without_a_boundary_imports_events_anywhere(world, tmp_path):
    path = write_ucdp(tmp_path / "far.csv", [ucdp_row(0, latitude="-1.95", longitude="30.06")])
    report = jobs.incidents_import(
        actor=world.analyst, mission=world.mission, fmt="ucdp", path=path, now=NOW
    )
    assert (report.created, report.outside) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_the_file_is_read_outside_any_transaction_so_others_can_write_meanwhile(world, tmp_path):
    """Reading and validating take the time; only the inserts hold the write lock."""
    from django.db import connection

    path = write_ucdp(tmp_path / "ok.csv", [ucdp_row(n) for n in range(1, 6)])
    during_read: list[bool] = []
    report = jobs.incidents_import(
        actor=world.analyst,
        mission=world.mission,
        fmt="ucdp",
        path=path,
        now=NOW,
        progress=lambda done, total: during_read.append(connection.in_atomic_block),
    )
    assert during_read and not any(during_read)
    assert report.created == 5


@pytest.mark.django_db(transaction=True)
def test_rows_another_import_landed_while_this_one_read_count_as_unchanged(world, tmp_path):
    path = write_ucdp(tmp_path / "ok.csv", [ucdp_row(n) for n in range(1, 6)])
    landed: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not landed:  # the same file, imported by someone else while this one reads
            other = jobs.incidents_import(
                actor=world.analyst, mission=world.mission, fmt="ucdp", path=path, now=NOW
            )
            landed.append(other.created)

    report = jobs.incidents_import(
        actor=world.analyst,
        mission=world.mission,
        fmt="ucdp",
        path=path,
        now=NOW,
        progress=meanwhile,
    )
    assert landed == [5]
    assert (report.rows, report.created, report.unchanged) == (5, 0, 5)
    assert Incident.objects.filter(mission=world.mission, source="ucdp").count() == 5
