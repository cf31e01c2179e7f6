"""The column-wise import gives what the row-by-row import gives: the same rows (every column),
the same per-row report, all rows or none, and nothing twice."""

from __future__ import annotations

import csv
import hashlib
import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from bluebox.core.models import AuditEntry
from bluebox.engines.spatial import priogrid_gid
from bluebox.incidents import bulk, jobs
from bluebox.incidents.models import Incident
from bluebox.missions.models import Authority, Mission

from .conftest import UCDP_COLUMNS, ucdp_row, write_ucdp
from .test_import import ACLED_COLUMNS, acled_row

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Columns that differ between two imports of one file into two missions by design.
OWN = {"id", "mission_id"}


def _twin(world) -> Mission:
    """A second mission like the world's, for the other path's copy of the same file."""
    return Mission.objects.create(
        code="twin",
        name="Twin mission",
        host_country=world.mission.host_country,
        authority=Authority.NON_EXECUTIVE,
        settings=world.mission.settings,
    )


def _raw_rows(mission: Mission) -> list[tuple]:
    """Every column as the database holds it (JSON as stored text on SQLite), by external id."""
    names = [str(f.column) for f in Incident._meta.concrete_fields if f.column not in OWN]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(n) for n in names)} FROM {Incident._meta.db_table} "  # noqa: S608
            "WHERE mission_id = %s ORDER BY id",
            [mission.pk],
        )
        return cursor.fetchall()


def _values(mission: Mission) -> list[dict]:
    return [
        {k: v for k, v in row.items() if k not in OWN}
        for row in Incident.objects.filter(mission=mission).order_by("pk").values()
    ]


def _both(world, path: Path, fmt: str = "ucdp", *, columnwise_only: bool = True, **kwargs):
    """Import ``path`` row by row into the world's mission and column-wise into a twin, from
    the command line (the analyst's right to import is the world mission's only)."""
    twin = _twin(world)
    outcomes = []
    row_path = jobs._read_into
    for mission, columnwise in ((world.mission, False), (twin, True)):
        if columnwise and columnwise_only:  # no quiet fallback to the row path
            jobs._read_into = _refused
        try:
            report = jobs.incidents_import(
                actor=None,
                mission=mission,
                fmt=fmt,
                path=path,
                now=NOW,
                columnwise=columnwise,
                **kwargs,
            )
        except jobs.ImportRefused as refused:
            report = refused.report
        finally:
            jobs._read_into = row_path
        outcomes.append(report)
    return twin, outcomes[0], outcomes[1]


def _refused(*args, **kwargs):
    raise AssertionError("the column-wise path fell back to the row path")


def _same_report(plain, fast) -> None:
    assert fast.as_dict() == plain.as_dict()


def _caf_rows(ucdp_caf: Path) -> tuple[list[str], list[dict[str, str]]]:
    with ucdp_caf.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_real_extract_gives_the_same_rows_both_ways(world, ucdp_caf):
    world.mission.host_country = "Central African Republic"
    world.mission.save()
    twin, plain, fast = _both(world, ucdp_caf)
    assert plain.created == fast.created == 1576
    _same_report(plain, fast)
    assert _values(twin) == _values(world.mission)
    assert _raw_rows(twin) == _raw_rows(world.mission)
    frames = list(bulk.read_chunks(ucdp_caf, "ucdp", hashlib.sha256()))
    assert sum(len(frame) for frame, _ in frames) == 1576


