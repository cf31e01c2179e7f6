"""Backups hold every committed write (also those still in SQLite's write-ahead log), keep the
keys apart, and restore into an empty database with a verification that can fail."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bluebox.core import audit, backup
from bluebox.incidents.models import Incident
from bluebox.testing.factories import IncidentFactory, ProtectedPersonFactory

# Writes 200 incidents and 20 protected people with automatic checkpoints off, so that the
# newest commits are only in the WAL; then shows a plain copy of the database file misses
# them and the backup does not.
WRITER = r"""
import shutil, sqlite3, sys
from pathlib import Path
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
from bluebox.core import audit, backup
from bluebox.testing.factories import IncidentFactory, ProtectedPersonFactory
connection.ensure_connection()
connection.cursor().execute("PRAGMA wal_autocheckpoint=0")
connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
first = IncidentFactory()
for n in range(199):
    IncidentFactory(site=first.site, title=f"Incident {n}")
for n in range(20):
    ProtectedPersonFactory(incident=first, identity=f"Informant {n}")
audit.record(actor=None, action="demo-load")
db = Path(settings.DATABASES["default"]["NAME"])
naive = Path(sys.argv[1]) / "naive.sqlite3"
shutil.copyfile(db, naive)
try:
    seen = sqlite3.connect(naive).execute("SELECT COUNT(*) FROM incidents_incident").fetchone()[0]
except sqlite3.DatabaseError:
    seen = 0
