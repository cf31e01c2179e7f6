"""Background jobs that always close: claims, heartbeats, and the sweep of jobs nobody runs.

huey deletes a task from the queue when a worker takes it and retries only on exceptions, so a
worker killed mid-task (out of memory, ``kill -9``, a reboot) leaves its job's row "running"
for ever, and a task that never reached the queue (the queue was down when the request
committed) leaves it "queued" for ever. Each kind of job therefore:

- is **claimed** by the task that runs it (``queued`` -> ``running`` in one conditional
  update, so a duplicate task does nothing);
- **beats** while it runs: a thread of the worker writes the time to the queue's key-value
  store every ``JOB_HEARTBEAT_S`` (the queue's own SQLite file or Redis, never the database,
  because an import holds one database transaction for its whole length);
- is **swept**: a running job silent for ``JOB_STALE_S`` is re-queued once, then marked failed
  with the reason; a queued job that is not in the queue is enqueued again, and failed after
  ``JOB_QUEUED_MAX_S``.

The apps declare their kinds with :func:`register` in their ``tasks`` module; this module knows
no app. The attempt counter lives in the key-value store too: if that store is wiped, a job
can be re-queued once more than intended, never lost.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, models, transaction
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # the first run and one re-run after its worker died

WORKER_STOPPED = "The worker running this job stopped before it finished (it was restarted)."
WORKER_STOPPED_TWICE = (
    "The job was interrupted twice: its worker stopped before it finished. "
    "It was not run again; start a new one, and tell the administrator if it happens again."
)
NEVER_STARTED = "No worker started this job in time; it was not run. Start a new one."
OUT_OF_MEMORY = (
    "The job needed more memory than the worker may use ({limit}); it was stopped. "
    "Narrow the request (fewer areas, a shorter period) or ask the administrator."
)
UNEXPECTED = "The job stopped on an unexpected error ({error}); it was not finished."
OVERRAN = (
    "The job ran for more than {limit}, the longest this kind of job may take; it was stopped "
    "and its result will not be kept. Narrow the request, or ask the administrator."
)
#: The attempt number a job overrunning its limit is given, so :func:`superseded` tells it to
#: keep nothing (no real attempt has this number).
_STOPPED_ATTEMPT = -1
RESTARTED = "Restarted after its worker stopped"


def _default_fail(reason: str, now: datetime) -> dict[str, Any]:
    return {
        "progress": 100,
        "progress_message": "Failed",
        "error": reason[:2000],
        "finished_at": now,
    }


def _default_requeue(reason: str) -> dict[str, Any]:
    return {"progress": 0, "progress_message": RESTARTED}


@dataclass(frozen=True)
class JobKind:
    """One kind of background job: its model, the statuses that matter and the task to run."""

    name: str
    label: Any  # words for people (a lazy translation)
    model: str  # "app_label.ModelName"
    task: Any  # the huey task; calling it with the row's pk enqueues it
    resource: str  # audit resource of the row
    queued: str = "queued"
    running: str = "running"
    failed: str = "failed"
    created_field: str = "created_at"
    claim_fields: Callable[[datetime], dict[str, Any]] = field(default=lambda now: {})
    fail_fields: Callable[[str, datetime], dict[str, Any]] = _default_fail
    requeue_fields: Callable[[str], dict[str, Any]] = _default_requeue
    on_close: Callable[[int], None] | None = None  # e.g. remove an uploaded file
    #: The longest a run may take, beating or not (None: ``settings.JOB_MAX_RUN_S``): a run
    #: stuck in a loop or a wait still beats, and would otherwise hold its row for ever.
    max_run_s: int | None = None

    @property
    def run_limit_s(self) -> float:
        return float(self.max_run_s if self.max_run_s is not None else settings.JOB_MAX_RUN_S)

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[JobKind]:
    """Every registered kind (each app's ``tasks`` module registers its own)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    return [_KINDS[name] for name in sorted(_KINDS)]


def kind(name: str) -> JobKind:
    if name not in _KINDS:
        kinds()
    return _KINDS[name]


# --- the key-value store -------------------------------------------------------------------


def _beat_key(name: str, pk: int) -> str:
    return f"bluebox-job-beat:{name}:{pk}"


def _attempts_key(name: str, pk: int) -> str:
    return f"bluebox-job-attempts:{name}:{pk}"


def _started_key(name: str, pk: int) -> str:
    return f"bluebox-job-started:{name}:{pk}"


def _kv_get(key: str) -> Any:
    try:
        return HUEY.get(key, peek=True)
    except Exception:  # the store is down: unknown, not silent
        logger.warning("task queue store unreachable while reading %s", key.partition(":")[0])
        return None


def _kv_put(key: str, value: Any) -> None:
    try:
        HUEY.put(key, value)
    except Exception:
        logger.warning("task queue store unreachable while writing %s", key.partition(":")[0])


def _kv_delete(key: str) -> None:
    with contextlib.suppress(Exception):
        HUEY.delete(key)


def beat(name: str, pk: int) -> None:
    _kv_put(_beat_key(name, pk), (time.time(), os.getpid(), socket.gethostname()))


def last_beat(name: str, pk: int) -> float | None:
    value = _kv_get(_beat_key(name, pk))
    if isinstance(value, tuple) and value:
        return float(value[0])
    return None


def attempts(name: str, pk: int) -> int:
    value = _kv_get(_attempts_key(name, pk))
    return int(value) if isinstance(value, int) else 0


def started(name: str, pk: int) -> float | None:
    """When the current attempt of the job was claimed (None: unknown)."""
    value = _kv_get(_started_key(name, pk))
    return float(value) if isinstance(value, int | float) else None


def _forget(name: str, pk: int) -> None:
    _kv_delete(_beat_key(name, pk))
    _kv_delete(_attempts_key(name, pk))
    _kv_delete(_started_key(name, pk))


class _Beater(threading.Thread):
    """Beats for one job until stopped; dies with its process, which is the point."""

    def __init__(self, name: str, pk: int) -> None:
        super().__init__(name=f"beat-{name}-{pk}", daemon=True)
        self.job_name, self.pk = name, pk
        self._stop_event = threading.Event()

    def run(self) -> None:
        interval = max(0.2, float(settings.JOB_HEARTBEAT_S))
        while not self._stop_event.wait(interval):
            beat(self.job_name, self.pk)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


# --- running a job ---------------------------------------------------------------------------


#: (kind, pk, attempt) of the job this thread runs, for :func:`superseded`.
_CURRENT: contextvars.ContextVar[tuple[str, int, int] | None] = contextvars.ContextVar(
    "bluebox_job", default=None
)


def superseded() -> bool:
    """The job this thread runs was taken over by a newer attempt (its first worker looked dead
    and was only stalled): the caller must not store its result. Unknown counts as current."""
    current = _CURRENT.get()
    if current is None:
        return False
    name, pk, attempt = current
    value = _kv_get(_attempts_key(name, pk))
    return isinstance(value, int) and value != attempt


def claim(job: JobKind, pk: int) -> bool:
    """Take a queued job for this worker; False when it is not queued (done, or taken)."""
    now = datetime.now(UTC)
    taken = (
        job.model_class._default_manager.filter(pk=pk, status=job.queued).update(
            status=job.running, **job.claim_fields(now)
        )
        == 1
    )
    if taken:
        _kv_put(_attempts_key(job.name, pk), attempts(job.name, pk) + 1)
        _kv_put(_started_key(job.name, pk), time.time())
        beat(job.name, pk)
    return taken


def memory_limit_text() -> str:
    limit = int(getattr(settings, "WORKER_MAX_MEMORY_MB", 0) or 0)
    return f"{limit} MB" if limit else "the machine's memory"


@contextlib.contextmanager
def running(job: JobKind, pk: int) -> Iterator[bool]:
    """Claim the job, beat while the body runs, and close the job if the body breaks.

    Yields False (and the body should do nothing) when the job was not queued. An exception
    from the body never reaches huey (which would retry it without a claim): a lack of memory
    fails the job at once, anything else is re-queued once and then fails with its type.
    """
    if not claim(job, pk):
        yield False
        return
    beater = _Beater(job.name, pk)
    beater.start()
    token = _CURRENT.set((job.name, pk, attempts(job.name, pk)))
    try:
        yield True
    except MemoryError:
        logger.error("job %s %s ran out of memory", job.name, pk)
        fail(job, pk, OUT_OF_MEMORY.format(limit=memory_limit_text()))
    except Exception as exc:
        # The type only: a database error's text can quote protected values.
        logger.error("job %s %s stopped on %s", job.name, pk, type(exc).__name__)
        if not transaction.get_connection().in_atomic_block:
            close_old_connections()  # a broken connection is replaced before the row is closed
        if attempts(job.name, pk) < MAX_ATTEMPTS:
            requeue(job, pk, f"error: {type(exc).__name__}")
        else:
            fail(job, pk, UNEXPECTED.format(error=type(exc).__name__))
    finally:
        _CURRENT.reset(token)
        beater.stop()
        with contextlib.suppress(Exception):  # the database may be what broke
            row_status = (
                job.model_class._default_manager.filter(pk=pk)
                .values_list("status", flat=True)
                .first()
            )
            if row_status not in (job.queued, job.running):
                _forget(job.name, pk)


def enqueue(job: JobKind, pk: int) -> bool:
    """Put the job's task on the queue; False (logged, not raised) when the queue is down.

    A row left queued because the queue was unreachable is enqueued again by the sweep.
    """
    try:
        job.task(pk)
    except Exception as exc:
        logger.warning(
            "could not enqueue %s %s (%s); the sweep will retry", job.name, pk, type(exc).__name__
        )
        return False
    return True


def enqueue_on_commit(job: JobKind, pk: int) -> None:
    """Enqueue once the row is committed; a queue outage never turns the request into a 500."""
    transaction.on_commit(lambda: enqueue(job, pk))


def _audit(job: JobKind, pk: int, action: str, detail: dict[str, Any]) -> None:
    from bluebox.core import audit

    mission_id = (
        job.model_class._default_manager.filter(pk=pk).values_list("mission_id", flat=True).first()
    )
    audit.record(
        actor=None,
        action=action,
        resource=job.resource,
        object_id=pk,
        mission_id=mission_id,
        detail={"job": job.name, **detail},
    )


def fail(job: JobKind, pk: int, reason: str, *, was: str | None = None) -> bool:
    """Mark an unfinished job failed with its reason, for the person who asked to see."""
    now = datetime.now(UTC)
    statuses = [was] if was else [job.queued, job.running]
    with transaction.atomic():
        closed = (
            job.model_class._default_manager.filter(pk=pk, status__in=statuses).update(
                status=job.failed, **job.fail_fields(reason, now)
            )
            == 1
        )
        if closed:
            _audit(job, pk, "job-failed", {"reason": reason[:200]})
    if closed:
        _forget(job.name, pk)
        if job.on_close is not None:
            job.on_close(pk)
        _count(f"failed:{job.name}")
    return closed


def requeue(job: JobKind, pk: int, why: str) -> bool:
    """Put an interrupted job back in the queue for its one more attempt."""
    with transaction.atomic():
        moved = (
            job.model_class._default_manager.filter(pk=pk, status=job.running).update(
                status=job.queued, **job.requeue_fields(RESTARTED)
            )
            == 1
        )
        if moved:
            _audit(job, pk, "job-requeued", {"why": why})
    if moved:
        _kv_delete(_beat_key(job.name, pk))
        _count(f"requeued:{job.name}")
        enqueue(job, pk)
    return moved


# --- the sweep -------------------------------------------------------------------------------


def _waiting(job_names: dict[str, str]) -> set[tuple[str, int]]:
    """(kind, pk) of every task still in the queue or scheduled for a retry."""
    waiting: set[tuple[str, int]] = set()
    for task in [*HUEY.pending(), *HUEY.scheduled()]:
        name = job_names.get(getattr(task, "name", ""))
        args = getattr(task, "args", ()) or ()
        if name is not None and args:
            with contextlib.suppress(TypeError, ValueError):
                waiting.add((name, int(args[0])))
    return waiting


def sweep(*, now: float | None = None) -> Counter[str]:
    """Close or restart every job nobody runs; returns what it did, by outcome."""
    moment = time.time() if now is None else now
    done: Counter[str] = Counter()
    registered = kinds()
    try:
        waiting = _waiting({job.task.s(0).name: job.name for job in registered})
    except Exception:
        logger.warning("task queue unreachable: the sweep waits for it")
        return done
    stale_s = float(settings.JOB_STALE_S)
    for job in registered:
        rows = job.model_class._default_manager.filter(
            status__in=[job.queued, job.running]
        ).values_list("pk", "status", job.created_field)
        for pk, status, created in rows:
            age = moment - created.timestamp()
            if status == job.running:
                heard = last_beat(job.name, pk)
                silent = moment - heard if heard is not None else age
                if silent < stale_s:
                    if _stop_if_overrun(job, pk, moment):
                        done["stopped"] += 1
                    continue
                if attempts(job.name, pk) < MAX_ATTEMPTS:
                    done["requeued"] += requeue(job, pk, "worker stopped")
                else:
                    done["failed"] += fail(job, pk, WORKER_STOPPED_TWICE, was=job.running)
            elif (job.name, pk) not in waiting:
                if age < float(settings.JOB_QUEUED_GRACE_S):
                    continue
                if age > float(settings.JOB_QUEUED_MAX_S):
                    done["failed"] += fail(job, pk, NEVER_STARTED, was=job.queued)
                elif enqueue(job, pk):
                    done["enqueued"] += 1
                    _count(f"enqueued:{job.name}")
    _kv_put(SWEEP_KEY, time.time())
    return done


def _stop_if_overrun(job: JobKind, pk: int, moment: float) -> bool:
    """Fail a job still beating past its kind's run limit; its late result is not kept."""
    since = started(job.name, pk)
    limit = job.run_limit_s
    if since is None or moment - since <= limit:
        return False
    minutes = max(1, round(limit / 60))
    if not fail(job, pk, OVERRAN.format(limit=f"{minutes} min"), was=job.running):
        return False
    _kv_put(_attempts_key(job.name, pk), _STOPPED_ATTEMPT)  # superseded() is now True
    logger.error("job %s %s overran its %s s limit and was stopped", job.name, pk, int(limit))
    return True


# --- counters for the metrics page (the store is shared by web and worker) -------------------

SWEEP_KEY = "bluebox-job-sweep"
_COUNTER_PREFIX = "bluebox-job-count:"


def _count(what: str) -> None:
    key = _COUNTER_PREFIX + what
    current = _kv_get(key)
    _kv_put(key, (current if isinstance(current, int) else 0) + 1)


def counter(what: str) -> int:
    value = _kv_get(_COUNTER_PREFIX + what)
    return int(value) if isinstance(value, int) else 0


def last_sweep() -> float | None:
    value = _kv_get(SWEEP_KEY)
    return float(value) if isinstance(value, int | float) else None
