"""Submissions exported by KoBoToolbox and ODK Central, read into rows of answers.

The shapes are the ones those servers write:

- **ODK Central** CSV (``<form>.csv``, alone or in the zip of *Download all data*, with the
  zip's ``media/`` files): ``SubmissionDate`` first, each question under its group path joined
  by ``-`` (a geopoint in four ``-Latitude``/``-Longitude``/``-Altitude``/``-Accuracy``
  columns), then ``meta-instanceID``, ``KEY``, ``SubmitterID``, ``SubmitterName``,
  ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``, ``ReviewState``, ``DeviceID``,
  ``Edits``, ``FormVersion``. ``KEY`` names the submission across its edits, ``meta-instanceID``
  its current version. Repeats are in other files of the zip and are not read.
- **ODK Central** OData JSON (``Submissions``): ``{"value": [{"__id", groups as objects,
  "meta": {"instanceID"}, "__system": {"submissionDate", "formVersion", ...}}]}``; numbers are
  JSON numbers and geopoints GeoJSON points.
- **KoBoToolbox** CSV or XLSX export with *XML values and headers* (``;`` separates CSV
  fields by default; the group separator is ``/`` or ``.``), or the API v2 JSON
  (``{"results": [...]}``): the question columns, then ``_id``, ``_uuid`` (the instanceID
  without ``uuid:``), ``_submission_time`` (UTC), ``_validation_status``, ``_notes``,
  ``_status``, ``_submitted_by``, ``__version__``, ``_tags``, ``_index``; ``meta/instanceID``
  and ``meta/deprecatedID`` when exported. A *select multiple* may also have one column per
  choice (``question/choice``), which is ignored in favour of the single column.

Nothing here touches the database: :mod:`bluebox.assessment.imports` matches each row to a
form version and stores it. Files are untrusted: sizes, rows and zip members are bounded.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ZIP_MEMBER_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEDIA_BYTES = 200 * 1024 * 1024

KOBO = "kobo"
CENTRAL = "central"

# Columns the servers add around the answers: never read as answers.
CENTRAL_COLUMNS = frozenset(
    {
        "SubmissionDate",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "UpdatedAt",
        "DeletedAt",
    }
)
GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")


class ExportError(ValueError):
    """The file is not a KoBoToolbox or ODK Central export bluebox can read."""


@dataclass
class ExportRow:
    """One submission as the export shows it; ``columns`` are as the file names them."""

    row: int  # data row number, 1 = the first submission
    instance_id: str
    deprecated_id: str
    version: str
    submitted_at: datetime | None
    columns: dict[str, str]
    problem: str = ""  # a row the server itself marks unusable (not decrypted)
    # Files of this submission alone, by name (a pull downloads them for each submission).
    media: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Export:
    fmt: str  # KOBO or CENTRAL
    separator: str  # what joins a group and its question in the column names
    rows: list[ExportRow]
    media: dict[str, bytes] = field(default_factory=dict)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def parse_time(raw: str) -> datetime | None:
    """``2026-11-03T09:12:44.123Z`` (Central) or ``2026-11-03T09:12:44`` (KoBo, UTC)."""
    text = raw.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _uuid(raw: str) -> str:
    text = raw.strip()
    return text if not text or text.startswith("uuid:") else f"uuid:{text}"


def _kobo_row(n: int, columns: dict[str, str]) -> ExportRow:
    instance = columns.get("meta/instanceID") or columns.get("meta.instanceID") or ""
    deprecated = columns.get("meta/deprecatedID") or columns.get("meta.deprecatedID") or ""
    return ExportRow(
        row=n,
        instance_id=instance or _uuid(columns.get("_uuid", "")),
        deprecated_id=deprecated,
        # ``_version_`` is the XLSForm's own version; ``__version__`` KoBo's deployment id.
        version=columns.get("_version_") or columns.get("__version__", ""),
        submitted_at=parse_time(columns.get("_submission_time", "")),
        columns=columns,
    )


def _central_row(n: int, columns: dict[str, str]) -> ExportRow:
    key = columns.get("KEY", "")
    current = columns.get("meta-instanceID") or key
    status = columns.get("Status", "")
    return ExportRow(
        row=n,
        instance_id=current,
        # An edited submission keeps its first instanceID as KEY: the chain it belongs to.
        deprecated_id=key if key and key != current else "",
        version=columns.get("FormVersion", ""),
        submitted_at=parse_time(columns.get("SubmissionDate", "")),
        columns=columns,
        problem=_central_problem(status),
    )


def _central_problem(status: str) -> str:
    """Why a row ODK Central marks (``Status``: not decrypted, ...) cannot be imported."""
    if not status:
        return ""
    return _("ODK Central exported it as %(status)r") % {"status": status}


def _separator(header: Iterable[str]) -> str:
    names = list(header)
    if any(n.startswith("meta.") for n in names) and not any("/" in n for n in names):
        return "."
    return "/"


def _table(header: list[str], rows: Iterable[list[Any]]) -> Export:
    names = [h.strip().lstrip("\ufeff") for h in header]
    if "KEY" in names and "SubmissionDate" in names:
        fmt, make, separator = CENTRAL, _central_row, "-"
    elif "_uuid" in names or "_submission_time" in names:
        fmt, make, separator = KOBO, _kobo_row, _separator(names)
    else:
        raise ExportError(
            _(
                "The file is not a KoBoToolbox or ODK Central export: it has neither the KEY "
                "and SubmissionDate columns of ODK Central nor the _uuid and _submission_time "
                "of KoBoToolbox."
            )
        )
    out: list[ExportRow] = []
    for n, values in enumerate(rows, start=1):
        if n > MAX_ROWS:
            raise ExportError(
                _("More than %(n)d submissions in one file: split it.") % {"n": MAX_ROWS}
            )
        cells = [_text(v) for v in values]
        if not any(cells):
            continue
        out.append(make(n, dict(zip(names, cells, strict=False))))
    return Export(fmt=fmt, separator=separator, rows=out)


def _csv(content: bytes) -> Export:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportError(_("The CSV file is not UTF-8 text.")) from exc
    first = text.split("\n", 1)[0]
    # KoBo writes ";" unless told otherwise; Central writes ",".
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ExportError(_("The file is empty.")) from exc
    try:
        return _table(header, reader)
    except csv.Error as exc:
        raise ExportError(_("The CSV file could not be read: %(error)s.") % {"error": exc}) from exc


def _xlsx(content: bytes) -> Export:
    import openpyxl  # only exports in XLSX need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExportError(_("The XLSX file could not be opened.")) from exc
    try:
        sheet = book.worksheets[0]  # the main table; repeats are on the sheets after it
        rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ExportError(_("The file is empty."))
        return _table([_text(h) for h in header], (list(r) for r in rows))
    finally:
        book.close()


def _flatten(obj: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    for key, value in obj.items():
        if "@" in key or (not prefix and key in ("__id", "__system")):
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value.get("type") == "Point" and "coordinates" in value:
            coordinates = [_text(c) for c in value.get("coordinates") or []]
            if len(coordinates) >= 2:
                lon, lat, *rest = coordinates
                out[path] = " ".join([lat, lon, rest[0] if rest else "0", "0"])
        elif isinstance(value, dict):
            _flatten(value, f"{path}/", out)
        elif isinstance(value, list):
            # KoBo's _tags, _notes, _attachments, _geolocation: server metadata, not answers.
            continue
        else:
            out[path] = _text(value)


def _json(content: bytes) -> Export:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise ExportError(_("The JSON file could not be read.")) from exc
    if isinstance(data, dict) and isinstance(data.get("value"), list):
        records, fmt = data["value"], CENTRAL
    elif isinstance(data, dict) and isinstance(data.get("results"), list):
        records, fmt = data["results"], KOBO
    else:
        raise ExportError(
            _(
                "The JSON file is neither ODK Central's OData (a 'value' list) nor "
                "KoBoToolbox's API v2 data (a 'results' list)."
            )
        )
    return Export(fmt=fmt, separator="/", rows=records_rows(records, fmt))


def records_rows(records: list[Any], fmt: str, *, first: int = 1) -> list[ExportRow]:
    """Rows of the JSON submissions of KoBoToolbox's API v2 (``results``) or ODK Central's
    OData feed (``value``), one for each record in order; ``first`` numbers the first row (a
    page of a pull continues the numbering of the pages before it)."""
    if len(records) > MAX_ROWS:
        raise ExportError(_("More than %(n)d submissions in one file: split it.") % {"n": MAX_ROWS})
    rows: list[ExportRow] = []
    for n, record in enumerate(records, start=first):
        if not isinstance(record, dict):
            raise ExportError(_("Submission %(n)d is not a JSON object.") % {"n": n})
        columns: dict[str, str] = {}
        if fmt == KOBO:
            # KoBo's JSON keys are already the flat paths ("group/question").
            columns = {
                k: _text(v)
                for k, v in record.items()
                if not isinstance(v, list | dict) and isinstance(k, str)
            }
            rows.append(_kobo_row(n, columns))
            continue
        _flatten(record, "", columns)
        found = record.get("__system")
        system: dict[str, Any] = found if isinstance(found, dict) else {}
        key = _text(record.get("__id"))
        current = columns.pop("meta/instanceID", "") or key
        columns.pop("meta/deprecatedID", None)
        status = _text(system.get("status"))
        rows.append(
            ExportRow(
                row=n,
                instance_id=current,
                deprecated_id=key if key and key != current else "",
                version=_text(system.get("formVersion")),
                submitted_at=parse_time(_text(system.get("submissionDate"))),
                columns=columns,
                problem=_central_problem(status),
            )
        )
    return rows


def _zip(content: bytes) -> Export:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise ExportError(_("The zip file could not be opened.")) from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        tables = [
            m for m in members if m.filename.lower().endswith(".csv") and "/" not in m.filename
        ]
        roots = []
        for member in tables:
            if member.file_size > MAX_ZIP_MEMBER_BYTES:
                raise ExportError(
                    _("%(name)s is larger than 20 MB once unpacked.") % {"name": member.filename}
                )
            head = archive.open(member).read(4096).decode("utf-8-sig", errors="replace")
            first = head.split("\n", 1)[0]
            if "SubmissionDate" in first and "PARENT_KEY" not in first:
                roots.append(member)
        if len(roots) != 1:
            raise ExportError(
                _(
                    "The zip is not an ODK Central export: it should hold one submissions "
                    "table (found %(n)d)."
                )
                % {"n": len(roots)}
            )
        export = _csv(archive.read(roots[0]))
        total = 0
        for member in members:
            if member.filename.startswith("media/"):
                total += member.file_size
                if total > MAX_ZIP_MEDIA_BYTES:
                    raise ExportError(_("The media files are larger than 200 MB once unpacked."))
                export.media[member.filename.rsplit("/", 1)[-1]] = archive.read(member)
        return export


def read(content: bytes, filename: str) -> Export:
    """Read an export; :class:`ExportError` for a file that is not one."""
    if len(content) > MAX_FILE_BYTES:
        raise ExportError(_("The file is larger than 20 MB: split the export."))
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if content[:2] == b"PK":
        return _xlsx(content) if suffix in ("xlsx", "xlsm") else _zip(content)
    if suffix == "json" or content.lstrip()[:1] in (b"{", b"["):
        return _json(content)
    if suffix in ("csv", "txt", ""):
        return _csv(content)
    raise ExportError(_("Send the export as CSV, XLSX, JSON or the zip ODK Central makes."))
