"""The base of every model serializer in the API (use it instead of DRF's)."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, TypeVar

from django.db import models
from rest_framework import serializers

M = TypeVar("M", bound=models.Model)


# DRF's model serializer, except that a read-only choice field keeps its model's ``blank``.
# DRF drops ``allow_blank`` from read-only fields, so the schema of a field declared
# ``choices=..., blank=True`` listed only the choices while the API answered ``""`` (not yet
# set): a response generated clients reject. The model field is the one statement of what the
# column holds; this keeps the schema saying the same. (A comment, not a docstring: the schema
# would show a docstring as the description of every serializer.)
class ModelSerializer(serializers.ModelSerializer[M]):
    def include_extra_kwargs(
        self, kwargs: MutableMapping[str, Any], extra_kwargs: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        blank = kwargs.get("allow_blank", False) and "choices" in kwargs
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank:
            kwargs["allow_blank"] = True
        return kwargs
