"""Fixtures for the incidents app: the real UCDP extract, and small crafted files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

# From the project root, as CI runs it; the data set lives beside the project, never inside.
UCDP_CAF = Path("../shared/data/ucdp/ged231_CAF_1991-2020.csv")


@pytest.fixture
def ucdp_caf() -> Path:
    if not UCDP_CAF.exists():
        pytest.skip(
            f"real UCDP GED extract not found at {UCDP_CAF} (run from the project root; "
            "CI always has it)"
        )
    return UCDP_CAF


UCDP_COLUMNS = [
    "id", "year", "type_of_violence", "dyad_name", "side_a", "side_b", "source_headline",
    "where_prec", "where_description", "adm_1", "adm_2", "priogrid_gid", "date_prec",
    "date_start", "date_end", "deaths_civilians", "best", "high", "low", "latitude", "longitude",
]  # fmt: skip


def ucdp_row(n: int, **overrides: str) -> dict[str, str]:
    row = {
        "id": str(900000 + n),
        "year": "2020",
        "type_of_violence": "3",
        "dyad_name": "UPC - civilians",
        "side_a": "UPC",
        "side_b": "Civilians",
        "source_headline": "Attack on village",
        "where_prec": "1",
        "where_description": f"Village {n}",
        "adm_1": "Ouaka prefecture",
        "adm_2": "Bambari",
        "priogrid_gid": "",
        "date_prec": "1",
        "date_start": f"2020-03-0{1 + n % 9} 00:00:00.000",
        "date_end": f"2020-03-0{1 + n % 9} 00:00:00.000",
        "deaths_civilians": "2",
        "best": "2",
        "high": "3",
        "low": "1",
        "latitude": "5.75",
        "longitude": "20.67",
    }
    row.update(overrides)
    return row


def write_ucdp(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=UCDP_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
