"""Template filters for :mod:`bluebox.core.labels` (``{{ code|label:"weapon" }}``) and engine
messages (``{{ reason|message }}``)."""

from __future__ import annotations

from typing import Any

from django import template

from bluebox.core import labels as vocabulary
from bluebox.core import words

register = template.Library()


@register.filter
def label(code: Any, kind: str) -> str:
    return vocabulary.label(code, kind)


@register.filter
def labels(codes: Any, kind: str) -> str:
    """A list of codes as their labels, joined with commas."""
    return vocabulary.joined(codes, kind)


@register.filter
def message(value: Any) -> str:
    """An engine's message (or its stored JSON, or an old stored string) in the reader's
    language, its numbers and identifiers isolated in ``<bdi>`` (:mod:`bluebox.core.words`)."""
    return words.render(value, html=True)
