"""``bluebox backup`` and ``bluebox restore``: consistent copies, kept apart from their keys.

``backup`` writes one archive (the database by SQLite's online backup API or ``pg_dump``, and a
manifest); keys go into it only with ``--include-keys``, or into a file of their own with
``--keys-out``. ``--encrypt`` seals the archive with the passphrase in
``BLUEBOX_BACKUP_PASSPHRASE`` (or ``--passphrase-file``). ``restore`` fills an empty database and
verifies it: row counts, ``audit verify`` and a test decryption. See ``docs/operations.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from bluebox.cli import operator_name, setup_django

EXIT_VERIFY_FAILED = 1
EXIT_REFUSED = 2


def register(subparsers: Any) -> None:
    backup = subparsers.add_parser("backup", help="write a consistent backup archive")
    backup.add_argument(
        "--dest", help="directory for the archive (default: BLUEBOX_BACKUP_DIR or <data>/backups)"
    )
    backup.add_argument("--encrypt", action="store_true", help="seal it with a passphrase")
    backup.add_argument("--passphrase-file", help="file holding the passphrase")
    backup.add_argument(
        "--include-keys",
        action="store_true",
        help="put the keys in the same archive (anyone holding it can read every identity)",
    )
    backup.add_argument("--keys-out", help="also write the keys to this new file (0600)")
    backup.add_argument("--keep", type=int, help="then keep only the newest N archives in --dest")
    backup.set_defaults(func=_backup)

    restore = subparsers.add_parser(
        "restore", help="restore a backup into an empty database, then verify it"
    )
    restore.add_argument("archive")
    restore.add_argument("--passphrase-file", help="file holding the passphrase")
    restore.set_defaults(func=_restore)


def _passphrase(args: argparse.Namespace, *, required: bool) -> str | None:
    if args.passphrase_file:
        return Path(args.passphrase_file).read_text().strip() or None
    value = os.environ.get("BLUEBOX_BACKUP_PASSPHRASE", "").strip()
    if required and not value:
        raise SystemExit(
            "bluebox backup --encrypt: set BLUEBOX_BACKUP_PASSPHRASE or give --passphrase-file"
        )
    return value or None


def _backup(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from bluebox.core import backup

    passphrase = _passphrase(args, required=True) if args.encrypt else None
    destination = Path(args.dest) if args.dest else Path(settings.BACKUP_DIR)
    keys_out = Path(args.keys_out) if args.keys_out else None
    if keys_out is not None and keys_out.resolve().parent == destination.resolve():
        print(
            "bluebox backup: refused: --keys-out must not be beside the archives it opens",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        result = backup.backup(
            destination=destination,
            passphrase=passphrase,
            include_keys=args.include_keys,
            keys_path=keys_out,
        )
    except (backup.BackupError, FileExistsError, OSError) as exc:
        print(f"bluebox backup: failed: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    rows = sum(result.manifest["counts"].values())
    print(f"wrote {result.path} ({result.manifest['engine']}, {rows} rows)")
    if args.include_keys:
        print("WARNING: this archive holds the keys: store it like the keys themselves.")
    if result.keys_path:
        print(f"wrote the keys to {result.keys_path}: keep them apart from the archives")
    if args.keep:
        for gone in backup.prune(destination, keep=args.keep):
            print(f"removed {gone}")
    return 0


def _keys_for(archive: Path, passphrase: str | None) -> int:
    """Every key must be configured before a restore (it is verified with them), except in
    development from an archive made with ``--include-keys``, whose keys are then installed."""
    from django.conf import settings

    from bluebox.commands.init import install_key
    from bluebox.config import datadir
    from bluebox.core import backup

    missing = list(settings.MISSING_KEYS)
    if not missing:
        return 0
    manifest = backup.read_manifest(archive, passphrase)
    if not manifest.get("includes_keys") or settings.PRODUCTION:
        print(
            "bluebox restore: refused: configure the keys kept with this backup first "
            f"(missing: {', '.join(missing)}); a restore is verified with them.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    stored = backup.read_keys(archive, passphrase)
    for spec in datadir.ALL_KEYS:
        if spec.env in missing and stored.get(spec.env):
            separator = "," if spec.kind == "fernet" else None
            lines = stored[spec.env].split(separator) if separator else [stored[spec.env]]
            print(f"installed {install_key(spec, lines)} from the archive")
    return 0


def _restore(args: argparse.Namespace) -> int:
    setup_django()
    from bluebox.core import audit, backup

    archive = Path(args.archive)
    passphrase = _passphrase(args, required=False)
    try:
        if code := _keys_for(archive, passphrase):
            return code
        manifest = backup.restore(archive=archive, passphrase=passphrase)
    except (backup.BackupError, FileNotFoundError) as exc:
        print(f"bluebox restore: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"restored {archive} (taken {manifest['created_at']}); verifying...")
    result = backup.verify(manifest)
    tables = len(manifest["counts"])
    if result.counts_ok:
        print(f"  counts: ok ({tables} tables, {sum(manifest['counts'].values())} rows)")
    else:
        print("  counts: MISMATCH")
        for problem in result.count_problems[:20]:
            print(f"    - {problem}")
    print(f"  audit chain: {result.audit_status}")
    for problem in result.audit_problems[:20]:
        print(f"    - {problem}")
    print(
        f"  test decryption: {result.decrypted} identities read, {result.undecryptable} unreadable"
    )
    for note in result.notes:
        print(f"  note: {note}")
    if not result.ok:
        print(
            "restore NOT verified: configure the keys kept with this backup "
            "(bluebox keys check, bluebox audit verify) before serving.",
            file=sys.stderr,
        )
        return EXIT_VERIFY_FAILED
    with audit.as_operator(operator_name()):
        audit.record(
            actor=None,
            action="restore",
            resource="backup",
            detail={"archive": archive.name, "taken": manifest["created_at"]},
        )
    print("restore verified. Next: bluebox serve (it applies any newer migrations).")
    return 0
