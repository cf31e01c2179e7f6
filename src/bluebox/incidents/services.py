"""Writes on incidents: report, verify, respond, close, link, void, primacy handovers, imports
and protected people. Atomic, authorized and audited."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from bluebox.core import access, audit, progress
from bluebox.core import services as core_services
from bluebox.core.classification import Classification
from bluebox.core.crypto import ProtectedValue
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.engines.spatial import h3_cell, priogrid_gid
from bluebox.incidents import importers, primacy
from bluebox.incidents.models import (
    IDENTITY_COMPARTMENT,
    ImportJob,
    ImportStatus,
    Incident,
    IncidentLink,
    IncidentResponse,
    IncidentStatus,
    PrimacyDecision,
    ProtectedPerson,
    ProtectedPersonKind,
)
from bluebox.missions.models import FieldSite, Mission, Sector

logger = logging.getLogger(__name__)

# Fields a reporter may set; everything else is derived or set by workflow steps.
REPORTABLE_FIELDS = (
    "title",
    "description",
    "incident_type",
    "occurred_at",
    "date_precision",
    "latitude",
    "longitude",
    "location_precision",
    "admin1",
    "admin2",
    "perpetrator_category",
    "perpetrator_actor",
    "civilian_targeting",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "victims_women",
    "victims_men",
    "victims_girls",
    "victims_boys",
    "victims_unknown",
    "weapons",
    "poc_tier",
    "poc_phase",
    "source_reliability",
    "information_credibility",
    "classification",
    "compartments",
    "actors",
    "location_name",
)
# Authorization resource for workflow steps on an incident the actor can already see.
WORKFLOW = Resource.INCIDENT_WORKFLOW


def _rules_for(mission: Mission) -> primacy.PrimacyRules:
    return primacy.PrimacyRules.from_settings((mission.settings or {}).get("primacy_rules"))


def _assess(incident: Incident, rules: primacy.PrimacyRules) -> None:
    assessment = primacy.classify(
        weapons=incident.weapons or [],
        fatalities_best=incident.fatalities_best,
        perpetrator_category=incident.perpetrator_category,
        violence_type=incident.violence_type,
        rules=rules,
    )
    incident.threat_nature = assessment.nature
    incident.threat_nature_reason = assessment.reason_text
    if not incident.primacy:
        incident.primacy = assessment.nature


def _require_workflow(actor: Any, incident: Incident, action: str) -> None:
    """The actor sees the incident; may they take this workflow step on it?"""
    access.require_in_scope(
        actor,
        WORKFLOW,
        action,
        mission_id=incident.mission_id,
        sector_id=incident.sector_id,
        site_id=incident.site_id,
        classification=incident.classification,
        compartments=incident.compartments,
    )


def _resolve_scope(
    mission: Mission, site_id: int | None, sector_id: int | None
) -> tuple[FieldSite | None, Sector | None]:
    site = None
    sector = None
    if site_id is not None:
        site = FieldSite.objects.filter(pk=site_id, mission=mission).first()
        if site is None:
            raise ServiceError(
                "Unknown field site.", field_errors={"site": ["Unknown field site."]}
            )
        sector = site.sector
    elif sector_id is not None:
        sector = Sector.objects.filter(pk=sector_id, mission=mission).first()
        if sector is None:
            raise ServiceError("Unknown sector.", field_errors={"sector": ["Unknown sector."]})
    return site, sector


@transaction.atomic
def incident_report(
    *,
    actor: Any,
    mission: Mission,
    site_id: int | None = None,
    sector_id: int | None = None,
    data: dict[str, Any],
    reported_at: datetime | None = None,
) -> Incident:
    """File a new incident in a scope the actor may report in."""
    unknown = set(data) - set(REPORTABLE_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    site, sector = _resolve_scope(mission, site_id, sector_id)
    classification = int(data.get("classification", Classification.CONFIDENTIAL))
    compartments = int(data.get("compartments", 0))
    access.require_in_scope(
        actor,
        Resource.INCIDENT,
        "create",
        mission_id=mission.pk,
        sector_id=sector.pk if sector else None,
        site_id=site.pk if site else None,
        classification=classification,
        compartments=compartments,
    )
    incident = Incident(mission=mission, site=site, sector=sector, reported_by=actor, **data)
    incident.reported_at = reported_at or timezone.now()
    incident.status = IncidentStatus.REPORTED
    if incident.occurred_at and incident.occurred_at > incident.reported_at:
        raise ServiceError(
            "An incident cannot occur after it is reported.",
            field_errors={"occurred_at": ["In the future."]},
        )
    try:
        incident.full_clean(exclude=["h3_cell", "priogrid_gid"])
    except ValidationError as exc:
        raise ServiceError("Invalid incident.", field_errors=exc.message_dict) from exc
    unknown_weapons = set(incident.weapons or []) - set(primacy.WEAPON_CHOICES)
    if unknown_weapons:
        raise ServiceError(
            "Unknown weapons.", field_errors={"weapons": [", ".join(sorted(unknown_weapons))]}
        )
    incident.h3_cell = h3_cell(incident.latitude, incident.longitude)
    incident.priogrid_gid = priogrid_gid(incident.latitude, incident.longitude)
    _assess(incident, _rules_for(mission))
    incident.save()
    audit.record(
        actor=actor,
        action="create",
        resource=Resource.INCIDENT,
        object_id=incident.pk,
        mission_id=mission.pk,
        detail={"classification": incident.classification},
    )
    return incident


@transaction.atomic
def incident_verify(*, actor: Any, incident_id: int) -> Incident:
    incident = access.get_visible(
        actor, Incident.objects.select_for_update(), action="verify", pk=incident_id
    )
    if incident.status != IncidentStatus.REPORTED:
        raise ServiceError(
            f"Only reported incidents can be verified (this one is {incident.status})."
        )
    incident.status = IncidentStatus.VERIFIED
    incident.verified_by = actor
    incident.verified_at = timezone.now()
    incident.save(update_fields=["status", "verified_by", "verified_at"])
    audit.record(
        actor=actor,
        action="verify",
        resource=Resource.INCIDENT,
        object_id=incident.pk,
        mission_id=incident.mission_id,
    )
    return incident


def incident_void(*, actor: Any, incident_id: int, reason: str) -> Incident:
    incident = access.get_visible(actor, Incident.objects.all(), action="void", pk=incident_id)
    voided = core_services.record_void(actor=actor, record=incident, reason=reason)
    return cast(Incident, voided)


def _locked(actor: Any, incident_id: int) -> Incident:
    return access.get_visible(actor, Incident.objects.select_for_update(), pk=incident_id)


@transaction.atomic
def incident_respond(
    *,
    actor: Any,
    incident_id: int,
    mode: str,
    responded_at: datetime,
    unit: str = "",
    description: str = "",
) -> IncidentResponse:
    """Record who responded, when and how; a verified or reported incident becomes responded."""
    incident = _locked(actor, incident_id)
    _require_workflow(actor, incident, "respond")
    if incident.status in (IncidentStatus.CLOSED, IncidentStatus.VOIDED) or incident.voided_at:
        raise ServiceError(f"This incident is {incident.status}; no response can be added.")
    now = timezone.now()
    if responded_at > now:
        raise ServiceError("A response cannot be in the future.")
    if responded_at < incident.occurred_at:
        raise ServiceError("A response cannot precede the incident.")
    response = IncidentResponse(
        incident=incident,
        mode=mode,
        unit=unit,
        responded_at=responded_at,
        description=description,
        recorded_by=actor,
        recorded_at=now,
    )
    try:
        response.full_clean(exclude=["incident", "recorded_by"])
    except ValidationError as exc:
        raise ServiceError("Invalid response.", field_errors=exc.message_dict) from exc
    response.save()
    if incident.status in (IncidentStatus.REPORTED, IncidentStatus.VERIFIED):
        incident.status = IncidentStatus.RESPONDED
        incident.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="respond",
        resource=Resource.INCIDENT,
        object_id=incident.pk,
        mission_id=incident.mission_id,
        detail={"mode": mode, "response_id": response.pk},
    )
    return response


@transaction.atomic
def incident_close(*, actor: Any, incident_id: int) -> Incident:
    incident = _locked(actor, incident_id)
    _require_workflow(actor, incident, "close")
    if incident.status not in (IncidentStatus.VERIFIED, IncidentStatus.RESPONDED):
        raise ServiceError(
            f"Only verified or responded incidents can be closed (this one is {incident.status})."
        )
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = timezone.now()
    incident.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=actor,
        action="close",
        resource=Resource.INCIDENT,
        object_id=incident.pk,
        mission_id=incident.mission_id,
    )
    return incident


@transaction.atomic
def incident_link(
    *, actor: Any, incident_id: int, other_id: int, kind: str = IncidentLink.Kind.SAME_INCIDENT
) -> IncidentLink:
    """Link two reports the actor can both see (same incident, or related)."""
    incident = _locked(actor, incident_id)
    other = access.get_visible(actor, Incident.objects.all(), pk=other_id)
    _require_workflow(actor, incident, "link")
    if incident.pk == other.pk:
        raise ServiceError("An incident cannot be linked to itself.")
    if incident.mission_id != other.mission_id:
        raise ServiceError("Only incidents of the same mission can be linked.")
    if kind not in IncidentLink.Kind.values:
        raise ServiceError("Unknown link kind.", field_errors={"kind": ["Unknown link kind."]})
    pair = IncidentLink.objects.filter(
        from_incident__in=[incident, other], to_incident__in=[incident, other]
    )
    if pair.exists():
        raise ServiceError("These incidents are already linked.")
    link = IncidentLink.objects.create(
        from_incident=incident,
        to_incident=other,
        kind=kind,
        linked_by=actor,
        linked_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="link",
        resource=Resource.INCIDENT,
        object_id=incident.pk,
        mission_id=incident.mission_id,
        detail={"other": other.pk, "kind": kind},
    )
    return link


@transaction.atomic
def incident_primacy_handover(
    *, actor: Any, incident_id: int, to_primacy: str, reason: str
) -> PrimacyDecision:
    """Hand primacy for a threat between police (blue) and military (green): a recorded decision."""
    incident = _locked(actor, incident_id)
    _require_workflow(actor, incident, "handover")
    if to_primacy not in ("blue", "green"):
        raise ServiceError("Primacy is blue (police) or green (military).")
    if not reason.strip():
        raise ServiceError("A handover needs a reason.", field_errors={"reason": ["Required."]})
    if incident.primacy == to_primacy:
        raise ServiceError("Primacy is already there.")
    decision = PrimacyDecision.objects.create(
        incident=incident,
        from_primacy=incident.primacy,
        to_primacy=to_primacy,
        reason=reason.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    incident.primacy = to_primacy
    incident.save(update_fields=["primacy"])
    audit.record(
        actor=actor,
        action="primacy-handover",
        resource=Resource.INCIDENT,
        object_id=incident.pk,
        mission_id=incident.mission_id,
        detail={"from": decision.from_primacy, "to": to_primacy},
    )
    return decision


# --- import -----------------------------------------------------------------------------------


class ImportRefused(ServiceError):
    """The file has bad rows (or cannot be read); nothing was written."""

    def __init__(self, report: importers.ImportReport, message: str = "") -> None:
        super().__init__(message or f"{report.error_count} bad rows; nothing was imported.")
        self.report = report


class _Rollback(Exception):
    pass


def incidents_import(
    *,
    actor: Any,
    mission: Mission,
    fmt: str,
    path: str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
    batch_size: int = 2000,
) -> importers.ImportReport:
    """Import a UCDP GED or ACLED CSV file into a mission: all rows or none, idempotent.

    Rows whose (source, id) is already in the mission are left unchanged, so importing the same
    file twice changes nothing. The file is streamed and inserted in batches inside one
    transaction; any bad row rolls the whole file back and comes back in the report.

    ``actor=None`` is the operator at the server's command line (``bluebox import``), who
    already holds the database; the audit entry says so.
    """
    if actor is not None:
        access.require_in_scope(actor, WORKFLOW, "import", mission_id=mission.pk)
    report = importers.ImportReport(fmt=fmt)
    ctx = importers.Context(host_country=mission.host_country, now=now or timezone.now())
    rules = _rules_for(mission)
    digest = hashlib.sha256()
    existing = set(
        Incident.objects.filter(mission=mission, source=fmt).values_list("external_id", flat=True)
    )
    seen: set[str] = set()
    try:
        with transaction.atomic():
            batch: list[Incident] = []
            try:
                rows = importers.read_rows(path, fmt, ctx, progress, digest)
                for parsed in rows:
                    report.rows += 1
                    problem = parsed.problem
                    if problem is None and parsed.external_id in seen:
                        problem = importers.RowProblem("id", "duplicate id in this file")
                    if problem is not None:
                        report.error_count += 1
                        if len(report.errors) < importers.MAX_REPORTED_ERRORS:
                            report.errors.append(
                                importers.RowError(
                                    parsed.number,
                                    parsed.external_id,
                                    problem.field,
                                    problem.message,
                                )
                            )
                        continue
                    seen.add(parsed.external_id)
                    if parsed.external_id in existing:
                        report.unchanged += 1
                        continue
                    if report.error_count:
                        continue  # keep reading for the report; nothing more is written
                    batch.append(_imported(parsed.values or {}, mission, fmt, actor, ctx, rules))
                    if len(batch) >= batch_size:
                        _insert(batch)
                        report.created += len(batch)
                        batch = []
            except (importers.FileProblem, UnicodeDecodeError) as exc:
                report.error_count += 1
                report.errors.append(importers.RowError(0, "", "file", str(exc)[:200]))
            if batch and not report.error_count:
                _insert(batch)
                report.created += len(batch)
            report.sha256 = digest.hexdigest()
            if report.error_count:
                raise _Rollback()
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
                },
            )
    except _Rollback:
        report.created = 0
        raise ImportRefused(report) from None
    return report


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


# --- background imports of uploaded files ------------------------------------------------------

PROGRESS_KIND = "incident-import"
HEADER_LIMIT = 1024 * 1024  # a header line longer than this is not a UCDP or ACLED header
# A running import reports every 2,000 rows; silence this long means its worker is gone.
IMPORT_SILENCE_S = 15 * 60
QUEUED_MAX_S = 6 * 3600  # a queued job nobody started in this long lost its task
ORPHAN_AGE_S = 24 * 3600


def import_path(stored_name: str) -> Path:
    return Path(settings.IMPORT_DIR) / stored_name


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _store_upload(upload: Any, fmt: str) -> tuple[str, str, int]:
    """Write an upload under the import directory (owner-only), checking its header first.

    Returns (stored name, sha256, size). Nothing is left behind when the header is wrong.
    """
    directory = Path(settings.IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.csv"
    path = directory / stored_name
    digest = hashlib.sha256()
    size = 0
    head = b""
    checked = False
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in upload.chunks():
                if not checked:
                    head += chunk
                    if b"\n" in head or len(head) >= HEADER_LIMIT:
                        _check_header(head.split(b"\n", 1)[0], fmt)
                        checked = True
                digest.update(chunk)
                size += len(chunk)
                if size > settings.IMPORT_MAX_BYTES:
                    raise ServiceError(_too_large())
                handle.write(chunk)
        if not checked:
            _check_header(head, fmt)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return stored_name, digest.hexdigest(), size


def _check_header(line: bytes, fmt: str) -> None:
    problem = importers.header_problem(line, fmt)
    if problem is not None:
        raise ServiceError(
            f"This file cannot be imported: {problem}.", field_errors={"file": [problem]}
        )


def _too_large() -> str:
    return f"The file is larger than {_megabytes(settings.IMPORT_MAX_BYTES)} MB, the most accepted."


def import_job_submit(*, actor: Any, mission_id: int, fmt: str, upload: Any) -> ImportJob:
    """Store an uploaded UCDP GED or ACLED file and queue its import into a mission.

    Refused at once, with nothing stored, when the person may not import here, the format is
    unknown, the file is empty, too large or not the announced format, or another import of
    this mission is still queued or running (one at a time keeps "all rows or none" true).
    """
    mission = access.get_visible(actor, Mission.objects.all(), pk=mission_id)
    access.require_in_scope(actor, WORKFLOW, "import", mission_id=mission.pk)
    if fmt not in importers.PARSERS:
        raise ServiceError("Choose UCDP GED or ACLED.", field_errors={"fmt": ["Unknown format."]})
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise ServiceError("The file is empty.", field_errors={"file": ["Empty file."]})
    if size > settings.IMPORT_MAX_BYTES:
        raise ServiceError(_too_large(), field_errors={"file": [_too_large()]})
    filename = "".join(ch for ch in os.path.basename(str(upload.name)) if ch.isprintable())
    busy = ServiceError(
        "Another import into this mission is still queued or running; "
        "wait for it to end, then upload again."
    )
    with transaction.atomic():
        if ImportJob.objects.filter(
            mission=mission, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
        ).exists():
            raise busy
        stored_name, sha256, size = _store_upload(upload, fmt)
        try:
            with transaction.atomic():  # a concurrent upload loses on the unique constraint
                job = ImportJob.objects.create(
                    mission=mission,
                    fmt=fmt,
                    filename=filename[:200] or "upload.csv",
                    size=size,
                    sha256=sha256,
                    stored_name=stored_name,
                    requested_by=actor,
                    requested_at=timezone.now(),
                )
        except IntegrityError:
            import_path(stored_name).unlink(missing_ok=True)
            raise busy from None
        try:
            audit.record(
                actor=actor,
                action="import-requested",
                resource=Resource.INCIDENT,
                mission_id=mission.pk,
                detail={
                    "job": job.pk,
                    "format": fmt,
                    "file": job.filename,
                    "sha256": sha256,
                    "size": size,
                },
            )
        except BaseException:
            import_path(stored_name).unlink(missing_ok=True)
            raise
    from bluebox.incidents.tasks import run_import

    job_id = job.pk
    transaction.on_commit(lambda: run_import(job_id))
    return job


def import_job_execute(
    *, job_id: int, on_progress: Callable[[int, int], None] | None = None
) -> ImportJob | None:
    """Run a queued import (the background task). Running it twice does nothing more.

    The job's row says "running" before the import's own transaction starts, and its outcome
    after it ends; in between, progress goes to :mod:`bluebox.core.progress`. The uploaded file
    is removed whatever the outcome; the hash and the report stay on the job.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return job
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
            actor=job.requested_by, mission=job.mission, fmt=job.fmt, path=path, progress=tick
        )
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
        job.message = "The import stopped on an unexpected error; nothing was imported."
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


