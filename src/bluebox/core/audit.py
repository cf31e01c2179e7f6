"""The audit trail: append-only, hash-chained with a keyed HMAC, verifiable end to end.

Each entry's hash covers its content and the previous entry's hash, so changing, deleting or
reordering any entry breaks the chain. What someone with write access to the database but not
the key could still do is cut the newest entries and rewind the tip; three things stop that:

- the head row carries a keyed, domain-separated signature over the tip and the key epoch, so a
  head copied from an older entry does not verify;
- a signed copy of the tip (the *anchor*) is written outside the database after every commit
  that appends (``AUDIT_ANCHOR_PATH``), so a truncation back to an old, validly signed head or a
  full wipe of entries and head is caught by comparing the two;
- on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of entries (migration 0004).

Keys have epochs (``settings.AUDIT_KEYS``): :func:`rotate_key` appends an entry signed with the
old key that names the new epoch, and every later entry is signed with the new one. Each epoch's
key is known in the database by a check value only, which is how :func:`verify` tells a wrong
key ("the configured key is not the one that signed these entries") from tampering.

``detail`` must never hold protected identities: callers pass ids and field names, not values.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bluebox.core import operators
from bluebox.core.models import AuditEntry, AuditHead, AuditKeyEpoch, AuditOutcome

GENESIS = "0" * 64
ROTATE_ACTION = "audit-key-rotate"
REANCHOR_ACTION = "audit-reanchor"

# Domain separation: a MAC made for one purpose never verifies as another.
_ENTRY = b"bluebox.audit.entry.v2\x00"
_HEAD = b"bluebox.audit.head.v1\x00"
_ANCHOR = b"bluebox.audit.anchor.v1\x00"
_CHECK = b"bluebox.audit.key-check.v1\x00"

logger = logging.getLogger(__name__)


class AuditKeyError(RuntimeError):
    """The audit key needed to append is missing, or is not the one the chain was signed with."""


as_operator = operators.as_operator


def operator() -> str | None:
    return operators.current()


# --- keys ---------------------------------------------------------------------------------------


def _dev_key_path(epoch: int) -> Path:
    return Path(settings.DATA_DIR) / f"audit_key.{epoch}"


def _key(epoch: int) -> bytes | None:
    """The key of one epoch (epoch 0, entries from before epochs, used the first key)."""
    epoch = max(epoch, 1)
    configured = settings.AUDIT_KEYS.get(epoch)
    if configured:
        return str(configured).encode()
    if not settings.PRODUCTION and epoch > 1:
        path = _dev_key_path(epoch)
        if path.is_file():
            return path.read_text().strip().encode()
    return None


def _mac(key: bytes, domain: bytes, message: bytes) -> str:
    return hmac.new(key, domain + message, hashlib.sha256).hexdigest()


def check_value(key: bytes) -> str:
    return _mac(key, _CHECK, b"")


def _signing_key(head: AuditHead) -> bytes:
    """The key to append with, refused when it is absent or not the epoch's recorded key.

    Appending under a wrong key (a restore without the keys, a typo in the environment) would
    fork the chain into entries nobody can verify, so it fails loudly instead.
    """
    epoch = head.key_epoch
    key = _key(epoch)
    if key is None:
        raise AuditKeyError(f"no audit key is configured for epoch {epoch}")
    expected = check_value(key)
    if head.key_check == expected:
        return key
    if head.key_check:
        raise AuditKeyError(f"the configured audit key of epoch {epoch} is not the chain's key")
    # First append with epochs (a new database, or one from before them): record the key.
    known = AuditKeyEpoch.objects.filter(epoch=epoch).first()
    if known is None:
        AuditKeyEpoch.objects.create(epoch=epoch, check_value=expected, started_at=timezone.now())
    elif not hmac.compare_digest(known.check_value, expected):
        raise AuditKeyError(f"the configured audit key of epoch {epoch} is not the chain's key")
    head.key_check = expected
    return key


# --- hashes and signatures ----------------------------------------------------------------------


def _canonical(entry: Mapping[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), default=str).encode()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    fields = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "action": entry.action,
        "resource": entry.resource,
        "object_id": entry.object_id,
        "mission_id": entry.mission_id,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }
    if entry.key_epoch:
        fields["key_epoch"] = entry.key_epoch
    return fields


def _entry_hash(key: bytes, entry: AuditEntry) -> str:
    if entry.key_epoch == 0:
        # Entries written before epochs: no domain prefix, kept verifiable as they were.
        message = entry.prev_hash.encode() + b"|" + _canonical(_fields(entry))
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return _mac(key, _ENTRY, entry.prev_hash.encode() + b"\x00" + _canonical(_fields(entry)))


def _tip(seq: int, entry_hash: str, epoch: int) -> bytes:
    return f"{seq}:{entry_hash}:{epoch}".encode()


def head_signature(key: bytes, seq: int, entry_hash: str, epoch: int) -> str:
    return _mac(key, _HEAD, _tip(seq, entry_hash, epoch))


def _anchor_signature(key: bytes, seq: int, entry_hash: str, epoch: int) -> str:
    return _mac(key, _ANCHOR, _tip(seq, entry_hash, epoch))


# --- the anchor outside the database ------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    seq: int
    entry_hash: str
    key_epoch: int
    signature: str


def read_anchor() -> Anchor | str | None:
    """The anchor file, ``None`` when there is none, or a message when it cannot be read."""
    path = Path(settings.AUDIT_ANCHOR_PATH)
    try:
        raw = json.loads(path.read_text())
        return Anchor(
            seq=int(raw["seq"]),
            entry_hash=str(raw["entry_hash"]),
            key_epoch=int(raw["key_epoch"]),
            signature=str(raw["signature"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"the anchor file {path} cannot be read ({type(exc).__name__})"


def write_anchor(seq: int, entry_hash: str, epoch: int, *, force: bool = False) -> None:
    """Write the signed tip to the anchor file; it only moves forward unless ``force``.

    Concurrent processes commit in any order, so the file is locked and a tip older than the
    one already written is skipped. A failure is logged, never raised: the request it follows
    has committed.
    """
    key = _key(epoch)
    if key is None:
        return
    path = Path(settings.AUDIT_ANCHOR_PATH)
    body = {
        "seq": seq,
        "entry_hash": entry_hash,
        "key_epoch": epoch,
        "signature": _anchor_signature(key, seq, entry_hash, epoch),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = read_anchor()
            if not force and isinstance(current, Anchor) and current.seq >= seq:
                return
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(body, handle)
            os.replace(tmp, path)
    except OSError:
        logger.exception("could not write the audit anchor to %s", path)


# --- appending ----------------------------------------------------------------------------------


def _locked_head() -> AuditHead:
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _append(
    head: AuditHead,
    key: bytes,
    *,
    actor: Any,
    action: str,
    resource: str,
    object_id: object,
    mission_id: int | None,
    outcome: str,
    detail: Mapping[str, Any] | None,
) -> AuditEntry:
    entry = _new_entry(
        head,
        key,
        actor=actor,
        action=action,
        resource=resource,
        object_id=object_id,
        mission_id=mission_id,
        outcome=outcome,
        detail=detail,
    )
    entry.save()
    head.seq = entry.seq
    head.entry_hash = entry.entry_hash
    return entry


def _new_entry(
    head: AuditHead,
    key: bytes,
    *,
    actor: Any,
    action: str,
    resource: str,
    object_id: object,
    mission_id: int | None,
    outcome: str,
    detail: Mapping[str, Any] | None,
) -> AuditEntry:
    """The entry that follows ``head``, hashed and not yet saved."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if is_user:
        actor_id, actor_name = actor.pk, actor.get_username()
    else:
        name = operator()
        actor_id, actor_name = None, (f"operator:{name}" if name else "")
    entry = AuditEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        actor_id=actor_id,
        actor=actor_name[:150],
        action=action,
        resource=resource,
        object_id=str(object_id) if object_id not in (None, "") else "",
        mission_id=mission_id,
        outcome=outcome,
        # Round-trip through JSON so the hash computed now equals the one recomputed later.
        detail=json.loads(json.dumps(dict(detail or {}), default=str)),
        prev_hash=head.entry_hash,
        key_epoch=head.key_epoch,
    )
    entry.entry_hash = _entry_hash(key, entry)
    return entry


