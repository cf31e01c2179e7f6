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
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from bluebox.core.bounds import earliest_date
from bluebox.core.rows import RowError
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


@dataclass
class ImportReport:
    fmt: str
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    sha256: str = ""
    # Events outside the mission's boundary: counted (and a sample kept for a map) so an import
    # of the wrong country's file is refused unless the operator accepts them explicitly.
    outside: int = 0
    outside_sample: list[tuple[float, float]] = field(default_factory=list)

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
            "outside": self.outside,
            "outside_sample": [list(p) for p in self.outside_sample],
        }


MAX_REPORTED_ERRORS = 1000
MAX_OUTSIDE_SAMPLE = 500


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
    if parsed.date() < earliest_date():
        raise RowProblem(name, f"before {earliest_date().isoformat()}: {text[:30]!r}")
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


_OF_COUNTRY = re.compile(r"\bof (?:the )?([^()]+)", re.IGNORECASE)


def _state_category(name: str, host_country: str) -> str:
    """A state's forces: a foreign state's when the name says whose ("Government of Chad",
    "Military Forces of Rwanda (1994-)") and it is not the host country; else the host's."""
    named = _OF_COUNTRY.search(name)
    if named and host_country and host_country.lower() not in named.group(1).lower():
        return PerpetratorCategory.FOREIGN_STATE_FORCES
    return PerpetratorCategory.HOST_STATE_FORCES


def _ucdp_category(side_a: str, violence: int, host_country: str) -> str:
    name = side_a.lower()
    if name.startswith("government of"):
        return _state_category(side_a, host_country)
    if any(word in name for word in MILITIA_WORDS):
        return PerpetratorCategory.MILITIA
    return PerpetratorCategory.ARMED_GROUP if side_a else PerpetratorCategory.UNKNOWN


def _record(row: Mapping[Any, Any]) -> dict[str, str]:
    """The row's columns as received (unnamed overflow cells dropped)."""
    return {name: (value or "") for name, value in row.items() if isinstance(name, str)}


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
    fatalities = _fatalities(_int(row, "best"), _int(row, "low"), _int(row, "high"))
    civilians = None
    if (row.get("deaths_civilians") or "").strip():
        civilians = _int(row, "deaths_civilians")
        if civilians > fatalities["fatalities_high"]:
            raise RowProblem("deaths_civilians", "more civilian deaths than deaths")
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
        # One-sided violence targets civilians by definition; civilians killed in fighting
        # (deaths_civilians of a battle) were harmed but not the target: kept as a count.
        "civilian_targeting": violence == ViolenceType.ONE_SIDED,
        **fatalities,
        "fatalities_civilians": civilians,
        "source_reliability": "B",
        "information_credibility": 2,
        "source_record": _record(row),
    }


# --- ACLED ------------------------------------------------------------------------------------
# ACLED's current vocabulary (codebook 2024-): every sub-event type under its event type, the
# disorder types, and the actor types as text (older files use the numeric codes 1-8).

