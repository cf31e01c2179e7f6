"""Operations on the field-encryption keys: find protected fields, check, rotate.

Protected fields are found by their class (:class:`~bluebox.core.crypto.EncryptedTextField`) in
every installed model, so a field added tomorrow is rotated, counted and checked without being
listed anywhere. Everything here reads and writes the stored *ciphertext* with plain SQL: a value
is never decrypted into a Python object that could be saved back, logged or exported, and an
identity no key can read is left exactly as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from bluebox.core import audit
from bluebox.core.crypto import EncryptedTextField

ROTATE_BATCH = 500


@dataclass(frozen=True)
class ProtectedColumn:
    model: type[models.Model]
    field: EncryptedTextField

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def column(self) -> str:
        return str(self.field.column)

    @property
    def pk_column(self) -> str:
        return str(self.model._meta.pk.column)  # type: ignore[union-attr,unused-ignore]


def protected_columns() -> list[ProtectedColumn]:
    """Every encrypted column of every installed model (concrete, managed tables only)."""
    found: list[ProtectedColumn] = []
    for model in apps.get_models():
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed:
            continue
        for model_field in meta.concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                found.append(ProtectedColumn(model, model_field))
    return sorted(found, key=lambda c: c.label)


def key_fingerprint(key: str) -> str:
    """A short, non-reversible name for a key, for logs, audit entries and the status page."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _existing_tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def stored_value_counts() -> dict[str, int]:
    """Non-empty stored values per protected column (tables not yet migrated count 0)."""
    tables = _existing_tables()
    counts: dict[str, int] = {}
    for col in protected_columns():
        if col.table not in tables:
            counts[col.label] = 0
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {_q(col.table)} "  # noqa: S608 - quoted identifiers
                f"WHERE {_q(col.column)} IS NOT NULL AND {_q(col.column)} <> ''"
            )
            counts[col.label] = int(cursor.fetchone()[0])
    return counts


def _tokens(col: ProtectedColumn, *, after: Any, limit: int) -> list[tuple[Any, str]]:
    where = f"{_q(col.column)} IS NOT NULL AND {_q(col.column)} <> ''"
    params: list[Any] = []
    if after is not None:
        where += f" AND {_q(col.pk_column)} > %s"
        params.append(after)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_q(col.pk_column)}, {_q(col.column)} FROM {_q(col.table)} "  # noqa: S608
            f"WHERE {where} ORDER BY {_q(col.pk_column)} LIMIT %s",
            [*params, limit],
        )
        return [(row[0], str(row[1])) for row in cursor.fetchall()]


def _iter_tokens(col: ProtectedColumn, batch: int) -> Iterator[list[tuple[Any, str]]]:
    after: Any = None
    while rows := _tokens(col, after=after, limit=batch):
        yield rows
        after = rows[-1][0]


@dataclass
class ColumnReport:
    current: int = 0  #: already under the newest key
    rotated: int = 0  #: re-encrypted under the newest key by this run
    older: int = 0  #: readable with an older key only (``check``)
    unreadable: int = 0  #: no configured key decrypts it: left untouched

    def as_dict(self) -> dict[str, int]:
        return {
            "current": self.current,
            "rotated": self.rotated,
            "older": self.older,
            "unreadable": self.unreadable,
        }


@dataclass
class KeyReport:
    keys: list[str]  #: fingerprints, newest first
    columns: dict[str, ColumnReport] = field(default_factory=dict)

    @property
    def current(self) -> int:
        return sum(c.current for c in self.columns.values())

    @property
    def unreadable(self) -> int:
        return sum(c.unreadable for c in self.columns.values())

    @property
    def older(self) -> int:
        return sum(c.older for c in self.columns.values())

    @property
    def rotated(self) -> int:
        return sum(c.rotated for c in self.columns.values())

    @property
    def total(self) -> int:
        return sum(c.current + c.rotated + c.older + c.unreadable for c in self.columns.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "keys": self.keys,
            "total": self.total,
            "rotated": self.rotated,
            "older": self.older,
            "unreadable": self.unreadable,
            "columns": {label: c.as_dict() for label, c in self.columns.items()},
        }


def _configured() -> tuple[list[str], Fernet, MultiFernet]:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise RuntimeError("no field-encryption key is configured (BLUEBOX_FIELD_KEYS)")
    fernets = [Fernet(key.encode()) for key in keys]
    return keys, fernets[0], MultiFernet(fernets)


def check(*, limit_per_column: int | None = None) -> KeyReport:
    """Which stored values each configured key reads (no write). ``limit`` samples the oldest."""
    keys, newest, every = _configured()
    report = KeyReport(keys=[key_fingerprint(k) for k in keys])
    tables = _existing_tables()
    for col in protected_columns():
        counts = report.columns.setdefault(col.label, ColumnReport())
        if col.table not in tables:
            continue
        batches = (
            iter([_tokens(col, after=None, limit=limit_per_column)])
            if limit_per_column
            else _iter_tokens(col, ROTATE_BATCH)
        )
        for rows in batches:
            for _pk, token in rows:
                try:
                    newest.decrypt(token.encode())
                    counts.current += 1
                    continue
                except InvalidToken:
                    pass
                try:
                    every.decrypt(token.encode())
                    counts.older += 1
                except InvalidToken:
                    counts.unreadable += 1
    return report


def rotate(
    *,
    batch: int = ROTATE_BATCH,
    progress: Callable[[str, ColumnReport], None] | None = None,
) -> KeyReport:
    """Re-encrypt every protected value under the newest key, in short batches.

    Each batch is its own transaction, and a value already under the newest key is skipped, so
    a run killed half-way is finished by running it again. An update only applies if the
    stored token is still the one read (a concurrent edit wins, and is already under the
    newest key). Values no configured key decrypts are counted and left untouched. The run is
    audited when it starts and when it ends (key fingerprints and counts, never values).
    """
    keys, newest, every = _configured()
    fingerprints = [key_fingerprint(k) for k in keys]
    report = KeyReport(keys=fingerprints)
    audit.record(actor=None, action="keys-rotate-start", detail={"keys": fingerprints})
    tables = _existing_tables()
    for col in protected_columns():
        counts = report.columns.setdefault(col.label, ColumnReport())
        if col.table not in tables:
            continue
        update = (
            f"UPDATE {_q(col.table)} SET {_q(col.column)} = %s "  # noqa: S608
            f"WHERE {_q(col.pk_column)} = %s AND {_q(col.column)} = %s"
        )
        for rows in _iter_tokens(col, batch):
            changes: list[tuple[str, Any, str]] = []
            for pk, token in rows:
                try:
                    newest.decrypt(token.encode())
                    counts.current += 1
                    continue
                except InvalidToken:
                    pass
                try:
                    changes.append((every.rotate(token.encode()).decode(), pk, token))
                except InvalidToken:
                    counts.unreadable += 1
            if changes:
                with transaction.atomic(), connection.cursor() as cursor:
                    for new_token, pk, old_token in changes:
                        cursor.execute(update, [new_token, pk, old_token])
                        counts.rotated += cursor.rowcount
            if progress is not None:
                progress(col.label, counts)
    audit.record(actor=None, action="keys-rotate", detail=report.as_dict())
    return report
