"""The column-wise import path: a file read in chunks with pandas, checked column by column,
and loaded in bulk (``COPY`` on PostgreSQL, one prepared ``INSERT`` on SQLite).

It gives exactly what the row-by-row path (:func:`bluebox.incidents.importers.read_rows` and
:func:`bluebox.incidents.jobs._imported`) gives, because it decides nothing on its own:

* a row whose every cell has the plain shape (digits for a count, ``-12.5`` for a coordinate,
  no stray spaces...) and passes every check is turned into its record column-wise; what the
  row path computes per row is computed here once per distinct value with the row path's own
  functions (dates, perpetrator categories, threat nature, H3 cells) or with the same
  arithmetic on arrays (PRIO-GRID cells, fatality bounds);
* every other row — a bad one, or one in an unusual shape — goes through the row path's parser,
  so its error (field, message) or its record is the row path's by construction; ACLED rows all
  take this way for now (their mapping has many branches), and still get the bulk load;
* a file the pandas reader might read differently from the ``csv`` module (a header that is not
  one line of distinct names, rows longer than the header, lines of blanks, bytes that are not
  UTF-8, a missing column) raises :class:`NotVectorisable` before anything is written, and the
  row-by-row path reads it instead.

Records are spilled per chunk as database values (SQLite) or ``COPY`` text lines (PostgreSQL),
so the write phase does nothing but load them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pickle
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from django.db import connection
from django.db.models import BooleanField, DateTimeField, Field, FloatField, JSONField

from bluebox.engines.spatial import h3_cell
from bluebox.incidents import importers, primacy
from bluebox.incidents.models import Incident, ViolenceType

CHUNK_ROWS = 25_000

# Fields a parser or the derived cells and threat nature may set; every other field takes the
# same value on every imported row (the template's).
VARYING = (
    "title",
    "description",
    "incident_type",
    "occurred_at",
    "date_precision",
    "latitude",
    "longitude",
    "location_precision",
    "location_name",
    "admin1",
    "admin2",
    "h3_cell",
    "priogrid_gid",
    "perpetrator_category",
    "perpetrator_actor",
    "civilian_targeting",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "fatalities_civilians",
    "weapons",
    "source_reliability",
    "information_credibility",
    "external_id",
    "source_record",
    "actors",
    "violence_type",
    "occurred_until",
    "threat_nature",
    "threat_nature_reason",
    "primacy",
)

_INT = r"[0-9]{1,9}"
_COORDINATE = r"-?[0-9]{1,3}(?:\.[0-9]{1,15})?"
# Cells JSON writes as they are between quotes (printable ASCII but the quote and backslash).
_JSON_PLAIN = r"^[ !#-\[\]-~]*$"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class NotVectorisable(Exception):
    """The column-wise reader cannot promise to read this file as the csv module does."""


@dataclass
class Chunk:
    """The records of one chunk to insert, as the database takes them."""

    external_ids: list[str]
    rows: list[Any]  # SQLite: tuples of values; PostgreSQL: COPY text lines


class _Hashing(io.RawIOBase):
    """A binary file that hashes and counts what is read."""

    def __init__(self, handle: Any, digest: Any) -> None:
        self.handle = handle
        self.digest = digest
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.digest.update(data)
        self.bytes_read += n
        return n


def _header(path: Any) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except UnicodeDecodeError as exc:
        raise NotVectorisable("not UTF-8") from exc


def read_chunks(path: Any, fmt: str, digest: Any) -> Iterator[tuple[pd.DataFrame, int]]:
    """The file's data rows as frames of strings ("" for a missing cell), with bytes read."""
    header = _header(path)
    if len(set(header)) != len(header) or importers.REQUIRED_COLUMNS[fmt] - set(header):
        raise NotVectorisable("header")
    with open(path, "rb") as raw:
        hashing = _Hashing(raw, digest)
        buffered = io.BufferedReader(hashing, buffer_size=1 << 20)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                reader = pd.read_csv(
                    buffered,
                    dtype=str,
                    na_filter=False,
                    keep_default_na=False,
                    index_col=False,
                    # Kept, so a line of spaces is a row as the csv module reads it; an empty
                    # line (which the csv module skips) then reads as a row of empty cells.
                    skip_blank_lines=False,
                    encoding="utf-8-sig",
                    chunksize=CHUNK_ROWS,
                    engine="c",
                )
                with reader:
                    for frame in reader:
                        if list(frame.columns) != header:
                            raise NotVectorisable("header")
                        if len(frame) and (frame == "").all(axis=1).any():
                            raise NotVectorisable("an empty line, or a row of empty cells")
                        yield frame.fillna(""), hashing.bytes_read
        except NotVectorisable:
            raise
        except (ValueError, UnicodeDecodeError, pd.errors.ParserWarning) as exc:
            raise NotVectorisable(type(exc).__name__) from exc
        rest = raw.read()
        digest.update(rest)
        if rest:
            raise NotVectorisable("unread bytes")


