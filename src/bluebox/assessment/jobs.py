"""Worker-side assessment work: pulling a form's new submissions from KoBoToolbox or ODK Central.

A pull asks the form's server (:mod:`bluebox.assessment.remote`) for the submissions from the
source's cursor on, oldest first, and stores each page in its own transaction together with the
new cursor and the job's counts: the rows go through :func:`bluebox.assessment.imports.
export_store`, as a file's rows do (same matching to a form version, same checks, same
``submission_receive``), so a submission already stored is unchanged, an edit replaces what it
edits and other answers under a stored instanceID are a row error. A page with a bad row is
not stored and stops the pull with the per-row report; the pages before it stay. A pull that
stops for any reason (the server fails, the worker dies) goes on, next time, from the last page
stored. The credential is revealed only to build the request; no error or log line holds it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bluebox.assessment import imports, remote, submission_files
from bluebox.assessment.models import PullJob, PullStatus, RemoteSource, SurveyForm
from bluebox.core import audit, background
from bluebox.core.crypto import ProtectedValue, UnreadableValueError
from bluebox.core.exceptions import NotPermitted, NotVisible

logger = logging.getLogger(__name__)

MAX_CURSOR_IDS = 1000


class _Stopped(Exception):
    """The run was stopped (it overran its limit) while it worked: the page is not kept."""


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def server_of(source: RemoteSource, **overrides: Any) -> remote.Server:
    """The server a source names, with its credential revealed (for the request only)."""
    secret = source.credential
    if not isinstance(secret, ProtectedValue):
        raise UnreadableValueError("no credential")
    return remote.Server(
        kind=source.kind,
        base_url=source.base_url,
        secret=secret.reveal(),
        asset_uid=source.asset_uid,
        project_id=source.project_id,
        xml_form_id=source.xml_form_id,
        username=source.username,
        page_size=int(settings.SURVEY_PULL_PAGE_SIZE),
        timeout_s=float(settings.SURVEY_PULL_TIMEOUT_S),
        retries=int(settings.SURVEY_PULL_RETRIES),
        backoff_s=float(settings.SURVEY_PULL_BACKOFF_S),
        **overrides,
    )


def _already(source: RemoteSource, row: submission_files.ExportRow) -> bool:
    """A row stored by an earlier page at the cursor's very time (asked for again)."""
    return (
        source.cursor_at is not None
        and row.submitted_at == source.cursor_at
        and row.instance_id in source.cursor_ids
    )


def _advance(source: RemoteSource, rows: list[submission_files.ExportRow]) -> None:
    times = [r.submitted_at for r in rows if r.submitted_at is not None]
    if not times:
        return
    newest = max(times)
    ids = [r.instance_id for r in rows if r.submitted_at == newest]
    if source.cursor_at == newest:
        ids = [*source.cursor_ids, *[i for i in ids if i not in source.cursor_ids]]
    elif source.cursor_at is not None and newest < source.cursor_at:
        return
    source.cursor_at = newest
    source.cursor_ids = ids[-MAX_CURSOR_IDS:]
    source.save(update_fields=["cursor_at", "cursor_ids"])


def _store_page(
    job: PullJob,
    form: SurveyForm,
    client: remote.Client,
    page: remote.Page,
    layouts: list[Any],
    binary: set[str],
) -> None:
    """Store one page with the cursor and the counts, or nothing of it (:class:`_Refused`)."""
    fmt = job.kind
    try:
        rows = submission_files.records_rows(page.records, fmt, first=job.rows + 1)
    except submission_files.ExportError as exc:
        raise _Refused(str(exc)) from None
    source = RemoteSource.objects.get(form_id=form.pk)
    pairs = [(row, record) for row, record in zip(rows, page.records, strict=True)]
    pairs = [(row, record) for row, record in pairs if not _already(source, row)]
    for row, record in pairs:
        names = {row.columns[p] for p in binary if row.columns.get(p)}
        row.media = client.attachments(record, names)
    export = submission_files.Export(fmt=fmt, separator="/", rows=[row for row, _r in pairs])
    report = imports.ImportReport(fmt=fmt, rows=len(export.rows))
    with transaction.atomic():
        source = RemoteSource.objects.select_for_update().get(pk=source.pk)
        stored = imports.export_store(
            actor=job.requested_by, form=form, export=export, layouts=layouts, report=report
        )
        if background.superseded():
            raise _Stopped()
        if stored:
            _advance(source, export.rows)
            _count(job, page, export, report)
    if not stored:
        # Outside the page's transaction, which stored nothing: the report stays on the job.
        job.rows += len(export.rows)
        job.error_count += report.error_count
        job.errors = [e.__dict__ for e in report.errors]
        job.save(update_fields=["rows", "error_count", "errors"])
        raise _Refused(
            _(
                "%(n)d bad submissions in this page: nothing of it was stored (the pages "
                "before it were). Correct them, or assign the form where and when they were "
                "collected, and pull again."
            )
            % {"n": report.error_count}
        )


