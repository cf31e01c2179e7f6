"""The task worker as bluebox runs it, and the supervisor that keeps it running.

The custody and alert escalations are periodic tasks: when no worker runs, nobody is warned
that a detainee is held past the limit. So:

- **One scheduler.** Periodic tasks and the job sweep run only in the worker holding the
  scheduler lease: an exclusive ``flock`` on ``<data dir>/scheduler.lock`` with the embedded
  queue (the kernel releases it when its holder dies, however it dies), a Redis lock with a
  time-to-live renewed every second with Redis. Other workers run tasks and wait for the lease.
- **A heartbeat.** The scheduler loop writes the worker's last sign of life to the queue's
  store; the readiness endpoint reads it (:mod:`bluebox.core.health`).
- **Bounded.** The worker's data segment is limited (``WORKER_MAX_MEMORY_MB``): a job that
  needs more fails with a clear message instead of taking the machine down.
- **Supervised.** ``bluebox serve`` starts the worker in its own process group, restarts it
  when it dies, and stops it when serve stops. A worker started by serve also dies with it:
  Linux sends it SIGTERM when serve dies (``PR_SET_PDEATHSIG``), and it watches its parent
  in case that signal was missed.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

logger = logging.getLogger("bluebox.worker")

WORKER_KEY = "bluebox-worker"
SCHEDULER_KEY = "bluebox-scheduler"
RESTARTS_KEY = "bluebox-job-count:worker-restarts"
REDIS_LEASE_NAME = "bluebox-scheduler-lease"
REDIS_LEASE_TTL_S = 15


# --- the scheduler lease ---------------------------------------------------------------------


class FileLease:
    """An exclusive ``flock`` on a file: held until released or until the holder dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def hold(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None


class RedisLease:
    """A Redis lock with a time-to-live, renewed by its holder; lost if not renewed in time."""

    def __init__(self, conn: Any, ttl_s: int = REDIS_LEASE_TTL_S) -> None:
        self._lock = conn.lock(REDIS_LEASE_NAME, timeout=ttl_s, thread_local=False)
        self.held = False

    def hold(self) -> bool:
        from redis.exceptions import LockError, RedisError

        try:
            if self.held:
                self._lock.reacquire()
            else:
                self.held = bool(self._lock.acquire(blocking=False))
        except LockError:
            logger.warning("scheduler lease lost (not renewed in time)")
            self.held = False
        except RedisError:
            self.held = False
        return self.held

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(Exception):
                self._lock.release()
        self.held = False


def make_lease() -> FileLease | RedisLease:
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    conn = getattr(HUEY.storage, "conn", None)
    if conn is not None and hasattr(conn, "lock"):
        return RedisLease(conn)
    return FileLease(Path(settings.DATA_DIR) / "scheduler.lock")


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (elsewhere: the watch)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


# --- the worker ------------------------------------------------------------------------------


def limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def _kv_put(key: str, value: Any) -> None:
    from huey.contrib.djhuey import HUEY

    try:
        HUEY.put(key, value)
    except Exception:
        logger.warning("task queue store unreachable: heartbeat not written")


def _make_consumer(workers: int, lease: FileLease | RedisLease) -> Any:
    from huey.consumer import Consumer, Scheduler
    from huey.contrib.djhuey import HUEY

    started = time.time()

    class LeasedScheduler(Scheduler):
        def enqueue_periodic_tasks(self, now: Any) -> None:
            if lease.held:
                super().enqueue_periodic_tasks(now)

        def loop(self, now: Any = None) -> None:
            try:
                lease.hold()
                at = time.time()
                _kv_put(
                    WORKER_KEY,
                    {
                        "at": at,
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "started": started,
                        "scheduler": lease.held,
                    },
                )
                if lease.held:
                    _kv_put(SCHEDULER_KEY, at)
            except Exception:  # an exception here would end the scheduler thread
                logger.exception("worker heartbeat failed")
            super().loop(now)

    class SupervisedConsumer(Consumer):
        def _create_scheduler(self) -> Scheduler:
            return LeasedScheduler(
                huey=self.huey,
                stop_flag=self.stop_flag,
                interval=self.scheduler_interval,
                periodic=self.periodic,
            )

    return SupervisedConsumer(HUEY, workers=workers, worker_type="thread", periodic=True)


def _every(interval_s: float, action: Callable[[], None], name: str) -> threading.Thread:
    def loop() -> None:
        while True:
            time.sleep(interval_s)
            try:
                action()
            except Exception:
                logger.exception("%s failed", name)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def run_worker(*, workers: int = 2, parent_pid: int | None = None) -> int:
    """Run the consumer until stopped (SIGINT: finish running tasks; SIGTERM: now)."""
    from django.conf import settings
    from django.db import close_old_connections

    from bluebox.core import background

    limit_memory(int(settings.WORKER_MAX_MEMORY_MB))
    background.kinds()  # import every app's tasks, so every task and job kind is registered
    lease = make_lease()

    def sweep() -> None:
        if lease.held:
            close_old_connections()
            try:
                outcome = background.sweep()
            finally:
                close_old_connections()
            if outcome:
                logger.warning("job sweep: %s", dict(outcome))

    _every(float(settings.JOB_SWEEP_S), sweep, "job-sweep")
    if parent_pid is not None:
        die_with_parent()
        if os.getppid() != parent_pid:  # serve died before this process could watch it
            return 1

        def watch_parent() -> None:
            if os.getppid() != parent_pid:
                logger.error("bluebox serve (pid %s) is gone: the worker stops", parent_pid)
                os.kill(os.getpid(), signal.SIGTERM)

        _every(1.0, watch_parent, "parent-watch")
    consumer = _make_consumer(workers, lease)
    try:
        consumer.run()
    finally:
        lease.release()
    return 0


# --- the supervisor (runs in bluebox serve) --------------------------------------------------


class WorkerSupervisor(threading.Thread):
    """Starts the worker, restarts it when it dies (with a growing delay), stops it on demand.

    The worker runs in its own session, so a Ctrl+C in serve's terminal reaches serve only and
    serve decides; it is started from this thread, which lives as long as serve, because Linux
    ties the death signal to the thread that started the child.
    """

    def __init__(self, command: list[str], *, max_delay_s: float = 30.0) -> None:
        super().__init__(name="worker-supervisor", daemon=True)
        self.command = command
        self.max_delay_s = max_delay_s
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def _start(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                self.command, start_new_session=True
            )

    def run(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            began = time.monotonic()
            self._start()
            process = self.process
            if process is None:
                return
            while process.poll() is None:
                if self._stopping.wait(0.5):
                    return
            if self._stopping.is_set():
                return
            self.restarts += 1
            _kv_put(RESTARTS_KEY, self.restarts)
            delay = 1.0 if time.monotonic() - began > 60 else min(delay * 2, self.max_delay_s)
            logger.error(
                "the task worker (pid %s) exited with %s; restarting it in %.0f s",
                process.pid,
                process.returncode,
                delay,
            )
            if self._stopping.wait(delay):
                return

    def stop(self, timeout_s: float = 10.0) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
