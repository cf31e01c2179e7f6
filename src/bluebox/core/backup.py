"""Backups that hold every committed write, and restores that prove themselves.

A backup is one tar archive: ``manifest.json`` (format, database engine, migration state, row
counts per table and the audit chain's tip, all taken from the same snapshot as the data, plus
key *fingerprints*) and the database itself: a copy made with SQLite's online backup API (a plain
file copy misses what is still in the write-ahead log) or a ``pg_dump`` custom-format dump taken
in an exported snapshot. Keys never go into the archive unless asked (``include_keys``); they can
be written to a file of their own. The archive can be encrypted with a passphrase
(scrypt, then AES-256-GCM in authenticated chunks).

A restore goes into an empty database only, then verifies: row counts against the manifest, the
audit chain (with the anchor re-established from the manifest's tip), and a test decryption of
stored identities with the configured keys.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection

FORMAT = 1
MAGIC = b"BBXBAK1\x00"
CHUNK = 1024 * 1024
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"
KEYS_NAME = "keys.env"


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- what the database holds ---------------------------------------------------------------------


def _tables(conn: Any = None) -> list[str]:
    """Every table of the installed models (and their many-to-many tables) that exists."""
    conn = conn or connection
    return sorted(conn.introspection.django_table_names(only_existing=True, include_views=False))


def _count_rows(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - quoted identifiers
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _head(cursor: Any, quote: Any, tables: list[str]) -> dict[str, Any] | None:
    from bluebox.core.models import AuditHead

    table = AuditHead._meta.db_table
    if table not in tables:
        return None
    cursor.execute(
        f"SELECT seq, entry_hash, key_epoch FROM {quote(table)} WHERE id = 1"  # noqa: S608
    )
    row = cursor.fetchone()
    return (
        {"seq": int(row[0]), "entry_hash": str(row[1]), "key_epoch": int(row[2])} if row else None
    )


def _migrations(cursor: Any) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _fingerprints() -> dict[str, Any]:
    from bluebox.core.keys import key_fingerprint

    return {
        "field_keys": [key_fingerprint(k) for k in settings.FIELD_ENCRYPTION_KEYS],
        "audit_epochs": sorted(int(e) for e in getattr(settings, "AUDIT_KEYS", {1: ""})),
    }


def _is_sqlite() -> bool:
    return bool(connection.vendor == "sqlite")


# --- keys ----------------------------------------------------------------------------------------


def keys_text() -> str:
    """The keys needed to read a backup, as environment lines (for a file kept apart)."""
    lines = [
        "# bluebox keys: keep apart from the backups they open (a secret store, another medium).",
        f"BLUEBOX_SECRET_KEY={settings.SECRET_KEY}",
        f"BLUEBOX_FIELD_KEYS={','.join(settings.FIELD_ENCRYPTION_KEYS)}",
        f"BLUEBOX_AUDIT_KEY={settings.AUDIT_CHAIN_KEY}",
    ]
    from bluebox.core import audit

    extra = []
    for epoch in sorted(getattr(settings, "AUDIT_KEYS", {})):
        if epoch > 1:
            key = audit._key(epoch)
            if key:
                extra.append(f"{epoch}:{key.decode()}")
    if extra:
        lines.append(f"BLUEBOX_AUDIT_KEYS={','.join(extra)}")
    return "\n".join(lines) + "\n"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# --- encryption ----------------------------------------------------------------------------------


def _derive(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def encrypt_stream(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    """AES-256-GCM in chunks; each chunk's number and a last-chunk flag are authenticated, so
    reordered, dropped or truncated chunks are refused."""
    salt = os.urandom(16)
    aead = AESGCM(_derive(passphrase, salt))
    prefix = os.urandom(4)
    target.write(MAGIC + salt + prefix)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        aad = struct.pack(">Q?", index, last)
        sealed = aead.encrypt(prefix + struct.pack(">Q", index), chunk, aad)
        target.write(struct.pack(">I?", len(sealed), last) + sealed)
        if last:
            return
        index += 1
        chunk = following


def decrypt_stream(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    header = source.read(len(MAGIC) + 20)
    if not header.startswith(MAGIC):
        raise BackupError("not an encrypted bluebox backup")
    salt, prefix = header[len(MAGIC) : len(MAGIC) + 16], header[len(MAGIC) + 16 :]
    aead = AESGCM(_derive(passphrase, salt))
    index = 0
    while True:
        frame = source.read(5)
        if len(frame) < 5:
            raise BackupError("the encrypted backup is truncated")
        size, last = struct.unpack(">I?", frame)
        sealed = source.read(size)
        try:
            target.write(
                aead.decrypt(
                    prefix + struct.pack(">Q", index), sealed, struct.pack(">Q?", index, last)
                )
            )
        except InvalidTag as exc:
            raise BackupError("wrong passphrase, or the backup was altered") from exc
        if last:
            return
        index += 1


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


# --- backup --------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    keys_path: Path | None = None


def _sqlite_snapshot(target: Path) -> dict[str, Any]:
    """Copy the live database with the online backup API; read the manifest from the copy."""
    if connection.in_atomic_block:
        # The copy would wait for ever on this connection's own open transaction.
        raise BackupError("a backup cannot run inside a database transaction")
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=4096)
        # Small pages at a time let writers in between; the copy is still one consistent state.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        tables = [t for t in _tables() if _sqlite_has(cursor, t)]
        quote = connection.ops.quote_name
        manifest = {
            "counts": _count_rows(cursor, tables, quote),
            "audit_head": _head(cursor, quote, tables),
            "migrations": _migrations(cursor),
        }
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed SQLite's integrity check: {check}")
    finally:
        copy.close()
    return manifest


def _sqlite_has(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
    return cursor.fetchone() is not None


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client (postgresql-client) "
            "of the server's major version"
        )
    return found


def _pg_snapshot(target: Path) -> dict[str, Any]:
    """pg_dump inside a snapshot exported by a transaction that also counts the rows."""
    pg_dump = _pg_tool("pg_dump")
    args, env = _pg_args()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _tables()
            manifest = {
                "counts": _count_rows(cursor, tables, quote),
                "audit_head": _head(cursor, quote, tables),
                "migrations": _migrations(cursor),
            }
            done = subprocess.run(  # noqa: S603 - fixed program and arguments
                [
                    pg_dump,
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    str(settings.DATABASES["default"]["NAME"]),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            cursor.execute("COMMIT")
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    return manifest


def backup(
    *,
    destination: Path,
    passphrase: str | None = None,
    include_keys: bool = False,
    keys_path: Path | None = None,
) -> BackupResult:
    """Write one archive into ``destination``; return its path and manifest."""
    destination.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"bluebox-{stamp}.tar" + (".enc" if passphrase else "")
    final = destination / name
    with tempfile.TemporaryDirectory(dir=destination, prefix=".backup-") as work:
        work_dir = Path(work)
        if _is_sqlite():
            data_name = SQLITE_NAME
            snapshot = _sqlite_snapshot(work_dir / data_name)
        else:
            data_name = PG_NAME
            snapshot = _pg_snapshot(work_dir / data_name)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "engine": connection.vendor,
            "data": data_name,
            "includes_keys": include_keys,
            "keys": _fingerprints(),
            **snapshot,
        }
        tar_path = work_dir / "archive.tar"
        with tarfile.open(tar_path, "w") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            tar.add(work_dir / data_name, arcname=data_name)
            if include_keys:
                _add_bytes(tar, KEYS_NAME, keys_text().encode())
        staged = work_dir / name
        if passphrase:
            with open(tar_path, "rb") as plain, open(staged, "wb") as sealed:
                encrypt_stream(plain, sealed, passphrase)
        else:
            tar_path.rename(staged)
        staged.chmod(0o600)
        with open(staged, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staged, final)
    written_keys = None
    if keys_path is not None:
        _write_private(keys_path, keys_text().encode())
        written_keys = keys_path
    return BackupResult(path=final, manifest=manifest, keys_path=written_keys)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def prune(destination: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``destination``; return what went."""
    archives = sorted(destination.glob("bluebox-*.tar*"), key=lambda p: p.name, reverse=True)
    gone = archives[max(keep, 1) :]
    for path in gone:
        path.unlink()
    return gone


