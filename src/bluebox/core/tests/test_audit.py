"""The audit chain: append-only, and `bluebox audit verify` catches any tampering.

The attacks are those of someone with write access to the database but not the audit key: raw
SQL on the entries and the head (on PostgreSQL as the table's owner, who can switch the
append-only trigger off; the application's own statements are refused, see the last tests).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from bluebox.cli import main
from bluebox.core import audit
from bluebox.core.exceptions import DeletionRefused
from bluebox.core.models import AuditEntry, AuditHead, AuditKeyEpoch

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only"
)


@pytest.fixture
def chain(db, django_capture_on_commit_callbacks):
    # The anchor is written when the transaction that appends commits.
    with django_capture_on_commit_callbacks(execute=True):
        return [audit.record(actor=None, action=f"event-{i}", detail={"n": i}) for i in range(6)]


def _raw(sql: str, params: list[object] | None = None) -> None:
    """A statement from someone holding the database (as the table's owner on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


def _head_row() -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, entry_hash, key_epoch, key_check, signature FROM core_audithead"
        )
        return tuple(cursor.fetchone())


def _set_head(row: tuple[object, ...]) -> None:
    _raw(
        "UPDATE core_audithead SET seq = %s, entry_hash = %s, key_epoch = %s, key_check = %s, "
        "signature = %s",
        list(row),
    )


def test_an_untouched_chain_verifies(chain, capsys):
    result = audit.verify()
    assert result.ok and result.entries == 6 and result.status == "intact"
    assert main(["audit", "verify"]) == 0
    assert "intact: 6 entries" in capsys.readouterr().out


def test_a_changed_entry_is_detected(chain, capsys):
    _raw("UPDATE core_auditentry SET action = %s WHERE seq = %s", ["innocent", 3])
    result = audit.verify()
    assert result.status == "tampered"
    assert any("entry 3: content does not match" in p for p in result.problems)
    assert main(["audit", "verify"]) == 1
    assert "BROKEN" in capsys.readouterr().out


def test_a_deleted_entry_is_detected(chain):
    _raw("DELETE FROM core_auditentry WHERE seq = %s", [4])
    assert any("missing" in p for p in audit.verify().problems)


def test_deleting_the_newest_entries_is_detected(chain):
    _raw("DELETE FROM core_auditentry WHERE seq >= %s", [5])
    assert any("newest entries deleted" in p for p in audit.verify().problems)


