"""Event tables: one normalised shape for UCDP GED, ACLED and bluebox incident exports.

Every reader returns a :class:`pandas.DataFrame` with the columns of :data:`EVENT_COLUMNS`.
The engine only ever sees this shape, so a new source needs a reader and nothing else.
"""

from __future__ import annotations

import csv
import os
from typing import Final

import numpy as np
import pandas as pd

#: Violence classes used by the engine. ``one_sided`` is violence against civilians (UCDP
#: type 3, ACLED civilian targeting), the forecast target; the others are context.
VIOLENCE_CLASSES: Final = ("one_sided", "state_based", "non_state", "other")

#: Date precisions, finest first.
DATE_PRECISIONS: Final = ("day", "week", "month", "year")

EVENT_COLUMNS: Final = (
    "date",  # datetime64[ns], the start of the event (UCDP date_start)
    "date_precision",  # one of DATE_PRECISIONS
    "latitude",
    "longitude",
    "event_type",  # free text from the source (UCDP type name, ACLED event_type ...)
    "violence",  # one of VIOLENCE_CLASSES
    "actor",  # perpetrator or side A, "" when unknown
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "admin1",
    "admin2",
)

EVENT_FORMATS: Final = ("ucdp", "acled", "bluebox")

_UCDP_TYPES: Final = {1: "state_based", 2: "non_state", 3: "one_sided"}
# UCDP date_prec: 1 exact day, 2 within 2-6 days, 3 within a week, 4 within a month,
# 5 more than a month.
_UCDP_DATE_PREC: Final = {1: "day", 2: "week", 3: "week", 4: "month", 5: "year"}
# ACLED time_precision: 1 day, 2 week, 3 month.
_ACLED_TIME_PREC: Final = {1: "day", 2: "week", 3: "month"}

_REQUIRED: Final = {
    "ucdp": ("type_of_violence", "date_start", "latitude", "longitude", "best"),
    "acled": ("event_date", "event_type", "latitude", "longitude", "fatalities"),
    "bluebox": ("occurred_at", "latitude", "longitude", "civilian_targeting", "fatalities_best"),
}


class EventFormatError(ValueError):
    """An event file that cannot be read; the message is one line meant for the user."""