def import_jobs_sweep(*, now: datetime | None = None) -> int:
    """Close imports whose worker died or never came, and remove uploads nobody will import.

    A worker that dies mid-file takes its transaction with it, so nothing of the file is in the
    database; the job is marked failed so the mission can import again. A job no worker picked
    up in ``QUEUED_MAX_S`` (a lost task) is closed the same way. Returns the number closed.
    """
    moment = now or timezone.now()
    closed = 0
    for job in ImportJob.objects.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]):
        if job.status == ImportStatus.RUNNING:
            last = progress.read(PROGRESS_KIND, job.pk)
            heard = (
                last.at if last is not None else (job.started_at or job.requested_at).timestamp()
            )
            if moment.timestamp() - heard < IMPORT_SILENCE_S:
                continue
            message = "The import was interrupted before it finished; nothing was imported."
        else:
            if (moment - job.requested_at).total_seconds() < QUEUED_MAX_S:
                continue
            message = "No worker started the import in time; nothing was imported."
        updated = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportStatus.FAILED, message=message, stored_name="", finished_at=moment
        )
        if updated:
            closed += 1
            import_path(job.stored_name).unlink(missing_ok=True)
            progress.clear(PROGRESS_KIND, job.pk)
            audit.record(
                actor=None,
                action="import-interrupted",
                resource=Resource.INCIDENT,
                mission_id=job.mission_id,
                detail={"job": job.pk, "sha256": job.sha256, "was": job.status},
            )
    directory = Path(settings.IMPORT_DIR)
    if directory.is_dir():
        waiting = set(
            ImportJob.objects.filter(
                status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
            ).values_list("stored_name", flat=True)
        )
        for path in directory.glob("*.csv"):
            if (
                path.name not in waiting
                and moment.timestamp() - path.stat().st_mtime > ORPHAN_AGE_S
            ):
                path.unlink(missing_ok=True)
    return closed


