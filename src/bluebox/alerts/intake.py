"""Parsing gateway request bodies: the RapidPro/courier external channel and RapidPro webhooks.

* external channel (form-encoded or JSON): ``from``, ``text``, optional ``date`` (ISO 8601) and
  ``id`` (the gateway's message id, used to ignore retries);
* delivery callbacks: ``id`` and ``status`` (``sent``, ``delivered``, ``failed``);
* opt-out: ``from``;
* RapidPro flow webhook (JSON): ``contact.urn`` (``tel:+...``), ``contact.name``,
  ``input.text`` (or the flow ``results`` values), ``input.uuid``.

Errors never echo the body back: it may hold a phone number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from django.core.exceptions import ValidationError
from rest_framework.exceptions import ParseError

from bluebox.core.bounds import within_date_window
from bluebox.core.exceptions import ServiceError
from bluebox.core.parsers import loads_bounded

# A gateway sends a handful of fields; more is not a message (and parse_qs would raise).
MAX_FORM_FIELDS = 50


@dataclass(frozen=True)
class InboundMessage:
    """One message from a gateway, parsed: who sent it, what it says, when."""

    sender: str
    text: str
    sent_at: datetime | None = None
    external_id: str = ""
    sender_name: str = ""


def fields(body: bytes, content_type: str) -> dict[str, Any]:
    """The request's fields, from JSON or a form; a malformed body is a ServiceError."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError("The body is not UTF-8.") from None
    if content_type.split(";", maxsplit=1)[0].strip() == "application/json":
        try:
            value = loads_bounded(text)
        except ParseError as exc:
            raise ServiceError(str(exc.detail)) from None
        if not isinstance(value, dict):
            raise ServiceError("The body must be a JSON object.")
        return value
    try:
        parsed = parse_qs(
            text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:
        raise ServiceError(f"More than {MAX_FORM_FIELDS} form fields.") from None
    return {key: values[-1] for key, values in parsed.items()}


def _date(raw: Any) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise ServiceError("The date is not ISO 8601.") from None
    try:
        within_date_window(value)
    except ValidationError as exc:
        raise ServiceError(exc.messages[0]) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _string(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ServiceError(f"The field {name} must be text.")
    return str(value)[:limit]


def inbound(values: dict[str, Any]) -> InboundMessage:
    if isinstance(values.get("contact"), dict):
        return _rapidpro(values)
    sender = _string(values.get("from"), "from", 64)
    text = _string(values.get("text"), "text", 4000)
    if not sender or not text.strip():
        raise ServiceError("A message needs 'from' and 'text'.")
    return InboundMessage(
        sender=sender,
        text=text,
        sent_at=_date(values.get("date")),
        external_id=_string(values.get("id"), "id", 64),
    )


def _rapidpro(values: dict[str, Any]) -> InboundMessage:
    contact: dict[str, Any] = values["contact"]
    urn = _string(contact.get("urn"), "contact.urn", 80)
    if not urn.startswith("tel:"):
        raise ServiceError("Only tel: contacts are accepted.")
    raw_input = values.get("input")
    source: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
    text = _string(source.get("text"), "input.text", 4000)
    if not text.strip() and isinstance(values.get("results"), dict):
        parts = [
            _string(result.get("input") or result.get("value"), "results", 1000)
            for result in values["results"].values()
            if isinstance(result, dict)
        ]
        text = " ".join(p for p in parts if p)
    if not text.strip():
        raise ServiceError("The webhook carries no text.")
    return InboundMessage(
        sender=urn,
        text=text,
        sent_at=_date(source.get("created_on")),
        external_id=_string(source.get("uuid"), "input.uuid", 64),
        sender_name=_string(contact.get("name"), "contact.name", 200),
    )