def test_reordered_entries_are_detected(chain):
    _raw("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [100, 2])
    _raw("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [2, 3])
    _raw("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [3, 100])
    assert audit.verify().status == "tampered"


def test_truncation_with_a_head_copied_from_an_older_entry_is_detected(chain):
    """Finding 5: delete the newest rows, copy an older entry's seq and hash into the head."""
    fourth = AuditEntry.objects.get(seq=4)
    _raw("DELETE FROM core_auditentry WHERE seq > %s", [4])
    _raw("UPDATE core_audithead SET seq = %s, entry_hash = %s", [4, fourth.entry_hash])
    result = audit.verify()
    assert result.status == "tampered"
    assert any("head's signature does not match" in p for p in result.problems)
    assert any("anchor outside the database records entry 6" in p for p in result.problems)


def test_truncation_back_to_a_head_saved_earlier_is_caught_by_the_anchor(
    chain, django_capture_on_commit_callbacks
):
    """The head row of an old copy of the database is validly signed: only the anchor knows."""
    saved = _head_row()
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(actor=None, action="the entry someone wants gone")
    _raw("DELETE FROM core_auditentry WHERE seq > %s", [6])
    _set_head(saved)
    result = audit.verify()
    assert result.status == "tampered"
    assert result.problems == [
        "the chain ends at entry 6 but the anchor outside the database records entry 7 "
        "(newest entries deleted?)"
    ]


def test_deleting_every_entry_and_the_head_is_detected(chain, capsys):
    """Finding 5: a full wipe used to verify as '0 entries, intact'."""
    _raw("DELETE FROM core_auditentry")
    _raw("DELETE FROM core_audithead")
    _raw("DELETE FROM core_auditkeyepoch")
    result = audit.verify()
    assert result.status == "tampered" and result.entries == 0
    assert any("every entry deleted" in p for p in result.problems)
    assert main(["audit", "verify"]) == 1


def test_deleting_the_anchor_as_well_is_reported(chain, settings):
    settings.AUDIT_ANCHOR_PATH.unlink()
    assert any(
        "anchor outside the database" in p and "missing" in p for p in audit.verify().problems
    )


def test_an_anchor_forged_without_the_key_is_detected(chain, settings):
    body = json.loads(settings.AUDIT_ANCHOR_PATH.read_text())
    settings.AUDIT_ANCHOR_PATH.write_text(json.dumps({**body, "seq": 2}))
    assert any("not signed with the chain's key" in p for p in audit.verify().problems)


def test_a_chain_recomputed_without_the_key_is_detected(chain, settings):
    """Rewrite every entry and the head with a guessed key: nothing verifies."""
    settings.AUDIT_KEYS = {1: "a forger's guess"}
    assert not audit.verify().ok


def test_a_wrong_key_is_told_apart_from_tampering(chain, settings, capsys):
    settings.AUDIT_KEYS = {1: "the key of another installation"}
    result = audit.verify()
    assert result.status == "wrong-key" and result.problems == []
    assert main(["audit", "verify"]) == 3
    out = capsys.readouterr().out
    assert "audit key WRONG" in out and "BROKEN" not in out
    # Tampering is still reported as tampering once the right key is back.
    settings.AUDIT_KEYS = {1: "test-audit-key"}
    _raw("UPDATE core_auditentry SET action = %s WHERE seq = %s", ["innocent", 2])
    assert audit.verify().status == "tampered"


def test_appending_with_a_wrong_key_is_refused(chain, settings):
    settings.AUDIT_KEYS = {1: "a restore without the keys generated this one"}
    with pytest.raises(audit.AuditKeyError):
        audit.record(actor=None, action="would fork the chain")
    assert AuditEntry.objects.count() == 6


def test_the_key_rotates_without_breaking_the_chain(chain, settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    assert main(["audit", "rotate-key"]) == 0
    assert "epoch 1 -> 2" in capsys.readouterr().out
    after = audit.record(actor=None, action="signed with the new key")
    rotation = AuditEntry.objects.get(seq=7)
    assert rotation.action == audit.ROTATE_ACTION and rotation.key_epoch == 1
    assert rotation.detail["to_epoch"] == 2 and rotation.actor.startswith("operator:")
    assert after.key_epoch == 2
    assert set(AuditKeyEpoch.objects.values_list("epoch", flat=True)) == {1, 2}
    assert audit.verify().ok
    # The old epoch's key stays needed to verify the old entries, and only that one.
    settings.AUDIT_KEYS = {1: "lost"}
    assert audit.verify().status == "wrong-key"


def test_an_entry_moved_across_a_key_epoch_is_detected(chain, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    audit.rotate_key()
    audit.record(actor=None, action="new epoch")
    _raw("UPDATE core_auditentry SET key_epoch = %s WHERE seq = %s", [1, 8])
    assert audit.verify().status == "tampered"


def test_production_rotation_needs_the_next_key_configured_first(chain, settings):
    settings.PRODUCTION = True
    with pytest.raises(audit.AuditKeyError, match="BLUEBOX_AUDIT_KEYS"):
        audit.rotate_key()
    settings.AUDIT_KEYS = {1: "test-audit-key", 2: audit.new_key()}
    assert audit.rotate_key().to_epoch == 2
    assert audit.verify().ok


def test_a_chain_from_before_key_epochs_still_verifies_and_continues(db, settings):
    """Entries written before this change (no epoch, no domain prefix, unsigned head)."""
    prev = audit.GENESIS
    for seq in (1, 2):
        entry = AuditEntry(
            seq=seq,
            at=datetime(2026, 11, 1, tzinfo=UTC),
            action=f"old-{seq}",
            outcome="allowed",
            detail={},
            prev_hash=prev,
            key_epoch=0,
        )
        message = prev.encode() + b"|" + audit._canonical(audit._fields(entry))
        entry.entry_hash = hmac.new(b"test-audit-key", message, hashlib.sha256).hexdigest()
        entry.save()
        prev = entry.entry_hash
    AuditHead.objects.create(pk=1, seq=2, entry_hash=prev)
    assert audit.verify().ok
    audit.record(actor=None, action="first entry with epochs")
    settings.AUDIT_ANCHOR_PATH.unlink(missing_ok=True)
    audit.write_anchor(*_head_row()[:2], 1)  # type: ignore[arg-type]
    assert audit.verify().ok
    settings.AUDIT_KEYS = {1: "wrong"}
    assert audit.verify().status == "wrong-key"


def test_reanchor_after_a_restore_is_itself_audited(chain, settings):
    settings.AUDIT_ANCHOR_PATH.unlink()
    assert main(["audit", "reanchor"]) == 0
    assert AuditEntry.objects.get(seq=7).action == audit.REANCHOR_ACTION
    assert audit.verify().ok


def test_the_orm_refuses_to_change_or_delete_entries(chain):
    entry = AuditEntry.objects.get(seq=1)
    entry.action = "changed"
    with pytest.raises(DeletionRefused):
        entry.save()
    with pytest.raises(DeletionRefused):
        entry.delete()
    with pytest.raises(DeletionRefused):
        AuditEntry.objects.filter(seq=1).update(action="changed")
    with pytest.raises(DeletionRefused):
        AuditEntry.objects.all().delete()


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditentry SET action = 'innocent' WHERE seq = 3",
        "DELETE FROM core_auditentry WHERE seq >= 5",
        "TRUNCATE core_auditentry",
    ],
)
def test_postgresql_refuses_the_applications_role_to_change_entries(chain, statement):
    with connection.cursor() as cursor:
        # The test database lets the harness TRUNCATE between tests; production does not.
        cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement)
    assert AuditEntry.objects.count() == 6
    assert audit.verify().ok


def _synchronous() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SHOW synchronous_commit" if connection.vendor == "postgresql" else "PRAGMA synchronous"
        )
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_an_unflushed_entry_is_chained_and_anchored_and_a_failed_one_leaves_nothing(settings):
    first = audit.record(actor=None, action="event-0")
    before = _synchronous()
    listed = audit.record(actor=None, action="list-read", detail={"ids": ["7"]}, flush=False)
    assert listed.seq == first.seq + 1 and listed.prev_hash == first.entry_hash
    stored = AuditEntry.objects.get(pk=listed.pk)
    assert (stored.seq, stored.entry_hash, stored.detail) == (
        listed.seq,
        listed.entry_hash,
        {"ids": ["7"]},
    )
    anchor = audit.read_anchor()
    assert isinstance(anchor, audit.Anchor) and anchor.seq == listed.seq
    assert _synchronous() == before
    keys = dict(settings.AUDIT_KEYS)
    settings.AUDIT_KEYS = {1: "not-the-chain's-key"}
    with pytest.raises(audit.AuditKeyError):
        audit.record(actor=None, action="list-read", detail={"ids": ["8"]}, flush=False)
    assert _synchronous() == before  # set back even when the append fails
    assert AuditEntry.objects.count() == 2
    settings.AUDIT_KEYS = keys
    assert audit.verify().ok
