"""Submissions imported from a KoBoToolbox or ODK Central export, into one survey form.

Each row of the export (read by :mod:`bluebox.assessment.submission_files`) is matched to a
version of the form — the version the export names when bluebox has it, else the newest version
holding every question the row answers — checked against that version's questions (choices
by their names, whole numbers, numbers), written back as the XForm instance a phone would have
sent, and stored through :func:`bluebox.assessment.receiving.submission_receive`, the one path
every submission takes. So the rules are the same as for ODK Collect: the site the answers name,
the importer's scope, the assignment covering the day it was collected, edits through the chain
of instanceIDs.

The import is atomic and idempotent: any bad row refuses the whole file with a per-row report
and nothing is stored; a row whose instanceID is already stored with the same answers is
counted as unchanged (the same file twice adds nothing); the same instanceID with other answers
is a row error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from django.db import transaction
from django.utils.translation import gettext as _

from bluebox.assessment import receiving, submission_files
from bluebox.assessment.models import FormVersion, Submission, SubmissionSource, SurveyForm
from bluebox.core import access, audit
from bluebox.core.exceptions import NotPermitted, NotVisible, ServiceError
from bluebox.core.roles import Resource

MAX_REPORTED_ERRORS = 500
SOURCES = {
    submission_files.KOBO: SubmissionSource.KOBO,
    submission_files.CENTRAL: SubmissionSource.CENTRAL,
}
# XForm metadata KoBoToolbox's form builder adds to every form (start, end...): read as answers
# when the version asks them, skipped when it does not.
METADATA_QUESTIONS = frozenset(
    {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "audit"}
)
_SELECT_ONE = "select one"
_SELECT_MANY = "select all that apply"


@dataclass(frozen=True)
class RowError:
    row: int  # 1 = the export's first submission
    instance_id: str
    field: str
    message: str

    def as_text(self) -> str:
        return _("row %(row)d (%(id)s): %(field)s: %(message)s") % {
            "row": self.row,
            "id": self.instance_id or "?",
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportReport:
    fmt: str = ""
    rows: int = 0
    created: int = 0
    edits: int = 0
    unchanged: int = 0
    attachments: int = 0
    versions: dict[str, int] = field(default_factory=dict)
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
            "edits": self.edits,
            "unchanged": self.unchanged,
            "attachments": self.attachments,
            "versions": self.versions,
            "error_count": self.error_count,
            "errors": [e.__dict__ for e in self.errors],
            "sha256": self.sha256,
        }


class RowProblem(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class _Refused(Exception):
    """Raised inside the transaction to roll every row back when one is bad."""


def _is_metadata(column: str, fmt: str) -> bool:
    if fmt == submission_files.CENTRAL:
        return column in submission_files.CENTRAL_COLUMNS or column.startswith("meta-")
    return column.startswith(("_", "meta/", "meta.", "formhub/", "formhub."))


@dataclass
class _Layout:
    """How one version's questions are named in the export's columns."""

    version: FormVersion
    by_column: dict[str, dict[str, Any]]
    geopoints: dict[str, dict[str, Any]]  # Central's four-column points, by their stem
    many: list[str]  # select-multiple columns, whose per-choice columns are ignored

    @classmethod
    def of(cls, version: FormVersion, separator: str) -> _Layout:
        by_column: dict[str, dict[str, Any]] = {}
        names: dict[str, int] = {}
        for q in version.questions:
            names[q["name"]] = names.get(q["name"], 0) + 1
        for q in version.questions:
            by_column[q["path"].replace("/", separator)] = q
            if names[q["name"]] == 1:
                by_column.setdefault(q["name"], q)  # exported without group names
        geopoints = {c: q for c, q in by_column.items() if q["type"] == "geopoint"}
        many = [c for c, q in by_column.items() if q["type"] == _SELECT_MANY]
        return cls(version, by_column, geopoints, many)

    def question(self, column: str) -> dict[str, Any] | None:
        if column in self.by_column:
            return self.by_column[column]
        stem, _dash, part = column.rpartition("-")
        if part in submission_files.GEO_PARTS and stem in self.geopoints:
            return self.geopoints[stem]
        if any(column.startswith(f"{m}/") or column.startswith(f"{m}.") for m in self.many):
            return {"type": "choice column"}
        return None


def _check(question: dict[str, Any], value: str) -> None:
    kind = question["type"]
    choices = {c["name"] for c in question.get("choices", [])}
    if kind == _SELECT_ONE and choices and value not in choices:
        raise ValueError(
            _("%(value)r is not a choice of this question (export XML values, not labels)")
            % {"value": value[:40]}
        )
    if kind == _SELECT_MANY and choices:
        unknown = [v for v in value.split() if v not in choices]
        if unknown:
            raise ValueError(
                _("%(value)r is not a choice of this question") % {"value": unknown[0][:40]}
            )
    if kind == "integer":
        try:
            int(value)
        except ValueError:
            raise ValueError(_("%(value)r is not a whole number") % {"value": value[:40]}) from None
    if kind == "decimal":
        try:
            float(value)
        except ValueError:
            raise ValueError(_("%(value)r is not a number") % {"value": value[:40]}) from None


def _answers(row: submission_files.ExportRow, fmt: str, layout: _Layout) -> dict[str, str]:
    """The row's answers by question path, in the form's order; :class:`RowProblem` if bad."""
    found: dict[str, str] = {}
    for column, value in row.columns.items():
        if _is_metadata(column, fmt):
            continue
        question = layout.question(column)
        if question is None:
            if value and column not in METADATA_QUESTIONS:
                raise RowProblem(
                    column,
                    _("version %(version)s of the form has no such question")
                    % {"version": layout.version.version},
                )
            continue
        if question["type"] == "choice column" or question["type"] == "geopoint":
            continue
        if value:
            try:
                _check(question, value)
            except ValueError as exc:
                raise RowProblem(column, str(exc)) from None
        found[question["path"]] = value
    for stem, question in layout.geopoints.items():
        parts = [row.columns.get(f"{stem}-{p}", "") for p in submission_files.GEO_PARTS]
        if stem in row.columns:
            found[question["path"]] = row.columns[stem]
        elif any(parts):
            found[question["path"]] = " ".join(p or "0" for p in parts)
    order = {q["path"]: n for n, q in enumerate(layout.version.questions)}
    return dict(sorted(found.items(), key=lambda kv: order.get(kv[0], len(order))))


def _match(
    row: submission_files.ExportRow, fmt: str, layouts: list[_Layout]
) -> tuple[_Layout, dict[str, str]]:
    """The version a row was filled in, and its answers under that version."""
    named = next((lay for lay in layouts if lay.version.version == row.version), None)
    if named is not None:
        return named, _answers(row, fmt, named)
    first: RowProblem | None = None
    for layout in layouts:  # newest first
        try:
            return layout, _answers(row, fmt, layout)
        except RowProblem as exc:
            first = first or exc
    raise RowProblem(
        first.column if first else "",
        _(
            "no version of the form has this question or answer (%(problem)s); the export names "
            "version %(version)s"
        )
        % {"problem": first.message if first else "", "version": row.version or _("(none)")},
    )


def instance_xml(
    form: SurveyForm, version: FormVersion, answers: dict[str, str], instance_id: str, edits: str
) -> bytes:
    """The XForm instance ODK Collect would have sent for these answers."""
    root = Element("data", {"id": form.form_id, "version": version.version})
    groups: dict[str, Element] = {}
    for path, value in answers.items():
        parent = root
        parts = path.split("/")
        for depth in range(1, len(parts)):
            key = "/".join(parts[:depth])
            if key not in groups:
                groups[key] = SubElement(parent, parts[depth - 1])
            parent = groups[key]
        SubElement(parent, parts[-1]).text = value
    meta = SubElement(root, "meta")
    SubElement(meta, "instanceID").text = instance_id
    if edits:
        SubElement(meta, "deprecatedID").text = edits
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _current_of_chain(mission_id: int, instance_id: str) -> Submission | None:
    """The current submission of the edit chain a stored instanceID belongs to."""
    found = Submission.objects.filter(mission_id=mission_id, instance_id=instance_id).first()
    seen = 0
    while found is not None and not found.is_current and seen < 1000:
        found = Submission.objects.filter(replaces=found).first()
        seen += 1
    return found


def _unchanged(existing: Submission, form: SurveyForm, answers: dict[str, str]) -> bool:
    if existing.form_id != form.pk:
        raise RowProblem("instanceID", _("already received for another form"))
    for path, value in answers.items():
        if existing.answers.get(path, "") != value:
            raise RowProblem(path, _("already received with another answer to this question"))
    return True


def _import_row(
    actor: Any,
    form: SurveyForm,
    export: submission_files.Export,
    row: submission_files.ExportRow,
    layouts: list[_Layout],
    report: ImportReport,
) -> None:
    if row.problem:
        raise RowProblem("Status", row.problem)
    if not row.instance_id:
        raise RowProblem("instanceID", _("missing"))
    if len(row.instance_id) > 128:
        raise RowProblem("instanceID", _("longer than 128 characters"))
    if row.submitted_at is None:
        raise RowProblem("submission date", _("missing or unreadable"))
    layout, answers = _match(row, export.fmt, layouts)
    existing = Submission.objects.filter(
        mission_id=form.mission_id, instance_id=row.instance_id
    ).first()
    if existing is not None and _unchanged(existing, form, answers):
        report.unchanged += 1
        return
    edits = ""
    if row.deprecated_id:
        current = _current_of_chain(form.mission_id, row.deprecated_id)
        edits = current.instance_id if current is not None else ""
    binary = {q["path"] for q in layout.version.questions if q.get("binary")}
    media = {**export.media, **row.media}
    files = [
        (answers[p], "application/octet-stream", media[answers[p]])
        for p in binary
        if answers.get(p) in media
    ]
    received = receiving.submission_receive(
        actor=actor,
        mission=form.mission,
        xml=instance_xml(form, layout.version, answers, row.instance_id, edits),
        files=files,
        device_id=row.columns.get("DeviceID", ""),
        source=SOURCES[export.fmt],
        at=row.submitted_at,
    )
    report.created += 1
    report.edits += 1 if edits else 0
    report.attachments += received.attachments_added
    name = layout.version.version
    report.versions[name] = report.versions.get(name, 0) + 1


def _add_error(report: ImportReport, row: submission_files.ExportRow, column: str, text: str):
    report.error_count += 1
    if len(report.errors) < MAX_REPORTED_ERRORS:
        report.errors.append(RowError(row.row, row.instance_id[:128], column, text))


def layouts_of(form: SurveyForm, separator: str) -> list[_Layout]:
    """How each version of the form names its questions in an export, newest first."""
    return [_Layout.of(v, separator) for v in form.versions.order_by("-uploaded_at")]


def export_store(
    *,
    actor: Any,
    form: SurveyForm,
    export: submission_files.Export,
    layouts: list[_Layout],
    report: ImportReport,
) -> bool:
    """Store every row of an export in one transaction, or none of them.

    Counts each row in ``report``; a bad row is a row error and rolls every row back (the
    counts of stored rows are then zero). True when the rows were stored. File imports call it
    once for the file, pulls from a server once for each page.
    """
    try:
        with transaction.atomic():
            for row in export.rows:
                try:
                    with transaction.atomic():
                        _import_row(actor, form, export, row, layouts, report)
                except RowProblem as exc:
                    _add_error(report, row, exc.column, exc.message)
                except ServiceError as exc:
                    column = next(iter(exc.field_errors), "")
                    _add_error(report, row, column, exc.message)
                except (NotVisible, NotPermitted):
                    _add_error(report, row, "site", _("outside what you may collect or edit"))
            if not report.ok:
                raise _Refused
    except _Refused:
        report.created = report.edits = report.unchanged = report.attachments = 0
        report.versions = {}
        return False
    return True


def require_manage(actor: Any, form_pk: int) -> SurveyForm:
    """The form, if ``actor`` may manage it (import into it, link it to a server)."""
    form = access.get_visible(actor, SurveyForm.objects.select_related("mission"), pk=form_pk)
    access.require_in_scope(
        actor,
        Resource.SURVEY,
        "manage",
        object_id=form.pk,
        mission_id=form.mission_id,
        classification=form.classification,
        compartments=form.compartments,
    )
    return form


def submissions_import(*, actor: Any, form_pk: int, content: bytes, filename: str) -> ImportReport:
    """Import a KoBoToolbox or ODK Central export into a form; all rows or none.

    Raises :class:`ServiceError` for a file that is not an export; returns the report, whose
    ``errors`` list the bad rows (nothing was stored then).
    """
    form = require_manage(actor, form_pk)
    try:
        export = submission_files.read(content, filename)
    except submission_files.ExportError as exc:
        raise ServiceError(str(exc), field_errors={"file": [str(exc)]}) from exc
    report = ImportReport(
        fmt=export.fmt, rows=len(export.rows), sha256=hashlib.sha256(content).hexdigest()
    )
    layouts = layouts_of(form, export.separator)
    if not layouts:
        raise ServiceError(
            _("The form has no version yet."), field_errors={"file": [_("No version")]}
        )
    export_store(actor=actor, form=form, export=export, layouts=layouts, report=report)
    audit.record_for(
        form,
        actor=actor,
        action="survey-submissions-import",
        detail={
            "format": report.fmt,
            "rows": report.rows,
            "created": report.created,
            "unchanged": report.unchanged,
            "errors": report.error_count,
            "sha256": report.sha256,
        },
    )
    return report
