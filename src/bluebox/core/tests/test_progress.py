"""Progress of a long job written by the worker and read by the web process, through the task
queue's own store: the SQLite file of the embedded default, or Redis."""

from __future__ import annotations

import time

import pytest
from huey import RedisHuey, SqliteHuey

from bluebox.core import progress

from .test_tasks import REDIS_URL


def _round_trip(monkeypatch, writer, reader) -> None:
    monkeypatch.setattr(progress, "HUEY", writer)
    progress.report("import", 7, 250, 1000)
    monkeypatch.setattr(progress, "HUEY", reader)
    seen = progress.read("import", 7)
    assert seen is not None and (seen.done, seen.total, seen.percent) == (250, 1000, 25)
    assert 0 <= seen.silent_for() < 60
    assert progress.read("import", 8) is None  # another job's key
    progress.report("import", 7, 1000, 1000)
    assert progress.read("import", 7).percent == 100  # read again: peek, never consume
    assert progress.read("import", 7).percent == 100
    monkeypatch.setattr(progress, "HUEY", writer)
    progress.clear("import", 7)
    monkeypatch.setattr(progress, "HUEY", reader)
    assert progress.read("import", 7) is None


def test_the_web_process_reads_what_the_worker_wrote_in_the_sqlite_queue(monkeypatch, tmp_path):
    path = str(tmp_path / "tasks.sqlite3")
    # Two queue objects on one file, as the web and worker processes each open it.
    _round_trip(
        monkeypatch, SqliteHuey("bluebox", filename=path), SqliteHuey("bluebox", filename=path)
    )


def test_the_web_process_reads_what_the_worker_wrote_in_redis(monkeypatch):
    if not REDIS_URL:
        pytest.skip("set BLUEBOX_TEST_REDIS_URL to test the Redis task queue")
    writer = RedisHuey("bluebox-progress-test", url=REDIS_URL)
    reader = RedisHuey("bluebox-progress-test", url=REDIS_URL)
    writer.flush()
    try:
        _round_trip(monkeypatch, writer, reader)
    finally:
        writer.flush()


def test_percent_is_bounded_and_silence_is_measured():
    assert progress.Progress(done=5, total=0, at=0).percent == 0
    assert progress.Progress(done=150, total=100, at=0).percent == 100
    last = progress.Progress(done=1, total=3, at=time.time() - 120)
    assert last.percent == 33 and 119 < last.silent_for() < 130
