"""Input fields shared by every app's serializers and forms, carrying the bounds of
:mod:`bluebox.core.bounds` so no input path can forget them.

Use these instead of the plain DRF or Django fields for any date, time or identifier a client
sends: ``inputs.DateTimeField()`` in a serializer, ``inputs.FormDateTimeField(...)`` in a form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework import serializers

from bluebox.core.bounds import MAX_COUNT, MAX_ID, within_date_window


class DateTimeField(serializers.DateTimeField):
    """A date and time inside the date window."""

    default_validators = [within_date_window]


class DateField(serializers.DateField):
    """A day inside the date window."""

    default_validators = [within_date_window]


class IdField(serializers.IntegerField):
    """The identifier of a record: a positive 64-bit integer (anything else names nothing)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class FormDateTimeField(forms.DateTimeField):
    default_validators = [within_date_window]


class FormDateField(forms.DateField):
    default_validators = [within_date_window]


class CountField(serializers.IntegerField):
    """A count (people, fatalities): at least 0, at most what a 32-bit column holds."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_COUNT)
        super().__init__(**kwargs)
