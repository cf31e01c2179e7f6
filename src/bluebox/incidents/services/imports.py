"""Uploading a UCDP or ACLED file for a background import (the request side)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bluebox.core import access, audit, background
from bluebox.core.exceptions import ServiceError
from bluebox.core.roles import Resource
from bluebox.incidents import importers, tasks
from bluebox.incidents.jobs import import_path
from bluebox.incidents.models import (
    ImportJob,
    ImportStatus,
)
from bluebox.incidents.services.common import WORKFLOW
from bluebox.missions.models import Mission

HEADER_LIMIT = 1024 * 1024  # a header line longer than this is not a UCDP or ACLED header


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


def import_job_submit(
    *, actor: Any, mission_id: int, fmt: str, upload: Any, accept_outside: bool = False
) -> ImportJob:
    """Store an uploaded UCDP GED or ACLED file and queue its import into a mission.

    ``accept_outside``: events outside the mission's boundary are imported too (the uploader
    checked the file is this mission's); by default they refuse the file, with a map of them.

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
                    accept_outside=accept_outside,
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
                    "accept_outside": accept_outside,
                },
            )
        except BaseException:
            import_path(stored_name).unlink(missing_ok=True)
            raise
    background.enqueue_on_commit(tasks.IMPORT_JOB, job.pk)
    return job
