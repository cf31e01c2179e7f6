"""Template filters for :mod:`bluebox.core.labels`: ``{{ code|label:"weapon" }}``."""

from __future__ import annotations

from typing import Any

from django import template

from bluebox.core import labels as vocabulary

register = template.Library()


@register.filter
def label(code: Any, kind: str) -> str:
    return vocabulary.label(code, kind)


@register.filter
def labels(codes: Any, kind: str) -> str:
    """A list of codes as their labels, joined with commas."""
    return vocabulary.joined(codes, kind)