def _save_head(head: AuditHead, key: bytes) -> None:
    head.signature = head_signature(key, head.seq, head.entry_hash, head.key_epoch)
    head.save(update_fields=["seq", "entry_hash", "key_epoch", "key_check", "signature"])
    seq, entry_hash, epoch = head.seq, head.entry_hash, head.key_epoch
    transaction.on_commit(lambda: write_anchor(seq, entry_hash, epoch))


@contextmanager
def _unflushed_commit() -> Iterator[None]:
    """A transaction whose commit does not wait for the disk to flush it.

    PostgreSQL's ``synchronous_commit = off`` for this one transaction (``SET LOCAL``); SQLite
    in WAL mode with ``synchronous = NORMAL`` for it, set back to the connection's ``FULL``
    after. Either way the entry is in the chain, in order, before the caller goes on; what a
    crash of the database server in the next fraction of a second can lose is the newest such
    entries — never one in the middle, because the log is replayed in order and every flushed
    commit flushes all before it. Only for entries whose loss in that window is acceptable
    (see :func:`record`).
    """
    vendor = connection.vendor
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = NORMAL")
    try:
        with transaction.atomic():
            if vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
    finally:
        if vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = FULL")


def _append_unflushed_postgres(**fields: Any) -> AuditEntry | None:
    """:func:`record` without a flush on PostgreSQL, in two round trips instead of six.

    The ordinary append is BEGIN, ``SET LOCAL``, the locked read of the head, the entry's
    INSERT, the head's UPDATE and COMMIT, each a round trip to the server, and on a list page
    read by the thousand those waits were most of the entry's cost. Here the first three go as
    one simple-protocol message and the last three as another (the client binds the values),
    so the append is the same transaction doing the same things — the head is locked from the
    read until the commit, the entry is hashed from it exactly as :func:`_append` does, and
    the anchor moves after the commit. ``None`` (nothing written, the transaction rolled back)
    when this connection cannot send several statements at once or the chain has no head or
    no recorded key yet: the ordinary append then does it, creating them.
    """
    quote = connection.ops.quote_name
    head_table, entry_table = quote(AuditHead._meta.db_table), quote(AuditEntry._meta.db_table)
    columns = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    # Table and column names from the models; every value is a bound parameter.
    lock_head = (
        f"BEGIN; SET LOCAL synchronous_commit TO OFF; SELECT seq, entry_hash, "  # noqa: S608
        f"key_epoch, key_check FROM {head_table} WHERE id = 1 FOR UPDATE"
    )
    write = (
        f"INSERT INTO {entry_table} ({', '.join(quote(str(f.column)) for f in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id; "
        f"UPDATE {head_table} SET seq = %s, entry_hash = %s, signature = %s WHERE id = 1; COMMIT"
    )
    with connection.cursor() as cursor:
        if not hasattr(cursor.cursor, "mogrify"):  # psycopg's client-side binding cursor
            return None
        done = False
        try:
            cursor.execute(lock_head)
            cursor.nextset()
            cursor.nextset()
            row = cursor.fetchone()
            if row is None or not row[3]:
                return None
            head = AuditHead(pk=1, seq=row[0], entry_hash=row[1], key_epoch=row[2])
            head.key_check = row[3]
            key = _signing_key(head)
            entry = _new_entry(head, key, **fields)
            values = [
                json.dumps(entry.detail) if f.name == "detail" else getattr(entry, f.attname)
                for f in columns
            ]
            signature = head_signature(key, entry.seq, entry.entry_hash, entry.key_epoch)
            cursor.execute(write, [*values, entry.seq, entry.entry_hash, signature])
            entry.pk = cursor.fetchone()[0]
            entry._state.adding, entry._state.db = False, connection.alias
            done = True
        finally:
            if not done:
                cursor.execute("ROLLBACK")
    write_anchor(entry.seq, entry.entry_hash, entry.key_epoch)
    return entry


