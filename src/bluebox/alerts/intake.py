"""Parsing gateway requests: courier's External channel and RapidPro flow webhooks.

The shapes are those the clients send (as in their own test suites):

* courier External channel, message in (``receive``): GET query or POST form, multipart form
  or JSON with ``from`` or ``sender``, ``text``, optional ``date`` or ``time`` (RFC 3339), and
  an optional ``id`` (the gateway's message id, used to ignore retries);
* delivery reports: ``sent``, ``delivered``, ``failed`` paths with ``id`` (or ``uuid``) in the
  query or the body; the older ``status`` path with ``id`` and ``status``;
* opt-out (``stopped``): ``from``;
* RapidPro flow webhook (JSON): ``contact.urn`` (``tel:+...``), ``contact.name``,
  ``input.text`` (or the flow ``results`` values), ``input.uuid`` (or the run's uuid).

Errors never echo the request back: it may hold a phone number.
"""

from __future__ import annotations

import hashlib
import re
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


# RFC 3339 date-time, as courier requires ("2017-06-23T12:30:00.500Z", "...+01:00").
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(raw: Any) -> datetime | None:
    if raw in (None, ""):
        return None
    if not RFC3339.fullmatch(str(raw).strip()):
        raise ServiceError("The date is not RFC 3339.")
    return _date(str(raw).strip().replace("z", "Z").replace("t", "T"))


def _first(values: dict[str, Any], *names: str) -> Any:
    for name in names:
        if values.get(name) not in (None, ""):
            return values[name]
    return None


def request_fields(
    *, query: dict[str, Any], body: bytes, content_type: str, form: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A request's fields: the query string, then the body (JSON, form or a parsed multipart
    ``form``) over it, as courier reads GET and POST alike."""
    values = dict(query)
    if form is not None:
        values.update(form)
    elif body:
        values.update(fields(body, content_type))
    return values


def inbound(values: dict[str, Any]) -> InboundMessage:
    if isinstance(values.get("contact"), dict):
        return _rapidpro(values)
    sender = _string(_first(values, "from", "sender"), "from", 64)
    text = _string(values.get("text"), "text", 4000)
    if not sender:
        raise ServiceError("A message needs one of 'from' or 'sender'.")
    if not text.strip():
        raise ServiceError("A message needs 'text'.")
    return InboundMessage(
        sender=sender,
        text=text,
        sent_at=_rfc3339(_first(values, "date", "time")),
        external_id=_string(values.get("id"), "id", 64),
    )


def status_id(values: dict[str, Any]) -> str:
    """The message id a delivery report is about (courier: ``id`` or ``uuid``)."""
    value = _string(_first(values, "id", "uuid"), "id", 64)
    if not value:
        raise ServiceError("A delivery report needs 'id' or 'uuid'.")
    return value


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
    # The message's uuid when the flow was started by one; else the run's with the text, so a
    # retried call is the same alert and another report from the same run is not.
    external_id = _string(source.get("uuid"), "input.uuid", 64)
    run = values.get("run")
    if not external_id and isinstance(run, dict) and run.get("uuid"):
        words = hashlib.sha256(text.encode()).hexdigest()[:16]
        external_id = f"{_string(run.get('uuid'), 'run.uuid', 40)}:{words}"
    return InboundMessage(
        sender=urn,
        text=text,
        sent_at=_date(source.get("created_on")),
        external_id=external_id,
        sender_name=_string(contact.get("name"), "contact.name", 200),
    )
