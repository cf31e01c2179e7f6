"""The individual police officers' roster as a CSV file: read, checked, row by row.

A real mission keeps its IPO roster in a spreadsheet (the personnel section's export): one row
per officer, identified by service number — names are not needed for planning and are never
read. This module turns such a file into model values and a per-row report; it writes nothing
(``services.ipo_roster_import`` does, all rows or none). Columns, by their header:

=========================  ==================================================================
``service_number``         required; unique in the file
``country``                required: the contributing country's code (ISO 3166-1 alpha-3)
``country_name``           the country's name, needed only the first time its code is seen
``rank``                   required
``gender``                 required: ``female`` or ``male``
``years_of_service``       whole number (0 when empty)
``languages``, ``skills``  lists separated by ``;`` (``fr; ar``)
``site``                   the code of the field site the officer is at (empty: not placed)
``rotation_start/_end``    dates, ``YYYY-MM-DD``; the end on or after the start
``leave_start/_end``       dates; both or neither, the end on or after the start
``driving_licence``,       ``yes``/``no`` (also ``true``/``false``, ``1``/``0``; empty: no)
``weapons_qualified``
``predeployment_training_on``, ``poc_training_on``  dates
=========================  ==================================================================

A column the file lacks keeps its default; an unknown column refuses the file, so a typo in a
header ("rotaton_end") is not silently dropped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bluebox.core.rows import RowError, data_rows
from bluebox.deployment.models import Gender, IndividualPoliceOfficer

REQUIRED = ("service_number", "country", "rank", "gender")
DATES = (
    "rotation_start",
    "rotation_end",
    "leave_start",
    "leave_end",
    "predeployment_training_on",
    "poc_training_on",
)
LISTS = ("languages", "skills")
FLAGS = ("driving_licence", "weapons_qualified")
COLUMNS = frozenset({*REQUIRED, "country_name", "years_of_service", "site", *DATES, *LISTS, *FLAGS})
MAX_ROWS = 20_000
MAX_REPORTED_ERRORS = 200
_TRUE = {"yes", "y", "true", "1", "oui"}
_FALSE = {"no", "n", "false", "0", "non", ""}
_CODE = re.compile(r"^[A-Z]{2,3}$")


class RosterFileProblem(ValueError):
    """The file as a whole cannot be read (not CSV, a header missing or unknown, too long)."""


@dataclass
class RosterRow:
    number: int
    service_number: str
    country_code: str
    country_name: str
    site_code: str
    values: dict[str, Any]


@dataclass
class RosterReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    sha256: str = ""
    columns: list[str] = field(default_factory=list)

    def refuse(self, row: int, ident: str, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, ident, column, message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "errors": [e.__dict__ for e in self.errors],
            "sha256": self.sha256,
        }


def read(
    text: str, *, site_codes: set[str], known_countries: set[str], report: RosterReport
) -> list[RosterRow]:
    """Every row of the file, checked; problems go to ``report`` (one per cell at most)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise RosterFileProblem(_("The file is empty."))
    missing = [name for name in REQUIRED if name not in header]
    unknown = sorted(set(header) - COLUMNS)
    if missing:
        raise RosterFileProblem(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if unknown:
        raise RosterFileProblem(
            _("Unknown columns: %(names)s (see the roster format).") % {"names": ", ".join(unknown)}
        )
    reader.fieldnames = header
    report.columns = header
    rows: list[RosterRow] = []
    seen: set[str] = set()
    named_here: set[str] = set()
    for number, cells in data_rows(reader, limit=MAX_ROWS, too_many=RosterFileProblem):
        report.rows += 1
        row = _row(number, cells, site_codes, known_countries | named_here, seen, report)
        if row is not None:
            seen.add(row.service_number)
            if row.country_name:
                named_here.add(row.country_code)
            rows.append(row)
    return rows


def _row(
    number: int,
    cells: dict[str, str],
    site_codes: set[str],
    known_countries: set[str],
    seen: set[str],
    report: RosterReport,
) -> RosterRow | None:
    ident = cells.get("service_number", "")
    errors_before = report.error_count

    def refuse(column: str, message: str) -> None:
        report.refuse(number, ident, column, message)

    _identity(cells, site_codes, known_countries, seen, refuse)
    values = _typed(cells, refuse)
    if report.error_count == errors_before:
        _model_checks(values, refuse)
    if report.error_count != errors_before:
        return None
    return RosterRow(
        number,
        ident,
        cells.get("country", "").upper(),
        cells.get("country_name", ""),
        cells.get("site", ""),
        values,
    )


def _identity(
    cells: dict[str, str],
    site_codes: set[str],
    known_countries: set[str],
    seen: set[str],
    refuse: Any,
) -> None:
    """Who the officer is and where: the required cells, the country and the site."""
    for name in REQUIRED:
        if not cells.get(name):
            refuse(name, _("required"))
    ident = cells.get("service_number", "")
    if ident and ident in seen:
        refuse("service_number", _("this service number is already in the file"))
    code = cells.get("country", "").upper()
    if code and not _CODE.match(code):
        refuse("country", _("a country code is two or three letters (ISO 3166-1)"))
    elif code and code not in known_countries and not cells.get("country_name"):
        refuse(
            "country", _("unknown country %(code)s: give its name in country_name") % {"code": code}
        )
    gender = cells.get("gender", "").lower()
    if gender and gender not in Gender.values:
        refuse("gender", _("female or male"))
    site_code = cells.get("site", "")
    if site_code and site_code not in site_codes:
        refuse("site", _("no field site %(code)s in this mission") % {"code": site_code})


def _typed(cells: dict[str, str], refuse: Any) -> dict[str, Any]:
    """The model values of the row's cells: numbers, dates, lists and flags parsed."""
    values: dict[str, Any] = {
        "service_number": cells.get("service_number", ""),
        "rank": cells.get("rank", ""),
        "gender": cells.get("gender", "").lower(),
    }
    years = cells.get("years_of_service", "")
    if years:
        if not years.isdigit() or int(years) > 60:
            refuse("years_of_service", _("a whole number of years, 0 to 60"))
        else:
            values["years_of_service"] = int(years)
    for name in DATES:
        if name in cells:
            values[name] = _date(cells[name], name, refuse)
    for name in LISTS:
        if name in cells:
            values[name] = sorted({p.strip() for p in cells[name].split(";") if p.strip()})
    for name in FLAGS:
        if name in cells:
            flag = cells[name].lower()
            if flag not in _TRUE | _FALSE:
                refuse(name, _("yes or no"))
            values[name] = flag in _TRUE
    _order(values, "rotation_start", "rotation_end", refuse)
    _order(values, "leave_start", "leave_end", refuse)
    if bool(values.get("leave_start")) != bool(values.get("leave_end")):
        refuse("leave_end", _("a leave has a first and a last day"))
    return values


def _date(text: str, name: str, refuse: Any) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        refuse(name, _("a date, YYYY-MM-DD"))
        return None


def _order(values: dict[str, Any], first: str, last: str, refuse: Any) -> None:
    start, end = values.get(first), values.get(last)
    if start and end and end < start:
        refuse(last, _("before %(first)s") % {"first": first})


def _model_checks(values: dict[str, Any], refuse: Any) -> None:
    """The model's own declarations (lengths, choices), as any other channel gets them."""
    officer = IndividualPoliceOfficer(**values)
    try:
        officer.clean_fields(exclude=["mission", "country", "site"])
    except ValidationError as exc:
        for column, messages in exc.message_dict.items():
            refuse(column, " ".join(str(m) for m in messages))