def is_hashtag_row(frame: pd.DataFrame) -> bool:
    return importers._is_hashtag_row(dict(frame.iloc[0]))


# --- the UCDP mapping, column-wise ----------------------------------------------------------


class Caches:
    """Values computed once per distinct input, for the whole file."""

    def __init__(self, ctx: importers.Context, rules: primacy.PrimacyRules) -> None:
        self.ctx = ctx
        self.rules = rules
        self.dates: dict[str, datetime | None] = {}
        self.categories: dict[str, str] = {}
        self.threats: dict[tuple[int, str, int], tuple[str, str]] = {}
        self.cells: dict[tuple[float, float], str] = {}
        self.actors: dict[tuple[str, str], list[str]] = {}

    def date(self, raw: str) -> datetime | None:
        try:
            return self.dates[raw]
        except KeyError:
            pass
        value: datetime | None = None
        if raw.strip():
            try:
                value = importers._date(raw.strip(), "", self.ctx)
            except importers.RowProblem:
                value = None
        self.dates[raw] = value
        return value

    def category(self, side_a: str) -> str:
        if side_a not in self.categories:
            self.categories[side_a] = importers._ucdp_category(side_a, 0, self.ctx.host_country)
        return self.categories[side_a]

    def threat(self, best: int, category: str, violence: int) -> tuple[str, str]:
        key = (best, category, violence)
        if key not in self.threats:
            found = primacy.classify(
                weapons=[],
                fatalities_best=best,
                perpetrator_category=category,
                violence_type=violence,
                rules=self.rules,
            )
            self.threats[key] = (found.nature, found.reason_text)
        return self.threats[key]

    def cell(self, latitude: float, longitude: float) -> str:
        key = (latitude, longitude)
        if key not in self.cells:
            self.cells[key] = h3_cell(latitude, longitude)
        return self.cells[key]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([""] * len(frame), index=frame.index, dtype=str)


