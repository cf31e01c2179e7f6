"""Who is at the server's command line, for audit entries written without a signed-in person.

Kept free of Django so the ``bluebox`` entry point can set it before Django starts. Threads
start with an empty context, so the web server's and worker's own threads never inherit it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

_operator: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "bluebox_operator", default=None
)


@contextlib.contextmanager
def as_operator(name: str) -> Iterator[None]:
    """Entries written without a signed-in person inside this block name the operator."""
    token = _operator.set(name[:140])
    try:
        yield
    finally:
        _operator.reset(token)


def current() -> str | None:
    return _operator.get()
