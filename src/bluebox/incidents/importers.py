"""Reading UCDP GED and ACLED CSV files row by row into incident field values.

Parsing is separate from writing (:func:`bluebox.incidents.jobs.incidents_import`) so a bad
row is reported with its number, external id, field and reason, and nothing is written unless
every row is good. Files are streamed: memory does not grow with the file. The column mapping is
documented in docs/incidents.md.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from bluebox.incidents.models import (
    DatePrecision,
    IncidentType,
    LocationPrecision,
    PerpetratorCategory,
    ViolenceType,
)

csv.field_size_limit(10_000_000)


class RowProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int  # data row number, 1 = first row after the header
    external_id: str
    field: str
    message: str

    def as_text(self) -> str:
        return f"row {self.row} (id {self.external_id or '?'}): {self.field}: {self.message}"


@dataclass
class ImportReport:
    fmt: str
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.fmt,
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "errors": [e.__dict__ for e in self.errors],
            "sha256": self.sha256,
        }


MAX_REPORTED_ERRORS = 1000


@dataclass
class Context:
    host_country: str
    now: datetime


def _required(row: dict[str, str], name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise RowProblem(name, "missing")
    return value


def _int(row: dict[str, str], name: str, *, default: int | None = None) -> int:
    raw = (row.get(name) or "").strip()
    if not raw:
        if default is not None:
            return default
        raise RowProblem(name, "missing")
    try:
        value = int(float(raw))
    except ValueError as exc:
        raise RowProblem(name, f"not a number: {raw[:20]!r}") from exc
    if value < 0:
        raise RowProblem(name, "negative")
    return value


def _coordinates(row: dict[str, str]) -> tuple[float, float]:
    values = []
    for name, limit in (("latitude", 90), ("longitude", 180)):
        raw = (row.get(name) or "").strip()
        if not raw:
            raise RowProblem(name, "missing coordinates")
        try:
            value = float(raw)
        except ValueError as exc:
            raise RowProblem(name, f"not a coordinate: {raw[:20]!r}") from exc
        if not -limit <= value <= limit:
            raise RowProblem(name, f"out of range: {value}")
        values.append(value)
    return values[0], values[1]


def _date(raw: str, name: str, ctx: Context) -> datetime:
    text = raw.strip()
    parsed: datetime | None = None
    for candidate in (text.replace(" ", "T", 1), text):
        try:
            parsed = datetime.fromisoformat(candidate)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = datetime.strptime(text, "%d %B %Y")  # ACLED's long form
        except ValueError as exc:
            raise RowProblem(name, f"impossible date: {text[:30]!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year < 1900:
        raise RowProblem(name, f"impossible date: {text[:30]!r}")
    if parsed > ctx.now:
        raise RowProblem(name, f"in the future: {text[:30]!r}")
    return parsed


def _fatalities(best: int, low: int, high: int) -> dict[str, int]:
    # A few GED rows have best outside [low, high] (19 of 1,576 in the CAR extract, off by one
    # or two). The best estimate is the figure everyone uses, so the bounds widen to hold it.
    return {
        "fatalities_best": best,
        "fatalities_low": min(low, best),
        "fatalities_high": max(high, best),
    }


# --- UCDP GED ---------------------------------------------------------------------------------

UCDP_DATE_PRECISION = {
    1: DatePrecision.DAY,
    2: DatePrecision.WEEK,  # 2-6 days
    3: DatePrecision.WEEK,
    4: DatePrecision.MONTH,
    5: DatePrecision.YEAR,
}
UCDP_INCIDENT_TYPE = {
    1: IncidentType.ARMED_CLASH,
    2: IncidentType.ARMED_CLASH,
    3: IncidentType.KILLING,
}
MILITIA_WORDS = ("militia", "anti-balaka", "self-defence", "self-defense", "vigilante")


def _ucdp_category(side_a: str, violence: int, host_country: str) -> str:
    name = side_a.lower()
    if name.startswith("government of"):
        if host_country and host_country.lower() in name:
            return PerpetratorCategory.HOST_STATE_FORCES
        return PerpetratorCategory.ARMED_GROUP
    if any(word in name for word in MILITIA_WORDS):
        return PerpetratorCategory.MILITIA
    return PerpetratorCategory.ARMED_GROUP if side_a else PerpetratorCategory.UNKNOWN


def parse_ucdp(row: dict[str, str], ctx: Context) -> dict[str, Any]:
    external_id = _required(row, "id")
    violence = _int(row, "type_of_violence")
    if violence not in (1, 2, 3):
        raise RowProblem("type_of_violence", f"unknown code {violence}")
    where_prec = _int(row, "where_prec")
    if where_prec not in range(1, 8):
        raise RowProblem("where_prec", f"unknown code {where_prec}")
    date_prec = _int(row, "date_prec")
    if date_prec not in UCDP_DATE_PRECISION:
        raise RowProblem("date_prec", f"unknown code {date_prec}")
    latitude, longitude = _coordinates(row)
    start = _date(_required(row, "date_start"), "date_start", ctx)
    end_raw = (row.get("date_end") or "").strip()
    end = _date(end_raw, "date_end", ctx) if end_raw else None
    if end is not None and end < start:
        raise RowProblem("date_end", "ends before it starts")
    side_a = (row.get("side_a") or "").strip()
    side_b = (row.get("side_b") or "").strip()
    where = (row.get("where_description") or "").strip()
    dyad = (row.get("dyad_name") or "").strip()
    headline = (row.get("source_headline") or "").strip()
    return {
        "external_id": external_id,
        "title": (f"{dyad} — {where}" if where else dyad or f"UCDP event {external_id}")[:200],
        "description": headline[:2000],
        "incident_type": UCDP_INCIDENT_TYPE[violence],
        "violence_type": violence,
        "occurred_at": start,
        "occurred_until": end,
        "date_precision": UCDP_DATE_PRECISION[date_prec],
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": LocationPrecision(where_prec),
        "location_name": where[:200],
        "admin1": (row.get("adm_1") or "").strip()[:120],
        "admin2": (row.get("adm_2") or "").strip()[:120],
        "perpetrator_category": _ucdp_category(side_a, violence, ctx.host_country),
        "perpetrator_actor": side_a[:200],
        "actors": [name for name in (side_a, side_b) if name],
        "civilian_targeting": violence == ViolenceType.ONE_SIDED,
        **_fatalities(_int(row, "best"), _int(row, "low"), _int(row, "high")),
        "source_reliability": "B",
        "information_credibility": 2,
    }


# --- ACLED ------------------------------------------------------------------------------------

ACLED_SUB_EVENT_TYPE = {
    "sexual violence": IncidentType.SGBV,
    "abduction/forced disappearance": IncidentType.ABDUCTION,
    "looting/property destruction": IncidentType.LOOTING,
    "mob violence": IncidentType.INTERCOMMUNAL_CLASH,
    "armed clash": IncidentType.ARMED_CLASH,
    "government regains territory": IncidentType.ARMED_CLASH,
    "non-state actor overtakes territory": IncidentType.ARMED_CLASH,
    "shelling/artillery/missile attack": IncidentType.ARMED_CLASH,
    "air/drone strike": IncidentType.ARMED_CLASH,
    "remote explosive/landmine/ied": IncidentType.ARMED_CLASH,
    "suicide bomb": IncidentType.ARMED_CLASH,
    "grenade": IncidentType.ARMED_CLASH,
    "violent demonstration": IncidentType.INTERCOMMUNAL_CLASH,
    "arrests": IncidentType.THREAT,
    "disrupted weapons use": IncidentType.THREAT,
    "other": IncidentType.THREAT,
    "excessive force against protesters": IncidentType.KILLING,
    "attack": IncidentType.KILLING,  # becomes a threat when nobody died, see below
}
ACLED_WEAPONS = {
    "shelling/artillery/missile attack": ["artillery"],
    "air/drone strike": ["aircraft"],
    "remote explosive/landmine/ied": ["ied"],
    "suicide bomb": ["explosive"],
    "grenade": ["explosive"],
}
ACLED_INTER = {
    "1": PerpetratorCategory.HOST_STATE_FORCES,
    "state forces": PerpetratorCategory.HOST_STATE_FORCES,
    "2": PerpetratorCategory.ARMED_GROUP,
    "rebel group": PerpetratorCategory.ARMED_GROUP,
    "3": PerpetratorCategory.MILITIA,
    "political militia": PerpetratorCategory.MILITIA,
    "4": PerpetratorCategory.MILITIA,
    "identity militia": PerpetratorCategory.MILITIA,
    "5": PerpetratorCategory.UNKNOWN,
    "rioters": PerpetratorCategory.UNKNOWN,
    "6": PerpetratorCategory.UNKNOWN,
    "protesters": PerpetratorCategory.UNKNOWN,
    "7": PerpetratorCategory.UNKNOWN,
    "civilians": PerpetratorCategory.UNKNOWN,
    "8": PerpetratorCategory.ARMED_GROUP,
    "external/other forces": PerpetratorCategory.ARMED_GROUP,
    "0": PerpetratorCategory.UNKNOWN,
    "": PerpetratorCategory.UNKNOWN,
}
ACLED_TIME_PRECISION = {1: DatePrecision.DAY, 2: DatePrecision.WEEK, 3: DatePrecision.MONTH}
ACLED_GEO_PRECISION = {
    1: LocationPrecision.EXACT,
    2: LocationPrecision.NEAR,
    3: LocationPrecision.ADMIN2,
}


def parse_acled(row: dict[str, str], ctx: Context) -> dict[str, Any]:
    external_id = _required(row, "event_id_cnty")
    sub = _required(row, "sub_event_type").lower()
    if sub not in ACLED_SUB_EVENT_TYPE:
        raise RowProblem("sub_event_type", f"unknown code {sub[:40]!r}")
    inter = (row.get("inter1") or "").strip().lower()
    if inter not in ACLED_INTER:
        raise RowProblem("inter1", f"unknown code {inter[:40]!r}")
    time_prec = _int(row, "time_precision", default=1)
    if time_prec not in ACLED_TIME_PRECISION:
        raise RowProblem("time_precision", f"unknown code {time_prec}")
    geo_prec = _int(row, "geo_precision", default=1)
    if geo_prec not in ACLED_GEO_PRECISION:
        raise RowProblem("geo_precision", f"unknown code {geo_prec}")
    latitude, longitude = _coordinates(row)
    occurred = _date(_required(row, "event_date"), "event_date", ctx)
    fatalities = _int(row, "fatalities", default=0)
    incident_type = ACLED_SUB_EVENT_TYPE[sub]
    if sub == "attack" and fatalities == 0:
        incident_type = IncidentType.THREAT
    actor1 = (row.get("actor1") or "").strip()
    others = [
        (row.get(name) or "").strip() for name in ("assoc_actor_1", "actor2", "assoc_actor_2")
    ]
    location = (row.get("location") or "").strip()
    targeting = (row.get("civilian_targeting") or "").strip().lower()
    return {
        "external_id": external_id[:64],
        "title": f"{row.get('sub_event_type', '').strip()} — {location}"[:200],
        "description": (row.get("notes") or "").strip()[:5000],
        "incident_type": incident_type,
        "occurred_at": occurred,
        "date_precision": ACLED_TIME_PRECISION[time_prec],
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": ACLED_GEO_PRECISION[geo_prec],
        "location_name": location[:200],
        "admin1": (row.get("admin1") or "").strip()[:120],
        "admin2": (row.get("admin2") or "").strip()[:120],
        "perpetrator_category": ACLED_INTER[inter],
        "perpetrator_actor": actor1[:200],
        "actors": [a for a in [actor1, *others] if a],
        "civilian_targeting": targeting.startswith("civilian"),
        "weapons": list(ACLED_WEAPONS.get(sub, [])),
        "fatalities_best": fatalities,
        "fatalities_low": fatalities,
        "fatalities_high": fatalities,
        "source_reliability": "B",
        "information_credibility": 2,
    }


Parser = Callable[[dict[str, str], Context], dict[str, Any]]
PARSERS: dict[str, Parser] = {"ucdp": parse_ucdp, "acled": parse_acled}
ID_COLUMN = {"ucdp": "id", "acled": "event_id_cnty"}
REQUIRED_COLUMNS = {
    "ucdp": {
        "id",
        "type_of_violence",
        "date_start",
        "latitude",
        "longitude",
        "best",
        "low",
        "high",
    },
    "acled": {"event_id_cnty", "event_date", "sub_event_type", "latitude", "longitude"},
}


class FileProblem(ValueError):
    """The file as a whole cannot be read (wrong format, missing columns)."""


def header_problem(header: bytes, fmt: str) -> str | None:
    """Why a file's first line is not the header of a ``fmt`` file, or None when it is.

    Lets an upload be refused at once, before it waits for the background import.
    """
    if fmt not in PARSERS:
        return f"unknown format {fmt!r} (ucdp or acled)"
    try:
        text = header.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "not a UTF-8 CSV file"
    columns = set(next(csv.reader([text.strip("\r\n")]), []))
    missing = REQUIRED_COLUMNS[fmt] - columns
    if missing:
        return f"not a {fmt.upper()} file: missing columns {', '.join(sorted(missing))}"
    return None


@dataclass
class ParsedRow:
    number: int
    external_id: str
    values: dict[str, Any] | None
    problem: RowProblem | None


class _CountingLines:
    """Iterates a binary file as text lines, hashing bytes and counting progress."""

    def __init__(self, handle: IO[bytes], digest: Any) -> None:
        self.handle = handle
        self.sha = digest if digest is not None else hashlib.sha256()
        self.bytes_read = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.handle:
            self.sha.update(line)
            self.bytes_read += len(line)
            yield line.decode("utf-8-sig" if self.bytes_read == len(line) else "utf-8")


def read_rows(
    path: str | os.PathLike[str],
    fmt: str,
    ctx: Context,
    progress: Callable[[int, int], None] | None = None,
    digest: Any = None,
) -> Iterator[ParsedRow]:
    """Yield every data row parsed (or with its problem), streaming the file.

    ``progress(bytes_read, total_bytes)`` is called every 2,000 rows; ``digest`` (a hashlib
    object) is fed the file's bytes, so callers get the file's hash without a second read.
    """
    if fmt not in PARSERS:
        raise FileProblem(f"unknown format {fmt!r} (ucdp or acled)")
    parser = PARSERS[fmt]
    total = os.path.getsize(path)
    with open(path, "rb") as handle:
        lines = _CountingLines(handle, digest)
        reader = csv.DictReader(lines)
        columns = set(reader.fieldnames or [])
        missing = REQUIRED_COLUMNS[fmt] - columns
        if missing:
            raise FileProblem(
                f"not a {fmt.upper()} file: missing columns {', '.join(sorted(missing))}"
            )
        for number, row in enumerate(reader, start=1):
            external_id = (row.get(ID_COLUMN[fmt]) or "").strip()
            try:
                yield ParsedRow(number, external_id, parser(row, ctx), None)
            except RowProblem as problem:
                yield ParsedRow(number, external_id, None, problem)
            if progress is not None and number % 2000 == 0:
                progress(lines.bytes_read, total)
        if progress is not None:
            progress(total, total)