def _ints(series: pd.Series, *, blank: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(plain, values): a count written as plain digits, and its value (0 elsewhere)."""
    plain = series.str.fullmatch(_INT).to_numpy(dtype=bool)
    values = np.zeros(len(series), dtype=np.int64)
    if plain.any():
        values[plain] = series[plain].astype(np.int64).to_numpy()
    if blank:
        plain = plain | (series == "").to_numpy(dtype=bool)
    return plain, values


def _floats(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    plain = series.str.fullmatch(_COORDINATE).to_numpy(dtype=bool)
    values = np.zeros(len(series), dtype=np.float64)
    if plain.any():
        values[plain] = series[plain].astype(np.float64).to_numpy()
    return plain, values


def _stripped(series: pd.Series) -> list[str]:
    return [value.strip() for value in series.tolist()]


def priogrid_gids(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """:func:`bluebox.engines.spatial.priogrid_gid` on arrays (the same float operations)."""
    row = np.minimum(np.floor((latitude + 90) / 0.5), 359).astype(np.int64)
    col = np.minimum(np.floor((longitude + 180) / 0.5), 719).astype(np.int64)
    return row * 720 + col + 1


def ucdp_columns(frame: pd.DataFrame, caches: Caches) -> tuple[np.ndarray, dict[str, list[Any]]]:
    """Which rows are plain and good, and their field values (model values; JSON as text).

    Values at rows that are not plain are placeholders; those rows take the row path.
    """
    n = len(frame)
    ids = _stripped(_column(frame, "id"))
    ok = np.fromiter((bool(v) for v in ids), dtype=bool, count=n)
    ok_v, violence = _ints(_column(frame, "type_of_violence"))
    ok &= ok_v & (violence >= 1) & (violence <= 3)
    ok_w, where_prec = _ints(_column(frame, "where_prec"))
    ok &= ok_w & (where_prec >= 1) & (where_prec <= 7)
    ok_d, date_prec = _ints(_column(frame, "date_prec"))
    ok &= ok_d & np.isin(date_prec, list(importers.UCDP_DATE_PRECISION))
    ok_lat, latitude = _floats(_column(frame, "latitude"))
    ok_lon, longitude = _floats(_column(frame, "longitude"))
    ok &= ok_lat & ok_lon & (np.abs(latitude) <= 90) & (np.abs(longitude) <= 180)
    starts = [caches.date(v) for v in _column(frame, "date_start").tolist()]
    ends_raw = _column(frame, "date_end").tolist()
    ends = [caches.date(v) if v.strip() else None for v in ends_raw]
    for i in range(n):
        start, end = starts[i], ends[i]
        if (
            start is None
            or (end is None and ends_raw[i].strip())
            or (end is not None and end < start)
        ):
            ok[i] = False
    ok_b, best = _ints(_column(frame, "best"))
    ok_l, low = _ints(_column(frame, "low"))
    ok_h, high = _ints(_column(frame, "high"))
    civilians_raw = _column(frame, "deaths_civilians")
    ok_c, civilians = _ints(civilians_raw, blank=True)
    low = np.minimum(low, best)
    high = np.maximum(high, best)
    no_civilians = (civilians_raw == "").to_numpy(dtype=bool)
    ok &= ok_b & ok_l & ok_h & ok_c & (no_civilians | (civilians <= high))

    side_a = _stripped(_column(frame, "side_a"))
    side_b = _stripped(_column(frame, "side_b"))
    where = _stripped(_column(frame, "where_description"))
    dyad = _stripped(_column(frame, "dyad_name"))
    headline = _stripped(_column(frame, "source_headline"))
    violence_l = violence.tolist()
    best_l = best.tolist()
    latitude_l = latitude.tolist()
    longitude_l = longitude.tolist()
    category = [caches.category(a) for a in side_a]
    threat = [
        caches.threat(b, c, v) if good else ("", "")
        for b, c, v, good in zip(best_l, category, violence_l, ok.tolist(), strict=True)
    ]
    actors_json: dict[tuple[str, str], str] = {}
    actors = []
    for a, b in zip(side_a, side_b, strict=True):
        key = (a, b)
        if key not in actors_json:
            actors_json[key] = json.dumps([name for name in key if name])
        actors.append(actors_json[key])
    columns: dict[str, list[Any]] = {
        "title": [
            (f"{d} — {w}" if w else d or f"UCDP event {e}")[:200]
            for d, w, e in zip(dyad, where, ids, strict=True)
        ],
        "description": [h[:2000] for h in headline],
        "incident_type": [importers.UCDP_INCIDENT_TYPE.get(v, "") for v in violence_l],
        "occurred_at": starts,
        "date_precision": [importers.UCDP_DATE_PRECISION.get(p, "") for p in date_prec.tolist()],
        "latitude": latitude_l,
        "longitude": longitude_l,
        "location_precision": where_prec.tolist(),
        "location_name": [w[:200] for w in where],
        "admin1": [a[:120] for a in _stripped(_column(frame, "adm_1"))],
        "admin2": [a[:120] for a in _stripped(_column(frame, "adm_2"))],
        "h3_cell": [
            caches.cell(la, lo) if good else ""
            for la, lo, good in zip(latitude_l, longitude_l, ok.tolist(), strict=True)
        ],
        "priogrid_gid": priogrid_gids(
            np.where(ok, latitude, 0.0), np.where(ok, longitude, 0.0)
        ).tolist(),
        "perpetrator_category": category,
        "perpetrator_actor": [a[:200] for a in side_a],
        "civilian_targeting": [v == ViolenceType.ONE_SIDED for v in violence_l],
        "fatalities_best": best_l,
        "fatalities_low": low.tolist(),
        "fatalities_high": high.tolist(),
        "fatalities_civilians": [
            None if blank else c
            for c, blank in zip(civilians.tolist(), no_civilians.tolist(), strict=True)
        ],
        "weapons": ["[]"] * n,
        "source_reliability": ["B"] * n,
        "information_credibility": [2] * n,
        "external_id": ids,
        "source_record": source_records(frame),
        "actors": actors,
        "violence_type": violence_l,
        "occurred_until": ends,
        "threat_nature": [t[0] for t in threat],
        "threat_nature_reason": [t[1] for t in threat],
        "primacy": [t[0] for t in threat],
    }
    return ok, columns


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


_QUOTE = _large('"')
_EMPTY = _large("")


def source_records(frame: pd.DataFrame) -> list[str]:
    """``json.dumps`` of each row's columns as received, built column-wise."""
    pieces: list[Any] = []
    for position, name in enumerate(frame.columns):
        series = frame[name]
        cells = pa.array(series, type=pa.large_string(), from_pandas=True)
        quoted = pc.binary_join_element_wise(_QUOTE, cells, _QUOTE, _EMPTY)
        plain = pc.match_substring_regex(cells, _JSON_PLAIN)
        if not pc.all(plain).as_py():
            odd = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))
            values = series.to_numpy(dtype=object)
            encoded = [encode_basestring_ascii(values[i]) for i in odd]
            mask = np.zeros(len(series), dtype=bool)
            mask[odd] = True
            quoted = pc.replace_with_mask(
                quoted, pa.array(mask), pa.array(encoded, pa.large_string())
            )
        key = encode_basestring_ascii(str(name))
        pieces += [_large(("{" if position == 0 else ", ") + key + ": "), quoted]
    pieces += [_large("}"), _EMPTY]
    if len(frame.columns) == 0:
        return ["{}"] * len(frame)
    joined = pc.binary_join_element_wise(*pieces)
    return joined.to_pylist()


