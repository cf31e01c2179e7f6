"""Words an engine says, as message keys with parameters, translated where they are shown.

Engines cannot translate (they import no Django, and a reason computed overnight is read the
next morning by people of three languages), so they return a :class:`Message`: the English
text as the key (a gettext msgid with named ``%(name)s`` placeholders) and its parameters. The
product renders it in the reader's language (``bluebox.core.messages``); stored results keep
the message as JSON (:meth:`Message.as_dict`), so a French reader of last week's forecast
reads French.

The msgids are marked with :func:`gettext_noop` and :func:`ngettext_noop`, which change nothing
here; ``makemessages`` extracts them into the catalogues (Django passes ``gettext_noop`` to
xgettext itself, ``bluebox.core``'s ``makemessages`` adds ``ngettext_noop``).

A parameter is a string, a number, another message (rendered first, in the same language:
"in the last 3 months" is one message inside "3 attacks on civilians in this area ...") or a
tuple of messages (each rendered, joined by "; ").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

Param: TypeAlias = "str | int | float | Message | tuple[Message, ...]"


def gettext_noop(message: str) -> str:
    """Mark an English msgid for extraction; return it unchanged."""
    return message


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural msgid pair for extraction; return them unchanged."""
    return singular, plural


@dataclass(frozen=True)
class Message:
    """A sentence to translate: the English msgid, its parameters and, for a sentence that
    depends on a number, its plural msgid and the parameter that holds the number."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str | None = None
    count: str | None = None

    @classmethod
    def of(cls, msgid: str, **params: Param) -> Message:
        return cls(msgid, params)

    @classmethod
    def counted(cls, forms: tuple[str, str], count: str, **params: Param) -> Message:
        """A plural message; ``params[count]`` (an integer) chooses the form."""
        if not isinstance(params.get(count), int):
            raise ValueError(f"the plural parameter {count!r} must be an integer")
        return cls(forms[0], params, plural=forms[1], count=count)

    def as_dict(self) -> dict[str, Any]:
        """The message as JSON (what results and records store)."""
        out: dict[str, Any] = {
            "msgid": self.msgid,
            "params": {k: _param_dict(v) for k, v in self.params.items()},
        }
        if self.plural is not None:
            out["plural"] = self.plural
            out["count"] = self.count
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        """Read :meth:`as_dict`'s JSON back."""
        params: dict[str, Param] = {}
        for k, v in (data.get("params") or {}).items():
            if isinstance(v, Mapping):
                params[k] = cls.from_dict(v)
            elif isinstance(v, list | tuple):
                params[k] = tuple(cls.from_dict(item) for item in v)
            else:
                params[k] = v
        return cls(str(data["msgid"]), params, data.get("plural"), data.get("count"))

    def render(
        self,
        gettext: Callable[[str], str] | None = None,
        ngettext: Callable[[str, str, int], str] | None = None,
        wrap: Callable[[str], str] | None = None,
    ) -> str:
        """The message in words: through the translation functions given (English without).

        ``wrap`` turns each plain parameter into its final form (HTML escaping and ``<bdi>``
        isolation on a page); nested messages are rendered, then used as they come out.
        """
        values: dict[str, str] = {}
        for k, v in self.params.items():
            if isinstance(v, Message):
                values[k] = v.render(gettext, ngettext, wrap)
            elif isinstance(v, tuple):
                values[k] = "; ".join(item.render(gettext, ngettext, wrap) for item in v)
            else:
                text = _plain(v)
                values[k] = wrap(text) if wrap else text
        if self.plural is not None:
            n = int(self.params[self.count or ""])  # type: ignore[arg-type]
            if ngettext is None:
                template = self.msgid if n == 1 else self.plural
            else:
                template = ngettext(self.msgid, self.plural, n)
        else:
            template = gettext(self.msgid) if gettext else self.msgid
        return template % values if values else template

    def __str__(self) -> str:
        return self.render()


MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "English gettext msgid with named %(name)s placeholders and their values "
    "(bluebox.engines.messages.Message); a plural message names the integer parameter that "
    "chooses its form",
    "required": ["msgid", "params"],
    "additionalProperties": False,
    "properties": {
        "msgid": {"type": "string"},
        "plural": {"type": "string"},
        "count": {"type": "string"},
        "params": {
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "number"},
                    {"$ref": "#/$defs/message"},
                    {"type": "array", "items": {"$ref": "#/$defs/message"}},
                ]
            },
        },
    },
}
"""JSON Schema of :meth:`Message.as_dict` (a schema that uses it defines ``$defs/message``)."""


def _param_dict(value: Param) -> Any:
    if isinstance(value, Message):
        return value.as_dict()
    if isinstance(value, tuple):
        return [item.as_dict() for item in value]
    return value


def _plain(value: str | int | float) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def english(message: Message | Mapping[str, Any] | str) -> str:
    """The English words of a message, a stored message or an old stored string."""
    if isinstance(message, str):
        return message
    if isinstance(message, Message):
        return message.render()
    return Message.from_dict(message).render()
