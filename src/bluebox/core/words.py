"""Engine messages in the reader's language (see :mod:`bluebox.engines.messages`).

:func:`render` takes a :class:`~bluebox.engines.messages.Message`, its stored JSON, or an old
stored English string (rows written before the message was kept, shown as they are) and
returns it through gettext in the active language. ``html=True`` escapes the parameters and
isolates each in ``<bdi>``, so a number or an identifier does not reorder an Arabic sentence
around it; the template filter ``{{ value|message }}`` (``core/templatetags/labels.py``) does
that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from bluebox.engines.messages import Message


def as_message(value: Message | Mapping[str, Any] | str | None) -> Message | str:
    """A message from its stored form; a plain string (an old row) stays the string."""
    if value is None:
        return ""
    if isinstance(value, (Message, str)):
        return value
    return Message.from_dict(value)


def render(value: Message | Mapping[str, Any] | str | None, *, html: bool = False) -> str:
    """The message in the active language (see module docstring)."""
    message = as_message(value)
    if isinstance(message, str):
        return conditional_escape(message) if html else message
    if not html:
        return message.render(gettext, ngettext)

    def wrap(text: str) -> str:
        return str(format_html("<bdi>{}</bdi>", text))

    def translated(msgid: str) -> str:
        return str(conditional_escape(gettext(msgid)))

    def translated_plural(singular: str, plural: str, n: int) -> str:
        return str(conditional_escape(ngettext(singular, plural, n)))

    text: SafeString = mark_safe(  # noqa: S308 - every part above is escaped
        message.render(translated, translated_plural, wrap)
    )
    return text


def render_all(values: list[Any] | None, *, html: bool = False) -> list[str]:
    return [render(v, html=html) for v in values or []]
