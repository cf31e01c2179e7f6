"""The audit chain: append-only, and `bluebox audit verify` catches any tampering."""

from __future__ import annotations

import pytest
from django.db import connection

from bluebox.cli import main
from bluebox.core import audit
from bluebox.core.exceptions import DeletionRefused
from bluebox.core.models import AuditEntry


@pytest.fixture
def chain(db):
    return [audit.record(actor=None, action=f"event-{i}", detail={"n": i}) for i in range(6)]


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_untouched_chain_verifies(chain, capsys):
    result = audit.verify()
    assert result.ok and result.entries == 6
    assert main(["audit", "verify"]) == 0
    assert "intact: 6 entries" in capsys.readouterr().out


def test_a_changed_entry_is_detected(chain, capsys):
    _raw("UPDATE core_auditentry SET action = %s WHERE seq = %s", ["innocent", 3])
    result = audit.verify()
    assert not result.ok
    assert any("entry 3: content does not match" in p for p in result.problems)
    assert main(["audit", "verify"]) == 1


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
    assert not audit.verify().ok


def test_a_chain_recomputed_without_the_key_is_detected(chain, settings):
    settings.AUDIT_CHAIN_KEY = "a forger's guess"
    assert not audit.verify().ok


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
