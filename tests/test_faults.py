"""Fault tests with real processes: ``bluebox serve`` and its worker, killed and starved.

Each test copies the test database to a file (SQLite) or shares it (PostgreSQL), starts
``bluebox serve`` on it with short job intervals, and breaks something the way production
breaks: ``kill -9`` of the worker in the middle of an import, ``kill -9`` of serve, a database
file locked by another process. Bounded: each test gives up after a few tens of seconds.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bluebox.core import background
from bluebox.incidents import services as incidents
from bluebox.incidents.models import ImportStatus
from bluebox.incidents.tests.conftest import UCDP_COLUMNS, ucdp_row

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="Linux")]


def wait_for(what: str, predicate: Callable[[], Any], timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped is dead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def database_url(tmp_path: Path) -> str:
    """The test database as a server process can open it (committed rows only)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        target = tmp_path / "bluebox.sqlite3"
        copy = sqlite3.connect(target)
        connection.ensure_connection()
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{target}"
    user = settings_dict["USER"] or "postgres"
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


class Served:
    def __init__(self, process: subprocess.Popen[bytes], port: int, data_dir: Path) -> None:
        self.process, self.port, self.data_dir = process, port, data_dir

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def worker_pid(self) -> int | None:
        """The pid of the worker holding the scheduler lease (written in the lock file)."""
        try:
            pid = int((self.data_dir / "scheduler.lock").read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        return pid if alive(pid) else None

    def other_worker(self, than: int) -> int | None:
        pid = self.worker_pid()
        return pid if pid is not None and pid != than else None


@pytest.fixture
def serve(tmp_path: Path, settings: Any) -> Iterator[Callable[..., Served]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, **env_extra: str) -> Served:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BLUEBOX_", "DJANGO_"))}
        env.update(
            BLUEBOX_ENV="development",
            BLUEBOX_DATA_DIR=str(tmp_path),
            DATABASE_URL=database_url(tmp_path),
            BLUEBOX_SECRET_KEY=settings.SECRET_KEY,
            BLUEBOX_FIELD_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
            BLUEBOX_AUDIT_KEY=settings.AUDIT_CHAIN_KEY,
            BLUEBOX_TASKS_IMMEDIATE="0",
            BLUEBOX_JOB_HEARTBEAT_S="1",
            BLUEBOX_JOB_STALE_S="3",
            BLUEBOX_JOB_SWEEP_S="1",
            BLUEBOX_JOB_QUEUED_GRACE_S="2",
            BLUEBOX_WORKER_RESTART_MAX_DELAY_S="2",
            BLUEBOX_REQUEST_LOG_LEVEL="WARNING",
        )
        env.update(env_extra)
        process = subprocess.Popen(
            [sys.executable, "-m", "bluebox.cli", "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "serve.log", "ab"),  # noqa: SIM115
        )
        started.append(process)
        served = Served(process, port, tmp_path)
        wait_for("serve to answer", lambda: _answers(served), timeout_s=60)
        return served

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(served: Served) -> bool:
    if served.process.poll() is not None:
        log = (served.data_dir / "serve.log").read_text(errors="replace")[-2000:]
        raise AssertionError(f"serve exited with {served.process.returncode}:\n{log}")
    try:
        return served.get("/healthz")[0] == 200
    except OSError:
        return False


class TcpProxy:
    """A loopback TCP relay to a server, which the test can cut (an outage) and restore."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        import threading

        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        import threading

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """The database host vanishes: no new connection, and the open ones drop."""
        if self._listener is not None:
            with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._sockets.clear()


def ucdp_file(rows: int) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=UCDP_COLUMNS)
    writer.writeheader()
    writer.writerows(ucdp_row(n) for n in range(1, rows + 1))
    return text.getvalue().encode()


def served_row(served: Served, sql: str, *params: Any) -> tuple[Any, ...] | None:
    """A row as the served processes see it (on SQLite they work on a copy of the database)."""
    if connection.vendor == "sqlite":
        db = sqlite3.connect(served.data_dir / "bluebox.sqlite3", timeout=5)
        try:
            return db.execute(sql, params).fetchone()
        finally:
            db.close()
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("?", "%s"), params)
        return cursor.fetchone()


def job_status(served: Served, job_id: int) -> str:
    row = served_row(served, "SELECT status FROM incidents_importjob WHERE id = ?", job_id)
    return str(row[0]) if row else ""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_is_restarted_and_the_import_runs_again(
    world, serve, monkeypatch
):
    """kill -9 of the worker during an import: serve restarts it, the sweep re-queues the job
    and the new worker imports the whole file; then kill -9 of serve takes the worker along."""
    with monkeypatch.context() as quiet:
        # The served worker will take it, not this process.
        quiet.setattr(background, "enqueue", lambda kind, pk: True)
        job = incidents.import_job_submit(
            actor=world.analyst,
            mission_id=world.mission.pk,
            fmt="ucdp",
            upload=SimpleUploadedFile("big.csv", ucdp_file(12_000), content_type="text/csv"),
        )
    served = serve()
    first = wait_for("the worker and its lease", served.worker_pid)
    # The sweep finds the queued job missing from the queue and enqueues it; the worker runs it.
    wait_for("the import to start", lambda: job_status(served, job.pk) == ImportStatus.RUNNING)
    time.sleep(0.5)
    os.kill(first, signal.SIGKILL)
    second = wait_for("serve to restart the worker", lambda: served.other_worker(first))
    assert second != first and alive(second)
    wait_for(
        "the import to be re-queued and to finish",
        lambda: job_status(served, job.pk) not in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        timeout_s=60,
    )
    done = served_row(
        served, "SELECT status, message, created FROM incidents_importjob WHERE id = ?", job.pk
    )
    assert done is not None and done[0] == ImportStatus.DONE, done
    assert done[2] == 12_000, "all rows once: the killed attempt left nothing behind"
    incidents_in = served_row(served, "SELECT COUNT(*) FROM incidents_incident")
    assert incidents_in == (12_000,)
    requeued = served_row(
        served,
        "SELECT COUNT(*) FROM core_auditentry WHERE action = 'job-requeued' AND object_id = ?",
        str(job.pk),
    )
    assert requeued == (1,)

    # serve killed outright: its worker must not outlive it (it would hold the scheduler).
    os.kill(served.process.pid, signal.SIGKILL)
    served.process.wait(timeout=5)
    wait_for("the orphaned worker to stop", lambda: not alive(second), timeout_s=10)


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_keeps_dying_is_restarted_and_readiness_says_so(serve):
    served = serve()
    pid = wait_for("the worker", served.worker_pid)
    wait_for("readiness", lambda: served.get("/readyz")[0] == 200, timeout_s=20)
    os.kill(pid, signal.SIGKILL)
    replacement = wait_for("a new worker", lambda: served.other_worker(pid))
    assert replacement != pid and alive(replacement)
    body = served.get("/readyz")[2]
    checks = json.loads(body)["checks"]
    assert checks["worker"]["up_s"] < 30, "the heartbeat is the new worker's"
    _, _, text = served.get("/metrics")
    assert b"bluebox_worker_restarts_total 1" in text


@pytest.mark.django_db(transaction=True)
def test_serve_stopped_stops_its_worker(serve):
    served = serve()
    pid = wait_for("the worker", served.worker_pid)
    served.process.send_signal(signal.SIGTERM)
    served.process.wait(timeout=20)
    wait_for("the worker to stop with serve", lambda: not alive(pid), timeout_s=15)


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_answers_503_json_with_retry_after(serve, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite lock; PostgreSQL is covered by the unreachable-server test")
    from django.test import Client

    from bluebox.testing.factories import UserFactory

    browser = Client()
    browser.force_login(UserFactory())
    session = browser.cookies["sessionid"].value
    served = serve("--no-worker")
    # Another process holds the write lock (a stuck tool, a long transaction): this first
    # request of the session must record the session's activity, so it needs to write.
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN IMMEDIATE')\n"
            "db.execute('CREATE TABLE IF NOT EXISTS lock_probe (x)')\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n",
            str(tmp_path / "bluebox.sqlite3"),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == b"locked"
        status, headers, body = served.get("/api/v1/me/", Cookie=f"sessionid={session}")
        assert status == 503, body
        assert headers["Retry-After"] == "30" and headers["Content-Type"] == "application/json"
        assert json.loads(body)["detail"].startswith("The service is temporarily unavailable")
        status, headers, body = served.get("/readyz")
        assert status == 503 and headers["Retry-After"] == "30"
        assert json.loads(body)["checks"]["database"] == {"ok": False, "error": "locked"}
        assert served.get("/healthz")[0] == 200, "alive, though not ready"
    finally:
        locker.kill()
        locker.wait()
    assert served.get("/api/v1/me/", Cookie=f"sessionid={session}")[0] == 200, "recovers"


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_postgresql_answers_503_json_and_recovers(serve):
    if connection.vendor != "postgresql":
        pytest.skip("needs the suite on PostgreSQL (CI runs it there too)")
    from django.test import Client

    from bluebox.testing.factories import UserFactory

    browser = Client()
    browser.force_login(UserFactory())
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    settings_dict = connection.settings_dict
    proxy = TcpProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    user = settings_dict["USER"] or "postgres"
    url = f"postgres://{user}@127.0.0.1:{proxy.port}/{settings_dict['NAME']}"
    try:
        served = serve("--no-worker", DATABASE_URL=url)
        assert served.get("/api/v1/me/", Cookie=cookie)[0] == 200
        proxy.cut()
        for _ in range(2):  # the dropped connection, then a refused one
            status, headers, body = served.get("/api/v1/me/", Cookie=cookie)
            assert status == 503, body
            assert headers["Retry-After"] == "30"
            assert headers["Content-Type"] == "application/json"
            assert json.loads(body)["detail"].startswith("The service is temporarily unavailable")
            assert b"connection" not in body.lower(), "no database error text"
        status, headers, body = served.get("/readyz")
        assert status == 503 and headers["Retry-After"] == "30"
        assert json.loads(body)["checks"]["database"] == {"ok": False, "error": "unreachable"}
        page = served.get("/incidents/", Cookie=cookie)
        assert page[0] == 503 and b"temporarily unavailable" in page[2]
        assert served.get("/healthz")[0] == 200
        proxy.restore()
        wait_for(
            "the API to recover",
            lambda: served.get("/api/v1/me/", Cookie=cookie)[0] == 200,
            timeout_s=20,
        )
    finally:
        proxy.cut()