ACLED_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
ACLED_SUB_EVENT_TYPES = {
    sub.lower(): (event, sub) for event, subs in ACLED_EVENT_TYPES.items() for sub in subs
}
ACLED_EVENT_TYPE_NAMES = {name.lower() for name in ACLED_EVENT_TYPES}
ACLED_DISORDER_TYPES = {
    "political violence": "Political violence",
    "demonstrations": "Demonstrations",
    "strategic developments": "Strategic developments",
    "political violence; demonstrations": "Political violence; Demonstrations",
}
# Actor types: text (current) and the numeric codes of older files, both to the same text.
ACLED_ACTOR_TYPES = {
    "1": "State forces",
    "2": "Rebel group",
    "3": "Political militia",
    "4": "Identity militia",
    "5": "Rioters",
    "6": "Protesters",
    "7": "Civilians",
    "8": "External/Other forces",
}
ACLED_ACTOR_TYPE_BY_NAME = {name.lower(): name for name in ACLED_ACTOR_TYPES.values()}
ACLED_EXPLOSIONS = "Explosions/Remote violence"
ACLED_WEAPONS = {
    "chemical weapon": ["chemical"],
    "shelling/artillery/missile attack": ["artillery"],
    "air/drone strike": ["aircraft"],
    "remote explosive/landmine/ied": ["ied"],
    "suicide bomb": ["explosive"],
    "grenade": ["explosive"],
}
# Sub-event type -> incident type where the sub-event alone says it (see _acled_type).
ACLED_TYPE = {
    "armed clash": IncidentType.ARMED_CLASH,
    "government regains territory": IncidentType.ARMED_CLASH,
    "non-state actor overtakes territory": IncidentType.ARMED_CLASH,
    "sexual violence": IncidentType.SGBV,
    "abduction/forced disappearance": IncidentType.ABDUCTION,
    "peaceful protest": IncidentType.PROTEST,
    "protest with intervention": IncidentType.PROTEST,
    "violent demonstration": IncidentType.PROTEST,
    "mob violence": IncidentType.INTERCOMMUNAL_CLASH,
    "arrests": IncidentType.ARREST,
    "looting/property destruction": IncidentType.LOOTING,
    "disrupted weapons use": IncidentType.THREAT,  # a weapon found or defused: harm averted
    "agreement": IncidentType.STRATEGIC_DEVELOPMENT,
    "change to group/activity": IncidentType.STRATEGIC_DEVELOPMENT,
    "headquarters or base established": IncidentType.STRATEGIC_DEVELOPMENT,
    "non-violent transfer of territory": IncidentType.STRATEGIC_DEVELOPMENT,
    "other": IncidentType.STRATEGIC_DEVELOPMENT,
}
ACLED_TIME_PRECISION = {1: DatePrecision.DAY, 2: DatePrecision.WEEK, 3: DatePrecision.MONTH}
ACLED_GEO_PRECISION = {
    1: LocationPrecision.EXACT,
    2: LocationPrecision.NEAR,
    3: LocationPrecision.ADMIN2,
}


def acled_actor_type(raw: str, name: str) -> str:
    """ACLED's actor type as text, from text or an old numeric code ("" when blank)."""
    value = raw.strip()
    if not value or value == "0":
        return ""
    text = ACLED_ACTOR_TYPES.get(value) or ACLED_ACTOR_TYPE_BY_NAME.get(value.lower())
    if text is None:
        raise RowProblem(name, f"unknown actor type {value[:40]!r}")
    return text


def _acled_category(actor_type: str, actor: str, host_country: str) -> str:
    if actor_type == "State forces":
        return _state_category(actor, host_country)
    return {
        "Rebel group": PerpetratorCategory.ARMED_GROUP,
        "Political militia": PerpetratorCategory.MILITIA,
        "Identity militia": PerpetratorCategory.MILITIA,
        "External/Other forces": PerpetratorCategory.FOREIGN_STATE_FORCES,
    }.get(actor_type, PerpetratorCategory.UNKNOWN)


def _acled_type(sub: str, event_type: str, fatalities: int, targeting: bool) -> str:
    """Bluebox's type for an ACLED event, keeping what the event was.

    Violence against civilians (an attack, excessive force against protesters, or an explosion
    that targeted civilians) is a killing when someone died and an assault when no one did; an
    explosion that did not target civilians stays an explosion (never an armed clash).
    """
    if sub in ("attack", "excessive force against protesters"):
        return IncidentType.KILLING if fatalities else IncidentType.ASSAULT
    if event_type == ACLED_EXPLOSIONS:
        return IncidentType.KILLING if targeting and fatalities else IncidentType.EXPLOSION
    return ACLED_TYPE[sub]


