"""The worker's pieces, with real processes: the scheduler lease, memory bound, supervisor."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bluebox.core.worker import FileLease, RedisLease, WorkerSupervisor, limit_memory

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux process semantics")


def test_one_holder_of_the_file_lease_and_it_is_freed_when_the_holder_dies(tmp_path: Path):
    path = tmp_path / "scheduler.lock"
    holder = subprocess.Popen(  # another process takes the lease and keeps it
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from bluebox.core.worker import FileLease\n"
            "assert FileLease(Path(sys.argv[1])).hold()\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        mine = FileLease(path)
        assert not mine.hold(), "a second scheduler is refused"
        assert path.read_text().split()[0] == str(holder.pid)
        holder.kill()  # kill -9: no chance to release it
        holder.wait()
        assert mine.hold(), "the kernel released the dead holder's lock"
        assert path.read_text().split()[0] == str(os.getpid())
    finally:
        holder.kill()
        holder.wait()


def test_the_redis_lease_has_one_holder_and_expires_without_renewal():
    url = os.environ.get("BLUEBOX_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("BLUEBOX_TEST_REDIS_URL must point at Redis in CI")
        pytest.skip("set BLUEBOX_TEST_REDIS_URL to test the Redis lease")
    import redis

    conn = redis.Redis.from_url(url)
    conn.delete("bluebox-scheduler-lease")
    first, second = RedisLease(conn, ttl_s=1), RedisLease(conn, ttl_s=1)
    try:
        assert first.hold() and not second.hold()
        assert first.hold(), "renewed by its holder"
        time.sleep(1.3)  # the holder stopped renewing (it died)
        assert second.hold(), "taken over once expired"
        assert not first.hold(), "the old holder knows it lost the lease"
    finally:
        first.release()
        second.release()
        conn.delete("bluebox-scheduler-lease")


def test_the_memory_bound_turns_a_runaway_allocation_into_memory_error():
    script = (
        "from bluebox.core.worker import limit_memory\n"
        "limit_memory(300)\n"
        "try:\n"
        "    block = bytearray(600 * 1024 * 1024)\n"
        "except MemoryError:\n"
        "    print('refused')\n"
        "else:\n"
        "    print('allocated')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "refused"
    limit_memory(0)  # no limit: nothing changes in this process


def test_the_supervisor_restarts_a_dead_worker_and_stops_the_live_one(tmp_path: Path):
    starts = tmp_path / "starts"
    # A "worker" that dies at once the first two times, then stays up.
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "p = Path(sys.argv[1]); n = int(p.read_text()) if p.exists() else 0\n"
        "p.write_text(str(n + 1))\n"
        "sys.exit(9) if n < 2 else time.sleep(60)\n"
    )
    supervisor = WorkerSupervisor([sys.executable, "-c", script, str(starts)], max_delay_s=0.5)
    supervisor.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and supervisor.restarts < 2:
            time.sleep(0.1)
        assert supervisor.restarts == 2
        while time.monotonic() < deadline and (not starts.exists() or starts.read_text() != "3"):
            time.sleep(0.1)
        process = supervisor.process
        assert process is not None and process.poll() is None, "the third one lives"
    finally:
        supervisor.stop(timeout_s=5)
    assert process.poll() is not None, "stopped with its supervisor"
    supervisor.join(timeout=5)
    assert not supervisor.is_alive()