def test_bad_and_unusual_rows_give_the_same_report_and_nothing_is_written(
    world, ucdp_caf, tmp_path, monkeypatch
):
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 500)  # errors in several chunks
    columns, rows = _caf_rows(ucdp_caf)
    bad = {
        10: {"latitude": ""},
        20: {"longitude": "200"},
        30: {"date_start": "2020-02-30 00:00:00.000"},
        40: {"date_start": "2027-01-01T00:00:00"},
        50: {"date_end": "2001-01-01T00:00:00"},
        60: {"type_of_violence": "4"},
        70: {"where_prec": "9"},
        80: {"date_prec": "0"},
        90: {"best": "many"},
        100: {"best": "-3"},
        110: {"deaths_civilians": "900"},
        120: {"id": rows[5]["id"]},  # duplicate of an earlier row
        700: {"id": ""},
        800: {"latitude": "nan"},
        900: {"date_start": ""},
        1000: {"high": "1e3x"},
        1500: {"type_of_violence": " 7 "},
    }
    for index, change in bad.items():
        rows[index].update(change)
    path = _write(tmp_path / "bad.csv", columns, rows)
    audit_before = AuditEntry.objects.count()
    _twin_mission, plain, fast = _both(world, path)
    _same_report(plain, fast)
    assert fast.error_count == len(bad) and fast.created == 0
    assert [e.row for e in fast.errors] == sorted(i + 1 for i in bad)
    assert Incident.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_rows_in_unusual_shapes_are_read_as_the_row_path_reads_them(world, ucdp_caf, tmp_path):
    columns, rows = _caf_rows(ucdp_caf)
    rows = rows[:300]
    odd = {
        1: {"type_of_violence": "3.0"},
        2: {"best": " 4 ", "low": "4", "high": "004"},
        3: {"latitude": " 5.5", "longitude": "20.000000000000000001"},
        4: {"date_start": "2014-03-01", "date_end": "2014-03-01 12:30:00"},
        5: {"deaths_civilians": " "},
        6: {"side_a": "  Government of Chad  ", "where_description": ""},
        7: {"dyad_name": "", "where_description": ""},
        8: {"source_headline": 'A "quoted" \\ back\tslash\nand line é ☃ 𝄞'},
        9: {"latitude": "1e0", "longitude": "+20"},
        10: {"id": " 77 "},
    }
    for index, change in odd.items():
        rows[index].update(change)
    path = _write(tmp_path / "odd.csv", columns, rows)
    twin, plain, fast = _both(world, path, accept_outside=True)
    _same_report(plain, fast)
    assert fast.created == 300
    assert _values(twin) == _values(world.mission)
    assert _raw_rows(twin) == _raw_rows(world.mission)


def test_a_failing_row_deep_in_the_file_leaves_nothing(world, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 1000)
    rows = [ucdp_row(n) for n in range(5000)]
    rows[4321]["date_prec"] = "9"
    path = write_ucdp(tmp_path / "late.csv", rows)
    with pytest.raises(jobs.ImportRefused) as refused:
        jobs.incidents_import(
            actor=world.analyst, mission=world.mission, fmt="ucdp", path=path, now=NOW
        )
    report = refused.value.report
    assert (report.error_count, report.errors[0].row, report.errors[0].field) == (
        1,
        4322,
        "date_prec",
    )
    assert Incident.objects.count() == 0
    assert not AuditEntry.objects.filter(action="import").exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_load_that_fails_in_its_last_chunk_keeps_none_of_the_earlier_ones(
    world, tmp_path, monkeypatch
):
    """The database refuses an id longer than its column in the last chunk: the COPYs of the
    chunks before it are undone with it."""
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 1000)
    rows = [ucdp_row(n) for n in range(3000)]
    rows[2999]["id"] = "9" * 80
    path = write_ucdp(tmp_path / "long.csv", rows)
    with pytest.raises(Exception, match="too long"):
        jobs.incidents_import(
            actor=world.analyst, mission=world.mission, fmt="ucdp", path=path, now=NOW
        )
    assert Incident.objects.count() == 0
    assert not AuditEntry.objects.filter(action="import").exists()


def test_a_second_import_adds_nothing_and_a_longer_file_only_the_new_rows(world, tmp_path):
    first = write_ucdp(tmp_path / "first.csv", [ucdp_row(n) for n in range(40)])
    longer = write_ucdp(tmp_path / "longer.csv", [ucdp_row(n) for n in range(60)])
    twin = _twin(world)
    for mission, columnwise in ((world.mission, False), (twin, True)):
        reports = [
            jobs.incidents_import(
                actor=None,
                mission=mission,
                fmt="ucdp",
                path=path,
                now=NOW,
                columnwise=columnwise,
            )
            for path in (first, first, longer)
        ]
        assert [(r.rows, r.created, r.unchanged) for r in reports] == [
            (40, 40, 0),
            (40, 0, 40),
            (60, 20, 40),
        ]
    assert _values(twin) == _values(world.mission)
    assert _raw_rows(twin) == _raw_rows(world.mission)
    assert AuditEntry.objects.filter(action="import", mission_id=twin.pk).count() == 3


