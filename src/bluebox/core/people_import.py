"""Invitations from a CSV file: read and checked row by row; nothing is written here
(``services.people_import`` does, all rows or none). Columns, by their header:

=================  ====================================================================
``username``       the account's name; may be left empty when ``email`` is given (the
                   e-mail is then the username); unique in the file
``name``           the display name
``email``          optional
``role``           required: a role's code (``reporter``, ``planner``, ``admin``...)
``site``           a field site's code of the mission (the role is held there), or
``sector``         a sector's code; neither: the whole mission
``rotation_end``   the last day of access, ``YYYY-MM-DD`` (empty: no end)
=================  ====================================================================

An unknown column refuses the file, so a misspelt header ("rotaton_end") is not dropped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from bluebox.core.bounds import within_date_window
from bluebox.core.roles import Role
from bluebox.core.rows import RowError, data_rows

COLUMNS = frozenset({"username", "name", "email", "role", "site", "sector", "rotation_end"})
MAX_ROWS = 2_000
MAX_REPORTED_ERRORS = 200


class PeopleFileProblem(ValueError):
    """The file as a whole cannot be read (empty, a column missing or unknown, too long)."""


@dataclass
class PersonRow:
    number: int
    username: str
    display_name: str
    email: str
    role: str
    site_code: str
    sector_code: str
    access_ends_on: date | None


@dataclass
class PeopleReport:
    rows: int = 0
    created: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    sha256: str = ""

    def refuse(self, row: int, ident: str, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, ident, column, message))


def read(
    text: str, *, site_codes: set[str], sector_codes: set[str], report: PeopleReport
) -> list[PersonRow]:
    """Every row of the file, checked against the mission's sites and sectors."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise PeopleFileProblem(_("The file is empty."))
    if "role" not in header or not {"username", "email"} & set(header):
        raise PeopleFileProblem(_("The file needs a role column and a username or email column."))
    unknown = sorted(set(header) - COLUMNS)
    if unknown:
        raise PeopleFileProblem(
            _("Unknown columns: %(names)s (see the people file format).")
            % {"names": ", ".join(unknown)}
        )
    reader.fieldnames = header
    rows: list[PersonRow] = []
    seen: set[str] = set()
    for number, cells in data_rows(reader, limit=MAX_ROWS, too_many=PeopleFileProblem):
        report.rows += 1
        row = _row(number, cells, site_codes, sector_codes, seen, report)
        if row is not None:
            seen.add(row.username.lower())
            rows.append(row)
    return rows


def _row(
    number: int,
    cells: dict[str, str],
    site_codes: set[str],
    sector_codes: set[str],
    seen: set[str],
    report: PeopleReport,
) -> PersonRow | None:
    email = cells.get("email", "")
    username = cells.get("username", "") or email
    before = report.error_count

    def refuse(column: str, message: str) -> None:
        report.refuse(number, username, column, message)

    if not username:
        refuse("username", _("required (or an email)"))
    elif len(username) > 150:
        refuse("username", _("150 characters at most"))
    elif username.lower() in seen:
        refuse("username", _("this username is already in the file"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            refuse("email", _("not an e-mail address"))
    if len(cells.get("name", "")) > 150:
        refuse("name", _("150 characters at most"))
    role = cells.get("role", "").lower()
    if role not in Role.values:
        refuse("role", _("one of %(roles)s") % {"roles": ", ".join(Role.values)})
    site, sector = cells.get("site", ""), cells.get("sector", "")
    if site and sector:
        refuse("site", _("a site or a sector, not both"))
    elif site and site not in site_codes:
        refuse("site", _("no field site %(code)s in this mission") % {"code": site})
    elif sector and sector not in sector_codes:
        refuse("sector", _("no sector %(code)s in this mission") % {"code": sector})
    ends_on = _day(cells.get("rotation_end", ""), refuse)
    if report.error_count != before:
        return None
    return PersonRow(number, username, cells.get("name", ""), email, role, site, sector, ends_on)


def _day(value: str, refuse: Any) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
        within_date_window(day)
    except (ValueError, ValidationError):
        refuse("rotation_end", _("a date, YYYY-MM-DD"))
        return None
    if day < timezone.now().date():
        refuse("rotation_end", _("already past"))
        return None
    return day