# --- database values --------------------------------------------------------------------------


def insert_fields() -> tuple[list[Field[Any, Any]], list[Field[Any, Any]]]:
    """(fields set per row, fields the same on every row), in the order they are loaded."""
    concrete = [f for f in Incident._meta.concrete_fields if not f.primary_key]
    by_name = {f.name: f for f in concrete}
    varying = [by_name[name] for name in VARYING]
    constant = [f for f in concrete if f.name not in VARYING]
    return varying, constant


def _pg_text(field: Field[Any, Any], value: Any) -> str:
    """A model value as PostgreSQL's COPY text format reads it for this field."""
    if value is None:
        text = "\\N"
    elif isinstance(field, JSONField):
        text = (value if isinstance(value, str) else json.dumps(value)).translate(_COPY_ESCAPES)
    elif isinstance(field, BooleanField):
        text = "t" if value else "f"
    elif isinstance(field, DateTimeField):
        text = str(value.isoformat())
    else:
        prepared = field.get_prep_value(value)
        if isinstance(prepared, float):
            text = repr(prepared)
        elif isinstance(prepared, int):
            text = str(int(prepared))
        else:
            text = str(prepared).translate(_COPY_ESCAPES)
    return text


def _sqlite_value(field: Field[Any, Any], value: Any) -> Any:
    """A model value as the row path's SQLite insert binds it (``get_db_prep_save``)."""
    if isinstance(field, JSONField) and isinstance(value, str):
        return value  # already the JSON text
    return field.get_db_prep_save(value, connection)


class Converter:
    """Turns column values into what the database load takes, per field kind."""

    def __init__(self, varying: list[Field[Any, Any]]) -> None:
        self.varying = varying
        self.postgres = connection.vendor == "postgresql"
        self._datetimes: dict[Any, Any] = {}

    def one(self, field: Field[Any, Any], value: Any) -> Any:
        return _pg_text(field, value) if self.postgres else _sqlite_value(field, value)

    def column(self, field: Field[Any, Any], values: list[Any]) -> list[Any]:
        if isinstance(field, DateTimeField):
            out = []
            for value in values:
                if value not in self._datetimes:
                    self._datetimes[value] = self.one(field, value)
                out.append(self._datetimes[value])
            return out
        if not self.postgres:
            return values  # str, int, float, bool, None and JSON text bind as they are
        return self._pg_column(field, values)

    @staticmethod
    def _pg_column(field: Field[Any, Any], values: list[Any]) -> list[str]:
        if isinstance(field, JSONField):
            out = [v.translate(_COPY_ESCAPES) for v in values]
        elif isinstance(field, BooleanField):
            out = ["t" if v else "f" for v in values]
        elif isinstance(field, FloatField):
            out = [repr(v) for v in values]
        elif isinstance(next((v for v in values if v is not None), ""), int):
            out = ["\\N" if v is None else str(v) for v in values]
        else:
            out = ["\\N" if v is None else v.translate(_COPY_ESCAPES) for v in values]
        return out