# --- restore -------------------------------------------------------------------------------------


@dataclass
class Verification:
    counts_ok: bool
    count_problems: list[str]
    audit_status: str
    audit_problems: list[str]
    decrypted: int
    undecryptable: int
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.counts_ok and self.audit_status == "intact" and self.undecryptable == 0


@contextmanager
def _opened(archive: Path, passphrase: str | None) -> Iterator[tarfile.TarFile]:
    if is_encrypted(archive):
        if not passphrase:
            raise BackupError("this backup is encrypted: give its passphrase")
        with tempfile.TemporaryFile() as plain:
            with open(archive, "rb") as sealed:
                decrypt_stream(sealed, plain, passphrase)
            plain.seek(0)
            with tarfile.open(fileobj=plain, mode="r:") as tar:
                yield tar
    else:
        with tarfile.open(archive, "r:") as tar:
            yield tar


def read_manifest(archive: Path, passphrase: str | None = None) -> dict[str, Any]:
    with _opened(archive, passphrase) as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise BackupError("the archive has no manifest: not a bluebox backup")
        manifest: dict[str, Any] = json.load(member)
        return manifest


def read_keys(archive: Path, passphrase: str | None = None) -> dict[str, str]:
    """The keys stored in an archive made with ``include_keys`` (environment names to values)."""
    with _opened(archive, passphrase) as tar:
        try:
            member = tar.extractfile(KEYS_NAME)
        except KeyError:
            member = None
        if member is None:
            raise BackupError("this archive holds no keys")
        found = {}
        for line in member.read().decode().splitlines():
            name, sep, value = line.partition("=")
            if sep and not name.startswith("#"):
                found[name.strip()] = value.strip()
        return found