def test_outside_events_and_their_sample_are_the_same(world, tmp_path):
    world.mission.settings = {
        "boundary": {
            "type": "Polygon",
            "coordinates": [[[19.0, 4.0], [23.0, 4.0], [23.0, 7.0], [19.0, 7.0], [19.0, 4.0]]],
        }
    }
    world.mission.save()
    rows = [ucdp_row(n) for n in range(20)]
    rows[3].update(latitude="-1.95", longitude="30.06")
    rows[9].update(latitude="20.7", longitude=" 5.7")
    path = write_ucdp(tmp_path / "mixed.csv", rows)
    _twin_mission, plain, fast = _both(world, path)
    _same_report(plain, fast)
    assert fast.outside == 2 and Incident.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    [
        # A line of spaces is a row with a blank id (the csv module reads it so).
        "{header}\r\n{row}\r\n   \r\n",
        # An empty line is skipped, a row of empty cells is not: the row path decides.
        "{header}\r\n{row}\r\n\r\n{row2}\r\n",
        "{header}\r\n{row}\r\n,,,,,,,,,,,,,,,,,,,,\r\n",
        # A row longer than the header.
        "{header}\r\n{row},extra\r\n",
        # A repeated column name.
        "id,{header}\r\n1,{row}\r\n",
        # An HXL hashtag row before the data, and a byte-order mark.
        "\ufeff{header}\r\n#id,#x\r\n{row}\r\n",
        # Bytes that are not UTF-8.
        "{header}\r\n{row}\r\n{bad}\r\n",
    ],
)
def test_files_the_column_reader_cannot_promise_to_read_alike_get_the_same_outcome(
    world, tmp_path, text
):
    header = ",".join(UCDP_COLUMNS)
    row = ",".join(ucdp_row(1)[c] for c in UCDP_COLUMNS)
    row2 = ",".join(ucdp_row(2)[c] for c in UCDP_COLUMNS)
    path = tmp_path / "edge.csv"
    data = text.format(header=header, row=row, row2=row2, bad="\udcff").encode(
        "utf-8", "surrogateescape"
    )
    path.write_bytes(data)
    twin, plain, fast = _both(world, path, columnwise_only=False, accept_outside=True)
    _same_report(plain, fast)
    assert _values(twin) == _values(world.mission)


def test_acled_rows_give_the_same_rows_both_ways(world, tmp_path):
    rows = [
        acled_row(1),
        acled_row(2, sub_event_type="Sexual violence", fatalities="0"),
        acled_row(3, sub_event_type="Abduction/forced disappearance", event_date="3 May 2024"),
        acled_row(4, sub_event_type="Shelling/artillery/missile attack", inter1="1"),
        acled_row(5, notes='Said "no" \\ then\nleft'),
    ]
    path = _write(tmp_path / "acled.csv", ACLED_COLUMNS, rows)
    twin, plain, fast = _both(world, path, fmt="acled", accept_outside=True)
    _same_report(plain, fast)
    assert fast.created == 5
    assert _values(twin) == _values(world.mission)
    assert _raw_rows(twin) == _raw_rows(world.mission)


def test_prio_grid_cells_on_arrays_equal_the_scalar_function():
    rng = np.random.default_rng(3)
    latitude = np.concatenate([rng.uniform(-90, 90, 20000), [-90, 90, 0, -0.5, 89.75, 4.5]])
    longitude = np.concatenate([rng.uniform(-180, 180, 20000), [-180, 180, 0, 0.5, -0.25, 179.5]])
    expected = [priogrid_gid(a, b) for a, b in zip(latitude, longitude, strict=True)]
    assert bulk.priogrid_gids(latitude, longitude).tolist() == expected


def test_coordinates_read_column_wise_equal_python_floats():
    rng = random.Random(5)
    texts = [
        f"{rng.choice('-') if rng.random() < 0.5 else ''}{rng.randrange(0, 181)}."
        f"{rng.randrange(0, 10 ** rng.randrange(1, 16))}"
        for _ in range(20000)
    ] + ["0", "-0", "90", "180.000000000000001", "12.345678901234567"]
    plain, values = bulk._floats(pd.Series(texts, dtype=str))
    assert plain.all()
    assert values.tolist() == [float(t) for t in texts]
