"""Field-level encryption for protected identities (informants, survivors, detainees, callers).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys in
``BLUEBOX_FIELD_KEYS``; the first key encrypts, every key decrypts, so keys rotate by putting a
new key first and running ``bluebox keys rotate`` (:mod:`bluebox.core.keys`) over the stored
values.

A stored value that none of the configured keys can decrypt (a restore with the wrong keys, an
old key dropped too early) loads as an :class:`UnreadableValue`: the record and its page still
work and show the pseudonym marked unreadable, and saving the record writes the original
ciphertext back untouched, so the identity comes back once the right key is configured.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("BLUEBOX_FIELD_KEYS holds no key")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("protected value cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored token under the newest key."""
    return _current().rotate(token.encode()).decode()


class UnreadableValueError(ValueError):
    """A protected value that none of the configured keys decrypts."""


class ProtectedValue:
    """A decrypted identity that will not print itself by accident (logs, reprs, templates)."""

    __slots__ = ("_value",)

    #: Templates test ``value.readable`` to mark an identity the keys cannot decrypt.
    readable = True

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "[protected]"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProtectedValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class UnreadableValue(ProtectedValue):
    """Stored ciphertext that the configured keys cannot decrypt; it keeps the token intact."""

    __slots__ = ()
    readable = False

    @property
    def token(self) -> str:
        return self._value

    def reveal(self) -> str:
        raise UnreadableValueError(
            "this protected value cannot be decrypted with the configured keys"
        )

    def __str__(self) -> str:
        return "[unreadable]"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnreadableValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("unreadable", self._value))


def shown(value: object) -> str | None:
    """The plain text of a revealed value for a page, or ``None`` when it is unreadable.

    Only for code that has already authorised and audited the reveal.
    """
    if isinstance(value, UnreadableValue):
        return None
    if isinstance(value, ProtectedValue):
        return value.reveal()
    return ""


def load(token: str) -> ProtectedValue:
    """The stored token as a :class:`ProtectedValue`, or :class:`UnreadableValue` if no key fits."""
    if not settings.FIELD_ENCRYPTION_KEYS:
        return UnreadableValue(token)
    try:
        return ProtectedValue(_current().decrypt(token.encode()).decode())
    except InvalidToken:
        return UnreadableValue(token)


def seal_bytes(content: bytes) -> str:
    """The value to store in an :class:`EncryptedTextField` for a file's bytes (its base64,
    encrypted when saved): files of people (survey attachments, incident photos) are protected
    fields like identities, rotated with them."""
    return base64.b64encode(content).decode("ascii")


def open_bytes(value: object) -> bytes:
    """The bytes of a file stored with :func:`seal_bytes`; :class:`UnreadableValueError` when no
    configured key decrypts it. Only for code that has already authorised the read."""
    return base64.b64decode(value.reveal()) if isinstance(value, ProtectedValue) else b""


class EncryptedTextField(models.TextField):  # type: ignore[type-arg,unused-ignore]
    """Stores ciphertext; Python code sees a :class:`ProtectedValue` that must be revealed."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> ProtectedValue | None:
        if value is None or value == "":
            return None
        return load(value)

    def to_python(self, value: Any) -> ProtectedValue | None:
        if value is None or value == "" or isinstance(value, ProtectedValue):
            return value or None
        return ProtectedValue(str(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None if self.null else ""
        if isinstance(value, UnreadableValue):
            return value.token  # written back as it was: never replaced by a new encryption
        plain = value.reveal() if isinstance(value, ProtectedValue) else str(value)
        return encrypt(plain)
