"""Template helpers of the second factor (the reveal forms' step-up block)."""

from __future__ import annotations

from typing import Any

from django import template

from bluebox.core.models import Passkey

register = template.Library()


@register.simple_tag
def has_passkey(user: Any) -> bool:
    """Whether the person may step up with a passkey (the block then offers the button)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and Passkey.objects.filter(user=user, confirmed=True).exists()
    )


@register.simple_tag
def record_type(record: Any) -> str:
    """The model label a step-up is bound to (with the record's id)."""
    return str(record._meta.label_lower)