result = backup.backup(destination=Path(sys.argv[1]) / "archives")
print(f"naive={seen} backup={result.manifest['counts']['incidents_incident']} path={result.path}")
"""


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLUEBOX_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="bluebox.config.settings",
        BLUEBOX_ENV="development",
        BLUEBOX_DATA_DIR=str(data_dir),
        **extra,
    )
    return env


def _bluebox(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bluebox.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    """One SQLite installation with data in the WAL, backed up once (shared: it is slow)."""
    root = tmp_path_factory.mktemp("sqlite-backup")
    env = _env(root / "live")
    assert _bluebox("init", env=env).returncode == 0
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = done.stdout.strip().splitlines()[-1]
    fields = dict(part.split("=", 1) for part in line.split())
    keys = {
        name: (root / "live" / file).read_text().strip()
        for name, file in (
            ("BLUEBOX_SECRET_KEY", "secret_key"),
            ("BLUEBOX_FIELD_KEYS", "field_key"),
            ("BLUEBOX_AUDIT_KEY", "audit_key"),
        )
    }
    return root, fields, keys


def test_the_backup_holds_commits_a_file_copy_misses(sqlite_backup):
    _root, fields, _keys = sqlite_backup
    assert int(fields["naive"]) < 200  # the plain copy lost the commits still in the WAL
    assert int(fields["backup"]) == 200


def test_the_archive_holds_no_key_unless_asked(sqlite_backup):
    _root, fields, keys = sqlite_backup
    archive = Path(fields["path"])
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["database.sqlite3", "manifest.json"]
        blob = b"".join(
            tar.extractfile(m).read()
            for m in tar.getmembers()
            if m.isfile()  # type: ignore[union-attr]
        )
    for value in keys.values():
        assert value.encode() not in blob
    assert oct(archive.stat().st_mode & 0o777) == "0o600"


def test_restore_into_an_empty_data_directory_verifies(sqlite_backup):
    root, fields, keys = sqlite_backup
    env = _env(root / f"restored-{uuid.uuid4().hex[:6]}", **keys)
    restored = _bluebox("restore", fields["path"], env=env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "counts: ok" in restored.stdout
    assert "audit chain: intact" in restored.stdout
    assert "20 identities read, 0 unreadable" in restored.stdout
    # And again: the database is no longer empty, so a second restore is refused.
    again = _bluebox("restore", fields["path"], env=env)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_restore_without_the_keys_is_refused_before_touching_anything(sqlite_backup):
    root, fields, _keys = sqlite_backup
    target = root / "no-keys"
    refused = _bluebox("restore", fields["path"], env=_env(target))
    assert refused.returncode == 2
    assert "configure the keys kept with this backup" in refused.stderr
    assert (
        not (target / "bluebox.sqlite3").exists()
        or (target / "bluebox.sqlite3").stat().st_size == 0
    )


def test_restore_with_the_wrong_field_key_fails_verification(sqlite_backup):
    root, fields, keys = sqlite_backup
    from cryptography.fernet import Fernet

    wrong = {**keys, "BLUEBOX_FIELD_KEYS": Fernet.generate_key().decode()}
    env = _env(root / f"wrong-{uuid.uuid4().hex[:6]}", **wrong)
    result = _bluebox("restore", fields["path"], env=env)
    assert result.returncode == 1
    assert "0 identities read, 20 unreadable" in result.stdout


def test_an_encrypted_backup_needs_its_passphrase(tmp_path):
    plain = io.BytesIO(os.urandom(3 * backup.CHUNK + 17))
    sealed = io.BytesIO()
    backup.encrypt_stream(plain, sealed, "correct horse battery staple")
    assert plain.getvalue()[:64] not in sealed.getvalue()
    sealed.seek(0)
    opened = io.BytesIO()
    backup.decrypt_stream(sealed, opened, "correct horse battery staple")
    assert opened.getvalue() == plain.getvalue()
    with pytest.raises(backup.BackupError, match="wrong passphrase"):
        backup.decrypt_stream(io.BytesIO(sealed.getvalue()), io.BytesIO(), "guess")
    with pytest.raises(backup.BackupError, match=r"truncated|altered"):
        backup.decrypt_stream(
            io.BytesIO(sealed.getvalue()[:-100]), io.BytesIO(), "correct horse battery staple"
        )


def test_retention_keeps_the_newest(tmp_path):
    for stamp in ("20261101T000000000000Z", "20261102T000000000000Z", "20261103T000000000000Z"):
        (tmp_path / f"bluebox-{stamp}.tar").write_bytes(b"")
    gone = backup.prune(tmp_path, keep=2)
    assert [p.name for p in gone] == ["bluebox-20261101T000000000000Z.tar"]


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_backup_runs_when_due_and_keeps_the_newest(settings, tmp_path):
    from datetime import UTC, datetime, timedelta

    settings.BACKUP_DIR = tmp_path / "archives"
    settings.BACKUP_EVERY_HOURS = 0
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert backup.scheduled(now=now) is None  # off unless configured
    settings.BACKUP_EVERY_HOURS = 24
    settings.BACKUP_KEEP = 2
    first = backup.scheduled(now=now)
    assert first is not None
    assert backup.scheduled(now=now + timedelta(hours=1)) is None  # not due yet
    for day in range(1, 4):
        (settings.BACKUP_DIR / f"bluebox-202611{day:02d}T000000000000Z.tar").write_bytes(b"")
    assert backup.scheduled(now=datetime.now(UTC) + timedelta(days=2)) is not None
    assert len(list(settings.BACKUP_DIR.glob("bluebox-*"))) == 2


@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_and_restore_with_pg_dump(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL suite (DATABASE_URL=postgres://...)")
    first = IncidentFactory(site=world.site_a)
    for n in range(30):
        IncidentFactory(site=world.site_a, title=f"Incident {n}")
    ProtectedPersonFactory.create_batch(4, incident=first)
    audit.record(actor=None, action="demo-load")
    result = backup.backup(destination=tmp_path / "archives", passphrase="a long passphrase")
    assert result.manifest["engine"] == "postgresql"
    assert result.manifest["counts"]["incidents_incident"] == Incident.objects.count() == 31
    assert backup.is_encrypted(result.path)

    db = settings.DATABASES["default"]
    name = f"keys_restore_{uuid.uuid4().hex[:8]}"
    host = [
        "-h",
        str(db["HOST"] or "127.0.0.1"),
        "-p",
        str(db["PORT"] or 5432),
        "-U",
        str(db["USER"]),
    ]
    subprocess.run(["createdb", *host, name], check=True, timeout=60)
    try:
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        (tmp_path / "pass").write_text("a long passphrase")
        env = _env(
            tmp_path / "restored",
            DATABASE_URL=url,
            BLUEBOX_SECRET_KEY=settings.SECRET_KEY,
            BLUEBOX_FIELD_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
            BLUEBOX_AUDIT_KEY=settings.AUDIT_CHAIN_KEY,
        )
        wrong = _bluebox("restore", str(result.path), env=env)
        assert wrong.returncode == 2 and "passphrase" in wrong.stderr
        restored = _bluebox(
            "restore", str(result.path), "--passphrase-file", str(tmp_path / "pass"), env=env
        )
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "counts: ok" in restored.stdout and "audit chain: intact" in restored.stdout
        assert "4 identities read, 0 unreadable" in restored.stdout
    finally:
        subprocess.run(["dropdb", *host, "--force", name], check=False, timeout=60)
