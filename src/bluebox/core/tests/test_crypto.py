from __future__ import annotations

import pytest

from bluebox.core import crypto


def test_values_round_trip_and_never_print_themselves(settings):
    token = crypto.encrypt("Informant Zebra-Canary-7731")
    assert "Zebra" not in token
    assert crypto.decrypt(token) == "Informant Zebra-Canary-7731"
    value = crypto.ProtectedValue("Informant Zebra-Canary-7731")
    assert "Zebra" not in str(value) and "Zebra" not in repr(value) and "Zebra" not in f"{value}"


def test_keys_rotate(settings):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[1], settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    token = crypto.encrypt("survivor name")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    rotated = crypto.rotate(token)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == "survivor name"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        crypto.decrypt(token)
