"""``bluebox init``: create the data directory and, outside production, the development keys.

``bluebox serve`` (and so ``make run``) runs it first; it is safe to run again. It never
generates a field-encryption key over a database that already holds protected values, nor an
audit key over an existing audit trail: a restore without its keys must stop with a message,
not start with new keys under which nothing decrypts and the audit chain looks tampered with.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from bluebox.cli import setup_django


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init", help="create the data directory and development keys (refused over existing data)"
    )
    parser.set_defaults(func=_init)


def _init(args: argparse.Namespace) -> int:
    setup_django()
    return initialise()


def _audit_entries() -> int:
    from django.db import connection

    from bluebox.core.models import AuditEntry

    with connection.cursor() as cursor:
        if AuditEntry._meta.db_table not in connection.introspection.table_names(cursor):
            return 0
    return AuditEntry.objects.count()


def install_key(spec: Any, lines: list[str]) -> Path:
    """Write a development key file and let this process use it at once (it goes on serving)."""
    from django.conf import settings

    from bluebox.config import datadir

    path = datadir.write_key(Path(settings.DATA_DIR), spec, lines)
    if spec is datadir.SECRET_KEY:
        settings.SECRET_KEY = lines[0]
    elif spec is datadir.FIELD_KEYS:
        settings.FIELD_ENCRYPTION_KEYS = list(lines)
    else:
        settings.AUDIT_CHAIN_KEY = lines[0]
        settings.AUDIT_KEYS = {**getattr(settings, "AUDIT_KEYS", {}), 1: lines[0]}
    settings.MISSING_KEYS = [name for name in settings.MISSING_KEYS if name != spec.env]
    return path


def initialise(*, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Create what is missing; return 0, or 2 with a message when a key must not be generated."""
    from django.conf import settings

    from bluebox.config import datadir
    from bluebox.core import keys

    out = out or sys.stdout
    err = err or sys.stderr
    data_dir = Path(settings.DATA_DIR)
    for path in datadir.ensure_layout(data_dir):
        print(f"created {path} (owner only)", file=out)
    missing = {spec for spec in datadir.ALL_KEYS if spec.env in settings.MISSING_KEYS}
    refusals: list[str] = []
    if datadir.FIELD_KEYS in missing and (stored := sum(keys.stored_value_counts().values())):
        refusals.append(
            f"the database holds {stored} protected values (identities) but no field-encryption "
            "key is configured. A new key would leave every one of them unreadable, so none is "
            f"generated. Put the key(s) kept with your backup in BLUEBOX_FIELD_KEYS (or "
            f"{data_dir / datadir.FIELD_KEYS.filename}, one a line, newest first)."
        )
    if datadir.AUDIT_KEY in missing and (entries := _audit_entries()):
        refusals.append(
            f"the database holds an audit trail of {entries} entries but no audit key is "
            "configured. A new key would make `bluebox audit verify` report every entry as "
            f"changed. Put the key kept with your backup in BLUEBOX_AUDIT_KEY (or "
            f"{data_dir / datadir.AUDIT_KEY.filename})."
        )
    if refusals:
        for refusal in refusals:
            print(f"bluebox init: refused: {refusal}", file=err)
        return 2
    for spec in sorted(missing, key=lambda s: s.filename):
        value = datadir.new_secret(spec)
        path = install_key(spec, [value])
        print(f"generated a development key in {path} (keep it with your backups)", file=out)
    settings.MISSING_KEYS = []
    sample = keys.check(limit_per_column=20)
    if sample.unreadable:
        print(
            f"bluebox init: WARNING: {sample.unreadable} of {sample.total} sampled protected "
            f"values cannot be decrypted with the configured keys ({', '.join(sample.keys)}). "
            "Pages show them as unreadable. Configure the key they were written with (older "
            "keys follow the newest: BLUEBOX_FIELD_KEYS=newest,older).",
            file=err,
        )
    return 0
