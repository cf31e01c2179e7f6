"""The data directory and the development keys kept in it, without Django.

Importing the settings only *reads* what is here; nothing is created until ``bluebox init``
(which ``bluebox serve`` runs first, and the test set-up runs too) calls :func:`ensure_layout`
and :func:`write_key`. Production takes every key from the environment and never from files.

Layout (owner-only permissions, because the SQLite database and the development keys live here)::

    <data dir>/            0700
      bluebox.sqlite3      the embedded database (when DATABASE_URL is not set)
      tasks.sqlite3        the embedded task queue (when BLUEBOX_REDIS_URL is not set)
      imports/             uploads waiting for their import
      static/              collectstatic target (pages are served from the package otherwise)
      secret_key           development only; one line
      field_key            development only; Fernet keys, newest first, one a line
      audit_key            development only; one line
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SUBDIRECTORIES = ("imports", "static")


@dataclass(frozen=True)
class KeySpec:
    env: str
    filename: str
    nbytes: int
    #: ``"fernet"`` keys must be 32 url-safe base64 bytes; the others are opaque secrets.
    kind: str = "secret"


SECRET_KEY = KeySpec("BLUEBOX_SECRET_KEY", "secret_key", 48)
FIELD_KEYS = KeySpec("BLUEBOX_FIELD_KEYS", "field_key", 32, kind="fernet")
AUDIT_KEY = KeySpec("BLUEBOX_AUDIT_KEY", "audit_key", 32)
ALL_KEYS = (SECRET_KEY, FIELD_KEYS, AUDIT_KEY)


def read_key_lines(data_dir: Path, spec: KeySpec) -> list[str]:
    """The key(s) from the environment, else from ``<data dir>/<file>``; ``[]`` when neither."""
    raw = os.environ.get(spec.env, "")
    if raw.strip():
        separator = "," if spec.kind == "fernet" else None
        if separator:
            return [item.strip() for item in raw.split(separator) if item.strip()]
        return [raw.strip()]
    path = data_dir / spec.filename
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def new_secret(spec: KeySpec) -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(spec.nbytes)).decode()


def ensure_layout(data_dir: Path) -> list[Path]:
    """Create the data directory and its sub-directories, owner-only; return what was created."""
    created: list[Path] = []
    for path in (data_dir, *(data_dir / name for name in SUBDIRECTORIES)):
        if not path.exists():
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            created.append(path)
    # An existing directory made by hand or by an older release may be wider: narrow it, since
    # the embedded database and the development keys are only as safe as this directory.
    data_dir.chmod(0o700)
    return created


def write_key(data_dir: Path, spec: KeySpec, lines: list[str]) -> Path:
    """Write a key file readable by its owner only (created 0600, never world-readable)."""
    path = data_dir / spec.filename
    tmp = path.with_name(f".{spec.filename}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path
