"""The bounds every input must fall within, and the validators that enforce them.

Each bound is written once, here or in settings, and used by the one input layer (serializers
and forms) and by model fields, so a value outside it is a clear 400 before any service, query
or background job sees it:

* dates and times: :func:`date_window` — from ``settings.EARLIEST_DATE`` (event histories the
  engines use start in 1989) to ``settings.LATEST_DAYS_AHEAD`` days after today (plans and
  reviews look ahead, nothing reaches further). A forecast's panel is sized by this window, so
  a date in year 202 can no longer make it grow without limit;
* integers: :data:`MAX_ID` for identifiers, :func:`column_range` for a model's integer column
  (the narrowest range of the supported databases, so a value that SQLite stores is also one
  PostgreSQL stores);
* bodies: :data:`MAX_JSON_DEPTH` levels of nesting and ``settings.DATA_UPLOAD_MAX_MEMORY_SIZE``
  bytes (:mod:`bluebox.core.parsers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Primary keys are 64-bit (BigAutoField); a larger number cannot name a record.
MAX_ID = 2**63 - 1
# Counts live in 32-bit columns (PositiveIntegerField on PostgreSQL).
MAX_COUNT = 2**31 - 1
# JSON nesting deeper than any request of the API needs (their bodies are two levels deep).
MAX_JSON_DEPTH = 32


def date_window(today: date | None = None) -> tuple[date, date]:
    """The first and last day any date given to bluebox may fall on."""
    today = today or timezone.localdate()
    ahead = timedelta(days=int(settings.LATEST_DAYS_AHEAD))
    return earliest_date(), today + ahead if today < date.max - ahead else date.max


def earliest_date() -> date:
    """The first day of the window (``settings.EARLIEST_DATE``)."""
    return date.fromisoformat(str(settings.EARLIEST_DATE))


def within_date_window(value: date | datetime | None) -> None:
    """Validator for date and datetime inputs and model fields: refuses dates outside the window."""
    if value is None:
        return
    first, last = date_window()
    day = value.date() if isinstance(value, datetime) else value
    if not first <= day <= last:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_window",
            params={"first": first.isoformat(), "last": last.isoformat()},
        )


def window_start() -> datetime:
    """The earliest instant of the window, aware, for queries that need a lower bound."""
    return timezone.make_aware(datetime.combine(settings.EARLIEST_DATE, time.min))


def column_range(model: type[models.Model], field_name: str) -> tuple[int, int]:
    """The values the integer column ``model.field_name`` holds on every supported database."""
    field = model._meta.get_field(field_name)
    internal = field.get_internal_type()
    if internal in ("ForeignKey", "OneToOneField"):
        internal = "BigIntegerField"
    low, high = BaseDatabaseOperations.integer_field_ranges[internal]
    return int(low), int(high)


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply ``value`` nests lists and objects, counting no further than ``limit + 1``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return deepest


def query_id(query: Mapping[str, Any], name: str) -> int | None:
    """An optional record identifier from a page's query string (``request.GET``).

    Absent or empty is ``None``; anything that cannot name a record (not a number, not
    positive, wider than a primary key) is a 400 page rather than a query the database refuses.
    """
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if not 1 <= value <= MAX_ID:
        raise BadRequest(f"{name} is out of range")
    return value


def query_day(query: Mapping[str, Any], name: str) -> date | None:
    """An optional ``YYYY-MM-DD`` from a page's query string, inside the date window (or 400)."""
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        value = date.fromisoformat(str(raw))
        within_date_window(value)
    except (ValueError, ValidationError):
        raise BadRequest(f"{name} must be a date in the window") from None
    return value


def query_week(query: Mapping[str, Any], name: str) -> date | None:
    """An optional ISO week (``2026-W47``, as ``<input type="week">`` sends it) from a page's
    query string: its Monday, inside the date window (or 400)."""
    raw = query.get(name)
    if raw in (None, ""):
        return None
    year, sep, week = str(raw).partition("-W")
    try:
        if not (sep and len(year) == 4 and len(week) == 2 and (year + week).isdigit()):
            raise ValueError(raw)
        value = date.fromisocalendar(int(year), int(week), 1)
        within_date_window(value)
    except (ValueError, ValidationError):
        raise BadRequest(f"{name} must be a week (YYYY-Www) in the window") from None
    return value


@deconstructible
class ListOfChoices:
    """Validator for a JSON list field whose items must each be one of ``choices``."""

    def __init__(self, choices: Iterable[str], *, max_items: int = 50) -> None:
        self.choices = tuple(choices)
        self.max_items = max_items

    def __call__(self, value: Any) -> None:
        if not isinstance(value, list) or len(value) > self.max_items:
            raise ValidationError(
                _("Give a list of at most %(n)d items."), code="list", params={"n": self.max_items}
            )
        unknown = sorted({str(item) for item in value} - set(self.choices))
        if unknown:
            raise ValidationError(
                _("Unknown: %(items)s."), code="choice", params={"items": ", ".join(unknown)}
            )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ListOfChoices)
            and self.choices == other.choices
            and self.max_items == other.max_items
        )

    def __hash__(self) -> int:
        return hash((self.choices, self.max_items))
