"""Someone with a shell account on the server reads nothing of bluebox's files: the database
and its WAL, the task queue, the data directory and the keys are the service account's only,
including files created after start-up and files an older version left readable."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os, sys
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    data = sys.argv[-1]
    print(" ".join(sorted(os.listdir(data))))
    (open(os.path.join(data, "imports-probe.csv"), "w")).write("later")
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_and_everything_in_it_are_private(tmp_path):
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    old = data / "bluebox.sqlite3"
    old.touch(mode=0o644)  # left world-readable by an older version
    old.chmod(0o644)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BLUEBOX_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(BLUEBOX_DATA_DIR=str(data), BLUEBOX_ENV="development")
    script = SCRIPT.replace("sys.argv[-1]", repr(str(data)))

    def bluebox(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "bluebox.cli", *args],
            env=env,
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
            umask=0o022,  # an ordinary shell: files would be 0644 without bluebox's own umask
        ).stdout

    old.unlink()
    bluebox("init")  # the development keys
    old.touch(mode=0o644)
    old.chmod(0o644)
    listing = bluebox("manage", "shell", "-c", script)
    assert "bluebox.sqlite3-wal" in listing  # the WAL existed while the write was open
    assert _mode(data) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    # The development keys bluebox init made are in the data directory too.
    assert {p.name for p in files} >= {"bluebox.sqlite3", "imports-probe.csv", "field_key"}
    for path in files:
        assert _mode(path) == 0o600, path.name
    for path in [p for p in data.rglob("*") if p.is_dir()]:
        assert _mode(path) == 0o700, path.name