def _count(
    job: PullJob,
    page: remote.Page,
    export: submission_files.Export,
    report: imports.ImportReport,
) -> None:
    job.rows += len(export.rows)
    if page.total is not None and job.total is None:
        job.total = page.total
    job.pages += 1
    job.created += report.created
    job.edits += report.edits
    job.unchanged += report.unchanged
    job.attachments += report.attachments
    job.save(
        update_fields=[
            "rows",
            "total",
            "pages",
            "created",
            "edits",
            "unchanged",
            "attachments",
        ]
    )


def _pull(job: PullJob, sleep: Callable[[float], None]) -> None:
    form = imports.require_manage(job.requested_by, job.form_id)
    source = RemoteSource.objects.filter(form_id=form.pk).first()
    if source is None:
        raise _Refused(_("The form is no longer linked to a server."))
    layouts = imports.layouts_of(form, "/")
    if not layouts:
        raise _Refused(_("The form has no version yet."))
    binary = {q["path"] for lay in layouts for q in lay.version.questions if q.get("binary")}
    job.since = source.cursor_at
    job.save(update_fields=["since"])
    client = remote.Client(server_of(source), sleep=sleep)
    for page in client.pages(source.cursor_at):
        _store_page(job, form, client, page, layouts, binary)


def pull_job_execute(
    *, job_id: int, claimed: bool = False, sleep: Callable[[float], None] = time.sleep
) -> PullJob | None:
    """Run a queued pull (the background task). Running it twice does nothing more.

    ``claimed``: the task already moved the job to "running" (see
    :func:`bluebox.core.background.running`).
    """
    with transaction.atomic():
        job = PullJob.objects.select_for_update().filter(pk=job_id).first()
        expected = PullStatus.RUNNING if claimed else PullStatus.QUEUED
        if job is None or job.status != expected:
            return job
        if not claimed:
            job.status = PullStatus.RUNNING
            job.started_at = timezone.now()
            job.save(update_fields=["status", "started_at"])
    status, message = PullStatus.DONE, ""
    try:
        _pull(job, sleep)
    except _Stopped:
        return job  # the sweep has closed the row with the reason; this page was not kept
    except _Refused as refused:
        status, message = PullStatus.REFUSED, refused.message
    except remote.RemoteError as exc:
        status, message = PullStatus.FAILED, exc.message
    except (NotPermitted, NotVisible):
        status = PullStatus.FAILED
        message = _("The person who started the pull may no longer manage this form.")
    except UnreadableValueError:
        status = PullStatus.FAILED
        message = _("The stored credential cannot be read with the server's keys: enter it again.")
    except Exception as exc:
        # The type only: a database error's text can quote protected values.
        logger.error("survey pull %s failed: %s", job.pk, type(exc).__name__)
        status = PullStatus.FAILED
        message = _("The pull stopped on an unexpected error; the pages stored before it stay.")
    PullJob.objects.filter(pk=job.pk).update(
        status=status, message=str(message)[:300], finished_at=timezone.now()
    )
    job.refresh_from_db()
    audit.record_for(
        job.form,
        actor=job.requested_by,
        action="survey-submissions-pull",
        detail={
            "job": job.pk,
            "server": job.kind,
            "status": job.status,
            "pages": job.pages,
            "rows": job.rows,
            "created": job.created,
            "unchanged": job.unchanged,
            "errors": job.error_count,
        },
    )
    return job
