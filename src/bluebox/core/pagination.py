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
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, router
from django.db.models import Field, Model, Q, QuerySet
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
        fields, forward = self._start(request)
        queryset = self._ordered(queryset)
        if self.cursor is not None:
            values = self._decode_position(queryset.model, fields, self.cursor.position)
            queryset = queryset.filter(_beyond(fields, values, forward))
        # One row more than the page says whether there is anything beyond it.
        return self._finish(list(queryset[: self.page_size + 1]))

    def paginate_values(
        self,
        build: Callable[[], QuerySet[Any]],
        key: Hashable | None,
        request: Request,
        view: APIView | None = None,
        *,
        model: type[Model],
    ) -> list[dict[str, Any]]:
        """:meth:`paginate_queryset` for a ``values()`` queryset, compiled once per ``key``.

        Compiling the queryset to SQL was a large part of a page's own cost: the same work on
        every request for the same list. ``key`` must determine the SQL of ``build()``
        entirely (the caller's access filter and filters, as values); the database, page
        size, direction and whether there is a cursor are added here. The statement is
        compiled with marker values where the cursor's go, and each page binds its own in
        their place. With ``key=None``, or a statement the markers are not found in, the
        page is read as :meth:`paginate_queryset` reads it.
        """
        fields, forward = self._start(request)
        values = None
        if self.cursor is not None:
            values = self._decode_position(model, fields, self.cursor.position)
        statement = None
        if key is not None:
            reverse = bool(self.cursor and self.cursor.reverse)
            db = router.db_for_read(model)
            full_key = (key, db, self.ordering, self.page_size, reverse, values is None)
            statement = _STATEMENTS.get(full_key)
            if statement is None:
                queryset = build()
                if queryset.model is not model or queryset.db != db:
                    raise ValueError("the list's queryset is not of the model it pages")
                statement = _Statement.compile(
                    self._ordered(queryset), fields, values is not None, forward, self.page_size
                )
                if len(_STATEMENTS) >= MAX_STATEMENTS:
                    _STATEMENTS.clear()
                _STATEMENTS[full_key] = statement
        if statement is None or statement.sql is None:
            return self.paginate_queryset(build(), request, view) or []
        return self._finish(statement.run(values))

    def _start(self, request: Request) -> tuple[list[str], bool]:
        """Read the page size and cursor; the ordering's fields, and whether the page reads
        them descending (the ordering's own direction, flipped for a ``previous`` link)."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        fields = [name.lstrip("-") for name in self.ordering]
        descending = self.ordering[0].startswith("-")
        if any(name.startswith("-") != descending for name in self.ordering):
            raise ValueError("keyset ordering fields must all sort in the same direction")
        self.cursor = self.decode_cursor(request)
        return fields, descending != bool(self.cursor and self.cursor.reverse)

    def _ordered(self, queryset: Any) -> Any:
        if self.cursor is not None and self.cursor.reverse:
            return queryset.order_by(*(_flip(name) for name in self.ordering))
        return queryset.order_by(*self.ordering)

    def _finish(self, rows: list[Any]) -> list[Any]:
        """The page out of ``page_size + 1`` rows read, and the links around it."""
        reverse = self.cursor is not None and self.cursor.reverse
        position = None if self.cursor is None else self.cursor.position
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


#: Compiled list statements by key (:meth:`KeysetPagination.paginate_values`); emptied when full.
MAX_STATEMENTS = 256
_STATEMENTS: dict[Hashable, _Statement] = {}

# Two sets of values to compile a cursor's place with, by field type: the parameters that differ
# between the two compilations are where a cursor's values go. Any other value the statement
# holds (a filter, the access scope) is the same in both, whatever it is.
_MARKERS: dict[str, tuple[Any, Any]] = {
    "DateTimeField": (
        datetime(1111, 1, 1, 1, 1, 1, 111111, tzinfo=UTC),
        datetime(1222, 2, 2, 2, 2, 2, 222222, tzinfo=UTC),
    ),
    **dict.fromkeys(
        ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField"),
        (-1_111_111_111, -2_222_222_222),
    ),
}


def _prepared(field: Field[Any, Any], value: Any, connection: Any) -> Any:
    """A value as a lookup on ``field`` binds it (what the compiler puts in its parameters)."""
    return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)


@dataclass(frozen=True)
class _Statement:
    """A page's SQL compiled once: its parameters, where a cursor's values go, the names of
    its columns and the database's converters of them (``sql`` None: it cannot be reused)."""

    sql: str | None
    params: tuple[Any, ...] = ()
    slots: tuple[tuple[int, int], ...] = ()  # (parameter, ordering field) pairs
    fields: tuple[Field[Any, Any], ...] = ()
    names: tuple[str, ...] = ()
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...] = ()
    alias: str = "default"

    @classmethod
    def compile(
        cls, queryset: QuerySet[Any], names: list[str], cursor: bool, forward: bool, size: int
    ) -> _Statement:
        meta = queryset.model._meta
        found = [meta.pk if name == "pk" else meta.get_field(name) for name in names]
        fields = tuple(f for f in found if isinstance(f, Field))
        kinds = [f.get_internal_type() for f in fields]
        if len(fields) != len(names) or (cursor and not all(k in _MARKERS for k in kinds)):
            return cls(sql=None)
        compiled = []
        for side in (0, 1):
            page = queryset
            if cursor:
                page = page.filter(_beyond(names, [_MARKERS[k][side] for k in kinds], forward))
            compiler = page[: size + 1].query.get_compiler(queryset.db)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:  # nothing to see: the queryset answers that without SQL
                return cls(sql=None)
            compiled.append((sql, tuple(params)))
        slots = _cursor_slots(compiled, fields, kinds, connections[queryset.db], cursor)
        query = compiler.query
        columns = (*query.extra_select, *query.values_select, *query.annotation_select)
        if slots is None or not query.values_select or len(columns) != compiler.col_count:
            return cls(sql=None)
        selected = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = tuple(
            (pos, tuple(convs), expression)
            for pos, (convs, expression) in compiler.get_converters(selected).items()
        )
        return cls(
            sql=compiled[0][0],
            params=compiled[0][1],
            slots=slots,
            fields=fields,
            names=columns,
            converters=converters,
            alias=queryset.db,
        )

    def run(self, values: Sequence[Any] | None) -> list[dict[str, Any]]:
        """The rows, as ``values()`` gives them, at the cursor ``values`` (or the first page)."""
        connection = connections[self.alias]
        params = list(self.params)
        if values is not None:
            prepared = [
                _prepared(f, v, connection) for f, v in zip(self.fields, values, strict=True)
            ]
            for i, j in self.slots:
                params[i] = prepared[j]
        assert self.sql is not None  # noqa: S101 - only a compiled statement runs
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        result = []
        for raw in rows:
            row = list(raw)
            for pos, convs, expression in self.converters:
                value = row[pos]
                for convert in convs:
                    value = convert(value, expression, connection)
                row[pos] = value
            result.append(dict(zip(self.names, row, strict=True)))
        return result


def _cursor_slots(
    compiled: list[tuple[str, tuple[Any, ...]]],
    fields: tuple[Field[Any, Any], ...],
    kinds: list[str],
    connection: Any,
    cursor: bool,
) -> tuple[tuple[int, int], ...] | None:
    """Which parameters of a statement compiled with each set of markers hold which cursor
    field: those that differ between the two, each the same field's marker in both. ``None``
    when the two statements are not the same SQL or the markers are not all found, once."""
    (sql, params), (other_sql, other_params) = compiled
    if sql != other_sql or len(params) != len(other_params):
        return None
    pairs = list(zip(fields, kinds, strict=True)) if cursor else []
    marked = [
        [_prepared(f, _MARKERS[kind][side], connection) for f, kind in pairs] for side in (0, 1)
    ]
    slots = []
    for i, (one, two) in enumerate(zip(params, other_params, strict=True)):
        if one == two and type(one) is type(two):
            continue
        matches = [j for j in range(len(pairs)) if (one, two) == (marked[0][j], marked[1][j])]
        if len(matches) != 1:
            return None
        slots.append((i, matches[0]))
    if cursor and {j for _, j in slots} != set(range(len(fields))):
        return None
    return tuple(slots)


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"