def _imported(
    values: dict[str, Any],
    mission: Mission,
    fmt: str,
    actor: Any,
    ctx: importers.Context,
    rules: primacy.PrimacyRules,
) -> Incident:
    incident = Incident(
        mission=mission,
        source=fmt,
        classification=Classification.UNCLASSIFIED,  # published datasets
        status=IncidentStatus.VERIFIED,
        reported_by=actor,
        reported_at=ctx.now,
        verified_by=actor,
        verified_at=ctx.now,
        **values,
    )
    incident.h3_cell = h3_cell(incident.latitude, incident.longitude)
    incident.priogrid_gid = priogrid_gid(incident.latitude, incident.longitude)
    _assess(incident, rules)
    return incident


# --- protected people -------------------------------------------------------------------------


def _pseudonym(kind: str) -> str:
    prefix = {"informant": "INF", "survivor": "SRV", "victim": "VIC", "witness": "WIT"}[kind]
    return f"{prefix}-{secrets.token_hex(4).upper()}"


@transaction.atomic
def protected_person_create(
    *,
    actor: Any,
    incident_id: int | None = None,
    mission: Mission | None = None,
    kind: str,
    identity: str,
    contact: str = "",
    sex: str = "",
    age_group: str = "",
) -> ProtectedPerson:
    """Store an informant, survivor, victim or witness: identity encrypted, pseudonym issued."""
    if kind not in ProtectedPersonKind.values:
        raise ServiceError("Unknown kind.", field_errors={"kind": ["Unknown kind."]})
    if not identity.strip():
        raise ServiceError("An identity is required.", field_errors={"identity": ["Required."]})
    incident = None
    if incident_id is not None:
        incident = access.get_visible(actor, Incident.objects.all(), pk=incident_id)
        mission = incident.mission
    if mission is None:
        raise ServiceError("A mission or an incident is required.")
    compartment = int(IDENTITY_COMPARTMENT[ProtectedPersonKind(kind)])
    person = ProtectedPerson(
        mission=mission,
        sector_id=incident.sector_id if incident else None,
        site_id=incident.site_id if incident else None,
        incident=incident,
        kind=kind,
        pseudonym=_pseudonym(kind),
        identity_compartment=compartment,
        identity=identity.strip(),
        contact=contact.strip(),
        sex=sex,
        age_group=age_group,
        classification=max(
            int(incident.classification) if incident else 0, Classification.CONFIDENTIAL
        ),
        created_by=actor,
        created_at=timezone.now(),
    )
    access.require_in_scope(
        actor,
        Resource.PROTECTED_PERSON,
        "create",
        mission_id=mission.pk,
        sector_id=person.sector_id,
        site_id=person.site_id,
        classification=person.classification,
    )
    person.save()
    audit.record(
        actor=actor,
        action="create",
        resource=Resource.PROTECTED_PERSON,
        object_id=person.pk,
        mission_id=mission.pk,
        detail={"kind": kind, "pseudonym": person.pseudonym},
    )
    return person


def _revealed(value: Any) -> str:
    return value.reveal() if isinstance(value, ProtectedValue) else ""


@transaction.atomic
def protected_person_reveal(*, actor: Any, person_id: int, purpose: str) -> dict[str, str]:
    """The identity and contact of a protected person, for a compartment holder with a purpose.

    Refusals look like any other refusal (audited, no hint of what is stored); every reveal is
    written to the audit trail with its purpose, never the identity itself.
    """
    person = access.get_visible(actor, ProtectedPerson.objects.all(), pk=person_id)
    access.reveal(
        actor,
        person,
        purpose=purpose,
        compartments=person.identity_compartment,
        detail={"pseudonym": person.pseudonym},
    )
    return {
        "pseudonym": person.pseudonym,
        "identity": _revealed(person.identity),
        "contact": _revealed(person.contact),
    }
