"""Keyset (cursor) pagination for lists too large to count.

Limit/offset pagination runs a COUNT over every visible row on each request and reads past
``offset`` rows to reach a page, so both grow with the list. :class:`KeysetPagination` reads one
page from where the previous one ended instead: the cursor holds the sort key of the last (or
first) row seen, and the next page is the rows strictly beyond it in a unique ordering, which
an index on (scope, ordering) answers directly. There is no total and no page number.

It differs from DRF's :class:`~rest_framework.pagination.CursorPagination` in one way: the
position is the *whole* ordering (e.g. ``occurred_at`` and ``id``), not only its first field plus
an offset into rows that share it. DRF's offset is capped (1,000 by default), so a run of rows
with the same first key longer than that cannot be paged through, and each page inside a run
costs the length of the run. Here ties cost nothing. The response shape (``next``, ``previous``,
``results``), the ``cursor`` parameter and the browsable API controls are DRF's.

The cursor is opaque but not secret: it only says where to resume. The queryset it filters is
already restricted by the access module, so a tampered cursor can skip rows, never reveal any; a
cursor that does not decode answers 404 "Invalid cursor", as in DRF.
"""

from __future__ import annotations

import json
import operator
from datetime import datetime
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """Limit/offset pages with both numbers bounded: at most ``max_limit`` rows a page, and an
    offset a database can slice at. Anything that is not such a number is a 400, not a guess."""

    default_limit = 100
    max_limit = 1000
    max_offset = 10**9
    limit_query_description = "Results per page (default 100, at most 1000)."

    def get_limit(self, request: Request) -> int:
        return self._bounded(request, self.limit_query_param, 1, int(self.max_limit or 1000)) or (
            int(self.default_limit or 100)
        )

    def get_offset(self, request: Request) -> int:
        return self._bounded(request, self.offset_query_param, 0, self.max_offset) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: (1, self.max_limit),
            self.offset_query_param: (0, self.max_offset),
        }
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"] = {**parameter["schema"], "minimum": low, "maximum": high}
        return parameters

    @staticmethod
    def _bounded(request: Request, name: str, low: int, high: int) -> int | None:
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return None
        try:
            value = int(str(raw))
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise serializers.ValidationError({name: [f"Must be an integer from {low} to {high}."]})
        return value


class KeysetPagination(CursorPagination):
    """Pages by the full, unique ``ordering``; every field must sort in the same direction."""

    ordering: tuple[str, ...] = ("-pk",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Results per page (default 100, at most 500)."
    # Parameters of limit/offset paging. Ignoring them would hand an old client the first page
    # again and again, so they are refused with a pointer to ``page_size`` and ``next``.
    refused_params = ("limit", "offset")

    def get_page_size(self, request: Request) -> int:
        for name in self.refused_params:
            if name in request.query_params:
                raise serializers.ValidationError(
                    {name: ["This list pages by cursor: set page_size and follow next."]}
                )
        raw = request.query_params.get(self.page_size_query_param or "")
        if raw in (None, ""):
            return int(self.page_size or 100)
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if size < 1:
            raise serializers.ValidationError(
                {self.page_size_query_param: ["Must be a positive integer."]}
            )
        return min(size, int(self.max_page_size or size))

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)
        if cursor is not None and (cursor.offset != 0 or cursor.position is None):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def paginate_queryset(
        self, queryset: Any, request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        fields = [name.lstrip("-") for name in self.ordering]
        descending = self.ordering[0].startswith("-")
        if any(name.startswith("-") != descending for name in self.ordering):
            raise ValueError("keyset ordering fields must all sort in the same direction")
        self.cursor = self.decode_cursor(request)
        reverse = self.cursor is not None and self.cursor.reverse
        position = None if self.cursor is None else self.cursor.position

        if reverse:
            queryset = queryset.order_by(*(_flip(name) for name in self.ordering))
        else:
            queryset = queryset.order_by(*self.ordering)
        if position is not None:
            values = self._decode_position(queryset.model, fields, position)
            queryset = queryset.filter(_beyond(fields, values, descending != reverse))

        # One row more than the page says whether there is anything beyond it.
        rows = list(queryset[: self.page_size + 1])
        page = rows[: self.page_size]
        following = self._position(rows[-1]) if len(rows) > self.page_size else None
        current = None if position is None else str(position)
        # The link methods are DRF's; with unique positions they never need an offset.
        if reverse:
            page.reverse()
            self.has_next, self.next_position = True, current
            self.has_previous, self.previous_position = following is not None, following
        else:
            self.has_next, self.next_position = following is not None, following
            self.has_previous, self.previous_position = current is not None, current
        self.page = page
        self.display_page_controls = bool(self.has_next or self.has_previous)
        return page

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        url = f"https://bluebox.example.org/api/v1/list/?{self.cursor_query_param}="
        described["properties"]["next"]["example"] = url + "cD1bMV0%3D"
        described["properties"]["previous"]["example"] = url + "cj0xJnA9WzFd"
        return described

    def _position(self, instance: Any) -> str:
        return self._get_position_from_instance(instance, self.ordering)

    def _get_position_from_instance(self, instance: Any, ordering: Any) -> str:
        values = []
        for name in ordering:
            field = name.lstrip("-")
            value = instance[field] if isinstance(instance, dict) else getattr(instance, field)
            if isinstance(value, datetime):
                value = value.isoformat()
            values.append(value if isinstance(value, int | str) else str(value))
        return json.dumps(values, separators=(",", ":"))

    def _decode_position(
        self, model: type[Model], fields: list[str], position: object
    ) -> list[Any]:
        try:
            raw = json.loads(str(position))
            if not isinstance(raw, list) or len(raw) != len(fields):
                raise ValueError(position)
            values = []
            for name, value in zip(fields, raw, strict=True):
                field = model._meta.pk if name == "pk" else model._meta.get_field(name)
                parsed = field.to_python(value)  # type: ignore[union-attr]
                if parsed is None or (isinstance(parsed, datetime) and timezone.is_naive(parsed)):
                    raise ValueError(position)
                field.run_validators(parsed)  # type: ignore[union-attr]
                values.append(parsed)
        except (ValueError, TypeError, ValidationError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        return values


def _beyond(fields: list[str], values: list[Any], descending: bool) -> Q:
    """Rows strictly past ``values`` in the ordering over ``fields`` (all one direction).

    ``(a, b) < (x, y)`` is written ``a <= x AND (a < x OR (a = x AND b < y))``: the leading
    ``a <= x`` is what lets an index on (scope, a, b) start the scan at the cursor; the rest
    only sorts out the rows that tie on ``a``.
    """
    op = "lt" if descending else "gt"
    branches = []
    for i, name in enumerate(fields):
        equal = {fields[j]: values[j] for j in range(i)}
        branches.append(Q(**equal, **{f"{name}__{op}": values[i]}))
    return Q(**{f"{fields[0]}__{op}e": values[0]}) & reduce(operator.or_, branches)


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"
