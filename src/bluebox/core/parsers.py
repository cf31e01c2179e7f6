"""The API's JSON parser, bounded in size and nesting (see :mod:`bluebox.core.bounds`).

DRF's parser reads the whole stream whatever its length (Django limits ``request.body`` and
forms, not a stream read by a parser) and hands a 5,000-deep array to the recursive decoder.
This one reads at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (a larger body is a 413), and
refuses a body nested deeper than :data:`~bluebox.core.bounds.MAX_JSON_DEPTH` (a 400), before
any view sees it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from bluebox.core.bounds import MAX_JSON_DEPTH, json_depth


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "body_too_large"


def read_bounded(stream: IO[bytes] | Any, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``; more is :class:`BodyTooLarge`."""
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise BodyTooLarge()
    return bytes(body)


def loads_bounded(body: bytes | str) -> Any:
    """Parse JSON text, refusing malformed, non-standard (NaN) or too deeply nested documents."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from None
    except ValueError as exc:
        raise ParseError("The body is not valid JSON.") from exc
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        body = read_bounded(stream, int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        try:
            return loads_bounded(body)
        except UnicodeDecodeError as exc:
            raise ParseError("The body is not UTF-8.") from exc