def mission_of(obj: Any) -> int | None:
    """The mission a record belongs to, read through its ``access_scope`` (``"mission_id"``,
    ``"id"`` for a mission itself, or a path such as ``"apprehension__mission_id"``)."""
    value: Any = obj
    field = getattr(obj, "access_scope", {}).get("mission")
    if not field:
        return None
    for part in field.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return int(value) if value is not None else None


def record_for(
    obj: Any,
    *,
    actor: Any,
    action: str,
    outcome: str = AuditOutcome.ALLOWED,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append the entry for ``action`` on ``obj``: its resource, id and mission come from the
    record (``access_resource``, ``pk``, ``access_scope``), so they cannot disagree with it."""
    return record(
        actor=actor,
        action=action,
        resource=obj.access_resource,
        object_id=obj.pk,
        mission_id=mission_of(obj),
        outcome=outcome,
        detail=detail,
    )


def record(
    *,
    actor: Any,
    action: str,
    resource: str = "",
    object_id: object = "",
    mission_id: int | None = None,
    outcome: str = AuditOutcome.ALLOWED,
    detail: Mapping[str, Any] | None = None,
    flush: bool = True,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction if there is one.

    Without a signed-in ``actor`` the entry names the operator of the command that runs (see
    :func:`as_operator`), or nobody for the server's own jobs.

    ``flush=False`` (a list's reads, written on every page) commits without waiting for the
    disk; the next flushed commit — any write, refusal or single-record read — makes it
    durable. The anchor still moves past it, so cutting it off the chain is caught as any
    truncation is; after a crash of the database server has lost such entries, ``verify``
    reports them missing against the anchor, and ``bluebox audit reanchor`` (itself audited)
    records that. Inside a caller's transaction the entry simply commits with it, flushed as
    that transaction is.
    """
    unflushed = not flush and not connection.in_atomic_block
    if unflushed and connection.vendor == "postgresql":
        appended = _append_unflushed_postgres(
            actor=actor,
            action=action,
            resource=resource,
            object_id=object_id,
            mission_id=mission_id,
            outcome=outcome,
            detail=detail,
        )
        if appended is not None:
            return appended
    with _unflushed_commit() if unflushed else transaction.atomic():
        head = _locked_head()
        key = _signing_key(head)
        entry = _append(
            head,
            key,
            actor=actor,
            action=action,
            resource=resource,
            object_id=object_id,
            mission_id=mission_id,
            outcome=outcome,
            detail=detail,
        )
        _save_head(head, key)
    return entry


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class Rotation:
    from_epoch: int
    to_epoch: int
    key_file: Path | None


def rotate_key(*, actor: Any = None) -> Rotation:
    """Start a new key epoch without breaking the chain.

    The next epoch's key must be configured (``BLUEBOX_AUDIT_KEYS``) in production; elsewhere
    one is generated into the data directory. One entry signed with the old key names the new
    epoch and its check value; every entry after it is signed with the new key.
    """
    with transaction.atomic():
        head = _locked_head()
        old_epoch = head.key_epoch
        old_key = _signing_key(head)
        to_epoch = old_epoch + 1
        key_file = None
        new = _key(to_epoch)
        if new is None:
            if settings.PRODUCTION:
                raise AuditKeyError(
                    f"configure the key of epoch {to_epoch} in BLUEBOX_AUDIT_KEYS on every "
                    "process first (bluebox audit new-key prints one)"
                )
            key_file = _dev_key_path(to_epoch)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(new_key())
            new = _key(to_epoch)
            if new is None:
                raise AuditKeyError(f"the key of epoch {to_epoch} could not be kept")
        if AuditKeyEpoch.objects.filter(epoch=to_epoch).exists():
            raise AuditKeyError(f"epoch {to_epoch} already exists; the chain is inconsistent")
        _append(
            head,
            old_key,
            actor=actor,
            action=ROTATE_ACTION,
            resource="audit",
            object_id="",
            mission_id=None,
            outcome=AuditOutcome.ALLOWED,
            detail={
                "from_epoch": old_epoch,
                "to_epoch": to_epoch,
                "check_value": check_value(new),
            },
        )
        AuditKeyEpoch.objects.create(
            epoch=to_epoch, check_value=check_value(new), started_at=timezone.now()
        )
        head.key_epoch = to_epoch
        head.key_check = check_value(new)
        _save_head(head, new)
    return Rotation(from_epoch=old_epoch, to_epoch=to_epoch, key_file=key_file)


def reanchor(*, actor: Any = None) -> AuditEntry:
    """Rewrite the anchor from the database's tip, recording the anchor it replaces.

    For an anchor that is knowingly behind or ahead (a restored backup, a moved data
    directory); the chain itself must verify first.
    """
    previous = read_anchor()
    entry = record(
        actor=actor,
        action=REANCHOR_ACTION,
        resource="audit",
        detail={
            "previous_seq": previous.seq if isinstance(previous, Anchor) else None,
            "previous_hash": previous.entry_hash if isinstance(previous, Anchor) else None,
        },
    )
    write_anchor(entry.seq, entry.entry_hash, entry.key_epoch, force=True)
    return entry


# --- verification -------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    problems: list[str]
    # Problems explained by a key that is not the chain's (none of them proves tampering).
    key_problems: list[str] = field(default_factory=list)

    @property
    def wrong_key(self) -> bool:
        return bool(self.key_problems) and not self.problems

    @property
    def status(self) -> str:
        if self.problems:
            return "tampered"
        if self.key_problems:
            return "wrong-key"
        return "intact"


def _iter_entries(batch: int = 2000) -> Iterator[AuditEntry]:
    last = -1
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


class _Keys:
    """Configured keys checked against each epoch's recorded check value."""

    def __init__(self) -> None:
        self.recorded = {k.epoch: k.check_value for k in AuditKeyEpoch.objects.all()}
        self.key_problems: list[str] = []
        self._usable: dict[int, bytes | None] = {}

    def usable(self, epoch: int) -> bytes | None:
        """The key to check ``epoch`` with, or ``None`` (with a key problem noted once)."""
        epoch = max(epoch, 1)
        if epoch in self._usable:
            return self._usable[epoch]
        key = _key(epoch)
        recorded = self.recorded.get(epoch)
        if key is None:
            self.key_problems.append(f"no audit key is configured for epoch {epoch}")
        elif recorded is not None and not hmac.compare_digest(recorded, check_value(key)):
            self.key_problems.append(
                f"wrong key: the configured audit key of epoch {epoch} is not the one that "
                "signed the chain (its check value differs); nothing was checked with it"
            )
            key = None
        self._usable[epoch] = key
        return key


def verify(max_problems: int = 20) -> VerifyResult:
    """Walk the whole chain, then its head and the anchor, and report every break found."""
    problems: list[str] = []
    keys = _Keys()
    expected_seq = 1
    prev_hash = GENESIS
    prev: AuditEntry | None = None
    count = 0
    # Entries whose content fails, by key epoch: a whole epoch failing can mean a wrong key.
    changed: dict[int, list[str]] = {}
    checked: dict[int, int] = {}
    for entry in _iter_entries():
        count += 1
        if entry.seq != expected_seq:
            problems.append(f"entry {expected_seq}..{entry.seq - 1} missing (deleted?)")
        if entry.prev_hash != prev_hash:
            problems.append(
                f"entry {entry.seq}: does not follow entry {entry.seq - 1} (reordered?)"
            )
        problem = _epoch_problem(prev, entry)
        if problem:
            problems.append(problem)
        key = keys.usable(entry.key_epoch)
        if key is not None:
            checked[entry.key_epoch] = checked.get(entry.key_epoch, 0) + 1
            if not hmac.compare_digest(_entry_hash(key, entry), entry.entry_hash):
                changed.setdefault(entry.key_epoch, []).append(
                    f"entry {entry.seq}: content does not match its hash (changed?)"
                )
        expected_seq = entry.seq + 1
        prev_hash = entry.entry_hash
        prev = entry
        if len(problems) + sum(map(len, changed.values())) >= max_problems:
            break
    for epoch, messages in changed.items():
        if max(epoch, 1) not in keys.recorded and len(messages) == checked[epoch]:
            # No check value to compare with (entries from before epochs) and not one entry
            # verifies: far more likely a wrong key than every entry rewritten.
            keys.key_problems.append(
                f"wrong key: no entry of key epoch {epoch} verifies with the configured key "
                "(or every one of them was rewritten)"
            )
        else:
            problems += messages
    if len(problems) < max_problems:
        problems += _tip_problems(keys, prev, count)
    return VerifyResult(
        ok=not problems and not keys.key_problems,
        entries=count,
        problems=problems,
        key_problems=keys.key_problems,
    )


def _epoch_problem(prev: AuditEntry | None, entry: AuditEntry) -> str | None:
    before = prev.key_epoch if prev is not None else None
    if before is None or entry.key_epoch == before:
        return None
    if before == 0 and entry.key_epoch == 1:
        return None  # the first entry written once keys had epochs
    rotated = (
        prev is not None
        and prev.action == ROTATE_ACTION
        and prev.detail.get("to_epoch") == entry.key_epoch
    )
    if rotated:
        return None
    return (
        f"entry {entry.seq}: signed with key epoch {entry.key_epoch} after epoch {before} "
        "without a rotation entry (reordered or forged?)"
    )


def _tip_problems(keys: _Keys, last: AuditEntry | None, count: int) -> list[str]:
    problems: list[str] = []
    last_seq = last.seq if last is not None else 0
    last_hash = last.entry_hash if last is not None else GENESIS
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            problems.append("the chain's head row is missing (deleted?)")
    else:
        if head.seq != last_seq or head.entry_hash != last_hash:
            problems.append(
                f"chain ends at entry {last_seq} but its head records entry {head.seq} "
                "(newest entries deleted?)"
            )
        signed = head.signature != ""
        if not signed and (keys.recorded or (last is not None and last.key_epoch > 0)):
            problems.append("the chain's head is not signed (forged head?)")
        elif signed:
            key = keys.usable(head.key_epoch)
            if key is not None and not hmac.compare_digest(
                head.signature, head_signature(key, head.seq, head.entry_hash, head.key_epoch)
            ):
                problems.append(
                    f"the head's signature does not match entry {head.seq} (forged head?)"
                )
        if last is not None and last.key_epoch > head.key_epoch:
            problems.append("the head's key epoch is older than the newest entry's (forged?)")
    problems += _anchor_problems(keys, last_seq, head)
    return problems


def _anchor_problems(keys: _Keys, last_seq: int, head: AuditHead | None) -> list[str]:
    anchor = read_anchor()
    path = settings.AUDIT_ANCHOR_PATH
    if isinstance(anchor, str):
        return [anchor]
    if anchor is None:
        if head is not None and head.signature:
            return [f"the anchor outside the database ({path}) is missing (deleted?)"]
        return []
    key = keys.usable(anchor.key_epoch)
    if key is not None and not hmac.compare_digest(
        anchor.signature,
        _anchor_signature(key, anchor.seq, anchor.entry_hash, anchor.key_epoch),
    ):
        return [f"the anchor file {path} is not signed with the chain's key (forged?)"]
    return _compare_with_anchor(anchor, last_seq)


def _compare_with_anchor(anchor: Anchor, last_seq: int) -> list[str]:
    if anchor.seq > last_seq:
        if last_seq == 0:
            return [
                f"the chain is empty but the anchor outside the database records entry "
                f"{anchor.seq} (every entry deleted?)"
            ]
        return [
            f"the chain ends at entry {last_seq} but the anchor outside the database records "
            f"entry {anchor.seq} (newest entries deleted?)"
        ]
    anchored = AuditEntry.objects.filter(seq=anchor.seq).first()
    if anchored is None or anchored.entry_hash != anchor.entry_hash:
        return [f"entry {anchor.seq} is not the one the anchor outside the database records"]
    return []