def _read_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    try:
        # Text fields in UCDP contain line breaks: only a real CSV parser copes.
        return pd.read_csv(path, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    except FileNotFoundError as exc:
        raise EventFormatError(f"event file not found: {path}") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EventFormatError(f"{path}: not a readable CSV file ({first})") from exc


def _require(raw: pd.DataFrame, fmt: str, path: object) -> None:
    missing = [c for c in _REQUIRED[fmt] if c not in raw.columns]
    if missing:
        raise EventFormatError(
            f"{path}: not a {fmt} event file, missing column(s): {', '.join(missing)}"
        )


def _numeric(
    raw: pd.DataFrame, column: str, path: object, default: float | None = None
) -> pd.Series:
    if column not in raw.columns:
        if default is None:
            raise EventFormatError(f"{path}: missing column {column}")
        return pd.Series(default, index=raw.index, dtype=float)
    values = pd.to_numeric(raw[column].str.strip().replace("", np.nan), errors="coerce")
    bad = values.isna() & raw[column].str.strip().ne("")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise EventFormatError(
            f"{path}: line {row}: column {column} is not a number ({raw[column].iloc[row - 2]!r})"
        )
    if default is not None:
        values = values.fillna(default)
    return values.astype(float)


def _dates(raw: pd.DataFrame, column: str, path: object, fmt: str | None = None) -> pd.Series:
    text = raw[column].str.strip()
    parsed = pd.to_datetime(text, errors="coerce", format=fmt, utc=True)
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise EventFormatError(
            f"{path}: line {row}: column {column} is not a date ({text.iloc[row - 2]!r})"
        )
    return parsed.dt.tz_localize(None).dt.normalize()


def _col(raw: pd.DataFrame, name: str) -> pd.Series:
    if name in raw.columns:
        return raw[name].fillna("").astype(str).str.strip()
    return pd.Series("", index=raw.index, dtype=object)


def _finish(frame: pd.DataFrame, path: object) -> pd.DataFrame:
    lat, lon = frame["latitude"], frame["longitude"]
    if lat.isna().any() or lon.isna().any():
        row = int(np.flatnonzero((lat.isna() | lon.isna()).to_numpy())[0]) + 2
        raise EventFormatError(f"{path}: line {row}: missing latitude or longitude")
    out_of_range = (lat.abs() > 90) | (lon.abs() > 180)
    if out_of_range.any():
        row = int(np.flatnonzero(out_of_range.to_numpy())[0]) + 2
        raise EventFormatError(f"{path}: line {row}: coordinates out of range")
    for c in ("fatalities_best", "fatalities_low", "fatalities_high"):
        if (frame[c] < 0).any():
            row = int(np.flatnonzero((frame[c] < 0).to_numpy())[0]) + 2
            raise EventFormatError(f"{path}: line {row}: negative {c}")
    frame = frame.loc[:, list(EVENT_COLUMNS)].reset_index(drop=True)
    return frame


def read_ucdp(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a UCDP GED CSV file into the engine's event table.

    Parameters
    ----------
    path : path-like
        A UCDP GED (global or country extract) CSV file.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EVENT_COLUMNS`; ``violence`` from ``type_of_violence`` (3 is one-sided).

    Raises
    ------
    EventFormatError
        When the file is missing, is not a CSV, lacks a column or holds a bad value.
    """
    raw = _read_csv(path)
    _require(raw, "ucdp", path)
    tov = _numeric(raw, "type_of_violence", path)
    prec = _numeric(raw, "date_prec", path, default=1.0).astype(int)
    frame = pd.DataFrame(
        {
            "date": _dates(raw, "date_start", path),
            "date_precision": prec.map(_UCDP_DATE_PREC).fillna("year"),
            "latitude": _numeric(raw, "latitude", path),
            "longitude": _numeric(raw, "longitude", path),
            "event_type": tov.astype(int).map(_UCDP_TYPES).fillna("other"),
            "violence": tov.astype(int).map(_UCDP_TYPES).fillna("other"),
            "actor": _col(raw, "side_a"),
            "fatalities_best": _numeric(raw, "best", path),
            "fatalities_low": _numeric(raw, "low", path, default=0.0),
            "fatalities_high": _numeric(raw, "high", path, default=0.0),
            "admin1": _col(raw, "adm_1"),
            "admin2": _col(raw, "adm_2"),
        }
    )
    return _finish(frame, path)


def read_acled(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an ACLED CSV export into the engine's event table.

    One-sided violence is ``civilian_targeting == "Civilian targeting"`` or ``event_type ==
    "Violence against civilians"``; battles are ``state_based``, everything else ``other``.
    ACLED has a single fatality figure, used as best, low and high.
    """
    raw = _read_csv(path)
    _require(raw, "acled", path)
    event_type = _col(raw, "event_type")
    one_sided = _col(raw, "civilian_targeting").str.lower().eq("civilian targeting") | (
        event_type.str.lower().eq("violence against civilians")
    )
    violence = np.where(
        one_sided,
        "one_sided",
        np.where(event_type.str.lower().eq("battles"), "state_based", "other"),
    )
    prec = _numeric(raw, "time_precision", path, default=1.0).astype(int)
    fatalities = _numeric(raw, "fatalities", path, default=0.0)
    frame = pd.DataFrame(
        {
            # ACLED writes dates as "12 March 2021" or ISO; let pandas infer per file.
            "date": _dates(raw, "event_date", path, fmt="mixed"),
            "date_precision": prec.map(_ACLED_TIME_PREC).fillna("month"),
            "latitude": _numeric(raw, "latitude", path),
            "longitude": _numeric(raw, "longitude", path),
            "event_type": event_type,
            "violence": violence,
            "actor": _col(raw, "actor1"),
            "fatalities_best": fatalities,
            "fatalities_low": fatalities,
            "fatalities_high": fatalities,
            "admin1": _col(raw, "admin1"),
            "admin2": _col(raw, "admin2"),
        }
    )
    return _finish(frame, path)


def read_bluebox(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the platform's own incident CSV export into the engine's event table.

    One-sided violence is ``civilian_targeting`` true; ``perpetrator_category`` (or ``actor``
    when set) is the actor.
    """
    raw = _read_csv(path)
    _require(raw, "bluebox", path)
    targeting = _col(raw, "civilian_targeting").str.lower()
    unknown = ~targeting.isin(["true", "false", "1", "0", "yes", "no", ""])
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0]) + 2
        raise EventFormatError(f"{path}: line {row}: civilian_targeting must be true or false")
    one_sided = targeting.isin(["true", "1", "yes"])
    precision = _col(raw, "date_precision").str.lower().replace("", "day")
    bad_prec = ~precision.isin(DATE_PRECISIONS)
    if bad_prec.any():
        row = int(np.flatnonzero(bad_prec.to_numpy())[0]) + 2
        raise EventFormatError(f"{path}: line {row}: date_precision must be day|week|month|year")
    best = _numeric(raw, "fatalities_best", path, default=0.0)
    actor = _col(raw, "actor")
    actor = actor.where(actor.ne(""), _col(raw, "perpetrator_category"))
    frame = pd.DataFrame(
        {
            "date": _dates(raw, "occurred_at", path, fmt="ISO8601"),
            "date_precision": precision,
            "latitude": _numeric(raw, "latitude", path),
            "longitude": _numeric(raw, "longitude", path),
            "event_type": _col(raw, "incident_type"),
            "violence": np.where(one_sided, "one_sided", "other"),
            "actor": actor,
            "fatalities_best": best,
            "fatalities_low": _numeric(raw, "fatalities_low", path, default=0.0),
            "fatalities_high": _numeric(raw, "fatalities_high", path, default=0.0),
            "admin1": _col(raw, "admin1"),
            "admin2": _col(raw, "admin2"),
        }
    )
    return _finish(frame, path)


def read_events(path: str | os.PathLike[str], fmt: str) -> pd.DataFrame:
    """Read an event file in one of :data:`EVENT_FORMATS`.

    Parameters
    ----------
    path : path-like
        CSV file.
    fmt : {"ucdp", "acled", "bluebox"}
        Source format.

    Returns
    -------
    pandas.DataFrame
        The normalised event table (:data:`EVENT_COLUMNS`).
    """
    readers = {"ucdp": read_ucdp, "acled": read_acled, "bluebox": read_bluebox}
    if fmt not in readers:
        raise EventFormatError(f"unknown event format {fmt!r}; use one of {', '.join(readers)}")
    return readers[fmt](path)


def check_events(events: pd.DataFrame) -> pd.DataFrame:
    """Validate an in-memory event table (e.g. built by a Django adapter) and normalise types.

    Raises
    ------
    ValueError
        When a column is missing or a value is outside its domain.
    """
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(f"event table lacks column(s): {', '.join(missing)}")
    out = events.loc[:, list(EVENT_COLUMNS)].copy()
    out["date"] = pd.to_datetime(out["date"]).dt.normalize()
    for c in ("latitude", "longitude", "fatalities_best", "fatalities_low", "fatalities_high"):
        out[c] = out[c].astype(float)
    if not out["violence"].isin(VIOLENCE_CLASSES).all():
        raise ValueError(f"violence must be one of {VIOLENCE_CLASSES}")
    if not out["date_precision"].isin(DATE_PRECISIONS).all():
        raise ValueError(f"date_precision must be one of {DATE_PRECISIONS}")
    for c in ("actor", "admin1", "admin2", "event_type"):
        out[c] = out[c].fillna("").astype(str)
    return out.reset_index(drop=True)
