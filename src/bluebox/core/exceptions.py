"""The exceptions services and checks raise, and nothing else: no web or API framework here.

Services raise :class:`ServiceError` (bad input or a broken business rule: 400; a
:class:`Conflict` with what changed meanwhile: 409),
:class:`NotPermitted` (403) or :class:`NotVisible` (404, identical for "missing" and "not
yours"); operational records refuse deletion with :class:`DeletionRefused` (405). How each
channel renders them lives with the channel: :mod:`bluebox.core.api_errors` for the API,
:mod:`bluebox.core.web` and the middleware for pages. Messages never carry protected values.
"""

from __future__ import annotations

from django.http import Http404


class ServiceError(Exception):
    """A request that breaks a rule; ``field_errors`` maps field names to messages."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class Conflict(ServiceError):
    """The request was valid when it was written, but the record changed meanwhile (a patrol
    already recorded by someone else): the API answers 409 with ``"conflict": true`` so an
    offline client shows it instead of sending again or overwriting."""


class NotVisible(Http404):
    """Raised for records that do not exist and for records the user may not see, alike."""

    def __init__(self) -> None:
        super().__init__("Not found.")


class NotPermitted(Exception):
    """The user may see the scope but not perform this action in it (rendered as 403)."""


class StepUpRequired(NotPermitted):
    """A reveal without a fresh second-factor check bound to that record (rendered as 403)."""


class DeletionRefused(Exception):
    """Operational records are voided with a reason, never deleted."""
