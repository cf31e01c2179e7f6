"""Files on the server are the service account's alone.

The data directory holds the database (and its WAL), the task queue, uploaded imports waiting
for their worker and, outside production, the keys. Every bluebox process starts with a umask
of 077 (:func:`restrict_new_files`), so whatever it creates later is 0600 (directories 0700)
whatever the shell's umask; :func:`tighten` brings files left readable by an older version or
a copy back to the same. SQLite gives its WAL and shared-memory files the database file's mode.
No Django here: the CLI calls this before it loads anything.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700


def restrict_new_files() -> None:
    """From now on this process creates files readable by its own user only."""
    os.umask(PRIVATE_UMASK)


def exposed(path: Path) -> bool:
    """Can anyone but the owner read, write or enter ``path``?"""
    try:
        return bool(path.stat().st_mode & 0o077)
    except FileNotFoundError:
        return False


def tighten(data_dir: Path) -> list[Path]:
    """Make ``data_dir`` and everything under it private; return what was changed."""
    changed: list[Path] = []
    if not data_dir.is_dir():
        return changed
    for root, dirs, files in os.walk(data_dir):
        for path in [Path(root), *(Path(root) / name for name in files)]:
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode) or not mode & 0o077:
                continue
            path.chmod(DIR_MODE if stat.S_ISDIR(mode) else FILE_MODE)
            changed.append(path)
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
    return changed