def load_chunk(chunk: Chunk, table_sql: str) -> None:
    """Insert one chunk (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # Django's wrapper: psycopg's own cursor does COPY
            with raw.copy(table_sql) as copy:
                copy.write("\n".join(chunk.rows) + "\n")
        else:
            cursor.executemany(table_sql, chunk.rows)


def statements(varying: list[Field[Any, Any]], constant: list[Field[Any, Any]]) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in [*varying, *constant])
    table = quote(Incident._meta.db_table)
    if connection.vendor == "postgresql":
        return f"COPY {table} ({names}) FROM STDIN"
    marks = ", ".join(["%s"] * (len(varying) + len(constant)))
    return f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (names from the model)


def constant_values(template: Incident, constant: list[Field[Any, Any]], conv: Converter) -> Any:
    values = [getattr(template, f.attname) for f in constant]
    if conv.postgres:
        return "".join("\t" + _pg_text(f, v) for f, v in zip(constant, values, strict=True))
    return tuple(f.get_db_prep_save(v, connection) for f, v in zip(constant, values, strict=True))


def outside_mask(area: Any, latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    if area is None:
        return np.zeros(len(latitude), dtype=bool)
    return ~shapely.contains_xy(area, longitude, latitude)


Parsed = Callable[[dict[str, str], importers.Context], dict[str, Any]]


def read_into(
    spill: Any,
    report: importers.ImportReport,
    *,
    fmt: str,
    path: Any,
    ctx: importers.Context,
    rules: primacy.PrimacyRules,
    existing: set[str],
    area: Any,
    template: Incident,
    make_record: Callable[[dict[str, Any]], Incident],
    progress: Callable[[int, int], None] | None,
    writing: Callable[[], bool],
) -> int:
    """Read and check the whole file into ``report`` as the row path does, spilling the new
    records per chunk while the file may still be imported. Returns the number of chunks.

    Raises :class:`NotVectorisable` (before the caller writes anything) for a file this reader
    cannot promise to read as the csv module does.
    """
    digest = hashlib.sha256()
    caches = Caches(ctx, rules)
    varying, constant = insert_fields()
    conv = Converter(varying)
    suffix = constant_values(template, constant, conv)
    parser = importers.PARSERS[fmt]
    id_column = importers.ID_COLUMN[fmt]
    allowed = set(VARYING)
    seen: set[str] = set()
    number = 0
    batches = 0
    first = True
    total = os.path.getsize(path)
    for frame, done in read_chunks(path, fmt, digest):
        rows = frame
        if first:
            first = False
            if len(frame) and is_hashtag_row(frame):
                rows = frame.iloc[1:]  # the HXL row of a file served with one: not data
        n = len(rows)
        if n:
            batches += _chunk(
                spill,
                report,
                rows,
                number,
                fmt=fmt,
                caches=caches,
                conv=conv,
                varying=varying,
                suffix=suffix,
                parser=parser,
                id_column=id_column,
                allowed=allowed,
                seen=seen,
                existing=existing,
                area=area,
                make_record=make_record,
                writing=writing,
            )
            number += n
        if progress is not None:
            progress(done, total)
    if progress is not None:
        progress(total, total)
    report.sha256 = digest.hexdigest()
    return batches


def _chunk(
    spill: Any,
    report: importers.ImportReport,
    frame: pd.DataFrame,
    number: int,
    *,
    fmt: str,
    caches: Caches,
    conv: Converter,
    varying: list[Field[Any, Any]],
    suffix: Any,
    parser: Parsed,
    id_column: str,
    allowed: set[str],
    seen: set[str],
    existing: set[str],
    area: Any,
    make_record: Callable[[dict[str, Any]], Incident],
    writing: Callable[[], bool],
) -> int:
    """Check one chunk into ``report`` and spill its new records; 1 when it spilled any."""
    n = len(frame)
    report.rows += n
    columns: dict[str, list[Any]] | None = None
    if fmt == "ucdp":
        ok, columns = ucdp_columns(frame, caches)
    else:
        ok = np.zeros(n, dtype=bool)
    ids = _stripped(_column(frame, id_column))
    problems, odd_values = _odd_rows(frame, np.flatnonzero(~ok), parser, caches.ctx, allowed)
    good = ok.copy()
    good[list(odd_values)] = True
    keep = _account(report, number, ids, good, problems, seen, existing)
    chosen = np.flatnonzero(keep)
    if not len(chosen):
        return 0
    latitude = np.zeros(n, dtype=np.float64)
    longitude = np.zeros(n, dtype=np.float64)
    if columns is not None:
        latitude[:] = columns["latitude"]
        longitude[:] = columns["longitude"]
    for i, values in odd_values.items():
        latitude[i], longitude[i] = float(values["latitude"]), float(values["longitude"])
    _count_outside(report, area, latitude[chosen], longitude[chosen])
    if not writing():
        return 0  # keep reading for the report; nothing more is kept
    chosen_l = chosen.tolist()
    rows = _rows(columns, chosen_l, n, conv, varying)
    position = {i: p for p, i in enumerate(chosen_l)}
    for i, values in odd_values.items():
        if i in position:
            record = make_record(values)
            rows[position[i]] = tuple(conv.one(f, getattr(record, f.attname)) for f in varying)
    if conv.postgres:
        rows = ["\t".join(row) + suffix for row in rows]
    else:
        rows = [row + suffix for row in rows]
    pickle.dump(Chunk([ids[i] for i in chosen_l], rows), spill, protocol=pickle.HIGHEST_PROTOCOL)
    return 1


def _count_outside(
    report: importers.ImportReport, area: Any, latitude: np.ndarray, longitude: np.ndarray
) -> None:
    out = outside_mask(area, latitude, longitude)
    if out.any():
        report.outside += int(out.sum())
        room = importers.MAX_OUTSIDE_SAMPLE - len(report.outside_sample)
        report.outside_sample += [
            (float(a), float(b))
            for a, b in zip(latitude[out][:room], longitude[out][:room], strict=True)
        ]


def _odd_rows(
    frame: pd.DataFrame,
    odd: np.ndarray,
    parser: Parsed,
    ctx: importers.Context,
    allowed: set[str],
) -> tuple[dict[int, importers.RowProblem], dict[int, dict[str, Any]]]:
    """The row path's verdict on rows not in the plain shape: their problems, or values."""
    problems: dict[int, importers.RowProblem] = {}
    odd_values: dict[int, dict[str, Any]] = {}
    if not len(odd):
        return problems, odd_values
    for i, row in zip(odd.tolist(), frame.iloc[odd].to_dict("records"), strict=True):
        try:
            values = parser(row, ctx)
        except importers.RowProblem as problem:
            problems[i] = problem
            continue
        if set(values) - allowed:
            raise NotVectorisable("a field outside the bulk load")
        odd_values[i] = values
    return problems, odd_values


