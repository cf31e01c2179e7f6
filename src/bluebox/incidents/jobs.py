"""Worker-side incident work: importing a file (background job or command line), sweeping."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bluebox.core import access, audit, background, progress
from bluebox.core.classification import Classification
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.engines.spatial import h3_cell, priogrid_gid
from bluebox.incidents import bulk, importers, primacy
from bluebox.incidents.adapter import assess_primacy, rules_for
from bluebox.incidents.models import (
    ImportJob,
    ImportStatus,
    Incident,
    IncidentStatus,
)
from bluebox.missions.definition import country_polygon
from bluebox.missions.models import Mission

logger = logging.getLogger(__name__)


class JobStopped(Exception):
    """The background run was stopped (it overran its limit) while it worked: nothing kept."""


class ImportRefused(ServiceError):
    """The file has bad rows (or cannot be read); nothing was written."""

    def __init__(self, report: importers.ImportReport, message: str = "") -> None:
        super().__init__(message or f"{report.error_count} bad rows; nothing was imported.")
        self.report = report


def incidents_import(
    *,
    actor: Any,
    mission: Mission,
    fmt: str,
    path: str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
    batch_size: int = 2000,
    accept_outside: bool = False,
    columnwise: bool = True,
) -> importers.ImportReport:
    """Import a UCDP GED or ACLED CSV file into a mission: all rows or none, idempotent.

    Rows whose (source, id) is already in the mission are left unchanged, so importing the same
    file twice changes nothing; any bad row refuses the whole file and comes back in the report.

    Two phases keep the database's write lock short, so people reading and reporting are not
    held up while a large file is read (SQLite has one writer at a time): the file is first
    read, validated and turned into records outside any transaction, batch by batch into a
    private spill file (memory stays bounded whatever the file's size); only a file with no
    bad row is then written, in one transaction that does nothing but insert.

    ``actor=None`` is the operator at the server's command line (``bluebox import``), who
    already holds the database; the audit entry says so.

    Events outside the mission's boundary (``Mission.settings["boundary"]``) refuse the whole
    file, with their count and a sample of their positions, unless ``accept_outside``: a file
    of the wrong country, or with swapped coordinates, must not land in a mission unnoticed.

    ``columnwise`` (the default) reads and loads the file column by column
    (:mod:`bluebox.incidents.bulk`: the same records, checks and report, several times faster);
    a file that path cannot promise to read as the csv module does is read row by row, as with
    ``columnwise=False``.
    """
    if actor is not None:
        access.require_in_scope(actor, Resource.INCIDENT_WORKFLOW, "import", mission_id=mission.pk)
    report = importers.ImportReport(fmt=fmt)
    with tempfile.TemporaryFile(dir=_spill_dir(), prefix="import-") as spill:
        bulk_loaded = False
        if columnwise and fmt in importers.PARSERS:
            try:
                batches = _read_columnwise(
                    spill, report, mission, fmt, path, actor, progress, now, accept_outside
                )
                bulk_loaded = True
            except bulk.NotVectorisable:
                report = importers.ImportReport(fmt=fmt)
                spill.seek(0)
                spill.truncate()
        if not bulk_loaded:
            batches = _read_into(
                spill, report, mission, fmt, path, actor, progress, now, batch_size, accept_outside
            )
        if not _writing(report, accept_outside):
            if not report.error_count:
                raise ImportRefused(
                    report,
                    f"{report.outside} events lie outside the mission area; nothing was "
                    "imported. Check the file is this mission's, or accept them explicitly.",
                )
            raise ImportRefused(report)
        spill.seek(0)
        with transaction.atomic():
            # A concurrent import of the same file may have landed while this one was reading.
            landed = set(
                Incident.objects.filter(mission=mission, source=fmt).values_list(
                    "external_id", flat=True
                )
            )
            if bulk_loaded:
                _load_columnwise(spill, batches, landed, report)
            for _ in range(0 if bulk_loaded else batches):
                read = pickle.load(spill)  # noqa: S301 (written above, in this process's own file)
                batch = [obj for obj in read if obj.external_id not in landed]
                report.unchanged += len(read) - len(batch)
                if batch:
                    _insert(batch)
                report.created += len(batch)
            if background.superseded():  # stopped for running past its limit: keep nothing
                raise JobStopped()
            _audit_import(actor, mission, fmt, path, report)
    return report


def _spill_dir() -> Path:
    """Where an import keeps its validated batches between reading and writing."""
    directory = Path(settings.IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _read_into(
    spill: Any,
    report: importers.ImportReport,
    mission: Mission,
    fmt: str,
    path: str | os.PathLike[str],
    actor: Any,
    progress: Callable[[int, int], None] | None,
    now: datetime | None,
    batch_size: int,
    accept_outside: bool,
) -> int:
    """Read and validate the whole file into ``report``; pickle the new records to ``spill``
    in batches while the file may still be imported. Returns the number of batches."""
    ctx = importers.Context(host_country=mission.host_country, now=now or timezone.now())
    rules = rules_for(mission)
    digest = hashlib.sha256()
    existing = set(
        Incident.objects.filter(mission=mission, source=fmt).values_list("external_id", flat=True)
    )
    seen: set[str] = set()
    area = country_polygon((mission.settings or {}).get("boundary"))
    if area is not None:
        shapely.prepare(area)
    batch: list[Incident] = []
    batches = 0
    try:
        for parsed in importers.read_rows(path, fmt, ctx, progress, digest):
            report.rows += 1
            if _refused_row(parsed, seen, report):
                continue
            seen.add(parsed.external_id)
            if parsed.external_id in existing:
                report.unchanged += 1
                continue
            _outside(area, parsed.values or {}, report)
            if not _writing(report, accept_outside):
                batch = []
                continue  # keep reading for the report; nothing more is kept
            batch.append(_imported(parsed.values or {}, mission, fmt, actor, ctx, rules))
            if len(batch) >= batch_size:
                pickle.dump(batch, spill, protocol=pickle.HIGHEST_PROTOCOL)
                batches += 1
                batch = []
    except (importers.FileProblem, UnicodeDecodeError) as exc:
        report.error_count += 1
        report.errors.append(importers.RowError(0, "", "file", str(exc)[:200]))
    if batch and _writing(report, accept_outside):
        pickle.dump(batch, spill, protocol=pickle.HIGHEST_PROTOCOL)
        batches += 1
    report.sha256 = digest.hexdigest()
    return batches


def _read_columnwise(
    spill: Any,
    report: importers.ImportReport,
    mission: Mission,
    fmt: str,
    path: str | os.PathLike[str],
    actor: Any,
    progress: Callable[[int, int], None] | None,
    now: datetime | None,
    accept_outside: bool,
) -> int:
    """:func:`_read_into`, column by column (:func:`bluebox.incidents.bulk.read_into`)."""
    ctx = importers.Context(host_country=mission.host_country, now=now or timezone.now())
    rules = rules_for(mission)
    existing = set(
        Incident.objects.filter(mission=mission, source=fmt).values_list("external_id", flat=True)
    )
    area = country_polygon((mission.settings or {}).get("boundary"))
    if area is not None:
        shapely.prepare(area)
    return bulk.read_into(
        spill,
        report,
        fmt=fmt,
        path=path,
        ctx=ctx,
        rules=rules,
        existing=existing,
        area=area,
        template=Incident(**_import_constants(mission, fmt, actor, ctx)),
        make_record=lambda values: _imported(values, mission, fmt, actor, ctx, rules),
        progress=progress,
        writing=lambda: _writing(report, accept_outside),
    )


def _load_columnwise(
    spill: Any, batches: int, landed: set[str], report: importers.ImportReport
) -> None:
    """Load the spilled chunks, leaving out records another import landed meanwhile."""
    varying, constant = bulk.insert_fields()
    sql = bulk.statements(varying, constant)
    for _ in range(batches):
        chunk = pickle.load(spill)  # noqa: S301 (written above, in this process's own file)
        if landed and any(e in landed for e in chunk.external_ids):
            kept = [
                (e, row)
                for e, row in zip(chunk.external_ids, chunk.rows, strict=True)
                if e not in landed
            ]
            report.unchanged += len(chunk.rows) - len(kept)
            chunk = bulk.Chunk([e for e, _ in kept], [row for _, row in kept])
        if chunk.rows:
            bulk.load_chunk(chunk, sql)
        report.created += len(chunk.rows)


def _refused_row(parsed: Any, seen: set[str], report: importers.ImportReport) -> bool:
    """Count a bad or repeated row in the report; True when the row is refused."""
    problem = parsed.problem
    if problem is None and parsed.external_id in seen:
        problem = importers.RowProblem("id", "duplicate id in this file")
    if problem is None:
        return False
    report.error_count += 1
    if len(report.errors) < importers.MAX_REPORTED_ERRORS:
        report.errors.append(
            importers.RowError(parsed.number, parsed.external_id, problem.field, problem.message)
        )
    return True


def _writing(report: importers.ImportReport, accept_outside: bool) -> bool:
    """Whether the file may still be imported: no bad row, and no event outside unless accepted."""
    return not report.error_count and (accept_outside or not report.outside)


def _audit_import(
    actor: Any, mission: Mission, fmt: str, path: Any, report: importers.ImportReport
) -> None:
    audit.record(
        actor=actor,
        action="import",
        resource=Resource.INCIDENT,
        mission_id=mission.pk,
        detail={
            "channel": "web" if actor is not None else "command line",
            "format": fmt,
            "file": os.path.basename(str(path)),
            "sha256": report.sha256,
            "rows": report.rows,
            "created": report.created,
            "unchanged": report.unchanged,
            "outside_accepted": report.outside,
        },
    )


def _outside(area: Any, values: dict[str, Any], report: importers.ImportReport) -> bool:
    """Count the event in ``report`` if it lies outside ``area`` (None: no boundary)."""
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if area is None or latitude is None or longitude is None:
        return False
    if shapely.contains_xy(area, float(longitude), float(latitude)):
        return False
    report.outside += 1
    if len(report.outside_sample) < importers.MAX_OUTSIDE_SAMPLE:
        report.outside_sample.append((float(latitude), float(longitude)))
    return True


def _insert(batch: list[Incident]) -> None:
    """Insert a batch of new incidents.

    SQLite caps a statement at 999 parameters, so ``bulk_create`` would split 2,000 incidents
    into ~110 INSERTs of 18 rows, each compiled anew; one prepared statement run by
    ``executemany`` is several times faster. Other databases take the ordinary path.
    """
    if connection.vendor != "sqlite":
        Incident.objects.bulk_create(batch)
        return
    fields = [f for f in Incident._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Incident._meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in batch
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


PROGRESS_KIND = "incident-import"


ORPHAN_AGE_S = 24 * 3600


DISK_FULL = (
    "The server's disk is full: nothing was imported. Free some space (or ask the operator to) "
    "and import the file again."
)


def disk_full(exc: BaseException) -> bool:
    """Whether an error says the disk (or the database) is full, whichever layer raised it."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return "database or disk is full" in str(exc) or "No space left on device" in str(exc)


def import_path(stored_name: str) -> Path:
    return Path(settings.IMPORT_DIR) / stored_name


def import_job_execute(
    *,
    job_id: int,
    on_progress: Callable[[int, int], None] | None = None,
    claimed: bool = False,
) -> ImportJob | None:
    """Run a queued import (the background task). Running it twice does nothing more.

    The job's row says "running" before the import's own transaction starts, and its outcome
    after it ends; in between, progress goes to :mod:`bluebox.core.progress`. The uploaded file
    is removed whatever the outcome; the hash and the report stay on the job. ``claimed``: the
    task already moved the job to "running" (see :func:`bluebox.core.background.running`).
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        expected = ImportStatus.RUNNING if claimed else ImportStatus.QUEUED
        if job is None or job.status != expected:
            return job
        if not claimed:
            job.status = ImportStatus.RUNNING
            job.started_at = timezone.now()
            job.save(update_fields=["status", "started_at"])
    progress.report(PROGRESS_KIND, job.pk, 0, job.size)

    def tick(done: int, total: int) -> None:
        progress.report(PROGRESS_KIND, job.pk, done, total)
        if on_progress is not None:
            on_progress(done, total)

    path = import_path(job.stored_name)
    try:
        report = incidents_import(
            actor=job.requested_by,
            mission=job.mission,
            fmt=job.fmt,
            path=path,
            progress=tick,
            accept_outside=job.accept_outside,
        )
    except JobStopped:
        return job  # the sweep has closed the row with the reason; nothing was written
    except ImportRefused as refused:
        _record_outcome(job, refused.report, ImportStatus.REFUSED, refused.message)
    except access.NotPermitted:
        job.status = ImportStatus.FAILED
        job.message = (
            "The person who uploaded the file may no longer import into this mission; "
            "nothing was imported."
        )
    except FileNotFoundError:
        job.status = ImportStatus.FAILED
        job.message = "The uploaded file is no longer on the server; nothing was imported."
    except Exception as exc:
        # The type only: a database error's text can quote the file's values.
        logger.error("import job %s failed: %s", job.pk, type(exc).__name__)
        job.status = ImportStatus.FAILED
        job.message = (
            DISK_FULL
            if disk_full(exc)
            else "The import stopped on an unexpected error; nothing was imported."
        )
    else:
        _record_outcome(job, report, ImportStatus.DONE, "")
    finally:
        path.unlink(missing_ok=True)
        progress.clear(PROGRESS_KIND, job.pk)
    job.stored_name = ""
    job.finished_at = timezone.now()
    job.save()
    return job


def _record_outcome(
    job: ImportJob, report: importers.ImportReport, status: str, message: str
) -> None:
    job.status = status
    job.message = message[:300]
    job.rows = report.rows
    job.created = report.created
    job.unchanged = report.unchanged
    job.error_count = report.error_count
    job.errors = [error.__dict__ for error in report.errors]
    job.outside = report.outside
    job.outside_sample = [list(point) for point in report.outside_sample]


def import_job_closed(job_id: int) -> None:
    """A job closed by the sweep: its upload and progress go (the row keeps hash and reason)."""
    progress.clear(PROGRESS_KIND, job_id)
    stored = ImportJob.objects.filter(pk=job_id).values_list("stored_name", flat=True).first()
    if stored:
        import_path(stored).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job_id).update(stored_name="")


def import_uploads_sweep(*, now: datetime | None = None) -> int:
    """Remove uploads no queued or running import will read (the jobs themselves are closed by
    :func:`bluebox.core.background.sweep`). Returns the number of files removed."""
    moment = now or timezone.now()
    directory = Path(settings.IMPORT_DIR)
    if not directory.is_dir():
        return 0
    waiting = set(
        ImportJob.objects.filter(
            status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
        ).values_list("stored_name", flat=True)
    )
    removed = 0
    for path in directory.glob("*.csv"):
        if path.name not in waiting and moment.timestamp() - path.stat().st_mtime > ORPHAN_AGE_S:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _import_constants(
    mission: Mission, fmt: str, actor: Any, ctx: importers.Context
) -> dict[str, Any]:
    """What every imported record of one file has in common."""
    return {
        "mission": mission,
        "source": fmt,
        "classification": Classification.UNCLASSIFIED,  # published datasets
        "status": IncidentStatus.VERIFIED,
        "reported_by": actor,
        "reported_at": ctx.now,
        "verified_by": actor,
        "verified_at": ctx.now,
    }


def _imported(
    values: dict[str, Any],
    mission: Mission,
    fmt: str,
    actor: Any,
    ctx: importers.Context,
    rules: primacy.PrimacyRules,
) -> Incident:
    incident = Incident(**_import_constants(mission, fmt, actor, ctx), **values)
    incident.h3_cell = h3_cell(incident.latitude, incident.longitude)
    incident.priogrid_gid = priogrid_gid(incident.latitude, incident.longitude)
    assess_primacy(incident, rules)
    return incident