def parse_acled(row: dict[str, str], ctx: Context) -> dict[str, Any]:
    external_id = _required(row, "event_id_cnty")
    raw_sub = _required(row, "sub_event_type")
    sub = raw_sub.lower()
    if sub not in ACLED_SUB_EVENT_TYPES:
        raise RowProblem("sub_event_type", f"unknown sub-event type {raw_sub[:40]!r}")
    event_type, _canonical = ACLED_SUB_EVENT_TYPES[sub]
    # The sub-event type decides (it names one event type); the event type must be ACLED's.
    given_event = (row.get("event_type") or "").strip()
    if given_event and given_event.lower() not in ACLED_EVENT_TYPE_NAMES:
        raise RowProblem("event_type", f"unknown event type {given_event[:40]!r}")
    disorder = (row.get("disorder_type") or "").strip()
    if disorder and disorder.lower() not in ACLED_DISORDER_TYPES:
        raise RowProblem("disorder_type", f"unknown disorder type {disorder[:40]!r}")
    actor1 = (row.get("actor1") or "").strip()
    inter1 = acled_actor_type(row.get("inter1") or "", "inter1")
    acled_actor_type(row.get("inter2") or "", "inter2")
    time_prec = _int(row, "time_precision", default=1)
    if time_prec not in ACLED_TIME_PRECISION:
        raise RowProblem("time_precision", f"unknown code {time_prec}")
    geo_prec = _int(row, "geo_precision", default=1)
    if geo_prec not in ACLED_GEO_PRECISION:
        raise RowProblem("geo_precision", f"unknown code {geo_prec}")
    latitude, longitude = _coordinates(row)
    occurred = _date(_required(row, "event_date"), "event_date", ctx)
    fatalities = _int(row, "fatalities", default=0)
    targeting = (row.get("civilian_targeting") or "").strip().lower().startswith("civilian")
    incident_type = _acled_type(sub, event_type, fatalities, targeting)
    category = _acled_category(inter1, actor1, ctx.host_country)
    # A file bluebox exported carries its own type and category for events it originated.
    own_type = (row.get("bluebox_incident_type") or "").strip()
    if own_type:
        if own_type not in IncidentType.values:
            raise RowProblem("bluebox_incident_type", f"unknown type {own_type[:40]!r}")
        incident_type = own_type
    own_category = (row.get("bluebox_perpetrator_category") or "").strip()
    if own_category:
        if own_category not in PerpetratorCategory.values:
            raise RowProblem(
                "bluebox_perpetrator_category", f"unknown category {own_category[:40]!r}"
            )
        category = own_category
    others = [
        (row.get(name) or "").strip() for name in ("assoc_actor_1", "actor2", "assoc_actor_2")
    ]
    location = (row.get("location") or "").strip()
    return {
        "external_id": external_id[:64],
        "title": f"{raw_sub} — {location}"[:200],
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
        "perpetrator_category": category,
        "perpetrator_actor": actor1[:200],
        "actors": [a for a in [actor1, *others] if a],
        "civilian_targeting": targeting,
        "weapons": list(ACLED_WEAPONS.get(sub, [])),
        "fatalities_best": fatalities,
        "fatalities_low": fatalities,
        "fatalities_high": fatalities,
        "source_reliability": "B",
        "information_credibility": 2,
        "source_record": _record(row),
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


def _is_hashtag_row(row: Mapping[Any, Any]) -> bool:
    cells = [(v or "").strip() for k, v in row.items() if isinstance(k, str)]
    filled = [c for c in cells if c]
    return bool(filled) and all(c.startswith("#") for c in filled)


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
        number = 0
        for row in reader:
            if number == 0 and _is_hashtag_row(row):
                continue  # the HXL row of a file served with one (ours, HDX's): not data
            number += 1
            external_id = (row.get(ID_COLUMN[fmt]) or "").strip()
            try:
                yield ParsedRow(number, external_id, parser(row, ctx), None)
            except RowProblem as problem:
                yield ParsedRow(number, external_id, None, problem)
            if progress is not None and number % 2000 == 0:
                progress(lines.bytes_read, total)
        if progress is not None:
            progress(total, total)