# Filled by `migrate` itself: a database holding only these is an empty one.
_STRUCTURE_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


def _database_is_empty() -> bool:
    tables = [t for t in _tables() if t not in _STRUCTURE_TABLES]
    if not tables:
        return True
    with connection.cursor() as cursor:
        counts = _count_rows(cursor, tables, connection.ops.quote_name)
    return not any(counts.values())


def restore(*, archive: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Put the archived database in place of an empty one; return the manifest."""
    with _opened(archive, passphrase) as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise BackupError("the archive has no manifest: not a bluebox backup")
        manifest: dict[str, Any] = json.load(member)
        if manifest.get("format") != FORMAT:
            raise BackupError(f"backup format {manifest.get('format')} is not supported")
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                f"this backup is of a {manifest['engine']} database; the configured database "
                f"is {connection.vendor} (set DATABASE_URL accordingly)"
            )
        if not _database_is_empty():
            raise BackupError(
                "the configured database is not empty: restore only into an empty database "
                "(a new data directory, or a new PostgreSQL database)"
            )
        data = tar.extractfile(manifest["data"])
        if data is None:
            raise BackupError("the archive has no database")
        with tempfile.TemporaryDirectory() as work:
            staged = Path(work) / manifest["data"]
            with open(staged, "wb") as handle:
                shutil.copyfileobj(data, handle)
            if manifest["engine"] == "sqlite":
                _restore_sqlite(staged)
            else:
                _restore_pg(staged)
    return manifest


def _restore_sqlite(staged: Path) -> None:
    target = Path(str(settings.DATABASES["default"]["NAME"]))
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source = sqlite3.connect(staged)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    target.chmod(0o600)


def _restore_pg(staged: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    args, env = _pg_args()
    connection.close()
    done = subprocess.run(  # noqa: S603 - fixed program and arguments
        [
            pg_restore,
            *args,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(staged),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")


def verify(manifest: dict[str, Any]) -> Verification:
    """Counts against the manifest, the audit chain, and a test decryption of identities."""
    from bluebox.core import audit, keys

    with connection.cursor() as cursor:
        counts = _count_rows(cursor, _tables(), connection.ops.quote_name)
    problems = [
        f"{table}: {counts.get(table, 0)} rows, the backup holds {expected}"
        for table, expected in manifest["counts"].items()
        if counts.get(table, 0) != expected
    ]
    notes: list[str] = []
    head = manifest.get("audit_head")
    if head and head["seq"]:
        # The anchor outside the database is re-established at the backup's tip, and only if
        # the restored head is exactly that tip: the chain is then verified end to end.
        with connection.cursor() as cursor:
            restored = _head(cursor, connection.ops.quote_name, _tables())
        if restored == head:
            audit.write_anchor(head["seq"], head["entry_hash"], head["key_epoch"], force=True)
        else:
            notes.append("the restored audit head is not the one the backup recorded")
    result = audit.verify()
    audit_problems = list(getattr(result, "key_problems", [])) + list(result.problems)
    status = str(getattr(result, "status", "intact" if result.ok else "tampered"))
    undecryptable = decrypted = 0
    if settings.FIELD_ENCRYPTION_KEYS:
        sample = keys.check(limit_per_column=50)
        undecryptable, decrypted = sample.unreadable, sample.total - sample.unreadable
    else:
        stored = sum(keys.stored_value_counts().values())
        undecryptable = stored
        if stored:
            notes.append("no field-encryption key is configured")
    return Verification(
        counts_ok=not problems,
        count_problems=problems,
        audit_status=status,
        audit_problems=audit_problems,
        decrypted=decrypted,
        undecryptable=undecryptable,
        notes=notes,
    )


# --- scheduled backups ---------------------------------------------------------------------------


def _archive_time(path: Path) -> datetime | None:
    stamp = path.name.removeprefix("bluebox-").split(".", 1)[0]
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def scheduled(*, now: datetime) -> BackupResult | None:
    """The periodic backup: one archive when the newest is ``BACKUP_EVERY_HOURS`` old, then
    retention. Encrypted when ``BLUEBOX_BACKUP_PASSPHRASE`` is set; never with the keys."""
    every = int(settings.BACKUP_EVERY_HOURS)
    if every <= 0:
        return None
    destination = Path(settings.BACKUP_DIR)
    times = [t for p in destination.glob("bluebox-*.tar*") if (t := _archive_time(p))]
    if times and (now - max(times)).total_seconds() < every * 3600 - 300:
        return None
    passphrase = os.environ.get("BLUEBOX_BACKUP_PASSPHRASE", "").strip() or None
    result = backup(destination=destination, passphrase=passphrase)
    prune(destination, keep=int(settings.BACKUP_KEEP))
    return result