def _account(
    report: importers.ImportReport,
    number: int,
    ids: list[str],
    good: np.ndarray,
    problems: dict[int, importers.RowProblem],
    seen: set[str],
    existing: set[str],
) -> np.ndarray:
    """Report bad and repeated rows in file order, count known ones; the rows to keep."""
    duplicates: list[int] = []
    for i in np.flatnonzero(good).tolist():
        if ids[i] in seen:
            duplicates.append(i)
            good[i] = False
        else:
            seen.add(ids[i])
    repeated = importers.RowProblem("id", "duplicate id in this file")
    for i in sorted([*problems, *duplicates]):
        found = problems.get(i, repeated)
        report.error_count += 1
        if len(report.errors) < importers.MAX_REPORTED_ERRORS:
            report.errors.append(
                importers.RowError(number + i + 1, ids[i], found.field, found.message)
            )
    for i in np.flatnonzero(good).tolist():
        if ids[i] in existing:
            good[i] = False
            report.unchanged += 1
    return good


def _rows(
    columns: dict[str, list[Any]] | None,
    chosen: list[int],
    n: int,
    conv: Converter,
    varying: list[Field[Any, Any]],
) -> list[Any]:
    """The chosen rows' values of the varying fields, as the database load takes them."""
    if columns is None:
        return [()] * len(chosen)
    cells = []
    for field in varying:
        column = conv.column(field, columns[field.name])
        cells.append(column if len(chosen) == n else [column[i] for i in chosen])
    return list(zip(*cells, strict=True))
